"""Job rows on SQLite and PostgreSQL: enqueue after commit, atomic leases, guarded finishes."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import update

from vpaas.adapters.queue.inprocess import InProcessQueue
from vpaas.db.base import CrossPartnerWrite, Database
from vpaas.db.tables.job import JobRow
from vpaas.jobs import model
from vpaas.jobs.model import JobStatus, cancel, enqueue, get_job


def _add(db: Database, n: int = 1, **kw: object) -> list[int]:
    with db.system_session() as s:
        ids = [enqueue(s, "record", 7, "entry", f"0_e{i}", {"i": i}, **kw) for i in range(n)]
        s.commit()
    return ids


def _row(db: Database, job_id: int) -> JobRow:
    with db.system_session() as s:
        row = get_job(s, job_id)
        assert row is not None
        return row


def test_enqueue_dispatches_only_after_commit(db: Database) -> None:
    queue = InProcessQueue()
    with db.system_session() as s:
        enqueue(s, "record", 7, "entry", "0_a", queue=queue)
        assert not queue.wait(0)  # inserted, not yet dispatched
        s.rollback()
    assert not queue.wait(0)
    with db.system_session() as s:
        s.info[model.QUEUE_INFO_KEY] = queue
        job_id = enqueue(s, "record", 7, "entry", "0_a", {"k": [1, 2]})
        assert not queue.wait(0)
        s.commit()
    assert queue.wait(0)
    assert not queue.wait(0)  # exactly one dispatch
    row = _row(db, job_id)
    assert (row.status, row.attempts, row.payload) == ("queued", 0, {"k": [1, 2]})
    assert (row.partner_id, row.object_type, row.object_id) == (7, "entry", "0_a")


def test_rolled_back_dispatch_is_not_replayed_by_a_later_commit(db: Database) -> None:
    queue = InProcessQueue()
    with db.system_session() as s:
        enqueue(s, "record", 7, queue=queue)
        s.rollback()
        s.commit()
    assert not queue.wait(0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": ""}, "job type must be 1 to 64"),
        ({"max_attempts": 0}, "max_attempts must be between 1 and 100"),
        ({"delay": -1}, "delay must be between"),
        ({"payload": {"x": object()}}, "JSON-serializable"),
        ({"payload": {"x": "a" * 300_000}}, "the limit is"),
    ],
)
def test_enqueue_rejects_bad_input(sqlite_db: Database, kwargs: dict, message: str) -> None:
    args = {"type": "record", "partner_id": 7, **kwargs}
    with sqlite_db.system_session() as s, pytest.raises(ValueError, match=message):
        enqueue(s, **args)


def test_partner_session_scopes_jobs(db: Database) -> None:
    (job_id,) = _add(db)
    with db.partner_session(8) as s:
        assert get_job(s, job_id) is None
        assert not cancel(s, job_id)
        with pytest.raises(CrossPartnerWrite):
            enqueue(s, "record", 7)
    with db.partner_session(7) as s:
        assert get_job(s, job_id) is not None


def test_concurrent_workers_never_lease_the_same_job(db: Database) -> None:
    ids = set(_add(db, 24))
    leased: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        while (job := model.lease_next(db, f"w{n}", 30)) is not None:
            with lock:
                leased.append(job.id)
            assert model.finish_succeeded(db, job.id, f"w{n}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(leased) == sorted(ids)


def test_one_job_leased_by_exactly_one_of_many(db: Database) -> None:
    (job_id,) = _add(db)
    start = threading.Barrier(6)
    winners: list[str] = []

    def grab(n: int) -> None:
        start.wait()
        if model.lease_job(db, job_id, f"w{n}", 30) is not None:
            winners.append(f"w{n}")

    threads = [threading.Thread(target=grab, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    row = _row(db, job_id)
    assert (row.status, row.lease_owner, row.attempts) == ("running", winners[0], 1)


def test_priority_then_age_orders_leases(db: Database) -> None:
    with db.system_session() as s:
        low = enqueue(s, "record", 7)
        high = enqueue(s, "record", 7, priority=5)
        later = enqueue(s, "record", 7, delay=3600)
        s.commit()
    order = [j.id for j in iter(lambda: model.lease_next(db, "w", 30), None)]
    assert order == [high, low]
    assert model.lease_job(db, later, "w", 30) is None  # not due yet


def test_expired_lease_is_leased_again_and_old_owner_is_fenced(db: Database) -> None:
    (job_id,) = _add(db, max_attempts=3)
    first = model.lease_job(db, job_id, "dead", 0.2)
    assert first is not None and first.attempts == 1
    assert model.lease_next(db, "other", 30) is None  # lease still live
    time.sleep(0.3)
    second = model.lease_next(db, "alive", 30)
    assert second is not None and second.id == job_id and second.attempts == 2
    assert not model.heartbeat(db, job_id, "dead", 30)
    assert not model.finish_succeeded(db, job_id, "dead")
    assert model.heartbeat(db, job_id, "alive", 30, progress=40)
    assert _row(db, job_id).progress == 40
    assert model.finish_succeeded(db, job_id, "alive")
    row = _row(db, job_id)
    assert (row.status, row.progress, row.error) == ("succeeded", 100, None)
    assert row.finished_at is not None and row.lease_expires_at is None


def test_abandoned_on_last_attempt_fails_once(db: Database) -> None:
    (job_id,) = _add(db, max_attempts=1)
    assert model.lease_job(db, job_id, "dead", 0.1) is not None
    time.sleep(0.2)
    assert model.lease_next(db, "w", 30) is None  # attempts exhausted: not re-leased
    failed = model.fail_abandoned(db)
    assert [job.id for job, _ in failed] == [job_id]
    assert model.fail_abandoned(db) == []
    row = _row(db, job_id)
    assert row.status == "failed"
    assert row.error is not None and "stopped responding (attempt 1 of 1)" in row.error


def test_retry_requeues_with_run_after(db: Database) -> None:
    (job_id,) = _add(db)
    assert model.lease_job(db, job_id, "w", 30) is not None
    due = time.time() + 3600
    assert model.finish_retry(db, job_id, "w", "RuntimeError: boom", due)
    row = _row(db, job_id)
    assert (row.status, row.error, row.run_after) == ("queued", "RuntimeError: boom", due)
    assert model.lease_next(db, "w", 30) is None
    assert not model.finish_failed(db, job_id, "w", "late")  # no longer leased by w


def test_claim_redispatch_finds_lost_and_orphaned_jobs(db: Database) -> None:
    _fresh, lost, orphan = _add(db, 3)
    with db.engine.begin() as conn:
        conn.execute(update(JobRow).where(JobRow.id == lost).values(dispatched_at=1.0))
    assert model.lease_job(db, orphan, "dead", 0.1) is not None
    time.sleep(0.2)
    assert sorted(model.claim_redispatch(db, redispatch_after=60)) == sorted([lost, orphan])
    assert model.claim_redispatch(db, redispatch_after=60) == []  # claimed once


def test_cancel_stops_leases_and_fences_the_runner(db: Database) -> None:
    queued, running = _add(db, 2)
    assert model.lease_job(db, running, "w", 30) is not None
    with db.partner_session(7) as s:
        assert cancel(s, queued) and cancel(s, running)
        s.commit()
    assert model.lease_next(db, "w2", 30) is None
    assert not model.heartbeat(db, running, "w", 30)
    assert not model.finish_succeeded(db, running, "w")
    assert {_row(db, i).status for i in (queued, running)} == {JobStatus.CANCELLED}
    with db.system_session() as s:
        assert not cancel(s, queued)  # already terminal
