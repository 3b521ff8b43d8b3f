"""Entries: creation, lookup, attaching content (upload tokens, stored files), deletion.

Content flow: a resource is attached → the source file is stored under
``p/{pid}/entry/{entryId}/source/{assetId}.{ext}`` → the entry goes PRECONVERT and a
``process_entry`` job is enqueued (media clips), or READY at once (data, documents).
A replacement (``updateContent`` on a READY entry) stores the new source beside the current
one and enqueues ``process_entry`` with ``replacement: true``; the entry keeps playing its
current content until processing calls :func:`finish_replacement`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from vpaas import jobs
from vpaas.db.base import Database, new_id
from vpaas.db.key_read import KeyRead
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entry_query, uploads
from vpaas.domain.access import profiles
from vpaas.domain.entry_state import EntryStatus, transition
from vpaas.registry import ApiError
from vpaas.registry import catalogue as E

log = logging.getLogger(__name__)

OBJECT_TYPE = "entry"
PROCESS_JOB = "process_entry"
"""Job type of media processing; payload ``{"replacement": bool, "source_key": str}``."""
DELETE_FILES_JOB = "delete_entry_files"
"""Job type removing a deleted entry's stored files; payload ``{"prefix": str}``."""
_HOOKS_KEY = "vpaas.entries.storage_hooks"


class EntryType(IntEnum):
    """Entry types stored in ``entry.type`` (``KalturaEntryType`` numbers)."""

    MEDIA_CLIP = 1
    MIX = 2
    PLAYLIST = 5
    DATA = 6
    LIVE_STREAM = 7
    DOCUMENT = 10


class MediaType(IntEnum):
    """``KalturaMediaType`` numbers."""

    VIDEO = 1
    IMAGE = 2
    AUDIO = 5


class SourceType(IntEnum):
    """``KalturaSourceType`` numbers used by ingest."""

    FILE = 1
    WEBCAM = 2
    URL = 5


class ReplacementStatus(IntEnum):
    """``KalturaEntryReplacementStatus`` numbers."""

    NONE = 0
    APPROVED_BUT_NOT_READY = 1
    READY_BUT_NOT_APPROVED = 2
    NOT_READY_AND_NOT_APPROVED = 3
    FAILED = 4


def entry_prefix(partner_id: int, entry_id: str) -> str:
    """The storage folder holding every file of an entry."""
    return f"p/{partner_id}/entry/{entry_id}/"


def source_key(partner_id: int, entry_id: str, asset_id: str, ext: str) -> str:
    """Storage key of a source file."""
    return f"{entry_prefix(partner_id, entry_id)}source/{asset_id}.{ext}"


def new_entry(session: Session, entry_type: int, values: dict[str, Any]) -> EntryRow:
    """Insert an entry (status NO_CONTENT) with the given column values. Without an
    ``access_control_id`` it gets its partner's default access-control profile, as in Kaltura."""
    row = EntryRow(id=new_id(), type=int(entry_type), status=int(EntryStatus.NO_CONTENT),
                   version=0, thumb_version=0, plays=0, views=0, extra={})
    for name, value in values.items():
        setattr(row, name, value)
    partner_id = session.info.get("partner_id")
    if row.access_control_id is None and partner_id is not None:
        row.access_control_id = profiles.default_profile(session, int(partner_id)).id
    entry_query.track(session)  # the freeText index follows the session's entry writes
    session.add(row)
    session.flush()
    return row


def get_entry(session: Session, entry_id: str, entry_type: int | None = None) -> EntryRow:
    """The (partner-scoped, not deleted) entry, else ENTRY_ID_NOT_FOUND.

    With ``entry_type``, an entry of another type is also "not found", as in Kaltura.
    """
    _check_entry_id(entry_id)
    row = session.scalars(select(EntryRow).where(EntryRow.id == entry_id)).first()
    return _found(row, entry_id, entry_type)


EntryFields = EntryRow | SimpleNamespace
"""An entry as read: its ORM row, or the columns :func:`read_entry` reads (same names)."""
_ENTRY = EntryRow.__table__.c
_ENTRY_OF_PARTNER = KeyRead(select(EntryRow.__table__).where(
    _ENTRY.id == bindparam("entry_id"), _ENTRY.partner_id == bindparam("partner_id")))


def read_entry(db: Database, partner_id: int, entry_id: str,
               entry_type: int | None = None) -> SimpleNamespace:
    """:func:`get_entry` for a read-only call: the entry's columns (named as the attributes
    of :class:`EntryRow`) in one statement, without a session or transaction."""
    _check_entry_id(entry_id)
    row = _ENTRY_OF_PARTNER.first(db, entry_id=entry_id, partner_id=partner_id)
    return _found(row, entry_id, entry_type)


def _check_entry_id(entry_id: object) -> None:
    if not isinstance(entry_id, str) or not 0 < len(entry_id) <= 20:
        raise E.ENTRY_ID_NOT_FOUND(str(entry_id)[:40])


_Found = TypeVar("_Found", EntryRow, SimpleNamespace)


def _found(row: _Found | None, entry_id: str, entry_type: int | None) -> _Found:
    if row is None or row.status == EntryStatus.DELETED:
        raise E.ENTRY_ID_NOT_FOUND(entry_id)
    if entry_type is not None and row.type != int(entry_type):
        raise E.ENTRY_ID_NOT_FOUND(entry_id)
    return row


def needs_processing(entry: EntryRow) -> bool:
    """Media clips are transcoded; data and document entries are served as stored."""
    return entry.type == EntryType.MEDIA_CLIP


def on_rollback(session: Session, undo: Callable[[], None]) -> None:
    """Run ``undo`` if ``session``'s transaction rolls back (never after a commit)."""
    _hooks(session)[1].append(undo)


def on_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run ``fn`` once ``session``'s transaction has committed (never after a rollback)."""
    _hooks(session)[0].append(fn)


def _hooks(session: Session) -> tuple[list[Callable[[], None]], list[Callable[[], None]]]:
    hooks = session.info.get(_HOOKS_KEY)
    if hooks is None:
        hooks = session.info[_HOOKS_KEY] = ([], [])
        event.listen(session, "after_commit", lambda s: _run_hooks(s, 0))
        event.listen(session, "after_soft_rollback", _after_rollback)
    return hooks


def _after_rollback(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        _run_hooks(session, 1)


def _run_hooks(session: Session, which: int) -> None:
    hooks = session.info.get(_HOOKS_KEY)
    if not hooks:
        return
    todo = list(hooks[which])
    hooks[0].clear()
    hooks[1].clear()
    for fn in reversed(todo) if which else todo:
        try:
            fn()
        except Exception:
            log.exception("entry storage hook failed after %s", "rollback" if which else "commit")


def store_file(session: Session, storage: Any, entry: EntryRow, path: Path,
               filename: str | None, *, replacement: bool = False) -> None:
    """Move the file at ``path`` into storage as the entry's (new) source and go on.

    The file is moved before any row changes (so no database write lock is held during
    the copy) and moved back if the transaction rolls back. Then a fresh source makes
    the entry PRECONVERT (+ ``process_entry`` job) or READY; a replacement is recorded.
    """
    ext = sniff_extension(path, filename)
    key = source_key(entry.partner_id, entry.id, new_id(), ext)
    size = storage.put_file(key, path, move=True)
    on_rollback(session, lambda: _restore(storage, key, path))
    name = (Path(filename).name if filename else None) or None
    if replacement:
        _record_replacement(session, storage, entry, key, size, ext, name)
        return
    if entry.type == EntryType.MEDIA_CLIP and entry.media_type is None:
        entry.media_type = int(guess_media_type(ext))
    if entry.type == EntryType.DOCUMENT and entry.document_type is None:
        entry.document_type = {"pdf": 13, "swf": 12}.get(ext, 11)
    if entry.source_key and entry.source_key != key:
        stale = entry.source_key
        on_commit(session, lambda: storage.delete(stale))
    entry.source_key, entry.source_size, entry.source_ext = key, size, ext
    entry.source_name = name[:256] if name else None
    entry.pending_token_id = None
    if needs_processing(entry):
        transition(entry, EntryStatus.PRECONVERT)
        enqueue_processing(session, entry, key, replacement=False)
    else:
        transition(entry, EntryStatus.READY)
        entry.version = (entry.version or 0) + 1


def _restore(storage: Any, key: str, path: Path) -> None:
    storage.fetch_to_local(key, path)
    storage.delete(key)


def _record_replacement(session: Session, storage: Any, entry: EntryRow, key: str,
                        size: int, ext: str, name: str | None) -> None:
    entry.replacement_key, entry.replacement_size, entry.replacement_ext = key, size, ext
    entry.replacement_name = name[:256] if name else None
    entry.replacement_reason = None
    entry.pending_token_id = None
    entry.pending_replacement = False
    if needs_processing(entry):
        entry.replacement_status = int(ReplacementStatus.APPROVED_BUT_NOT_READY)
        enqueue_processing(session, entry, key, replacement=True)
    else:
        old = finish_replacement(entry, ok=True)
        if old:
            on_commit(session, lambda: storage.delete(old))


def enqueue_processing(session: Session, entry: EntryRow, key: str, *,
                       replacement: bool) -> int:
    """Enqueue the ``process_entry`` job for a stored source (after commit)."""
    return jobs.enqueue(session, PROCESS_JOB, entry.partner_id, OBJECT_TYPE, entry.id,
                        {"replacement": replacement, "source_key": key})


def finish_replacement(entry: EntryRow, *, ok: bool, reason: str | None = None) -> str | None:
    """End a replacement: on success the new source becomes the entry's source.

    Returns the storage key of the source that is no longer used (the old source on
    success, the rejected new one on failure); the caller deletes it once it has swapped
    its own assets (nothing is deleted here).
    """
    if ok:
        old = entry.source_key
        entry.source_key, entry.source_size = entry.replacement_key, entry.replacement_size
        entry.source_ext, entry.source_name = entry.replacement_ext, entry.replacement_name
        entry.replacement_status = int(ReplacementStatus.NONE)
        entry.replacement_reason = None
        entry.version = (entry.version or 0) + 1
    else:
        old = entry.replacement_key
        entry.replacement_status = int(ReplacementStatus.FAILED)
        entry.replacement_reason = (reason or "The replacement failed.")[:1000]
    entry.replacement_key = entry.replacement_size = entry.replacement_ext = None
    entry.replacement_name = None
    return old


def replacement_pending(entry: EntryRow) -> bool:
    """True while a replacement is being uploaded, imported or processed."""
    return bool(entry.pending_replacement) or entry.replacement_status in (
        ReplacementStatus.APPROVED_BUT_NOT_READY, ReplacementStatus.NOT_READY_AND_NOT_APPROVED,
        ReplacementStatus.READY_BUT_NOT_APPROVED)


EntryHook = Callable[[Session, EntryRow], None]
_DELETE_HOOKS: list[EntryHook] = []


def on_entry_deleted(hook: EntryHook) -> EntryHook:
    """Register ``hook(session, entry)``, run in the transaction that deletes an entry
    (categories forget it, its custom metadata goes, ...)."""
    _DELETE_HOOKS.append(hook)
    return hook


def delete_entry(session: Session, entry: EntryRow) -> None:
    """Mark the entry DELETED, run the delete hooks, enqueue the removal of its files."""
    entry_query.track(session)
    transition(entry, EntryStatus.DELETED)
    for hook in _DELETE_HOOKS:
        hook(session, entry)
    entry.pending_token_id = None
    jobs.enqueue(session, DELETE_FILES_JOB, entry.partner_id, OBJECT_TYPE, entry.id,
                 {"prefix": entry_prefix(entry.partner_id, entry.id)})


def delete_entry_files(job: jobs.JobContext) -> None:
    """Job handler: remove every stored file of a deleted entry (``deps`` is the Runtime)."""
    prefix = str(job.payload.get("prefix") or "")
    if not prefix.startswith(f"p/{job.partner_id}/entry/") or not prefix.endswith("/"):
        raise jobs.PermanentJobError(f"refusing to delete unexpected prefix {prefix!r}")
    count = job.deps.storage.delete_prefix(prefix)
    log.info("entry %s: deleted %d stored files", job.object_id, count)


# --- upload tokens ----------------------------------------------------------------------------

STORE_UPLOAD_JOB = "store_upload"
"""Job type storing a token's file once its last chunk arrived; payload ``{"token_id"}``."""


def attach_upload_token(session: Session, settings: Any, storage: Any, entry: EntryRow,
                        token_id: str, *, caller: uploads.Caller = uploads.ADMIN,
                        replacement: bool = False, require_full: bool = False) -> None:
    """Give the entry the content of an upload token.

    A FULL_UPLOAD token's file is stored now (the token is CLOSED); a PENDING or PARTIAL
    one is attached and the entry waits in IMPORT until the final chunk arrives (then
    :func:`token_completed` enqueues ``store_upload``). ``require_full`` is the rule of the
    deprecated ``addFromUploadedFile`` actions.
    """
    try:
        token = uploads.get_token(session, token_id, caller)
    except ApiError:
        if require_full:
            raise E.UPLOADED_FILE_NOT_FOUND_BY_TOKEN() from None
        raise
    if token.status == uploads.FULL_UPLOAD:
        staged = uploads.staged_path(settings, entry.partner_id, token.id)
        if not staged.is_file():
            raise E.UPLOADED_FILE_NOT_FOUND_BY_TOKEN()
        if not replacement and entry.source_type is None:
            entry.source_type = int(SourceType.FILE)
        store_file(session, storage, entry, staged, token.file_name, replacement=replacement)
        uploads.attach_token(session, token.id, OBJECT_TYPE, entry.id, caller,
                             require_complete=True)
    elif token.status in uploads.OPEN and not require_full:
        uploads.attach_token(session, token.id, OBJECT_TYPE, entry.id, caller)
        entry.pending_token_id = token.id
        if replacement:
            entry.pending_replacement = True
            entry.replacement_status = int(ReplacementStatus.APPROVED_BUT_NOT_READY)
            entry.replacement_reason = None
        else:
            entry.source_type = entry.source_type or int(SourceType.FILE)
            transition(entry, EntryStatus.IMPORT)
    elif token.status == uploads.CLOSED:
        raise E.UPLOAD_TOKEN_ALREADY_USED(token.id)
    else:
        raise E.UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY()


def waiting_for_token(entry: EntryRow | None, token_id: str) -> bool:
    """Is this (live) entry still waiting for the file of ``token_id``?"""
    return (entry is not None and entry.status != EntryStatus.DELETED
            and entry.pending_token_id == token_id)


def token_completed(session: Session, token: Any) -> None:
    """Upload-token completion hook: enqueue storing the file of a token an entry waits for.

    Runs in the final chunk's transaction, which has no access to storage, so the move
    into storage happens in the ``store_upload`` job.
    """
    entry = session.get(EntryRow, token.attached_object_id or "")
    if not waiting_for_token(entry, token.id):
        log.info("token %s completed but no entry waits for it", token.id)
        return
    assert entry is not None
    jobs.enqueue(session, STORE_UPLOAD_JOB, entry.partner_id, OBJECT_TYPE, entry.id,
                 {"token_id": token.id, "replacement": bool(entry.pending_replacement)})


uploads.register_completion_hook(OBJECT_TYPE, token_completed)


# --- content sniffing ---------------------------------------------------------------------------

IMAGE_EXTS = frozenset({"jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "heic"})
AUDIO_EXTS = frozenset({"mp3", "m4a", "wav", "flac", "aac", "oga", "opus", "wma", "aiff"})
_OFFICE_EXTS = frozenset({"doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp"})
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG", "png"), (0, b"\xff\xd8\xff", "jpg"), (0, b"GIF8", "gif"),
    (0, b"%PDF", "pdf"), (0, b"FLV", "flv"), (0, b"OggS", "ogg"), (0, b"fLaC", "flac"),
    (0, b"ID3", "mp3"), (0, b"0&\xb2u", "wmv"), (0, b"\x00\x00\x01\xba", "mpg"),
    (0, b"{\\rtf", "rtf"), (0, b"CWS", "swf"), (0, b"FWS", "swf"),
)
_EXT_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _name_ext(filename: str | None) -> str | None:
    if not filename or "." not in filename:
        return None
    ext = filename.rsplit(".", 1)[1].lower()
    return ext if 0 < len(ext) <= 8 and set(ext) <= _EXT_OK else None


def _magic_ext(head: bytes, name_ext: str | None) -> str | None:
    for offset, magic, ext in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return ext
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return {b"qt  ": "mov", b"M4A ": "m4a", b"M4V ": "m4v"}.get(
            brand, "3gp" if brand.startswith(b"3g") else "mp4")
    if head[:4] == b"RIFF":
        return {b"AVI ": "avi", b"WAVE": "wav", b"WEBP": "webp"}.get(head[8:12])
    if head[:4] == b"\x1aE\xdf\xa3":
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if head[:1] == b"G" and head[188:189] == b"G":
        return "ts"
    if head[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
        return name_ext if name_ext in _OFFICE_EXTS else "zip" if head[:2] == b"PK" else "doc"
    return None


def sniff_extension(path: Path, filename: str | None = None) -> str:
    """A file extension from the first bytes (magic numbers), else the file name, else bin."""
    name_ext = _name_ext(filename)
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError:
        head = b""
    return _magic_ext(head, name_ext) or name_ext or "bin"


def guess_media_type(ext: str) -> MediaType:
    """The media type an extension suggests (processing detects the real one)."""
    if ext in IMAGE_EXTS:
        return MediaType.IMAGE
    return MediaType.AUDIO if ext in AUDIO_EXTS else MediaType.VIDEO
