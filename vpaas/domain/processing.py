"""Media processing: probe → plan → first playable flavor → entry READY → rest of the ladder.

Two jobs split the work so the first playable flavor never waits for the full ladder:

- ``process_entry`` probes the source, records its media info, creates one flavor asset
  per flavor params of the profile (NOT_APPLICABLE when the rendition does not fit), makes
  the first playable flavor (a stream-copy remux of a web-playable source, else the
  cheapest rung alone), packages it as fMP4, captures the default thumbnail and makes the
  entry READY; then it enqueues
- ``convert_ladder``: every remaining rung in ONE ffmpeg run, each packaged and READY as
  soon as it is stored.

Both are safe to retry: an attempt first removes what an earlier attempt of the same job
left (asset files have keys derived from asset ids, recorded before any upload).
A replacement (``media.updateContent``) builds a second set of assets (``replacing``) and
swaps it in once it is ready; the entry keeps playing its current content meanwhile.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vpaas import jobs
from vpaas.db.base import Database, new_id
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.domain import asset_state, entries, flavors
from vpaas.domain.asset_state import FlavorAssetStatus as S
from vpaas.domain.asset_state import (
    ProgressWriter,
    asset_keys,
    package_one,
    produce,
    store_outputs,
)
from vpaas.domain.entry_state import EntryStatus
from vpaas.domain.entry_state import transition as entry_transition
from vpaas.domain.flavors import EntryPlan
from vpaas.media.presets import ACTION_REMUX, ACTION_TRANSCODE, FlavorPlan
from vpaas.media.probe import MediaInfo, probe
from vpaas.media.tools import MediaError
from vpaas.media.transcode import transcode_ladder

log = logging.getLogger(__name__)

PROCESS_JOB = entries.PROCESS_JOB
LADDER_JOB = flavors.LADDER_JOB
"""Job type of the remaining rungs; payload ``{"replacement", "source_key", "asset_ids"}``."""


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


    def progress_writer(self, partner_id: int, asset_ids: Sequence[str]) -> ProgressWriter:
        """A progress callback for ffmpeg runs producing ``asset_ids``."""
        return ProgressWriter(self.db, partner_id, asset_ids, self.on_progress)


# --- lookups ------------------------------------------------------------------------------------


def live_entry(session: Session, entry_id: str, source_key: str,
               replacement: bool) -> EntryRow | None:
    """The entry if it still exists and ``source_key`` is still its content (or the
    replacement being processed, for replacement jobs)."""
    row = session.scalars(select(EntryRow).where(EntryRow.id == entry_id)).first()
    if row is None or row.status == EntryStatus.DELETED:
        return None
    if not source_key or row.source_key == source_key:
        return row
    return row if replacement and row.replacement_key == source_key else None


def replacing(entry: EntryRow, source_key: str) -> bool:
    """True while ``source_key`` is a replacement not yet swapped in."""
    return bool(source_key) and entry.replacement_key == source_key and (
        entries.replacement_pending(entry))


def entry_assets(session: Session, entry_id: str, *, replacing: bool | None = None
                 ) -> list[FlavorAssetRow]:
    """The entry's flavor assets that are not deleted (one set, or both with None)."""
    query = select(FlavorAssetRow).where(FlavorAssetRow.entry_id == entry_id,
                                         FlavorAssetRow.status != int(S.DELETED))
    if replacing is not None:
        query = query.where(FlavorAssetRow.replacing.is_(replacing))
    return list(session.scalars(query.order_by(FlavorAssetRow.flavor_params_id)))


def remove_asset_files(storage: Any, asset: FlavorAssetRow) -> None:
    """Delete every stored file of an asset (never the entry source an original points at)."""
    for key in asset_keys(asset):
        storage.delete(key)
    if not asset.is_original:
        storage.delete_prefix(asset_state.tracks_prefix(asset.partner_id, asset.entry_id,
                                                        asset.id))


def discard_assets(session: Session, storage: Any, assets: Sequence[FlavorAssetRow]) -> None:
    """Remove assets (rows and files) an earlier attempt or earlier content created."""
    for asset in assets:
        remove_asset_files(storage, asset)
        session.delete(asset)


# --- process_entry ------------------------------------------------------------------------------


def process_entry(proc: Processor, partner_id: int, entry_id: str, payload: dict[str, Any]
                  ) -> None:
    """Job body of ``process_entry`` (see the module docstring). MediaError = bad media."""
    source_key = str(payload.get("source_key") or "")
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, bool(payload.get("replacement")))
        if entry is None:
            log.info("entry %s: gone or has newer content; nothing to process", entry_id)
            return
        source_key = source_key or str(entry.source_key or "")
        if not source_key:
            raise MediaError("the entry has no content to process")
        replacement = replacing(entry, source_key)
        discard_assets(s, proc.storage, entry_assets(s, entry_id, replacing=replacement))
        s.commit()
    src = proc.local_source(source_key)
    info = probe(src)
    proc.check()
    if info.is_image:
        _finish_image(proc, partner_id, entry_id, source_key, info, replacement)
        return
    (first_row, first), rest_ids = _create_assets(proc, partner_id, entry_id, source_key, info,
                                                  replacement)
    proc.check()
    outputs = produce(proc, src, info, first, first_row.id,
                      proc.progress_writer(partner_id, [first_row.id]))
    thumb = capture_thumbnail(proc.work, src, info)
    with proc.db.partner_session(partner_id) as s:
        stored = store_outputs(s, proc.storage, first_row.id, outputs)
        entry = live_entry(s, entry_id, source_key, replacement)
        if entry is None or not stored:
            s.commit()
            return
        settle(s, proc.storage, entry, info, source_key, thumb)
        if rest_ids:
            jobs.enqueue(s, LADDER_JOB, partner_id, entries.OBJECT_TYPE, entry_id,
                         {"replacement": replacement, "source_key": source_key,
                          "asset_ids": rest_ids})
        s.commit()


def _create_assets(proc: Processor, partner_id: int, entry_id: str, source_key: str,
                   info: MediaInfo, replacement: bool
                   ) -> tuple[tuple[FlavorAssetRow, FlavorPlan], list[str]]:
    """Insert the asset rows of the plan; the first playable one is CONVERTING."""
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, replacement)
        if entry is None:
            raise Abandoned()
        plan = flavors.plan_entry(s, entry, info)
        first = plan.first_playable()
        if first is None:
            raise MediaError("no flavor of the conversion profile can be made from this source")
        if not replacement:
            apply_media_info(entry, info)
        rows = [_asset_row(entry, p, info, source_key, replacement) for p in plan.plans]
        s.add_all(rows)
        first_row = next(r for r in rows if r.flavor_params_id == first.flavor_id)
        asset_state.transition(first_row, S.CONVERTING)
        rest = {p.flavor_id for p in plan.rest()}
        rest_ids = [r.id for r in rows if r.flavor_params_id in rest]
        s.commit()
        return (first_row, first), rest_ids


def _asset_row(entry: EntryRow, plan: FlavorPlan, info: MediaInfo, source_key: str,
               replacement: bool) -> FlavorAssetRow:
    spec = plan.spec
    row = FlavorAssetRow(
        id=new_id(), partner_id=entry.partner_id, entry_id=entry.id,
        flavor_params_id=spec.id, status=int(S.QUEUED), progress=0, version=1,
        is_original=spec.is_source, is_web=False, replacing=replacement, tags=spec.tags_csv,
        width=plan.width, height=plan.height,
        bitrate=plan.video_bitrate_kbps + plan.audio_bitrate_kbps, track_index={},
    )
    if spec.is_source:
        ext = source_key.rsplit(".", 1)[-1] if "." in source_key else None
        row.status, row.progress, row.storage_key = int(S.READY), 100, source_key
        row.container_format, row.file_ext = info.container, ext
        row.width, row.height = info.display_width, info.display_height
        row.bitrate, row.frame_rate = info.bitrate_kbps, info.frame_rate
        row.size_bytes, row.duration_ms = info.size_bytes, info.duration_ms
        row.video_codec_id = info.video_codec or info.audio_codec
        row.is_web = info.web_playable
    elif flavors.skipped(plan):
        asset_state.transition(row, S.NOT_APPLICABLE, plan.reason)
    return row


def _finish_image(proc: Processor, partner_id: int, entry_id: str, source_key: str,
                  info: MediaInfo, replacement: bool) -> None:
    """Image entries: READY with width and height; the source is the only asset."""
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, replacement)
        if entry is None:
            return
        spec = flavors.spec_from_row(flavors.get_params(s, partner_id, flavors.SOURCE_PARAMS_ID))
        s.add(_asset_row(entry, FlavorPlan(spec, "source"), info, source_key, replacement))
        s.flush()
        if not replacement:
            apply_media_info(entry, info)
        settle(s, proc.storage, entry, info, source_key, None, image=True)
        s.commit()


# --- convert_ladder -----------------------------------------------------------------------------


def convert_ladder(proc: Processor, partner_id: int, entry_id: str, payload: dict[str, Any]
                   ) -> None:
    """Job body of ``convert_ladder``: the listed assets' rungs in one ffmpeg run."""
    source_key = str(payload.get("source_key") or "")
    wanted = [str(i) for i in payload.get("asset_ids") or []]
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, bool(payload.get("replacement")))
        if entry is None:
            return
        source_key = source_key or str(entry.source_key or "")
        todo = _reset_for_attempt(s, proc.storage, entry_id, wanted)
        s.commit()
    if not todo:
        return
    src = proc.local_source(source_key)
    info = probe(src)
    pairs = _ladder_pairs(proc, partner_id, entry_id, source_key, info, todo)
    if pairs:
        proc.check()
        _encode_ladder(proc, partner_id, src, info, pairs)
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, True)
        if entry is not None:
            settle(s, proc.storage, entry, info, source_key, None)
        s.commit()


def _reset_for_attempt(session: Session, storage: Any, entry_id: str,
                       wanted: Sequence[str]) -> list[str]:
    """Queue the listed unfinished assets again, removing partial outputs of a prior attempt."""
    todo = []
    for asset in entry_assets(session, entry_id):
        if asset.id not in wanted or asset.is_original:
            continue
        remove_asset_files(storage, asset)
        asset.storage_key = asset.video_key = asset.audio_key = None
        asset.track_index = {}
        if S(asset.status) != S.QUEUED:
            asset_state.transition(asset, S.QUEUED)
        todo.append(asset.id)
    return todo


def _ladder_pairs(proc: Processor, partner_id: int, entry_id: str, source_key: str,
                  info: MediaInfo, asset_ids: Sequence[str]) -> list[tuple[str, FlavorPlan]]:
    """Plan the queued assets again and mark them CONVERTING (or NOT_APPLICABLE)."""
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, True)
        if entry is None:
            raise Abandoned()
        plan: EntryPlan = flavors.plan_entry(s, entry, info)
        pairs = []
        for asset in entry_assets(s, entry_id):
            if asset.id not in asset_ids:
                continue
            p = plan.by_id(asset.flavor_params_id)
            if p is None or p.action not in (ACTION_TRANSCODE, ACTION_REMUX):
                reason = p.reason if p is not None else "no longer in the conversion profile"
                asset_state.transition(asset, S.NOT_APPLICABLE, reason or "nothing to encode")
                continue
            asset_state.transition(asset, S.CONVERTING)
            pairs.append((asset.id, p))
        s.commit()
        return pairs


def _encode_ladder(proc: Processor, partner_id: int, src: Path, info: MediaInfo,
                   pairs: list[tuple[str, FlavorPlan]]) -> None:
    """One ffmpeg run for every rung, then package and store each (READY one by one)."""
    encodes = [(a, p) for a, p in pairs if p.action == ACTION_TRANSCODE]
    writer = proc.progress_writer(partner_id, [asset_id for asset_id, _ in encodes])
    mp4s = transcode_ladder(src, [p for _, p in encodes], proc.work / "ladder", proc.timeout,
                            proc.threads, writer, info=info)
    for asset_id, plan in pairs:
        proc.check()
        if plan.action == ACTION_REMUX:
            outputs = produce(proc, src, info, plan, asset_id)
        else:
            outputs = package_one(proc, mp4s[plan.flavor_id], asset_id)
        with proc.db.partner_session(partner_id) as s:
            store_outputs(s, proc.storage, asset_id, outputs)
            s.commit()


# --- the entry ---------------------------------------------------------------------------------


def apply_media_info(entry: EntryRow, info: MediaInfo) -> None:
    """Copy the probed facts onto the entry: duration, size, media type, media info."""
    entry.duration_ms = info.duration_ms or None
    entry.width = info.display_width or None
    entry.height = info.display_height or None
    entry.media_type = int(entries.MediaType.IMAGE if info.is_image else
                           entries.MediaType.VIDEO if info.has_video else
                           entries.MediaType.AUDIO)
    extra = dict(entry.extra or {})
    extra["mediaInfo"] = media_info_dict(info)
    entry.extra = extra


def media_info_dict(info: MediaInfo) -> dict[str, Any]:
    """The probed facts kept with the entry (JSON)."""
    return {
        "container": info.container, "durationMs": info.duration_ms,
        "width": info.width, "height": info.height, "rotation": info.rotation,
        "videoCodec": info.video_codec, "videoBitrate": info.video_bitrate_kbps,
        "frameRate": info.frame_rate, "audioCodec": info.audio_codec,
        "audioBitrate": info.audio_bitrate_kbps, "audioChannels": info.audio_channels,
        "audioSampleRate": info.audio_sample_rate, "bitrate": info.bitrate_kbps,
        "audioOnly": info.has_audio and not info.has_video, "fileSize": info.size_bytes,
    }


def capture_thumbnail(work: Path, src: Path, info: MediaInfo) -> Path | None:
    """The default thumbnail (JPEG) from the frame at 3 s (or mid-clip); None without video."""
    if not info.has_video:
        return None
    from vpaas.media.thumbnails import ThumbnailError, grab_frame

    at = min(3.0, info.duration_ms / 2000) if info.duration_ms else 0.0
    out = work / "thumb.jpg"
    try:
        image = grab_frame(src, at, exact=True, max_size=(1920, 1920))
        image.convert("RGB").save(out, "JPEG", quality=85)
    except (ThumbnailError, OSError, ValueError) as exc:
        log.warning("default thumbnail failed: %s", exc)
        return None
    return out


def _set_thumbnail(session: Session, storage: Any, entry: EntryRow, thumb: Path | None) -> None:
    if thumb is None or not thumb.is_file():
        return
    version = (entry.thumb_version or 0) + 1
    key = asset_state.thumb_key(entry.partner_id, entry.id, version)
    storage.put_file(key, thumb, move=True)
    extra = dict(entry.extra or {})
    old = extra.get("thumbKey")
    extra["thumbKey"] = key
    entry.extra, entry.thumb_version = extra, version
    if old and old != key:
        entries.on_commit(session, lambda: storage.delete(old))


def _ready_params_ids(assets: Sequence[FlavorAssetRow]) -> str:
    ids = sorted({a.flavor_params_id for a in assets if a.status == S.READY})
    return ",".join(str(i) for i in ids)


def settle(session: Session, storage: Any, entry: EntryRow, info: MediaInfo | None,
           source_key: str, thumb: Path | None, *, image: bool = False) -> None:
    """Move the entry on once its flavors allow it: READY, ERROR_CONVERTING, or a swap."""
    replacement = replacing(entry, source_key)
    assets = entry_assets(session, entry.id, replacing=replacement)
    required = flavors.plan_required(session, entry)
    state = "ready" if image else flavors.readiness(assets, required)
    if not replacement:
        extra = dict(entry.extra or {})
        extra["flavorParamsIds"] = _ready_params_ids(assets)
        entry.extra = extra
    if state == "waiting":
        return
    reason = _failure_reason(assets) if state == "failed" else None
    if replacement:
        swap_replacement(session, storage, entry, info, thumb, reason)
    elif reason is None:
        _set_thumbnail(session, storage, entry, thumb)
        if entry.status in (EntryStatus.PRECONVERT, EntryStatus.ERROR_CONVERTING):
            entry_transition(entry, EntryStatus.READY)
    elif entry.status == EntryStatus.PRECONVERT:
        entry_transition(entry, EntryStatus.ERROR_CONVERTING, reason)


def _failure_reason(assets: Sequence[FlavorAssetRow]) -> str:
    for asset in assets:
        if asset.status == S.ERROR and asset.error_description:
            return f"Flavor {asset.flavor_params_id} failed: {asset.error_description}"
    return "No playable flavor could be made from this file."


def swap_replacement(session: Session, storage: Any, entry: EntryRow, info: MediaInfo | None,
                     thumb: Path | None, reason: str | None) -> None:
    """End a replacement: swap the new assets in (``reason`` None) or drop them."""
    new = entry_assets(session, entry.id, replacing=True)
    if reason is not None:
        rejected = entries.finish_replacement(entry, ok=False, reason=reason)
        discard_assets(session, storage, new)
        if rejected:
            entries.on_commit(session, lambda: storage.delete(rejected))
        return
    old = entry_assets(session, entry.id, replacing=False)
    for asset in old:
        asset_state.transition(asset, S.DELETED)
    for asset in new:
        asset.replacing = False
    old_source = entries.finish_replacement(entry, ok=True)
    if info is not None:
        apply_media_info(entry, info)
    _set_thumbnail(session, storage, entry, thumb)
    extra = dict(entry.extra or {})
    extra["flavorParamsIds"] = _ready_params_ids(new)
    entry.extra = extra

    def remove_old() -> None:
        for asset in old:
            remove_asset_files(storage, asset)
        if old_source:
            storage.delete(old_source)

    entries.on_commit(session, remove_old)


def fail_processing(db: Database, storage: Any, partner_id: int, entry_id: str,
                    payload: dict[str, Any], reason: str) -> None:
    """A processing job failed for good: its flavors ERROR, the entry ERROR_CONVERTING
    (an entry that already plays stays READY; a failed replacement is dropped)."""
    source_key = str(payload.get("source_key") or "")
    with db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, bool(payload.get("replacement")))
        if entry is None:
            return
        replacement = replacing(entry, source_key)
        wanted = payload.get("asset_ids")
        for asset in entry_assets(s, entry_id, replacing=replacement):
            if wanted is not None and asset.id not in wanted:
                continue
            if S(asset.status) in asset_state.PENDING:
                asset_state.transition(asset, S.ERROR, reason)
        s.flush()
        if replacement:
            swap_replacement(s, storage, entry, None, None, reason)
        elif entry.status == EntryStatus.PRECONVERT:
            entry_transition(entry, EntryStatus.ERROR_CONVERTING, reason)
        s.commit()
