"""Upload test helpers: create a token, send a chunk, read the staged bytes, catch an error code."""

from __future__ import annotations

import io

import pytest

from vpaas.db.base import Database
from vpaas.db.tables.upload import UploadTokenRow
from vpaas.domain import uploads
from vpaas.domain.uploads import Chunk
from vpaas.registry import ApiError
from vpaas.settings import Settings

PID = 101


def new_token(db: Database, settings: Settings, size: int | None = None, auto: int = -1,
              user: str = "u1", pid: int = PID) -> str:
    with db.partner_session(pid) as s:
        row = uploads.add_token(s, settings, uploads.Caller(user, False), "clip.mp4", size, auto)
        s.commit()
        return row.id


def send(db: Database, settings: Settings, token: str, data: bytes, *, at: int = -1,
         resume: bool = True, final: bool = False, wait: float = 5.0,
         pid: int = PID) -> UploadTokenRow:
    return uploads.upload_chunk(db, settings, pid, token, io.BytesIO(data),
                                Chunk(resume=resume, final=final, resume_at=at),
                                final_wait=wait)


def code_of(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code


def staged(settings: Settings, token: str) -> bytes:
    return uploads.staged_path(settings, PID, token).read_bytes()
