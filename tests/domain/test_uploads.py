"""Upload token lifecycle: limits, scoping, attach, delete, expiry."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from support.upload_helpers import PID, code_of, new_token, send, staged

from vpaas.db.base import Database
from vpaas.db.tables.upload import UploadTokenRow
from vpaas.domain import uploads
from vpaas.settings import Settings


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    yield database


def test_limits(db: Database, settings: Settings) -> None:
    small = settings.replace(max_upload_chunk_bytes=10, max_upload_file_bytes=25)
    token = new_token(db, small)
    assert code_of(lambda: send(db, small, token, b"x" * 11, resume=False)) == \
        "UPLOAD_TOKEN_FILE_TOO_LARGE"
    send(db, small, token, b"x" * 10, at=0)
    send(db, small, token, b"x" * 10, at=10)
    assert code_of(lambda: send(db, small, token, b"x" * 10, at=20)) == \
        "UPLOAD_TOKEN_FILE_TOO_LARGE"
    with db.partner_session(PID) as s:
        assert code_of(lambda: uploads.add_token(s, small, uploads.ADMIN, "a", 26)) == \
            "UPLOAD_TOKEN_FILE_TOO_LARGE"
        assert code_of(lambda: uploads.add_token(s, small, uploads.ADMIN, "a", None, 1)) == \
            "UPLOAD_TOKEN_MISSING_FILE_SIZE"


def test_partner_and_user_scoping(db: Database, settings: Settings) -> None:
    token = new_token(db, settings, user="alice")
    with db.partner_session(PID + 1) as s:
        assert code_of(lambda: uploads.get_token(s, token)) == "UPLOAD_TOKEN_NOT_FOUND"
    assert code_of(lambda: send(db, settings, token, b"x", pid=PID + 1)) == \
        "UPLOAD_TOKEN_NOT_FOUND"
    with db.partner_session(PID) as s:
        assert code_of(lambda: uploads.get_token(s, token, uploads.Caller("bob", False))) == \
            "UPLOAD_TOKEN_NOT_FOUND"
        assert uploads.get_token(s, token, uploads.Caller("alice", False)).id == token
        assert uploads.get_token(s, token, uploads.Caller("bob", True)).id == token
        rows, total = uploads.list_tokens(s, uploads.Caller("bob", False), uploads.TokenQuery())
        assert (rows, total) == ([], 0)


def test_attach_full_token_closes_it(db: Database, settings: Settings) -> None:
    token = new_token(db, settings)
    send(db, settings, token, b"abc", resume=False, final=True)
    with db.partner_session(PID) as s:
        row = uploads.attach_token(s, token, "entry", "0_e1", require_complete=True)
        s.commit()
    assert (row.status, row.attached_object_id) == (uploads.CLOSED, "0_e1")
    with db.partner_session(PID) as s:
        assert code_of(lambda: uploads.attach_token(s, token, "entry", "0_e2")) == \
            "UPLOAD_TOKEN_ALREADY_USED"


def test_attach_open_token_completes_through_the_hook(db: Database,
                                                      settings: Settings) -> None:
    seen: list[tuple[str, str | None, bytes]] = []

    def hook(session, row: UploadTokenRow) -> None:  # type: ignore[no-untyped-def]
        seen.append((row.id, row.attached_object_id, staged(settings, row.id)))

    uploads.register_completion_hook("test-object", hook)
    token = new_token(db, settings)
    send(db, settings, token, b"abc", resume=False, final=False)
    with db.partner_session(PID) as s:
        assert code_of(lambda: uploads.attach_token(s, token, "test-object", "o1",
                                                    require_complete=True)) == \
            "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY"
        row = uploads.attach_token(s, token, "test-object", "o1")
        s.commit()
    assert row.status == uploads.PARTIAL_UPLOAD and not seen
    row = send(db, settings, token, b"def", at=3, final=True)
    assert row.status == uploads.CLOSED
    assert seen == [(token, "o1", b"abcdef")]


def test_delete_removes_bytes(db: Database, settings: Settings) -> None:
    token = new_token(db, settings)
    send(db, settings, token, b"abc", resume=False, final=False)
    with db.partner_session(PID) as s:
        uploads.delete_token(s, settings, token)
        s.commit()
        assert uploads.get_token(s, token).status == uploads.DELETED
    assert not uploads.staged_path(settings, PID, token).exists()
    assert code_of(lambda: send(db, settings, token, b"d", at=3)) == \
        "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"


def test_expire_idle_tokens(db: Database, settings: Settings) -> None:
    idle = new_token(db, settings)
    send(db, settings, idle, b"abc", resume=False, final=False)
    fresh = new_token(db, settings)
    send(db, settings, fresh, b"abc", resume=False, final=False)
    later = time.time() + settings.upload_token_ttl + 10
    with db.system_session() as s:  # make ``fresh`` active just before the sweep
        s.get(UploadTokenRow, fresh).updated_at = int(later) - 5  # type: ignore[union-attr]
        s.commit()
    assert uploads.expire_idle_tokens(db, settings, later) == 1
    with db.partner_session(PID) as s:
        assert uploads.get_token(s, idle).status == uploads.TIMED_OUT
        assert uploads.get_token(s, fresh).status == uploads.PARTIAL_UPLOAD
    assert not uploads.staged_path(settings, PID, idle).exists()
    assert uploads.staged_path(settings, PID, fresh).exists()
    assert code_of(lambda: send(db, settings, idle, b"d", at=3)) == \
        "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"
    assert uploads.expire_idle_tokens(db, settings, later) == 0
