"""Job test support: a job runtime factory and real worker subprocesses.

``VPAAS_JOB_RUNTIME=celery_worker:build`` makes a Celery worker (``celery -A
vpaas.jobs.celery_app worker``) use :func:`build`; ``python -m celery_worker`` runs a polling
``run_worker`` process. Both need ``tests/support`` on ``PYTHONPATH``: ``tests`` itself is not
importable as a package because kaltura-uploader installs a top-level ``tests`` package.

Handlers append ``"<pid> <job id> <attempt>"`` to the file named by ``payload["out"]`` so a
test can tell which process finished which job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from vpaas.db.base import Database
from vpaas.jobs import JobContext, JobHandlers, JobRuntime, RunnerOptions, run_worker
from vpaas.settings import Settings, load_settings

SUPPORT = Path(__file__).resolve().parent
ROOT = SUPPORT.parents[1]
LEASE_ENV = "VPAAS_TEST_LEASE_SECONDS"
T = TypeVar("T")


def _record(ctx: JobContext) -> None:
    with open(ctx.payload["out"], "a") as out:
        out.write(f"{os.getpid()} {ctx.job_id} {ctx.attempt}\n")


def _sleep(ctx: JobContext) -> None:
    steps = max(1, int(float(ctx.payload.get("seconds", 1)) / 0.1))
    for i in range(steps):
        if ctx.stopped:
            return
        time.sleep(0.1)
        ctx.progress(100 * (i + 1) / (steps + 1))
    _record(ctx)


def _flaky(ctx: JobContext) -> None:
    if ctx.attempt <= int(ctx.payload.get("fail_times", 1)):
        raise RuntimeError(f"transient failure on attempt {ctx.attempt}")
    _record(ctx)


def handlers() -> JobHandlers:
    """The job types worker subprocesses know: record, sleep, flaky."""
    registry = JobHandlers()
    registry.register("record", _record)
    registry.register("sleep", _sleep)
    registry.register("flaky", _flaky)
    return registry


def options() -> RunnerOptions:
    """Short timings so crash recovery happens within a few seconds."""
    return RunnerOptions(
        lease_seconds=float(os.environ.get(LEASE_ENV, "3")), poll_interval=0.2,
        sweep_interval=0.5, redispatch_after=1.0, backoff_base=0.2,
    )


def build(settings: Settings) -> JobRuntime:
    """Runtime factory for ``VPAAS_JOB_RUNTIME``."""
    return JobRuntime(Database(settings.resolved_database_url), handlers(), None, options())


def wait_for(predicate: Callable[[], T], timeout: float, what: str) -> T:
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


class WorkerProcess:
    """A worker subprocess, stopped or killed by its own PID."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()/kill()
        self.proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )
        self.pid = self.proc.pid
        self.node = ""

    @staticmethod
    def _env(database_url: str, lease: float, extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VPAAS_")}
        env.update(
            PYTHONPATH=str(SUPPORT), VPAAS_DATABASE_URL=database_url, VPAAS_LOG_LEVEL="info",
            VPAAS_JOB_RUNTIME="celery_worker:build", **{LEASE_ENV: str(lease)},
        )
        env.update(extra)
        return env

    @classmethod
    def celery(
        cls, broker_url: str, queue_name: str, database_url: str, log_dir: Path,
        lease: float = 3.0,
    ) -> WorkerProcess:
        """``celery -A vpaas.jobs.celery_app worker --pool=threads -c 2`` on ``queue_name``."""
        env = cls._env(database_url, lease,
                       {"VPAAS_QUEUE_URL": broker_url, "VPAAS_CELERY_QUEUE": queue_name})
        node = f"w{uuid.uuid4().hex[:8]}"
        args = [
            sys.executable, "-m", "celery", "-A", "vpaas.jobs.celery_app", "worker",
            "--pool=threads", "-c", "2", "-Q", queue_name, "--loglevel=INFO",
            "--without-mingle", "--without-gossip", "-n", f"{node}@%h",
        ]
        proc = cls(args, env, log_dir / f"celery-{node}.log")
        proc.node = node
        return proc

    @classmethod
    def polling(cls, database_url: str, log_dir: Path, lease: float = 3.0) -> WorkerProcess:
        """A ``run_worker(db, ...)`` process polling the job table."""
        args = [sys.executable, "-m", "celery_worker"]
        return cls(args, cls._env(database_url, lease, {}),
                   log_dir / f"poll-{uuid.uuid4().hex[:6]}.log")

    @classmethod
    def from_settings(
        cls, broker_url: str, queue_name: str, database_url: str, log_dir: Path
    ) -> WorkerProcess:
        """``run_worker(Settings, ...)`` with a broker URL: a Celery worker started by vpaas."""
        env = cls._env(database_url, 3.0,
                       {"VPAAS_QUEUE_URL": broker_url, "VPAAS_CELERY_QUEUE": queue_name})
        args = [sys.executable, "-m", "celery_worker", "settings"]
        return cls(args, env, log_dir / f"settings-{uuid.uuid4().hex[:6]}.log")

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM (graceful), then SIGKILL if it does not exit in ``timeout``."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()
        return self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-job without cleaning up."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()
        self._log.close()


def purge_broker(broker_url: str, queue_name: str, nodes: list[str]) -> None:
    """Remove a test queue (its exchange/bindings, and the workers' pidbox bindings)."""
    if broker_url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(broker_url)
        keys = list(client.scan_iter(f"*{queue_name}*"))
        if keys:
            client.delete(*keys)
        pidbox = "_kombu.binding.celery.pidbox"
        for member in client.smembers(pidbox):
            if any(f"{node}@" in member.decode() for node in nodes if node):
                client.srem(pidbox, member)
        client.close()
        return
    from kombu import Connection

    with Connection(broker_url, connect_timeout=5) as conn:
        channel = conn.default_channel
        channel.queue_delete(queue_name)
        channel.exchange_delete(queue_name)


def main(argv: list[str]) -> None:
    """Worker subprocess: ``python -m celery_worker [settings]``.

    Without arguments: ``run_worker(db, ...)`` polls the job table. With ``settings``:
    ``run_worker(Settings, ...)``, the ``vpaas worker`` path (Celery when VPAAS_QUEUE_URL is a
    broker URL).
    """
    settings = load_settings()
    if argv[:1] == ["settings"]:
        values = dict(settings.values)
        if os.environ.get("VPAAS_CELERY_QUEUE"):  # until `celery_queue` is a declared setting
            values["celery_queue"] = os.environ["VPAAS_CELERY_QUEUE"]
        run_worker(Settings(values), handlers(), None, 2, options=options())
        return
    runtime = build(settings)
    run_worker(runtime.db, runtime.handlers, runtime.deps, 2, options=runtime.options)


if __name__ == "__main__":
    main(sys.argv[1:])
