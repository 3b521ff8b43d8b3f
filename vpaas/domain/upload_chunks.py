"""Receiving chunks: write each at its offset into the staging file, record its byte range,
detect completion (see :mod:`vpaas.domain.uploads` for the whole scheme)."""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vpaas.db.base import Database
from vpaas.db.tables.upload import UploadChunkRow, UploadTokenRow
from vpaas.domain.upload_tokens import (
    ADMIN,
    CLOSED,
    COMPLETION_HOOKS,
    FULL_UPLOAD,
    OPEN,
    PARTIAL_UPLOAD,
    Caller,
    clean_file_name,
    get_token,
    staged_path,
)
from vpaas.registry import ApiError
from vpaas.registry import catalogue as E

log = logging.getLogger("vpaas.uploads")

FINAL_CHUNK_WAIT = 45.0  # seconds a final chunk waits for earlier parallel chunks
COPY_BYTES = 1 << 20
WRITEBACK_BYTES = 2 << 20
SYNC_FILE_RANGE_WRITE = 2


@dataclass(frozen=True)
class Chunk:
    """The parameters of one ``uploadToken.upload`` call."""

    resume: bool = False
    final: bool = True
    resume_at: float = -1
    file_name: str = ""


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
        hook = COMPLETION_HOOKS.get(row.attached_object_type or "")
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
