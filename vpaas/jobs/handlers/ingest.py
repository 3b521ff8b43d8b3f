"""URL imports and storing completed uploads (handlers live in vpaas.domain.imports)."""

from vpaas.domain.imports import register_jobs as register

__all__ = ["register"]
