"""Upload token records: statuses, callers, lookup, the staging file and completion hooks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vpaas.db.tables.upload import UploadTokenRow
from vpaas.registry import catalogue as E

PENDING, PARTIAL_UPLOAD, FULL_UPLOAD, CLOSED, TIMED_OUT, DELETED = range(6)
OPEN = (PENDING, PARTIAL_UPLOAD)
MAX_FILE_NAME = 512
_TOKEN_ID = re.compile(r"^[0-9]_[0-9a-z]{1,38}$")

CompletionHook = Callable[[Session, UploadTokenRow], None]
COMPLETION_HOOKS: dict[str, CompletionHook] = {}
"""Attached object type → the hook that finishes its tokens (:func:`register_completion_hook`)."""


def register_completion_hook(object_type: str, hook: CompletionHook) -> None:
    """Declare who finishes tokens attached to ``object_type`` before their upload completed.

    When the last bytes of such a token arrive, the token is set CLOSED and
    ``hook(session, token)`` runs in that same partner-scoped transaction; the staged file is
    complete at :func:`staged_path`. If the hook raises, the token stays FULL_UPLOAD.
    Register at import time of the module that attaches tokens (a declaration, like a service).
    """
    COMPLETION_HOOKS[object_type] = hook


@dataclass(frozen=True)
class Caller:
    """Who is asking: non-admin sessions see and use only their own tokens."""

    user_id: str = ""
    is_admin: bool = True


ADMIN = Caller()


def valid_token_id(token_id: Any) -> bool:
    """Whether ``token_id`` has the shape of a token id (safe as a file name)."""
    return isinstance(token_id, str) and bool(_TOKEN_ID.match(token_id))


def uploads_root(settings: Any) -> Path:
    """The directory holding every partner's staging files."""
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
    """The base name of a client's file name, without NULs, capped in length."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "")
    return base[:MAX_FILE_NAME]


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
