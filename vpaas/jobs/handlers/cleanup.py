"""Job handlers removing stored files: of a deleted entry, and of deleted flavor assets.

Both only ever delete below ``p/<partner>/entry/`` of the job's partner.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.domain import asset_state, entries, flavors
from vpaas.domain.asset_state import FlavorAssetStatus
from vpaas.jobs.model import PermanentJobError
from vpaas.jobs.registry import JobContext, JobHandlers

log = logging.getLogger(__name__)

DELETE_ASSET_FILES_JOB = flavors.DELETE_ASSET_FILES_JOB
"""Payload ``{"entry_id": str, "keys": [str], "prefixes": [str]}``."""


def register(handlers: JobHandlers) -> None:
    """Register the file-removal job types."""
    handlers.register(entries.DELETE_FILES_JOB, delete_entry_files)
    handlers.register(DELETE_ASSET_FILES_JOB, delete_asset_files)


def delete_entry_files(ctx: JobContext) -> None:
    """Remove a deleted entry's files and mark its flavor assets DELETED."""
    entries.delete_entry_files(ctx)
    runtime = ctx.deps
    with runtime.db.partner_session(ctx.partner_id) as s:
        for asset in s.scalars(select(FlavorAssetRow).where(
                FlavorAssetRow.entry_id == ctx.object_id,
                FlavorAssetRow.status != int(FlavorAssetStatus.DELETED))):
            asset_state.transition(asset, FlavorAssetStatus.DELETED)
        s.commit()


def _confined(ctx: JobContext, value: Any, *, folder: bool) -> str:
    text = str(value or "")
    base = f"p/{ctx.partner_id}/entry/"
    bad = not text.startswith(base) or ".." in text.split("/") or "//" in text
    if bad or text.endswith("/") != folder:
        raise PermanentJobError(f"refusing to delete unexpected key {text!r}")
    return text


def delete_asset_files(ctx: JobContext) -> None:
    """Remove the files of deleted flavor assets (keys and folders listed in the payload)."""
    storage = ctx.deps.storage
    keys = [_confined(ctx, k, folder=False) for k in ctx.payload.get("keys") or []]
    prefixes = [_confined(ctx, p, folder=True) for p in ctx.payload.get("prefixes") or []]
    for key in keys:
        storage.delete(key)
    for prefix in prefixes:
        storage.delete_prefix(prefix)
    log.info("deleted %d files and %d folders of flavor assets", len(keys), len(prefixes))
