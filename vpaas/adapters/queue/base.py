"""The queue contract: a queue carries job ids to workers; it never holds the job itself.

The job table is authoritative. A dispatch is a *hint* that a job is ready: it may be lost
(broker down, process crash between commit and dispatch) or delivered twice, and workers must
tolerate both. A lost dispatch is repaired by the runner's periodic sweep, a duplicate is
harmless because only one worker can lease the row.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

RUN_JOB_TASK = "vpaas.run_job"
"""Name of the Celery task that runs one job id."""


class QueueConfigError(ValueError):
    """The configured queue URL cannot be used; the message says why."""


@runtime_checkable
class JobQueue(Protocol):
    """Carries job ids from whoever enqueues to whoever runs them."""

    def dispatch(self, job_id: int, delay: float = 0.0) -> None:
        """Announce that ``job_id`` is ready (after ``delay`` seconds).

        Must not raise for transport problems: log them and rely on the sweep.
        """
        ...

    def close(self) -> None:
        """Release connections; dispatching afterwards is not allowed."""
        ...


@runtime_checkable
class WakeableQueue(JobQueue, Protocol):
    """A queue whose dispatches wake worker threads in this process (embedded mode)."""

    def wait(self, timeout: float) -> bool:
        """Block until a dispatch arrives or ``timeout`` passes; True when woken."""
        ...

    def wake_all(self) -> None:
        """Wake every waiting thread (used on shutdown)."""
        ...
