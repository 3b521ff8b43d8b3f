"""Upload tokens: chunked, resumable, out-of-order and concurrent uploads.

Every chunk is written at its offset into one sparse staging file,
``<data_dir>/uploads/<partnerId>/<tokenId>`` (always local disk). Only once a chunk's bytes
are on disk (``fdatasync``) is its byte range inserted into ``upload_chunk``; ranges are
insert-only, so concurrent chunks never lose each other's record, and a restarted server
knows exactly which bytes it has. ``uploadedFileSize`` is the gap-free prefix. The upload is
complete (FULL_UPLOAD) when that prefix reaches the final size, which a ``finalChunk`` fixes
(or ``fileSize`` with ``autoFinalize``).

This module is the public face of uploads: token lifecycle here, token records in
:mod:`vpaas.domain.upload_tokens`, chunk mechanics in :mod:`vpaas.domain.upload_chunks`.
Entries use :func:`get_token`, :func:`attach_token`, :func:`staged_path`, :func:`remove_staged`
and :func:`register_completion_hook` (called when the final chunk of an already attached token
arrives).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from vpaas.db.base import Database, new_id
from vpaas.db.tables.upload import UploadChunkRow, UploadTokenRow
from vpaas.domain.upload_chunks import FINAL_CHUNK_WAIT, Chunk, upload_chunk
from vpaas.domain.upload_tokens import (
    ADMIN,
    CLOSED,
    DELETED,
    FULL_UPLOAD,
    OPEN,
    PARTIAL_UPLOAD,
    PENDING,
    TIMED_OUT,
    Caller,
    clean_file_name,
    get_token,
    register_completion_hook,
    remove_staged,
    staged_path,
)
from vpaas.registry import catalogue as E

__all__ = [
    "ADMIN", "CLOSED", "DELETED", "FINAL_CHUNK_WAIT", "FULL_UPLOAD", "OPEN", "PARTIAL_UPLOAD",
    "PENDING", "TIMED_OUT", "Caller", "Chunk", "TokenQuery", "add_token", "attach_token",
    "delete_token", "expire_idle_tokens", "get_token", "list_tokens",
    "register_completion_hook", "remove_staged", "staged_path", "upload_chunk",
]
"""The upload API: token lifecycle here, records and chunks re-exported from their modules."""


@dataclass(frozen=True)
class TokenQuery:
    """Conditions of ``uploadToken.list``."""

    ids: tuple[str, ...] | None = None
    user_id: str | None = None
    statuses: tuple[int, ...] | None = None
    file_name: str | None = None
    file_size: int | None = None
    newest_first: bool = True


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
