"""Upload token rules: chunk placement, concurrency, completion, attach, expiry, confinement."""

from __future__ import annotations

import hashlib
import io
import os
import random
import threading
import time
from collections.abc import Iterator

import pytest

from vpaas.db.base import Database
from vpaas.db.tables.upload import UploadTokenRow
from vpaas.domain import uploads
from vpaas.domain.uploads import Chunk
from vpaas.registry import ApiError
from vpaas.settings import Settings

PID = 101


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    yield database


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


def test_covered_prefix() -> None:
    assert uploads.covered_prefix([]) == 0
    assert uploads.covered_prefix([(10, 20)]) == 0
    assert uploads.covered_prefix([(0, 10), (10, 20), (25, 30)]) == 20
    assert uploads.covered_prefix([(5, 15), (0, 10), (12, 30)]) == 30


def test_staged_path_is_confined(settings: Settings) -> None:
    root = (settings.data_path / "uploads").resolve()
    assert uploads.staged_path(settings, 7, "0_abc123") == root / "7" / "0_abc123"
    for bad in ("../x", "0_../../etc", "0_ABC", "", "0_a/b", "/etc/passwd", "0_a\x00"):
        with pytest.raises(ValueError):
            uploads.staged_path(settings, 7, bad)


def test_sequential_chunks_complete_on_final(db: Database, settings: Settings) -> None:
    token = new_token(db, settings, 10250)
    row = send(db, settings, token, b"a" * 6000, resume=False, at=0)
    assert (row.status, row.uploaded_file_size) == (uploads.PARTIAL_UPLOAD, 6000)
    row = send(db, settings, token, b"b" * 4250, at=6000, final=True)
    assert (row.status, row.uploaded_file_size) == (uploads.FULL_UPLOAD, 10250)
    assert staged(settings, token) == b"a" * 6000 + b"b" * 4250


def test_out_of_order_and_resent_chunks(db: Database, settings: Settings) -> None:
    data = random.Random(1).randbytes(100_000)
    token = new_token(db, settings)
    pieces = [(i, data[i:i + 10_000]) for i in range(0, len(data), 10_000)]
    order = pieces[5:] + pieces[:5] + [pieces[3], pieces[7]]  # re-sends are harmless
    for at, piece in order[:-1]:
        row = send(db, settings, token, piece, at=at)
    assert row.status == uploads.PARTIAL_UPLOAD
    at, piece = pieces[-1]
    row = send(db, settings, token, piece, at=at, final=True)
    assert row.status == uploads.FULL_UPLOAD and row.file_size == len(data)
    assert hashlib.sha256(staged(settings, token)).digest() == hashlib.sha256(data).digest()


def test_uploaded_size_is_the_gap_free_prefix(db: Database, settings: Settings) -> None:
    token = new_token(db, settings, 300)
    assert send(db, settings, token, b"x" * 100, at=200).uploaded_file_size == 0
    assert send(db, settings, token, b"x" * 100, at=0).uploaded_file_size == 100
    assert send(db, settings, token, b"x" * 100, at=100).uploaded_file_size == 300


def test_concurrent_chunks_from_threads(db: Database, settings: Settings) -> None:
    data = random.Random(2).randbytes(64 * 40_000)
    token = new_token(db, settings, len(data), auto=1)
    offsets = list(range(0, len(data), 40_000))
    random.Random(3).shuffle(offsets)
    errors: list[BaseException] = []

    def worker(mine: list[int]) -> None:
        try:
            for at in mine:
                send(db, settings, token, data[at:at + 40_000], at=at)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(offsets[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.partner_session(PID) as s:
        row = uploads.get_token(s, token)
    assert (row.status, row.uploaded_file_size) == (uploads.FULL_UPLOAD, len(data))
    assert hashlib.sha256(staged(settings, token)).digest() == hashlib.sha256(data).digest()


def test_final_chunk_waits_for_a_parallel_chunk(db: Database, settings: Settings) -> None:
    token = new_token(db, settings)
    send(db, settings, token, b"a" * 10, at=0)
    result: list[UploadTokenRow] = []
    final = threading.Thread(target=lambda: result.append(
        send(db, settings, token, b"c" * 10, at=20, final=True, wait=20)))
    final.start()
    time.sleep(0.3)
    send(db, settings, token, b"b" * 10, at=10)
    final.join()
    assert result[0].status == uploads.FULL_UPLOAD
    assert staged(settings, token) == b"a" * 10 + b"b" * 10 + b"c" * 10


def test_final_chunk_gives_up_then_a_late_chunk_completes(db: Database,
                                                          settings: Settings) -> None:
    token = new_token(db, settings)
    send(db, settings, token, b"a" * 10, at=0)
    assert code_of(lambda: send(db, settings, token, b"c" * 10, at=20, final=True, wait=0.1)) \
        == "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"
    row = send(db, settings, token, b"b" * 10, at=10)
    assert (row.status, row.file_size) == (uploads.FULL_UPLOAD, 30)


def test_resume_false_replaces_and_append(db: Database, settings: Settings) -> None:
    token = new_token(db, settings)
    send(db, settings, token, b"old-bytes-that-go", resume=False, at=0)
    send(db, settings, token, b"new", resume=False, at=0)
    row = send(db, settings, token, b"+more", at=-1, final=True)
    assert row.status == uploads.FULL_UPLOAD
    assert staged(settings, token) == b"new+more"


def test_bad_positions_and_sizes_lose_nothing(db: Database, settings: Settings) -> None:
    token = new_token(db, settings, 100)
    send(db, settings, token, b"k" * 40, resume=False)
    assert code_of(lambda: send(db, settings, token, b"x", at=-2)) == \
        "UPLOAD_TOKEN_RESUMING_INVALID_POSITION"
    assert code_of(lambda: send(db, settings, token, b"x", at=1.5)) == \
        "UPLOAD_TOKEN_RESUMING_INVALID_POSITION"
    assert code_of(lambda: send(db, settings, token, b"x", at=101)) == \
        "UPLOAD_TOKEN_RESUMING_INVALID_POSITION"
    assert code_of(lambda: send(db, settings, token, b"x" * 70, at=40)) == \
        "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"  # would end past fileSize
    assert code_of(lambda: send(db, settings, token, b"x" * 10, at=40, final=True)) == \
        "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"  # final size 50 != 100
    with db.partner_session(PID) as s:
        row = uploads.get_token(s, token)
    assert row.status == uploads.PARTIAL_UPLOAD and row.uploaded_file_size == 50
    assert staged(settings, token)[:40] == b"k" * 40
    row = send(db, settings, token, b"z" * 50, at=50, final=True)
    assert row.status == uploads.FULL_UPLOAD


def test_empty_file_and_ignored_empty_chunk(db: Database, settings: Settings) -> None:
    token = new_token(db, settings)
    assert code_of(lambda: send(db, settings, token, b"", resume=False, final=True)) == \
        "UPLOAD_TOKEN_FILE_IS_EMPTY"
    row = send(db, settings, token, b"", at=50)
    assert row.status == uploads.PENDING


def test_closed_token_refuses_chunks(db: Database, settings: Settings) -> None:
    token = new_token(db, settings)
    send(db, settings, token, b"abc", resume=False, final=True)
    assert code_of(lambda: send(db, settings, token, b"d", at=3)) == \
        "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"


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


def test_restart_keeps_recorded_chunks(settings: Settings, database: Database) -> None:
    token = new_token(database, settings, 30, auto=1)
    send(database, settings, token, b"a" * 10, at=0)
    send(database, settings, token, b"c" * 10, at=20)
    database.dispose()
    again = Database(settings.resolved_database_url)
    try:
        with again.partner_session(PID) as s:
            assert uploads.get_token(s, token).uploaded_file_size == 10
        row = send(again, settings, token, b"b" * 10, at=10)
        assert row.status == uploads.FULL_UPLOAD
        assert staged(settings, token) == b"a" * 10 + b"b" * 10 + b"c" * 10
    finally:
        again.dispose()


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


def test_sparse_staging_file(db: Database, settings: Settings) -> None:
    token = new_token(db, settings)
    send(db, settings, token, b"z", at=10_000_000)
    path = uploads.staged_path(settings, PID, token)
    assert path.stat().st_size == 10_000_001
    assert os.stat(path).st_blocks * 512 < 1_000_000


def test_first_chunk_keeps_chunks_that_arrived_ahead_of_it(db: Database,
                                                             settings: Settings) -> None:
    data = os.urandom(3000)
    token = new_token(db, settings, size=3000)
    assert send(db, settings, token, data[2000:2500], at=2000).uploaded_file_size == 0
    assert send(db, settings, token, data[:1000], resume=False, at=0).uploaded_file_size == 1000
    assert send(db, settings, token, data[1000:2000], at=1000).uploaded_file_size == 2500
    row = send(db, settings, token, data[2500:], at=2500, final=True)
    assert row.status == 2 and staged(settings, token) == data
