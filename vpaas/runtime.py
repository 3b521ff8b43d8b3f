"""The app's adapters, built once at start-up and passed down explicitly (no singletons)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vpaas.db.base import Database
from vpaas.registry.build import Registry
from vpaas.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    registry: Registry
    storage: Any = None  # vpaas.adapters.storage.Storage
    queue: Any = None  # vpaas.adapters.queue.JobQueue
    partners: Any = None  # vpaas.domain.sessions.PartnerCache
    extras: dict[str, Any] = field(default_factory=dict)
