"""Worker runtime factory for processing tests: the real app runtime and handlers, short leases.

Worker subprocesses find it with ``VPAAS_JOB_RUNTIME=processing_runtime:build`` and
``tests/jobs`` on ``PYTHONPATH``.
"""

from __future__ import annotations

from vpaas.app import build_job_runtime
from vpaas.jobs import JobRuntime, RunnerOptions
from vpaas.settings import Settings


def build(settings: Settings) -> JobRuntime:
    """The app's job runtime (database, storage, every handler) with 3 s leases."""
    runtime = build_job_runtime(settings)
    runtime.options = RunnerOptions(lease_seconds=3.0, poll_interval=0.2, sweep_interval=0.5,
                                    redispatch_after=1.0, backoff_base=0.2)
    return runtime
