"""Durable background jobs: the job table is the source of truth, queues only carry ids.

- :func:`enqueue` inserts a job in the caller's transaction; it is dispatched after commit.
- :class:`JobHandlers` maps job types to handlers taking a :class:`JobContext`.
- :class:`WorkerPool` (embedded threads), :func:`run_worker` (``vpaas worker``) and
  :mod:`vpaas.jobs.celery_app` (Celery) all run the same handlers through :class:`JobRunner`.
"""

from vpaas.jobs.model import (
    QUEUE_INFO_KEY,
    JobStatus,
    LeasedJob,
    PermanentJobError,
    cancel,
    enqueue,
    get_job,
)
from vpaas.jobs.registry import JobContext, JobHandlers, JobType
from vpaas.jobs.runner import JobRunner, JobRuntime, RunnerOptions, WorkerPool, run_worker

__all__ = [
    "QUEUE_INFO_KEY",
    "JobContext",
    "JobHandlers",
    "JobRunner",
    "JobRuntime",
    "JobStatus",
    "JobType",
    "LeasedJob",
    "PermanentJobError",
    "RunnerOptions",
    "WorkerPool",
    "cancel",
    "enqueue",
    "get_job",
    "run_worker",
]
