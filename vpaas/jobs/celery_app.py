"""Celery workers for the job table: ``vpaas.run_job(job_id)`` leases THAT job and runs it.

Start a worker with either::

    vpaas worker                                   # VPAAS_QUEUE_URL=redis://... or amqp://...
    celery -A vpaas.jobs.celery_app worker --pool=threads -c 4

With ``celery -A`` the app is built lazily from the environment (``VPAAS_*`` settings) and the
worker finds its database, handlers and services by calling the factory named by
``VPAAS_JOB_RUNTIME`` (``"module:callable"``, default ``vpaas.app:build_job_runtime``) with the
Settings. The factory returns ``(db, handlers, deps)`` or a :class:`JobRuntime`. The broker queue
is ``VPAAS_CELERY_QUEUE`` (default ``vpaas``).

The job table stays authoritative: every worker runs a sweep thread that re-dispatches queued
jobs whose message was lost and jobs whose worker died (expired lease). Messages are acked
early; a duplicate or stale message is a no-op because only a due, unleased job can be leased.
Use ``--pool=threads`` (or solo); with prefork the runtime is rebuilt in every child.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from typing import Any

from celery import Celery, signals

from vpaas.adapters.queue import celery_queue_name
from vpaas.adapters.queue.base import RUN_JOB_TASK, QueueConfigError
from vpaas.adapters.queue.celery import CeleryQueue, celery_config
from vpaas.jobs.runner import JobRunner, JobRuntime
from vpaas.settings import Settings, load_settings

log = logging.getLogger(__name__)

RUNTIME_ENV = "VPAAS_JOB_RUNTIME"
QUEUE_ENV = "VPAAS_CELERY_QUEUE"
DEFAULT_RUNTIME_FACTORY = "vpaas.app:build_job_runtime"


def load_runtime(settings: Settings, spec: str | None = None) -> JobRuntime:
    """Build the worker runtime with the factory named by ``spec`` ("module:callable")."""
    spec = spec or os.environ.get(RUNTIME_ENV) or DEFAULT_RUNTIME_FACTORY
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise QueueConfigError(f"{RUNTIME_ENV} must look like 'package.module:callable'")
    factory = getattr(importlib.import_module(module_name), attr)
    result = factory(settings)
    if isinstance(result, JobRuntime):
        return result
    db, handlers, deps = result
    return JobRuntime(db, handlers, deps)


class CeleryJobBridge:
    """Connects one Celery app to the job runner: lazy runtime, task body, sweep thread."""

    def __init__(
        self, app: Celery, settings: Settings, queue_name: str,
        runtime: JobRuntime | None = None, factory: str | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.queue = CeleryQueue(app, queue_name)
        self._runtime = runtime
        self._factory = factory
        self._runner: JobRunner | None = None
        self._lock = threading.Lock()
        self._sweep_stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    def runner(self) -> JobRunner:
        """The job runner, building the runtime on first use."""
        with self._lock:
            if self._runner is None:
                rt = self._runtime or load_runtime(self.settings, self._factory)
                self._runtime = rt
                self._runner = JobRunner(
                    rt.db, rt.handlers, rt.deps, queue=self.queue, options=rt.options
                )
            return self._runner

    def forget_runtime(self) -> None:
        """Drop a runtime inherited across fork (its connections belong to the parent)."""
        with self._lock:
            self._runner = None
            self._runtime = None

    def run_job(self, job_id: int) -> bool:
        """Task body: lease ``job_id`` (if due and unleased) and run it."""
        return self.runner().run_job(int(job_id))

    def start_sweeper(self) -> None:
        """Start the periodic sweep thread of this worker."""
        if self._sweeper is not None:
            return
        self._sweep_stop.clear()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="vpaas-sweep",
                                         daemon=True)
        self._sweeper.start()

    def stop_sweeper(self) -> None:
        self._sweep_stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=10)
            self._sweeper = None

    def _sweep_loop(self) -> None:
        runner = self.runner()
        while True:
            try:
                runner.sweep()
            except Exception:
                log.exception("job sweep failed; retrying")
            if self._sweep_stop.wait(runner.options.sweep_interval):
                return


def _connect_signals(app: Celery, bridge: CeleryJobBridge) -> None:
    def on_ready(sender: Any = None, **_kw: Any) -> None:
        if getattr(sender, "app", None) is app:
            bridge.start_sweeper()

    def on_shutdown(sender: Any = None, **_kw: Any) -> None:
        if getattr(sender, "app", None) is app:
            bridge.stop_sweeper()

    def on_child(**_kw: Any) -> None:
        bridge.forget_runtime()

    signals.worker_ready.connect(on_ready, weak=False)
    signals.worker_shutdown.connect(on_shutdown, weak=False)
    signals.worker_process_init.connect(on_child, weak=False)


def make_celery(
    settings: Settings,
    *,
    runtime: JobRuntime | None = None,
    queue_name: str | None = None,
    runtime_factory: str | None = None,
) -> Celery:
    """A Celery app for ``settings.queue_url`` with the ``vpaas.run_job`` task registered.

    ``runtime`` (db, handlers, deps, options) is used as is; otherwise it is built on first
    task from ``runtime_factory`` / ``VPAAS_JOB_RUNTIME`` / ``vpaas.app:build_job_runtime``.
    """
    if not settings.queue_url:
        raise QueueConfigError(
            "Celery workers need VPAAS_QUEUE_URL=redis://... or amqp://...; with an empty "
            "queue URL run jobs with embedded worker threads or `vpaas worker` instead"
        )
    name = queue_name or celery_queue_name(settings)
    app = Celery("vpaas", set_as_current=False)
    app.conf.update(celery_config(settings.queue_url, name))
    bridge = CeleryJobBridge(app, settings, name, runtime, runtime_factory)
    app.vpaas_bridge = bridge

    @app.task(name=RUN_JOB_TASK, ignore_result=True)
    def run_job(job_id: int) -> bool:
        return bridge.run_job(job_id)

    _connect_signals(app, bridge)
    return app


def run_celery_worker(settings: Settings, runtime: JobRuntime, concurrency: int = 2) -> None:
    """Run a Celery worker in this process (blocks; Celery handles SIGTERM/SIGINT)."""
    app = make_celery(settings, runtime=runtime)
    app.worker_main(argv=[
        "worker", "--pool=threads", f"--concurrency={max(1, concurrency)}",
        f"--loglevel={str(settings.log_level).upper()}",
        "-Q", app.conf.task_default_queue, "-n", f"vpaas-{os.getpid()}@%h",
    ])


def __getattr__(name: str) -> Any:
    """``celery -A vpaas.jobs.celery_app``: build ``app`` from the environment on first use."""
    if name != "app":
        raise AttributeError(name)
    app = make_celery(load_settings(), queue_name=os.environ.get(QUEUE_ENV) or None)
    globals()["app"] = app
    return app
