"""Upload chunks: placement, concurrency, completion, resuming, restart, sparse staging."""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections.abc import Iterator

import pytest
from support.upload_helpers import PID, code_of, new_token, send, staged

from vpaas.db.base import Database
from vpaas.db.tables.upload import UploadTokenRow
from vpaas.domain import upload_chunks, uploads
from vpaas.settings import Settings


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    yield database


def test_covered_prefix() -> None:
    assert upload_chunks.covered_prefix([]) == 0
    assert upload_chunks.covered_prefix([(10, 20)]) == 0
    assert upload_chunks.covered_prefix([(0, 10), (10, 20), (25, 30)]) == 20
    assert upload_chunks.covered_prefix([(5, 15), (0, 10), (12, 30)]) == 30


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
