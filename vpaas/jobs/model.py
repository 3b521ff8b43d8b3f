"""Job rows: enqueue in the caller's transaction; lease, heartbeat and finish atomically.

Every change after enqueue is ONE guarded UPDATE in its own transaction, so two workers can
never both hold a job: leasing is ``UPDATE ... WHERE id = (SELECT ... LIMIT 1 FOR UPDATE SKIP
LOCKED) AND <still leasable> RETURNING`` (SQLite drops the locking clause; its single writer
makes the statement atomic), and finishing requires ``lease_owner`` to still be ours.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Table,
    and_,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, SessionTransaction

from vpaas.adapters.queue.base import JobQueue
from vpaas.db.base import Database, now
from vpaas.db.tables.job import JobRow

log = logging.getLogger(__name__)

QUEUE_INFO_KEY = "job_queue"
"""``session.info[QUEUE_INFO_KEY] = queue`` makes :func:`enqueue` dispatch through ``queue``."""

_PENDING_KEY = "vpaas.jobs.pending_dispatch"
MAX_PAYLOAD_BYTES = 256 * 1024
MAX_ERROR_CHARS = 2000
_T = cast(Table, JobRow.__table__)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class PermanentJobError(Exception):
    """Raised by a handler to fail its job at once, without retries, with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LeasedJob:
    """A snapshot of a job row as it was leased; ``lease_owner`` identifies this lease."""

    id: int
    type: str
    partner_id: int
    object_type: str | None
    object_id: str | None
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    lease_owner: str


_LEASED_COLUMNS = (
    _T.c.id, _T.c.type, _T.c.partner_id, _T.c.object_type, _T.c.object_id, _T.c.payload,
    _T.c.attempts, _T.c.max_attempts, _T.c.lease_owner,
)


def _leased(row: Any) -> LeasedJob:
    return LeasedJob(
        id=row.id, type=row.type, partner_id=row.partner_id, object_type=row.object_type,
        object_id=row.object_id, payload=dict(row.payload or {}), attempts=row.attempts,
        max_attempts=row.max_attempts, lease_owner=row.lease_owner,
    )


# --- enqueue (caller's transaction) -------------------------------------------------------


def _check_enqueue(type: str, payload: dict[str, Any], max_attempts: int, delay: float) -> None:
    if not type or len(type) > 64:
        raise ValueError("job type must be 1 to 64 characters")
    if not 1 <= max_attempts <= 100:
        raise ValueError("max_attempts must be between 1 and 100")
    if not 0 <= delay <= 365 * 86400:
        raise ValueError("delay must be between 0 seconds and one year")
    try:
        size = len(json.dumps(payload))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"job payload must be JSON-serializable: {exc}") from None
    if size > MAX_PAYLOAD_BYTES:
        raise ValueError(f"job payload is {size} bytes; the limit is {MAX_PAYLOAD_BYTES}")


def enqueue(
    session: Session,
    type: str,
    partner_id: int,
    object_type: str | None = None,
    object_id: str | None = None,
    payload: dict[str, Any] | None = None,
    *,
    priority: int = 0,
    max_attempts: int = 3,
    delay: float = 0.0,
    queue: JobQueue | None = None,
) -> int:
    """Insert a queued job in ``session``'s transaction and return its id.

    Higher ``priority`` runs first; ``delay`` postpones the first run; each lease counts as
    one of ``max_attempts`` attempts.

    The job is dispatched through ``queue`` (or ``session.info["job_queue"]``) only after the
    transaction commits; a rollback dispatches nothing. Without a queue the row simply waits
    for a polling worker or the sweep.
    """
    payload = dict(payload or {})
    _check_enqueue(type, payload, max_attempts, delay)
    due = time.time() + delay
    row = JobRow(
        type=type, partner_id=partner_id, object_type=object_type, object_id=object_id,
        payload=payload, status=JobStatus.QUEUED.value, priority=priority, attempts=0,
        max_attempts=max_attempts, run_after=due, dispatched_at=due, progress=0,
    )
    session.add(row)
    session.flush()
    target = queue if queue is not None else session.info.get(QUEUE_INFO_KEY)
    if target is not None:
        _dispatch_after_commit(session, target, row.id, delay)
    return row.id


def _dispatch_after_commit(session: Session, queue: JobQueue, job_id: int, delay: float) -> None:
    pending: list[tuple[JobQueue, int, float]] | None = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = []
        event.listen(session, "after_commit", _flush_pending)
        event.listen(session, "after_transaction_end", _drop_pending)
    pending.append((queue, job_id, delay))


def _flush_pending(session: Session) -> None:
    pending = session.info.get(_PENDING_KEY) or []
    session.info[_PENDING_KEY] = []
    for queue, job_id, delay in pending:
        try:
            queue.dispatch(job_id, delay)
        except Exception:
            log.exception("dispatch of job %s failed; the sweep will re-dispatch it", job_id)


def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and session.info.get(_PENDING_KEY):
        session.info[_PENDING_KEY] = []


def cancel(session: Session, job_id: int) -> bool:
    """Cancel a queued or running job in ``session``'s transaction; True if it was changed.

    A running handler keeps going until its next heartbeat or progress call notices
    (``ctx.stopped``); its result is then discarded.
    """
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .values(status=JobStatus.CANCELLED.value, finished_at=now(), lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def get_job(session: Session, job_id: int) -> JobRow | None:
    """The job row (partner-scoped when ``session`` is a partner session)."""
    return session.scalars(select(JobRow).where(JobRow.id == job_id)).first()


# --- leasing and finishing (worker side, one statement per transaction) -----------------


def _leasable(at: float) -> ColumnElement[bool]:
    return or_(
        and_(_T.c.status == JobStatus.QUEUED.value, _T.c.run_after <= at),
        and_(
            _T.c.status == JobStatus.RUNNING.value,
            _T.c.lease_expires_at < at,
            _T.c.attempts < _T.c.max_attempts,
        ),
    )


def _lease_values(owner: str, at: float, lease_seconds: float) -> dict[str, Any]:
    return {
        "status": JobStatus.RUNNING.value, "lease_owner": owner,
        "lease_expires_at": at + lease_seconds, "heartbeat_at": at,
        "attempts": _T.c.attempts + 1, "updated_at": int(at),
    }


def lease_next(db: Database, owner: str, lease_seconds: float) -> LeasedJob | None:
    """Lease the most urgent due job (highest priority, then oldest), or None."""
    at = time.time()
    pick = (
        select(_T.c.id)
        .where(_leasable(at))
        .order_by(_T.c.priority.desc(), _T.c.run_after, _T.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .correlate(None)
        .scalar_subquery()
    )
    stmt = (
        update(_T).where(_T.c.id == pick, _leasable(at))
        .values(**_lease_values(owner, at, lease_seconds)).returning(*_LEASED_COLUMNS)
    )
    with db.engine.begin() as conn:
        row = conn.execute(stmt).first()
    return _leased(row) if row is not None else None


def lease_job(db: Database, job_id: int, owner: str, lease_seconds: float) -> LeasedJob | None:
    """Lease ``job_id`` if it is due and nobody holds a live lease on it, else None."""
    at = time.time()
    stmt = (
        update(_T).where(_T.c.id == job_id, _leasable(at))
        .values(**_lease_values(owner, at, lease_seconds)).returning(*_LEASED_COLUMNS)
    )
    with db.engine.begin() as conn:
        row = conn.execute(stmt).first()
    return _leased(row) if row is not None else None


def _guarded(db: Database, job_id: int, owner: str, values: dict[str, Any]) -> bool:
    """Apply ``values`` only while ``owner`` still holds the running job's lease."""
    values.setdefault("updated_at", now())
    stmt = update(_T).where(
        _T.c.id == job_id, _T.c.lease_owner == owner, _T.c.status == JobStatus.RUNNING.value
    ).values(**values)
    with db.engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1


def heartbeat(
    db: Database, job_id: int, owner: str, lease_seconds: float, progress: int | None = None
) -> bool:
    """Extend the lease (and record progress); False when the lease was lost or cancelled."""
    at = time.time()
    values: dict[str, Any] = {"lease_expires_at": at + lease_seconds, "heartbeat_at": at}
    if progress is not None:
        values["progress"] = progress
    return _guarded(db, job_id, owner, values)


def _ended(status: JobStatus, error: str | None) -> dict[str, Any]:
    # lease_owner is kept: it records which worker ran the job last.
    return {"status": status.value, "error": error, "finished_at": now(), "lease_expires_at": None}


def finish_succeeded(db: Database, job_id: int, owner: str) -> bool:
    """Mark the job succeeded (progress 100) if we still hold its lease."""
    return _guarded(db, job_id, owner, {**_ended(JobStatus.SUCCEEDED, None), "progress": 100})


def finish_failed(db: Database, job_id: int, owner: str, reason: str) -> bool:
    """Mark the job failed for good with a readable ``reason``."""
    return _guarded(db, job_id, owner, _ended(JobStatus.FAILED, reason[:MAX_ERROR_CHARS]))


def finish_retry(db: Database, job_id: int, owner: str, reason: str, run_after: float) -> bool:
    """Put the job back in the queue until ``run_after``, keeping the last error."""
    return _guarded(db, job_id, owner, {
        "status": JobStatus.QUEUED.value, "error": reason[:MAX_ERROR_CHARS],
        "run_after": run_after, "dispatched_at": run_after, "lease_expires_at": None,
    })


# --- sweeping ------------------------------------------------------------------------------


def fail_abandoned(db: Database, limit: int = 100) -> list[tuple[LeasedJob, str]]:
    """Fail running jobs whose lease expired on their last allowed attempt.

    Returns the jobs this call failed, with the reason recorded (each job is returned
    exactly once across all sweepers).
    """
    at = time.time()
    cond = and_(
        _T.c.status == JobStatus.RUNNING.value,
        _T.c.lease_expires_at < at,
        _T.c.attempts >= _T.c.max_attempts,
    )
    with db.engine.connect() as conn:
        rows = conn.execute(select(*_LEASED_COLUMNS).where(cond).limit(limit)).all()
    won = []
    for row in rows:
        job = _leased(row)
        reason = (
            f"The worker running this job stopped responding (attempt {job.attempts} of "
            f"{job.max_attempts}); giving up."
        )
        stmt = update(_T).where(_T.c.id == job.id, _T.c.lease_owner == job.lease_owner, cond)
        with db.engine.begin() as conn:
            if conn.execute(stmt.values(**_ended(JobStatus.FAILED, reason))).rowcount == 1:
                won.append((job, reason))
    return won


def claim_redispatch(db: Database, redispatch_after: float, limit: int = 100) -> list[int]:
    """Claim jobs whose dispatch may be lost: due but unleased for ``redispatch_after``
    seconds since their last dispatch, or running with an expired lease.

    Marks them dispatched now and returns their ids; the caller dispatches them.
    """
    at = time.time()
    last = func.coalesce(_T.c.dispatched_at, 0.0)
    stale = last < at - redispatch_after
    cond = or_(
        and_(_T.c.status == JobStatus.QUEUED.value, _T.c.run_after <= at, stale),
        and_(
            _T.c.status == JobStatus.RUNNING.value,
            _T.c.lease_expires_at < at,
            _T.c.attempts < _T.c.max_attempts,
            or_(stale, last < _T.c.lease_expires_at),
        ),
    )
    ids = select(_T.c.id).where(cond).order_by(_T.c.id).limit(limit).correlate(None)
    stmt = update(_T).where(_T.c.id.in_(ids), cond).values(dispatched_at=at).returning(_T.c.id)
    with db.engine.begin() as conn:
        return [r.id for r in conn.execute(stmt)]
