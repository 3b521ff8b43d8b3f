"""Caption assets: lookup, readiness, the default track, storing content and deleting.

Files live at ``p/{pid}/entry/{entryId}/caption/{assetId}-v{version}.{ext}`` and
``...-web.vtt`` (the WebVTT rendition players read); a new version gets new names, so a failed
upload never loses the previous content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.caption import CaptionAssetRow
from vpaas.domain import caption_cues, caption_srt_vtt, captions, entries
from vpaas.domain.caption_cues import CaptionError, CaptionType
from vpaas.registry import catalogue as E

QUEUED, READY, DELETED = 0, 2, 3


def visible(session: Session, asset_id: str) -> CaptionAssetRow:
    """The (partner's, not deleted) caption asset, else CAPTION_ASSET_ID_NOT_FOUND."""
    row = None
    if isinstance(asset_id, str) and 0 < len(asset_id) <= 20:
        row = session.get(CaptionAssetRow, asset_id)
    if row is None or row.status == DELETED:
        raise E.CAPTION_ASSET_ID_NOT_FOUND(str(asset_id)[:40])
    return row


def ready_keys(row: CaptionAssetRow) -> tuple[str, str]:
    """The file and WebVTT keys of a READY asset, else CAPTION_ASSET_IS_NOT_READY."""
    if row.status != READY or not row.file_key or not row.vtt_key:
        raise E.CAPTION_ASSET_IS_NOT_READY(row.id)
    return row.file_key, row.vtt_key


def make_default(session: Session, row: CaptionAssetRow) -> None:
    """Make ``row`` its entry's only default track."""
    session.execute(sql_update(CaptionAssetRow)
                    .where(CaptionAssetRow.entry_id == row.entry_id,
                           CaptionAssetRow.id != row.id, CaptionAssetRow.is_default.is_(True))
                    .values(is_default=False).execution_options(synchronize_session="fetch"))
    row.is_default = True


def delete_files(storage: Any, keys: Any) -> None:
    """Delete stored files by key."""
    for key in keys:
        storage.delete(key)


def store_content(session: Session, storage: Any, row: CaptionAssetRow, data: bytes) -> None:
    """Parse caption bytes, store them and their WebVTT rendition; the asset becomes READY.

    Raises CAPTION_ASSET_PARSING_FAILED (nothing stored) for a malformed file.
    """
    if row.format in (CaptionType.CAP, CaptionType.SCC):
        raise E.CAPTION_ASSET_UNSUPPORTED_FORMAT(CaptionType(row.format).name)
    try:
        kind, cues = captions.parse(data)
    except CaptionError as exc:
        raise E.CAPTION_ASSET_PARSING_FAILED(row.id, str(exc)) from None
    row.version = (row.version or 0) + 1
    base = f"{entries.entry_prefix(row.partner_id, row.entry_id)}caption/{row.id}-v{row.version}"
    ext = caption_cues.EXTENSIONS[kind]
    keys = (f"{base}.{ext}", f"{base}-web.vtt")
    storage.put_bytes(keys[0], data)
    storage.put_bytes(keys[1], caption_srt_vtt.to_vtt(cues))
    entries.on_rollback(session, lambda: delete_files(storage, keys))
    old = [k for k in (row.file_key, row.vtt_key) if k]
    if old:
        entries.on_commit(session, lambda: delete_files(storage, old))
    row.file_key, row.vtt_key = keys
    row.format, row.file_ext, row.size_bytes = int(kind), ext, len(data)
    row.cue_count, row.status, row.error_description = len(cues), READY, None


def delete_asset(session: Session, storage: Any, row: CaptionAssetRow) -> None:
    """Mark a caption asset DELETED (no longer the default); its files go after commit."""
    row.status, row.deleted_at, row.is_default = DELETED, now(), False
    keys = [k for k in (row.file_key, row.vtt_key) if k]
    entries.on_commit(session, lambda: delete_files(storage, keys))


def player_tracks(session: Session, entry_id: str) -> list[CaptionAssetRow]:
    """The entry's READY tracks shown in players, oldest first."""
    return list(session.scalars(select(CaptionAssetRow).where(
        CaptionAssetRow.entry_id == entry_id, CaptionAssetRow.status == READY,
        CaptionAssetRow.display_on_player.is_(True))
        .order_by(CaptionAssetRow.created_at, CaptionAssetRow.id)))
