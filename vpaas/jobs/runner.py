"""Run jobs: lease a row, heartbeat while the handler works, then finish, retry or fail.

The same :class:`JobRunner` serves the three ways of running jobs: embedded worker threads
(:class:`WorkerPool` inside ``vpaas serve``), ``vpaas worker`` processes (:func:`run_worker`),
and Celery workers (:mod:`vpaas.jobs.celery_app`, which calls :meth:`JobRunner.run_job`).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from vpaas.adapters.queue.base import JobQueue, WakeableQueue
from vpaas.db.base import Database
from vpaas.jobs import model
from vpaas.jobs.model import LeasedJob, PermanentJobError
from vpaas.jobs.registry import JobContext, JobHandlers, JobType
from vpaas.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunnerOptions:
    """Timing of leases, polling, sweeping and retries (seconds)."""

    lease_seconds: float = 60.0
    poll_interval: float = 1.0
    sweep_interval: float = 30.0
    redispatch_after: float = 300.0
    backoff_base: float = 10.0
    backoff_max: float = 3600.0

    @property
    def heartbeat_interval(self) -> float:
        return self.lease_seconds / 3

    def backoff(self, attempts: int) -> float:
        """Delay before the retry that follows failed attempt number ``attempts``."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1)))


@dataclass
class JobRuntime:
    """Everything a worker needs: the database, the handlers and the app's services."""

    db: Database
    handlers: JobHandlers
    deps: Any = None
    options: RunnerOptions = field(default_factory=RunnerOptions)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Heartbeat:
    """Background thread extending the lease of one running job."""

    def __init__(self, ctx: JobContext, interval: float) -> None:
        self._ctx = ctx
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{ctx.job_id}",
                                        daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                if not self._ctx.heartbeat():
                    log.warning("job %s: lease lost (cancelled or re-leased)", self._ctx.job_id)
                    return
            except Exception:
                log.exception("job %s: heartbeat failed; will retry", self._ctx.job_id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


class JobRunner:
    """Leases and runs jobs from the table; thread-safe (one job per calling thread)."""

    def __init__(
        self,
        db: Database,
        handlers: JobHandlers,
        deps: Any = None,
        *,
        queue: JobQueue | None = None,
        options: RunnerOptions | None = None,
    ) -> None:
        self.db = db
        self.handlers = handlers
        self.deps = deps
        self.queue = queue
        self.options = options or RunnerOptions()
        self._prefix = f"{socket.gethostname()[:60]}:{os.getpid()}"

    def _owner(self) -> str:
        return f"{self._prefix}:{uuid.uuid4().hex[:12]}"

    def run_next(self) -> bool:
        """Lease and run the most urgent due job; False when there was none."""
        job = model.lease_next(self.db, self._owner(), self.options.lease_seconds)
        if job is None:
            return False
        self.execute(job)
        return True

    def run_job(self, job_id: int) -> bool:
        """Lease and run ``job_id`` if it is due and unleased; False otherwise."""
        job = model.lease_job(self.db, job_id, self._owner(), self.options.lease_seconds)
        if job is None:
            return False
        self.execute(job)
        return True

    def _context(self, job: LeasedJob) -> JobContext:
        def beat(progress: int | None) -> bool:
            return model.heartbeat(
                self.db, job.id, job.lease_owner, self.options.lease_seconds, progress
            )

        return JobContext(job, self.deps, beat)

    def execute(self, job: LeasedJob) -> None:
        """Run a leased job's handler and record the outcome."""
        ctx = self._context(job)
        jtype = self.handlers.get(job.type)
        if jtype is None:
            self._fail(ctx, None, f"No handler is registered for job type {job.type!r}.")
            return
        log.info("job %s (%s) attempt %s/%s", job.id, job.type, job.attempts, job.max_attempts)
        with _Heartbeat(ctx, self.options.heartbeat_interval):
            try:
                jtype.run(ctx)
            except PermanentJobError as exc:
                self._fail(ctx, jtype, exc.reason or _describe(exc))
                return
            except Exception as exc:
                log.exception("job %s (%s) attempt %s failed", job.id, job.type, job.attempts)
                self._retry_or_fail(ctx, jtype, job, _describe(exc))
                return
        if not model.finish_succeeded(self.db, job.id, job.lease_owner):
            log.warning("job %s finished after losing its lease; result discarded", job.id)

    def _retry_or_fail(self, ctx: JobContext, jtype: JobType, job: LeasedJob, reason: str) -> None:
        if job.attempts >= job.max_attempts:
            self._fail(ctx, jtype, f"Failed after {job.attempts} attempts: {reason}")
            return
        delay = self.options.backoff(job.attempts)
        retried = model.finish_retry(self.db, job.id, job.lease_owner, reason, time.time() + delay)
        if retried and self.queue is not None:
            self.queue.dispatch(job.id, delay)

    def _fail(self, ctx: JobContext, jtype: JobType | None, reason: str) -> None:
        if not model.finish_failed(self.db, ctx.job_id, ctx.lease_owner, reason):
            log.warning("job %s failed after losing its lease; not recorded", ctx.job_id)
            return
        self._notify_failed(ctx, jtype, reason)

    def _notify_failed(self, ctx: JobContext, jtype: JobType | None, reason: str) -> None:
        log.warning("job %s (%s) failed: %s", ctx.job_id, ctx.type, reason)
        if jtype is None or jtype.on_failed is None:
            return
        try:
            jtype.on_failed(ctx, reason)
        except Exception:
            log.exception("on_failed hook of job %s (%s) raised", ctx.job_id, ctx.type)

    def sweep(self) -> None:
        """Fail jobs abandoned on their last attempt; re-dispatch jobs whose dispatch was lost."""
        for job, reason in model.fail_abandoned(self.db):
            self._notify_failed(JobContext(job, self.deps), self.handlers.get(job.type), reason)
        for job_id in model.claim_redispatch(self.db, self.options.redispatch_after):
            log.info("re-dispatching job %s", job_id)
            if self.queue is not None:
                self.queue.dispatch(job_id)


class WorkerPool:
    """N threads that poll the job table; an in-process queue wakes them on enqueue.

    Any thread also runs the periodic sweep. ``stop()`` lets running handlers finish.
    """

    def __init__(
        self,
        db: Database,
        handlers: JobHandlers,
        deps: Any = None,
        n: int = 2,
        *,
        queue: JobQueue | None = None,
        options: RunnerOptions | None = None,
    ) -> None:
        if n < 1:
            raise ValueError("a worker pool needs at least one thread")
        self.runner = JobRunner(db, handlers, deps, queue=queue, options=options)
        self.size = n
        self._queue = queue
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sweep_lock = threading.Lock()
        self._next_sweep = 0.0

    def start(self) -> None:
        """Start the worker threads (idempotent)."""
        if self._threads:
            return
        self._stop.clear()
        for i in range(self.size):
            thread = threading.Thread(target=self._loop, name=f"vpaas-worker-{i}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop polling, wake idle threads and wait up to ``timeout`` for busy ones."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        while any(t.is_alive() for t in self._threads) and time.monotonic() < deadline:
            if isinstance(self._queue, WakeableQueue):
                self._queue.wake_all()
            for thread in self._threads:
                thread.join(timeout=0.05)
        self._threads = [t for t in self._threads if t.is_alive()]
        if self._threads:
            log.warning("%d worker threads still busy after stop()", len(self._threads))

    def _sweep_due(self) -> bool:
        with self._sweep_lock:
            if time.monotonic() < self._next_sweep:
                return False
            self._next_sweep = time.monotonic() + self.runner.options.sweep_interval
            return True

    def _loop(self) -> None:
        poll = self.runner.options.poll_interval
        while not self._stop.is_set():
            try:
                if self._sweep_due():
                    self.runner.sweep()
                if self.runner.run_next():
                    continue
            except Exception:
                log.exception("worker loop error; retrying after %.1fs", poll)
            if isinstance(self._queue, WakeableQueue):
                self._queue.wait(poll)
            else:
                self._stop.wait(poll)


def run_worker(
    settings_or_db: Settings | Database,
    handlers: JobHandlers,
    deps: Any = None,
    concurrency: int = 2,
    *,
    options: RunnerOptions | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run jobs in the foreground until SIGINT/SIGTERM (or ``stop`` is set).

    With Settings whose ``queue_url`` is a Celery broker this runs a Celery worker consuming
    job ids; otherwise ``concurrency`` threads poll the job table directly.
    """
    if isinstance(settings_or_db, Settings):
        settings = settings_or_db
        db = Database(settings.resolved_database_url)
        from vpaas.adapters.queue.celery import is_celery_url

        if is_celery_url(settings.queue_url or ""):
            from vpaas.jobs.celery_app import run_celery_worker

            runtime = JobRuntime(db, handlers, deps, options or RunnerOptions())
            run_celery_worker(settings, runtime, concurrency)
            return
    else:
        db = settings_or_db
    _run_polling(WorkerPool(db, handlers, deps, concurrency, options=options), stop)


def _run_polling(pool: WorkerPool, stop: threading.Event | None) -> None:
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    log.info("worker started: %d threads polling the job table", pool.size)
    pool.start()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        log.info("worker stopping")
        pool.stop()
