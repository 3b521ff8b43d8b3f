"""The runner: handlers, progress, heartbeats, retries with backoff, failure hooks, pools."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from celery_worker import WorkerProcess, wait_for

from vpaas.adapters.queue.inprocess import InProcessQueue
from vpaas.db.base import Database
from vpaas.db.tables.job import JobRow
from vpaas.jobs import (
    QUEUE_INFO_KEY,
    JobContext,
    JobHandlers,
    JobRunner,
    PermanentJobError,
    RunnerOptions,
    WorkerPool,
    enqueue,
    get_job,
)

FAST = RunnerOptions(lease_seconds=30, poll_interval=0.05, backoff_base=0.05, sweep_interval=0.2)


def _enqueue(db: Database, type: str, payload: dict[str, Any] | None = None, **kw: Any) -> int:
    with db.system_session() as s:
        job_id = enqueue(s, type, 3, "entry", "0_x", payload or {}, **kw)
        s.commit()
    return job_id


def _row(db: Database, job_id: int) -> JobRow:
    with db.system_session() as s:
        row = get_job(s, job_id)
        assert row is not None
        return row


class Failures:
    """Records on_failed calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str, str | None]] = []

    def __call__(self, ctx: JobContext, reason: str) -> None:
        self.calls.append((ctx.job_id, reason, ctx.object_id))


def test_backoff_is_exponential_and_capped() -> None:
    opts = RunnerOptions(backoff_base=10, backoff_max=60)
    assert [opts.backoff(n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_handler_gets_ids_payload_deps_and_reports_progress(db: Database) -> None:
    seen: dict[str, Any] = {}
    deps = object()

    def run(ctx: JobContext) -> None:
        seen.update(id=ctx.job_id, pid=ctx.partner_id, obj=ctx.object_id, payload=ctx.payload,
                    deps=ctx.deps, attempt=ctx.attempt)
        ctx.progress(42.7)
        seen["mid"] = _row(db, ctx.job_id).progress
        ctx.progress(250)
        seen["clamped"] = _row(db, ctx.job_id).progress
        with pytest.raises(ValueError, match="progress must be a number"):
            ctx.progress("half")  # type: ignore[arg-type]

    handlers = JobHandlers()
    handlers.register("probe", run)
    job_id = _enqueue(db, "probe", {"flavor": 3})
    assert JobRunner(db, handlers, deps, options=FAST).run_next()
    assert seen == {"id": job_id, "pid": 3, "obj": "0_x", "payload": {"flavor": 3},
                    "deps": deps, "attempt": 1, "mid": 42, "clamped": 100}
    row = _row(db, job_id)
    assert (row.status, row.progress, row.attempts) == ("succeeded", 100, 1)


def _drain(runner: JobRunner, db: Database, job_id: int) -> JobRow:
    def done() -> JobRow | None:
        runner.run_next()
        row = _row(db, job_id)
        return row if row.status in ("succeeded", "failed") else None

    return wait_for(done, 10, f"job {job_id} to finish")


def test_failing_job_retries_with_backoff_then_fails_with_reason(db: Database) -> None:
    failed, attempts = Failures(), []

    def run(ctx: JobContext) -> None:
        attempts.append(ctx.attempt)
        if ctx.attempt > 1:  # the previous attempt's reason is visible while retrying
            assert _row(db, ctx.job_id).error == f"ValueError: bad frame {ctx.attempt - 1}"
        raise ValueError(f"bad frame {ctx.attempt}")

    handlers = JobHandlers()
    handlers.register("convert", run, on_failed=failed)
    runner = JobRunner(db, handlers, options=FAST)
    job_id = _enqueue(db, "convert", max_attempts=3)
    before = time.time()
    assert runner.run_next()
    row = _row(db, job_id)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.run_after >= before + FAST.backoff(1)
    row = _drain(runner, db, job_id)
    assert attempts == [1, 2, 3]
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.error == "Failed after 3 attempts: ValueError: bad frame 3"
    assert failed.calls == [(job_id, row.error, "0_x")]


def test_retry_waits_for_run_after(db: Database) -> None:
    handlers = JobHandlers()
    handlers.register("convert", lambda ctx: (_ for _ in ()).throw(OSError("disk full")))
    runner = JobRunner(db, handlers, options=RunnerOptions(backoff_base=3600))
    job_id = _enqueue(db, "convert")
    assert runner.run_next()
    row = _row(db, job_id)
    assert (row.status, row.error) == ("queued", "OSError: disk full")
    assert row.run_after >= time.time() + 3500
    assert not runner.run_next() and not runner.run_job(job_id)


def test_permanent_error_fails_immediately(db: Database) -> None:
    failed = Failures()

    def run(ctx: JobContext) -> None:
        raise PermanentJobError("The source file is not a video.")

    handlers = JobHandlers()
    handlers.register("convert", run, on_failed=failed)
    job_id = _enqueue(db, "convert", max_attempts=5)
    assert JobRunner(db, handlers, options=FAST).run_next()
    row = _row(db, job_id)
    assert (row.status, row.attempts, row.error) == (
        "failed", 1, "The source file is not a video.")
    assert failed.calls == [(job_id, "The source file is not a video.", "0_x")]


def test_unknown_type_fails_with_readable_reason(db: Database) -> None:
    job_id = _enqueue(db, "mystery")
    assert JobRunner(db, JobHandlers(), options=FAST).run_next()
    row = _row(db, job_id)
    assert row.status == "failed"
    assert row.error == "No handler is registered for job type 'mystery'."


def test_failing_on_failed_hook_does_not_break_the_runner(db: Database) -> None:
    def hook(ctx: JobContext, reason: str) -> None:
        raise RuntimeError("hook broke")

    handlers = JobHandlers()
    handlers.register("x", lambda ctx: (_ for _ in ()).throw(PermanentJobError("no")),
                      on_failed=hook)
    job_id = _enqueue(db, "x")
    assert JobRunner(db, handlers, options=FAST).run_next()
    assert _row(db, job_id).status == "failed"


def test_heartbeat_keeps_a_long_job_leased(db: Database) -> None:
    opts = RunnerOptions(lease_seconds=0.6)
    stolen: list[bool] = []

    def run(ctx: JobContext) -> None:
        for _ in range(6):
            time.sleep(0.25)
            stolen.append(JobRunner(db, JobHandlers(), options=opts).run_next())

    handlers = JobHandlers()
    handlers.register("long", run)
    job_id = _enqueue(db, "long")
    assert JobRunner(db, handlers, options=opts).run_next()
    assert stolen == [False] * 6
    row = _row(db, job_id)
    assert (row.status, row.attempts) == ("succeeded", 1)
    assert row.heartbeat_at is not None and row.heartbeat_at > row.created_at


def test_cancelled_running_job_sees_stopped_and_stays_cancelled(db: Database) -> None:
    from vpaas.jobs import cancel

    started, observed = threading.Event(), []

    def run(ctx: JobContext) -> None:
        started.set()
        wait_for(lambda: not ctx.heartbeat(), 10, "the cancellation to be seen")
        observed.append(ctx.stopped)

    handlers = JobHandlers()
    handlers.register("long", run)
    job_id = _enqueue(db, "long")
    thread = threading.Thread(target=JobRunner(db, handlers, options=FAST).run_next)
    thread.start()
    assert started.wait(10)
    with db.system_session() as s:
        assert cancel(s, job_id)
        s.commit()
    thread.join(10)
    assert observed == [True]
    assert _row(db, job_id).status == "cancelled"


def test_duplicate_registration_is_rejected() -> None:
    handlers = JobHandlers()
    handlers.register("a", lambda ctx: None)
    with pytest.raises(ValueError, match="already registered"):
        handlers.register("a", lambda ctx: None)
    assert "a" in handlers and list(handlers) == ["a"]


def test_worker_pool_runs_jobs_end_to_end_woken_by_enqueue(db: Database) -> None:
    done: list[int] = []
    handlers = JobHandlers()

    @handlers.handler("record")
    def record(ctx: JobContext) -> None:
        done.append(ctx.job_id)

    queue = InProcessQueue()
    # A long poll interval: only the queue's wake-up can make these jobs run promptly.
    pool = WorkerPool(db, handlers, None, 2, queue=queue,
                      options=RunnerOptions(poll_interval=60, sweep_interval=3600))
    pool.start()
    try:
        time.sleep(0.2)  # let both threads go idle
        with db.system_session() as s:
            s.info[QUEUE_INFO_KEY] = queue
            ids = [enqueue(s, "record", 3) for _ in range(5)]
            s.commit()
        wait_for(lambda: sorted(done) == ids, 20, "the pool to run all jobs")
    finally:
        pool.stop(timeout=5)
    assert {_row(db, i).status for i in ids} == {"succeeded"}
    assert not pool._threads


def test_worker_pool_sweep_fails_abandoned_jobs_once(db: Database) -> None:
    failed = Failures()
    handlers = JobHandlers()
    handlers.register("convert", lambda ctx: None, on_failed=failed)
    job_id = _enqueue(db, "convert", max_attempts=1)
    from vpaas.jobs import model

    assert model.lease_job(db, job_id, "crashed-worker", 0.1) is not None
    pool = WorkerPool(db, handlers, None, 2, options=FAST)
    pool.start()
    try:
        wait_for(lambda: failed.calls, 10, "the sweep to fail the abandoned job")
        time.sleep(0.5)  # more sweeps run; the hook must not fire again
    finally:
        pool.stop(timeout=5)
    assert len(failed.calls) == 1 and "stopped responding" in failed.calls[0][1]
    assert _row(db, job_id).status == "failed"


def _owner_pid(db: Database, job_id: int) -> int | None:
    row = _row(db, job_id)
    return int(row.lease_owner.split(":")[1]) if row.lease_owner else None


@pytest.mark.slow
def test_killed_worker_process_job_is_finished_by_another(
    sqlite_url: str, sqlite_db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    job_id = _enqueue(sqlite_db, "sleep", {"seconds": 30, "out": str(out)})
    first = WorkerProcess.polling(sqlite_url, tmp_path, lease=2)
    try:
        wait_for(lambda: _row(sqlite_db, job_id).progress > 0, 30, "the first worker to start")
        assert _owner_pid(sqlite_db, job_id) == first.pid
    finally:
        first.kill()
    with sqlite_db.engine.begin() as conn:  # shorten the rest of the job
        conn.execute(JobRow.__table__.update().values(payload={"seconds": 0.3, "out": str(out)}))
    second = WorkerProcess.polling(sqlite_url, tmp_path, lease=2)
    try:
        row = wait_for(lambda: (r := _row(sqlite_db, job_id)).status == "succeeded" and r, 30,
                       "the job to be re-leased and finished")
    finally:
        assert second.stop() == 0, second.log_text()
    assert row.attempts == 2
    assert out.read_text().split() == [str(second.pid), str(job_id), "2"]
