"""Job handlers: each module here has ``register(handlers)``; :func:`build_handlers` calls them."""

from __future__ import annotations

import importlib
import pkgutil

from vpaas.jobs.registry import JobHandlers


def build_handlers() -> JobHandlers:
    handlers = JobHandlers()
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(handlers)
    return handlers
