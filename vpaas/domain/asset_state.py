"""The flavor asset state machine: every change of ``flavor_asset.status`` goes through here.

::

    QUEUED ──> CONVERTING ──> READY
      │            ├──> ERROR (reason)
      │            └──> QUEUED (the job is retried)
      ├──> NOT_APPLICABLE (the rendition does not fit the source)
      └──> READY (the source asset, stored as uploaded)
    READY | ERROR | NOT_APPLICABLE ──> QUEUED (reconvert)
    any state ──> DELETED (final)

Also here: an asset's files — their storage keys (derived from the asset id, so a retried
job can remove what an interrupted attempt left behind), producing them (remux or encode,
then fMP4 packaging), storing them, and writing conversion progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vpaas.db.base import Database, now
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.media.package import PackagedTracks, describe_packaged, package_flavor
from vpaas.media.presets import ACTION_REMUX, FlavorPlan
from vpaas.media.probe import MediaInfo
from vpaas.media.tools import ProgressCallback
from vpaas.media.transcode import flavor_filename, packaged_targets, remux, transcode_ladder


class FlavorAssetStatus(IntEnum):
    """``KalturaFlavorAssetStatus`` numbers."""

    ERROR = -1
    QUEUED = 0
    CONVERTING = 1
    READY = 2
    DELETED = 3
    NOT_APPLICABLE = 4
    TEMP = 5
    WAIT_FOR_CONVERT = 6
    IMPORTING = 7
    VALIDATING = 8
    EXPORTING = 9


A = FlavorAssetStatus
ALLOWED: dict[FlavorAssetStatus, frozenset[FlavorAssetStatus]] = {
    A.QUEUED: frozenset({A.CONVERTING, A.READY, A.NOT_APPLICABLE, A.ERROR}),
    A.CONVERTING: frozenset({A.READY, A.ERROR, A.QUEUED}),
    A.READY: frozenset({A.QUEUED}),
    A.ERROR: frozenset({A.QUEUED}),
    A.NOT_APPLICABLE: frozenset({A.QUEUED}),
    A.WAIT_FOR_CONVERT: frozenset({A.QUEUED, A.CONVERTING, A.ERROR}),
    A.TEMP: frozenset({A.QUEUED, A.READY, A.ERROR}),
    A.IMPORTING: frozenset({A.QUEUED, A.READY, A.ERROR}),
    A.VALIDATING: frozenset({A.READY, A.ERROR}),
    A.EXPORTING: frozenset({A.READY, A.ERROR}),
    A.DELETED: frozenset(),
}
PENDING = frozenset({A.QUEUED, A.CONVERTING, A.WAIT_FOR_CONVERT, A.IMPORTING, A.VALIDATING})
"""Statuses of an asset whose work is not finished yet."""
MAX_REASON_CHARS = 1000


class StatefulAsset(Protocol):
    """What the state machine reads and writes on a flavor asset row."""

    id: str
    status: int
    progress: int
    error_description: str | None
    deleted_at: int | None


class IllegalAssetTransition(Exception):
    """A status change the asset lifecycle does not allow (a bug in the caller)."""

    def __init__(self, asset_id: str, current: FlavorAssetStatus, to: FlavorAssetStatus) -> None:
        super().__init__(f"flavor asset {asset_id}: {current.name} -> {to.name} is not allowed")
        self.current = current
        self.to = to


def can_transition(current: int, to: int) -> bool:
    """True if an asset in ``current`` may move to ``to`` (same status counts as allowed)."""
    cur, target = FlavorAssetStatus(current), FlavorAssetStatus(to)
    if cur == target:
        return cur != A.DELETED
    return target == A.DELETED or target in ALLOWED[cur]


def transition(asset: StatefulAsset, to: FlavorAssetStatus | int,
               reason: str | None = None) -> bool:
    """Move ``asset`` to ``to``; False if it already was there (a no-op).

    ERROR needs a readable ``reason`` (kept in ``error_description``); NOT_APPLICABLE keeps
    its optional reason there too; other statuses clear it. READY sets progress to 100,
    QUEUED resets it to 0. Raises :class:`IllegalAssetTransition` for a forbidden change.
    """
    target = FlavorAssetStatus(to)
    current = FlavorAssetStatus(asset.status)
    if target == A.ERROR and not (reason and reason.strip()):
        raise ValueError(f"moving flavor asset {asset.id} to ERROR needs a reason")
    if not can_transition(current, target):
        raise IllegalAssetTransition(asset.id, current, target)
    if target in (A.ERROR, A.NOT_APPLICABLE):
        asset.error_description = (reason or "").strip()[:MAX_REASON_CHARS] or None
    elif target != A.DELETED:
        asset.error_description = None
    if target == A.READY:
        asset.progress = 100
    elif target == A.QUEUED:
        asset.progress = 0
    if current == target:
        return False
    asset.status = int(target)
    if target == A.DELETED:
        asset.deleted_at = now()
    return True


def set_progress(asset: StatefulAsset, pct: float) -> bool:
    """Record conversion progress (0-99 while converting); True if the value changed."""
    if FlavorAssetStatus(asset.status) != A.CONVERTING:
        return False
    value = int(min(99, max(0, pct)))
    if value == asset.progress:
        return False
    asset.progress = value
    return True


# --- storage keys ------------------------------------------------------------------------------


def flavor_folder(partner_id: int, entry_id: str) -> str:
    """Folder holding every flavor file of an entry."""
    return f"p/{int(partner_id)}/entry/{entry_id}/flavor/"


def mp4_key(partner_id: int, entry_id: str, asset_id: str) -> str:
    """Storage key of a flavor's progressive MP4."""
    return f"{flavor_folder(partner_id, entry_id)}{asset_id}.mp4"


def tracks_prefix(partner_id: int, entry_id: str, asset_id: str) -> str:
    """Folder of a flavor's packaged fMP4 tracks."""
    return f"{flavor_folder(partner_id, entry_id)}{asset_id}/"


def track_key(partner_id: int, entry_id: str, asset_id: str, kind: str) -> str:
    """Storage key of a packaged track: ``video.mp4`` or ``audio.m4a``."""
    if kind not in ("video", "audio"):
        raise ValueError(f"unknown track kind {kind!r}")
    ext = "mp4" if kind == "video" else "m4a"
    return f"{tracks_prefix(partner_id, entry_id, asset_id)}{kind}.{ext}"


def thumb_key(partner_id: int, entry_id: str, version: int) -> str:
    """Storage key of an entry's default thumbnail of ``version``."""
    return f"p/{int(partner_id)}/entry/{entry_id}/thumb/{int(version)}.jpg"


def asset_keys(asset: Any) -> list[str]:
    """Storage keys an asset's files live at (never the entry source the original points at)."""
    if asset.is_original:
        return []
    pid, eid, aid = asset.partner_id, asset.entry_id, asset.id
    return [mp4_key(pid, eid, aid), track_key(pid, eid, aid, "video"),
            track_key(pid, eid, aid, "audio")]


# --- producing and storing a flavor's files -----------------------------------------------------


@dataclass(frozen=True)
class FlavorOutputs:
    """A finished flavor on local disk: its progressive MP4 and its packaged tracks."""

    mp4: Path
    tracks: PackagedTracks


class Limits(Protocol):
    """What producing files needs from a processing attempt."""

    work: Path

    @property
    def timeout(self) -> float: ...

    @property
    def threads(self) -> int: ...


def produce(limits: Limits, src: Path, info: MediaInfo, plan: FlavorPlan, asset_id: str,
            progress: ProgressCallback | None = None, *, threads: int | None = None
            ) -> FlavorOutputs:
    """Make one flavor (remux or encode) from ``src`` and package it; ``threads`` overrides
    the attempt's thread count. An encode writes its packaged tracks in the same run."""
    out = limits.work / f"flavor-{asset_id}"
    threads = threads or limits.threads
    if plan.action == ACTION_REMUX:
        mp4 = remux(src, out / flavor_filename(plan.flavor_id), limits.timeout, threads,
                    info=info)
    else:
        done = transcode_ladder(src, [plan], out, limits.timeout, threads, progress,
                                info=info, packaged=True)
        return encoded_outputs(done[plan.flavor_id], plan, info)
    return package_one(limits, mp4, asset_id)


def encoded_outputs(mp4: Path, plan: FlavorPlan, info: MediaInfo) -> FlavorOutputs:
    """A flavor ``transcode_ladder(packaged=True)`` made: its MP4 and its packaged tracks."""
    return FlavorOutputs(mp4, describe_packaged(mp4, packaged_targets(mp4, plan, info)))


def package_one(limits: Limits, mp4: Path, asset_id: str) -> FlavorOutputs:
    """Package a flavor MP4 into single-track fMP4 files (stream copy)."""
    tracks = package_flavor(mp4, limits.work / f"package-{asset_id}", limits.timeout,
                            limits.threads)
    return FlavorOutputs(mp4, tracks)


def store_outputs(session: Session, storage: Any, asset_id: str, outputs: FlavorOutputs
                  ) -> bool:
    """Put a flavor's files into storage and make the asset READY with their media facts.

    False (nothing stored) if the asset was deleted or reset meanwhile.
    """
    asset = session.scalars(select(FlavorAssetRow).where(FlavorAssetRow.id == asset_id)).first()
    if asset is None or FlavorAssetStatus(asset.status) != A.CONVERTING:
        return False
    pid, eid = asset.partner_id, asset.entry_id
    size = storage.put_file(mp4_key(pid, eid, asset_id), outputs.mp4, move=True)
    index: dict[str, Any] = {}
    for track in outputs.tracks.tracks:
        key = track_key(pid, eid, asset_id, track.kind)
        storage.put_file(key, track.path, move=True)
        setattr(asset, f"{track.kind}_key", key)
        if track.index is not None:
            index[track.kind] = track.index.to_dict()
    _describe(asset, outputs.tracks, size)
    asset.storage_key, asset.track_index = mp4_key(pid, eid, asset_id), index
    transition(asset, A.READY)
    session.flush()
    return True


def _describe(asset: Any, tracks: PackagedTracks, size: int) -> None:
    video, audio = tracks.video, tracks.audio
    duration_ms = max((t.duration_ms for t in tracks.tracks), default=0)
    asset.size_bytes, asset.duration_ms = size, duration_ms
    asset.bitrate = round(size * 8 / duration_ms) if duration_ms else 0  # kbps
    asset.codecs, asset.container_format, asset.file_ext = tracks.codecs, "mp4", "mp4"
    asset.is_web = True
    if video is not None:
        asset.width, asset.height, asset.frame_rate = video.width, video.height, video.frame_rate
        asset.video_codec_id = video.codec.split(".")[0]
    else:
        asset.width = asset.height = 0
        asset.video_codec_id = None
    del audio


class ProgressWriter:
    """ffmpeg progress → the assets' ``progress`` column (throttled) and the job heartbeat."""

    MIN_STEP = 2.0
    MIN_INTERVAL = 1.0

    def __init__(self, db: Database, partner_id: int, asset_ids: Sequence[str],
                 beat: Callable[[float], None] | None = None) -> None:
        self._db, self._pid, self._ids, self._beat = db, partner_id, list(asset_ids), beat
        self._last, self._at = 0.0, 0.0

    def __call__(self, pct: float) -> None:
        if self._beat is not None:
            self._beat(pct)
        moment = time.monotonic()
        if pct - self._last < self.MIN_STEP and moment - self._at < self.MIN_INTERVAL:
            return
        if pct <= self._last:
            return
        self._last, self._at = pct, moment
        with self._db.partner_session(self._pid) as s:
            s.execute(update(FlavorAssetRow)
                      .where(FlavorAssetRow.id.in_(self._ids),
                             FlavorAssetRow.status == int(A.CONVERTING))
                      .values(progress=int(min(99, max(0, pct))))
                      .execution_options(synchronize_session=False))
            s.commit()
