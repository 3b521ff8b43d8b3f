"""Upload tokens: chunked, resumable, out-of-order and concurrent uploads.

Every chunk is written at its offset into one sparse staging file,
``<data_dir>/uploads/<partnerId>/<tokenId>`` (always local disk). Only once a chunk's bytes
are on disk (``fdatasync``) is its byte range inserted into ``upload_chunk``; ranges are
insert-only, so concurrent chunks never lose each other's record, and a restarted server
knows exactly which bytes it has. ``uploadedFileSize`` is the gap-free prefix. The upload is
complete (FULL_UPLOAD) when that prefix reaches the final size, which a ``finalChunk`` fixes
(or ``fileSize`` with ``autoFinalize``).

Entries use :func:`get_token`, :func:`attach_token`, :func:`staged_path`, :func:`remove_staged`
and :func:`register_completion_hook` (called when the final chunk of an already attached token
arrives).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from vpaas.db.base import Database, new_id
from vpaas.db.tables.upload import UploadChunkRow, UploadTokenRow
from vpaas.registry import ApiError
from vpaas.registry import catalogue as E

log = logging.getLogger("vpaas.uploads")

PENDING, PARTIAL_UPLOAD, FULL_UPLOAD, CLOSED, TIMED_OUT, DELETED = range(6)
OPEN = (PENDING, PARTIAL_UPLOAD)
FINAL_CHUNK_WAIT = 45.0  # seconds a final chunk waits for earlier parallel chunks
COPY_BYTES = 1 << 20
WRITEBACK_BYTES = 2 << 20
SYNC_FILE_RANGE_WRITE = 2
MAX_FILE_NAME = 512
_TOKEN_ID = re.compile(r"^[0-9]_[0-9a-z]{1,38}$")

CompletionHook = Callable[[Session, UploadTokenRow], None]
_COMPLETION_HOOKS: dict[str, CompletionHook] = {}


def register_completion_hook(object_type: str, hook: CompletionHook) -> None:
    """Declare who finishes tokens attached to ``object_type`` before their upload completed.

    When the last bytes of such a token arrive, the token is set CLOSED and
    ``hook(session, token)`` runs in that same partner-scoped transaction; the staged file is
    complete at :func:`staged_path`. If the hook raises, the token stays FULL_UPLOAD.
    Register at import time of the module that attaches tokens (a declaration, like a service).
    """
    _COMPLETION_HOOKS[object_type] = hook


@dataclass(frozen=True)
class Caller:
    """Who is asking: non-admin sessions see and use only their own tokens."""

    user_id: str = ""
    is_admin: bool = True


ADMIN = Caller()


@dataclass(frozen=True)
class Chunk:
    """The parameters of one ``uploadToken.upload`` call."""

    resume: bool = False
    final: bool = True
    resume_at: float = -1
    file_name: str = ""


@dataclass(frozen=True)
class TokenQuery:
    """Conditions of ``uploadToken.list``."""

    ids: tuple[str, ...] | None = None
    user_id: str | None = None
    statuses: tuple[int, ...] | None = None
    file_name: str | None = None
    file_size: int | None = None
    newest_first: bool = True


def valid_token_id(token_id: Any) -> bool:
    return isinstance(token_id, str) and bool(_TOKEN_ID.match(token_id))


def uploads_root(settings: Any) -> Path:
    return Path(settings.data_path) / "uploads"


def staged_path(settings: Any, partner_id: int, token_id: str) -> Path:
    """The staging file of a token, confined to ``<data_dir>/uploads``."""
    if not valid_token_id(token_id) or isinstance(partner_id, bool):
        raise ValueError(f"invalid upload token id {token_id!r}")
    root = uploads_root(settings).resolve()
    path = (root / str(int(partner_id)) / token_id).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"staging path escapes {root}")
    return path


def remove_staged(settings: Any, partner_id: int, token_id: str) -> None:
    """Remove a token's staged bytes (e.g. once an entry has taken the file)."""
    try:
        staged_path(settings, partner_id, token_id).unlink(missing_ok=True)
    except ValueError:
        pass


def clean_file_name(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "")
    return base[:MAX_FILE_NAME]


# --- token lifecycle -------------------------------------------------------------------------


def add_token(session: Session, settings: Any, caller: Caller, file_name: str | None = None,
              file_size: float | None = None, auto_finalize: int = -1) -> UploadTokenRow:
    """Create a PENDING token owned by the caller."""
    size = _size_value(file_size, settings)
    if auto_finalize == 1 and size is None:
        raise E.UPLOAD_TOKEN_MISSING_FILE_SIZE()
    row = UploadTokenRow(id=new_id(), user_id=caller.user_id, status=PENDING,
                         file_name=clean_file_name(file_name), file_size=size,
                         uploaded_file_size=0, auto_finalize=auto_finalize)
    session.add(row)
    session.flush()
    return row


def _size_value(file_size: float | None, settings: Any) -> int | None:
    if file_size is None or file_size == 0:
        return None
    if file_size < 0 or file_size != int(file_size):
        raise E.INVALID_PARAMETER_VALUE(file_size, "uploadToken:fileSize")
    if file_size > settings.max_upload_file_bytes:
        raise E.UPLOAD_TOKEN_FILE_TOO_LARGE(settings.max_upload_file_bytes)
    return int(file_size)


def get_token(session: Session, token_id: str, caller: Caller = ADMIN,
              for_update: bool = False) -> UploadTokenRow:
    """The caller's token (in the session's partner), or UPLOAD_TOKEN_NOT_FOUND."""
    if not valid_token_id(token_id):
        raise E.UPLOAD_TOKEN_NOT_FOUND()
    query = select(UploadTokenRow).where(UploadTokenRow.id == token_id)
    if not caller.is_admin:
        query = query.where(UploadTokenRow.user_id == caller.user_id)
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        raise E.UPLOAD_TOKEN_NOT_FOUND()
    return row


def list_tokens(session: Session, caller: Caller, query: TokenQuery, page_size: int = 30,
                page_index: int = 1) -> tuple[list[UploadTokenRow], int]:
    """One page of the caller's tokens and the total count; DELETED ones only if asked."""
    q = select(UploadTokenRow)
    if not caller.is_admin:
        q = q.where(UploadTokenRow.user_id == caller.user_id)
    if query.ids is not None:
        q = q.where(UploadTokenRow.id.in_(query.ids))
    if query.user_id is not None:
        q = q.where(UploadTokenRow.user_id == query.user_id)
    if query.statuses is not None:
        q = q.where(UploadTokenRow.status.in_(query.statuses))
    else:
        q = q.where(UploadTokenRow.status != DELETED)
    if query.file_name is not None:
        q = q.where(UploadTokenRow.file_name == query.file_name)
    if query.file_size is not None:
        q = q.where(UploadTokenRow.file_size == query.file_size)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    order = UploadTokenRow.created_at.desc() if query.newest_first else \
        UploadTokenRow.created_at.asc()
    page_size = max(1, min(page_size, 500))
    rows = session.scalars(q.order_by(order, UploadTokenRow.id).limit(page_size)
                           .offset((max(page_index, 1) - 1) * page_size))
    return list(rows), total


def delete_token(session: Session, settings: Any, token_id: str,
                 caller: Caller = ADMIN) -> None:
    """Mark a token DELETED; its bytes go unless it already handed them to an object."""
    row = get_token(session, token_id, caller, for_update=True)
    keep_bytes = row.status == CLOSED
    row.status = DELETED
    session.execute(delete(UploadChunkRow).where(UploadChunkRow.token_id == token_id))
    session.flush()
    if not keep_bytes:
        remove_staged(settings, row.partner_id, token_id)


def attach_token(session: Session, token_id: str, object_type: str, object_id: str,
                 caller: Caller = ADMIN, require_complete: bool = False) -> UploadTokenRow:
    """Give a token's file to an object (an entry, an asset), in the caller's transaction.

    A FULL_UPLOAD token becomes CLOSED: the file is ready at :func:`staged_path`. A PENDING or
    PARTIAL token is marked attached and stays open; the final chunk then closes it and runs
    the hook registered for ``object_type``. ``require_complete`` refuses unfinished tokens
    (``addFromUploadedFile``).
    """
    for _ in range(3):
        row = get_token(session, token_id, caller)
        attached = (row.attached_object_type, row.attached_object_id)
        if row.status == CLOSED or (row.attached_object_id and
                                    attached != (object_type, object_id)):
            raise E.UPLOAD_TOKEN_ALREADY_USED(token_id)
        if row.status not in (*OPEN, FULL_UPLOAD) or (
                require_complete and row.status != FULL_UPLOAD):
            raise E.UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY()
        allowed = (FULL_UPLOAD,) if row.status == FULL_UPLOAD else OPEN
        target = CLOSED if row.status == FULL_UPLOAD else row.status
        done = session.execute(
            update(UploadTokenRow)
            .where(UploadTokenRow.id == token_id, UploadTokenRow.status.in_(allowed))
            .values(status=target, attached_object_type=object_type,
                    attached_object_id=object_id)
            .execution_options(synchronize_session=False))
        session.expire(row)
        if done.rowcount == 1:  # type: ignore[attr-defined]
            session.refresh(row)
            return row
    raise E.UPLOAD_TOKEN_ALREADY_USED(token_id)


# --- chunks ------------------------------------------------------------------------------------


def covered_prefix(ranges: Iterable[tuple[int, int]]) -> int:
    """Length of the gap-free prefix covered by half-open byte ranges."""
    end = 0
    for start, stop in sorted(ranges):
        if start > end:
            break
        end = max(end, stop)
    return end


def upload_chunk(db: Database, settings: Any, partner_id: int, token_id: str,
                 source: BinaryIO, chunk: Chunk, caller: Caller = ADMIN, *,
                 final_wait: float = FINAL_CHUNK_WAIT,
                 before_record: Callable[[], None] | None = None) -> UploadTokenRow:
    """Receive one chunk: validate, stream it to its offset, record its range, maybe complete.

    ``source`` is read in pieces (never whole). ``before_record`` runs once the bytes are on
    disk and may raise to refuse them (checksums). A final chunk waits up to ``final_wait``
    seconds for missing earlier chunks, else UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE; what
    arrived stays recorded, so the client can retry.
    """
    offset, limit, overflow = _prepare(db, settings, partner_id, token_id, chunk, caller)
    path = staged_path(settings, partner_id, token_id)
    written = _write_at(path, source, offset, limit, overflow)
    if before_record is not None:
        before_record()
    row, completed = _record(db, settings, partner_id, token_id, offset, written, chunk)
    if completed and row.attached_object_id:
        row = _close_attached(db, partner_id, token_id) or row
    elif chunk.final and row.status in OPEN:
        row = _wait_complete(db, partner_id, token_id, final_wait)
    return row


def _prepare(db: Database, settings: Any, partner_id: int, token_id: str, chunk: Chunk,
             caller: Caller) -> tuple[int, int, ApiError]:
    """Check the token and the position: the write offset, byte limit, error past it."""
    with db.partner_session(partner_id) as s:
        row = get_token(s, token_id, caller)
        if row.status not in OPEN:
            raise E.UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD()
        if time.time() - row.updated_at > settings.upload_token_ttl:
            raise E.UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED()
        if not row.file_name and chunk.file_name:
            row.file_name = clean_file_name(chunk.file_name)
        size_cap = row.final_size or row.file_size or settings.max_upload_file_bytes
        if not chunk.resume:
            # Restart at 0, but keep chunks that parallel uploaders sent ahead of this one.
            s.execute(delete(UploadChunkRow).where(UploadChunkRow.token_id == token_id,
                                                   UploadChunkRow.start_byte == 0))
            row.final_size, offset = None, 0
            size_cap = row.file_size or settings.max_upload_file_bytes
        else:
            offset = _resume_offset(chunk.resume_at, row.uploaded_file_size, size_cap)
        s.commit()
    path = staged_path(settings, partner_id, token_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    if settings.max_upload_chunk_bytes <= size_cap - offset:
        return offset, settings.max_upload_chunk_bytes, E.UPLOAD_TOKEN_FILE_TOO_LARGE(
            settings.max_upload_chunk_bytes)
    if size_cap == settings.max_upload_file_bytes:
        return offset, size_cap - offset, E.UPLOAD_TOKEN_FILE_TOO_LARGE(size_cap)
    return offset, size_cap - offset, E.UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE(
        f"more than {size_cap}", size_cap)


def _resume_offset(resume_at: float, uploaded: int, size_cap: int) -> int:
    if resume_at == -1:
        return uploaded
    if resume_at < 0 or resume_at != int(resume_at):
        raise E.UPLOAD_TOKEN_RESUMING_INVALID_POSITION(
            resume_at, "must be -1 (append) or a whole byte offset from 0")
    if resume_at > size_cap:
        raise E.UPLOAD_TOKEN_RESUMING_INVALID_POSITION(
            int(resume_at), f"beyond the file size {size_cap}")
    return int(resume_at)


def _write_at(path: Path, source: BinaryIO, offset: int, limit: int,
              overflow: ApiError) -> int:
    """Copy ``source`` into the file at ``offset``, at most ``limit`` bytes; fdatasync.

    Writeback of each ``WRITEBACK_BYTES`` window starts while the next bytes arrive, so the
    final fdatasync waits for the last window only, not the whole chunk.
    """
    start_writeback = _writeback_starter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o640)
    try:
        pos = flushed = offset
        while piece := source.read(COPY_BYTES):
            if pos + len(piece) - offset > limit:
                raise overflow
            view = memoryview(piece)
            while view:
                n = os.pwrite(fd, view, pos)
                view, pos = view[n:], pos + n
            if start_writeback is not None and pos - flushed >= WRITEBACK_BYTES:
                start_writeback(fd, flushed, pos - flushed, SYNC_FILE_RANGE_WRITE)
                flushed = pos
        if pos > offset:
            os.fdatasync(fd)
        return pos - offset
    finally:
        os.close(fd)


@functools.cache
def _writeback_starter() -> Callable[..., int] | None:
    """Linux ``sync_file_range`` (start writeback, don't wait), if the C library has it."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn  # type: ignore[no-any-return]


def _record(db: Database, settings: Any, partner_id: int, token_id: str, offset: int,
            written: int, chunk: Chunk) -> tuple[UploadTokenRow, bool]:
    """Record the range (bytes already on disk); update size, status; detect completion."""
    end = offset + written
    with db.partner_session(partner_id) as s:
        if written:
            s.add(UploadChunkRow(token_id=token_id, start_byte=offset, end_byte=end))
            s.flush()  # the write comes first: SQLite takes its lock before the reads below
        row = get_token(s, token_id, for_update=True)
        if row.status not in OPEN:
            s.rollback()
            raise E.UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD()
        ranges = [(a, b) for a, b in s.execute(
            select(UploadChunkRow.start_byte, UploadChunkRow.end_byte)
            .where(UploadChunkRow.token_id == token_id))]
        row.uploaded_file_size = covered_prefix(ranges)
        if ranges:
            row.status = PARTIAL_UPLOAD
        mismatch = chunk.final and _fix_final_size(row, end)
        target = row.final_size if row.final_size is not None else (
            row.file_size if row.auto_finalize == 1 else None)
        completed = target is not None and row.uploaded_file_size >= target
        if completed and not target:
            s.rollback()
            raise E.UPLOAD_TOKEN_FILE_IS_EMPTY()
        if completed and target is not None:
            _complete(s, settings, row, target)
        s.commit()
    if mismatch:
        raise E.UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE(end, row.file_size)
    return row, completed


def _fix_final_size(row: UploadTokenRow, end: int) -> bool:
    """Set the final size from a final chunk; True if it contradicts ``fileSize``."""
    if row.file_size is not None and end != row.file_size:
        return True
    row.final_size = end
    if row.file_size is None:
        row.file_size = end
    return False


def _complete(s: Session, settings: Any, row: UploadTokenRow, size: int) -> None:
    row.status = FULL_UPLOAD
    row.uploaded_file_size = size
    row.file_size = row.file_size or size
    s.execute(delete(UploadChunkRow).where(UploadChunkRow.token_id == row.id))
    path = staged_path(settings, row.partner_id, row.id)
    if path.stat().st_size > size:
        os.truncate(path, size)


def _close_attached(db: Database, partner_id: int, token_id: str) -> UploadTokenRow | None:
    """FULL_UPLOAD → CLOSED for an attached token, running its object's completion hook."""
    with db.partner_session(partner_id) as s:
        row = get_token(s, token_id, for_update=True)
        hook = _COMPLETION_HOOKS.get(row.attached_object_type or "")
        if row.status != FULL_UPLOAD or not row.attached_object_id:
            return row
        if hook is None:
            log.warning("no completion hook for %s; token %s stays FULL_UPLOAD",
                        row.attached_object_type, token_id)
            return row
        row.status = CLOSED
        s.flush()
        hook(s, row)
        s.commit()
        return row


def _wait_complete(db: Database, partner_id: int, token_id: str,
                   wait: float) -> UploadTokenRow:
    """Poll until parallel chunks complete the upload, or give up with a retryable error."""
    deadline = time.monotonic() + max(0.0, wait)
    delay = 0.02
    while True:
        with db.partner_session(partner_id) as s:
            row = get_token(s, token_id)
        if row.status not in OPEN or time.monotonic() >= deadline:
            break
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    if row.status in OPEN:
        raise E.UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE(row.uploaded_file_size, row.final_size)
    if row.status not in (FULL_UPLOAD, CLOSED):
        raise E.UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD()
    return row


# --- expiry ------------------------------------------------------------------------------------


def expire_idle_tokens(db: Database, settings: Any, now: float | None = None) -> int:
    """Time out tokens idle longer than ``upload_token_ttl`` and remove their bytes.

    Open and FULL_UPLOAD tokens become TIMED_OUT; CLOSED and DELETED tokens keep their status
    but lose staged bytes nobody took. Returns the number of tokens timed out. Safe to run anywhere,
    any time (conditional updates).
    """
    cutoff = int((time.time() if now is None else now) - settings.upload_token_ttl)
    timed_out = 0
    with db.system_session() as s:
        stale = s.execute(select(UploadTokenRow.id, UploadTokenRow.partner_id,
                                 UploadTokenRow.status)
                          .where(UploadTokenRow.updated_at < cutoff,
                                 UploadTokenRow.status != TIMED_OUT)).all()
        for token_id, partner_id, status in stale:
            if status in (*OPEN, FULL_UPLOAD):
                done = s.execute(update(UploadTokenRow)
                                 .where(UploadTokenRow.id == token_id,
                                        UploadTokenRow.status == status,
                                        UploadTokenRow.updated_at < cutoff)
                                 .values(status=TIMED_OUT))
                if done.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                s.execute(delete(UploadChunkRow).where(UploadChunkRow.token_id == token_id))
                timed_out += 1
            s.commit()
            remove_staged(settings, partner_id, token_id)
    return timed_out
