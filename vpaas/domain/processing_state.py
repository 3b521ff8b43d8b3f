"""Where an entry's processing stands: lookups the processing jobs share, and settling.

``settle`` moves an entry on once its flavors allow it (READY, ERROR_CONVERTING, or the
swap of a replacement); ``fail_processing`` records a processing job that failed for good.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.domain import asset_state, entries, flavors, thumb_assets
from vpaas.domain.asset_state import FlavorAssetStatus as S
from vpaas.domain.asset_state import asset_keys
from vpaas.domain.entry_state import EntryStatus
from vpaas.domain.entry_state import transition as entry_transition
from vpaas.media.probe import MediaInfo

log = logging.getLogger(__name__)


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
    thumb_assets.point_entry_thumbnail(session, storage, entry, key, version)


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
