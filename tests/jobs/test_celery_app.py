"""Celery dispatch with real brokers and real `celery -A vpaas.jobs.celery_app worker` processes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery_worker import WorkerProcess, purge_broker, wait_for
from sqlalchemy import update

from vpaas.adapters.queue.base import QueueConfigError
from vpaas.adapters.queue.celery import CeleryQueue
from vpaas.db.base import Base, Database
from vpaas.db.tables.job import JobRow
from vpaas.jobs import QUEUE_INFO_KEY, enqueue, get_job
from vpaas.jobs.celery_app import load_runtime, make_celery
from vpaas.settings import load_settings

REDIS = "redis://127.0.0.1:6379/0"
RABBIT = "amqp://guest:guest@127.0.0.1:5672//"


class Broker:
    """A unique queue on a real broker, a producer for it, and a job database."""

    def __init__(self, url: str, database_url: str, tmp: Path) -> None:
        self.url = url
        self.name = f"vpaas-test-{uuid.uuid4().hex[:10]}"
        self.queue = CeleryQueue.from_url(url, self.name)
        self.database_url = database_url
        self.db = Database(database_url)
        self.tmp = tmp
        self.workers: list[WorkerProcess] = []

    def worker(self, lease: float = 3.0) -> WorkerProcess:
        proc = WorkerProcess.celery(self.url, self.name, self.database_url, self.tmp, lease)
        self.workers.append(proc)
        return proc

    def enqueue(self, type: str, payload: dict[str, Any], dispatch: bool = True) -> int:
        with self.db.system_session() as s:
            if dispatch:
                s.info[QUEUE_INFO_KEY] = self.queue
            job_id = enqueue(s, type, 5, "entry", "0_c", payload)
            s.commit()
        return job_id

    def row(self, job_id: int) -> JobRow:
        with self.db.system_session() as s:
            row = get_job(s, job_id)
            assert row is not None
            return row

    def wait_status(self, job_id: int, status: str, timeout: float = 30) -> JobRow:
        def check() -> JobRow | None:
            row = self.row(job_id)
            return row if row.status == status else None

        try:
            return wait_for(check, timeout, f"job {job_id} to be {status}")
        except AssertionError:
            logs = "\n".join(w.log_text()[-3000:] for w in self.workers)
            actual = self.row(job_id).status
            raise AssertionError(f"job {job_id} is {actual}; logs:\n{logs}") from None

    def close(self) -> None:
        for proc in self.workers:
            proc.stop()
        self.queue.close()
        self.db.dispose()
        purge_broker(self.url, self.name, [w.node for w in self.workers])


def _sqlite(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'jobs.db'}"
    setup = Database(url)
    Base.metadata.create_all(setup.engine)
    setup.dispose()
    return url


@pytest.fixture(scope="module")
def redis_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    tmp = tmp_path_factory.mktemp("celery-redis")
    broker = Broker(REDIS, _sqlite(tmp), tmp)
    broker.worker()
    yield broker
    broker.close()


def test_enqueued_job_runs_in_the_celery_worker(redis_broker: Broker, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    job_id = redis_broker.enqueue("record", {"out": str(out)})
    row = redis_broker.wait_status(job_id, "succeeded")
    assert (row.attempts, row.progress) == (1, 100)
    assert out.read_text().split() == [str(redis_broker.workers[0].pid), str(job_id), "1"]


def test_failed_attempt_is_retried_through_the_broker(redis_broker: Broker, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    job_id = redis_broker.enqueue("flaky", {"out": str(out), "fail_times": 1})
    row = redis_broker.wait_status(job_id, "succeeded")
    assert row.attempts == 2
    assert row.error is None
    assert out.read_text().split()[1:] == [str(job_id), "2"]


def test_lost_dispatch_is_recovered_by_the_sweep(redis_broker: Broker, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    job_id = redis_broker.enqueue("record", {"out": str(out)}, dispatch=False)
    row = redis_broker.wait_status(job_id, "succeeded")
    assert row.attempts == 1 and out.exists()


@pytest.mark.slow
def test_sigkilled_worker_job_is_leased_again_by_a_new_worker(tmp_path: Path) -> None:
    broker = Broker(REDIS, _sqlite(tmp_path), tmp_path)
    try:
        out = tmp_path / "out.txt"
        first = broker.worker(lease=3)
        job_id = broker.enqueue("sleep", {"seconds": 60, "out": str(out)})
        wait_for(lambda: broker.row(job_id).progress > 0, 30, "the job to start")
        assert broker.row(job_id).lease_owner.split(":")[1] == str(first.pid)
        first.kill()
        with broker.db.engine.begin() as conn:  # shorten the re-run
            conn.execute(update(JobRow).values(payload={"seconds": 0.3, "out": str(out)}))
        second = broker.worker(lease=3)
        row = broker.wait_status(job_id, "succeeded", timeout=40)
        assert row.attempts == 2
        assert out.read_text().split() == [str(second.pid), str(job_id), "2"]
    finally:
        broker.close()


@pytest.mark.slow
def test_rabbitmq_broker_with_postgresql_via_run_worker(pg_url: str, tmp_path: Path) -> None:
    """`vpaas worker` (run_worker with Settings) starts a Celery worker on RabbitMQ."""
    broker = Broker(RABBIT, pg_url, tmp_path)
    try:
        with broker.db.engine.begin() as conn:
            conn.execute(JobRow.__table__.delete())
        proc = WorkerProcess.from_settings(RABBIT, broker.name, pg_url, tmp_path)
        broker.workers.append(proc)
        out = tmp_path / "out.txt"
        job_id = broker.enqueue("record", {"out": str(out)})
        broker.wait_status(job_id, "succeeded")
        assert out.read_text().split() == [str(broker.workers[0].pid), str(job_id), "1"]
    finally:
        broker.close()


def test_make_celery_requires_a_broker_url() -> None:
    with pytest.raises(QueueConfigError, match="VPAAS_QUEUE_URL"):
        make_celery(load_settings(env={}))
    with pytest.raises(QueueConfigError, match="not a Celery broker"):
        make_celery(load_settings(env={}, queue_url="kafka://x"))


def test_runtime_factory_spec_is_validated() -> None:
    settings = load_settings(env={}, queue_url=REDIS)
    with pytest.raises(QueueConfigError, match="module:callable"):
        load_runtime(settings, "no-colon")
    runtime = load_runtime(settings.replace(database_url="sqlite://"), "celery_worker:build")
    assert "sleep" in runtime.handlers
    runtime.db.dispose()


def test_made_app_registers_the_run_job_task() -> None:
    app = make_celery(load_settings(env={}, queue_url=REDIS), queue_name="q1")
    assert "vpaas.run_job" in app.tasks
    assert app.conf.task_default_queue == "q1"
    app.close()
