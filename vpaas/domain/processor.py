"""What one processing attempt works with, and how it learns that it must stop."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vpaas.db.base import Database
from vpaas.domain.asset_state import ProgressWriter


class Abandoned(Exception):
    """The job lost its lease (cancelled or re-leased): stop without touching anything."""


@dataclass
class Processor:
    """What one processing attempt works with: database, storage, limits, a scratch dir."""

    db: Database
    storage: Any
    settings: Any
    work: Path
    on_progress: Callable[[float], None] = field(default=lambda pct: None)
    is_stopped: Callable[[], bool] = field(default=lambda: False)

    @property
    def timeout(self) -> float:
        """Seconds one ffmpeg run may take."""
        return float(self.settings.ffmpeg_timeout or 6 * 3600)

    @property
    def threads(self) -> int:
        """Threads per ffmpeg run (``ffmpeg_threads``, 0 = every core)."""
        return int(self.settings.ffmpeg_threads or os.cpu_count() or 2)

    def check(self) -> None:
        """Raise :class:`Abandoned` once the job's lease is gone."""
        if self.is_stopped():
            raise Abandoned()

    def local_source(self, key: str) -> Path:
        """A local path of the stored source: in place on local disk, else a copy."""
        path = self.storage.local_path(key)
        if path is not None:
            return Path(path)
        return Path(self.storage.fetch_to_local(key, self.work / "source"))

    def progress_writer(self, partner_id: int, asset_ids: Sequence[str], *,
                        job_progress: bool = True) -> ProgressWriter:
        """A progress callback for ffmpeg runs producing ``asset_ids`` (also the job's
        progress unless ``job_progress`` is False)."""
        return ProgressWriter(self.db, partner_id, asset_ids,
                              self.on_progress if job_progress else None)

