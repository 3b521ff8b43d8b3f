"""Job handlers of media processing: ``process_entry`` and ``convert_ladder``.

Each attempt works in ``<data_dir>/work/job-<id>/attempt-<n>``; the job's folder is removed
when the attempt starts (whatever a killed earlier attempt left) and when it ends. Bad media
(:class:`~vpaas.media.tools.MediaError`) fails the job at once; other errors are retried.
When a job fails for good, its flavors go ERROR and the entry ERROR_CONVERTING with the reason.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vpaas.domain import ladder, processing, processing_state
from vpaas.domain.processor import Abandoned, Processor
from vpaas.jobs.model import PermanentJobError
from vpaas.jobs.registry import JobContext, JobHandlers
from vpaas.media.tools import MediaError

log = logging.getLogger(__name__)

Body = Callable[[Processor, int, str, dict[str, Any]], None]


def register(handlers: JobHandlers) -> None:
    """Register the processing job types."""
    handlers.register(processing.PROCESS_JOB, run_process_entry, on_failed=on_failed)
    handlers.register(ladder.LADDER_JOB, run_convert_ladder, on_failed=on_failed)


def work_root(settings: Any) -> Path:
    """Folder holding the scratch folders of running processing jobs."""
    return Path(settings.data_path) / "work"


@contextmanager
def workspace(settings: Any, job_id: int, attempt: int) -> Iterator[Path]:
    """A fresh scratch folder for one attempt; the job's folder is always removed after."""
    root = work_root(settings) / f"job-{int(job_id)}"
    shutil.rmtree(root, ignore_errors=True)
    path = root / f"attempt-{int(attempt)}"
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(ctx: JobContext, body: Body) -> None:
    runtime = ctx.deps
    if not ctx.object_id:
        raise PermanentJobError("the job names no entry")
    with workspace(runtime.settings, ctx.job_id, ctx.attempt) as work:
        proc = Processor(runtime.db, runtime.storage, runtime.settings, work,
                         on_progress=ctx.progress, is_stopped=lambda: ctx.stopped)
        try:
            body(proc, ctx.partner_id, ctx.object_id, ctx.payload)
        except MediaError as exc:
            raise PermanentJobError(exc.reason) from exc
        except Abandoned:
            log.warning("job %s: lease lost or entry gone; stopped", ctx.job_id)


def run_process_entry(ctx: JobContext) -> None:
    """Probe, plan, first playable flavor, thumbnail, entry READY; meanwhile the rest of
    the ladder in the background."""
    _run(ctx, processing.process_entry)


def run_convert_ladder(ctx: JobContext) -> None:
    """Listed rungs of the ladder in one ffmpeg run (reconversions, unfinished ladders)."""
    _run(ctx, ladder.convert_ladder)


def on_failed(ctx: JobContext, reason: str) -> None:
    """Final failure: flavors ERROR, entry ERROR_CONVERTING (or the replacement dropped)."""
    if not ctx.object_id:
        return
    runtime = ctx.deps
    processing_state.fail_processing(runtime.db, runtime.storage, ctx.partner_id, ctx.object_id,
                               ctx.payload, reason)
