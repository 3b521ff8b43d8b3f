"""The job table: the single source of truth for background work.

Queues only carry job ids; whoever runs a job first takes a lease on its row here.
Scheduling instants (``run_after``, ``lease_expires_at``, ``heartbeat_at``, ``dispatched_at``)
are epoch seconds with sub-second precision; ``created_at``/``updated_at``/``finished_at``
are whole epoch seconds like every other table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped


class JobRow(PartnerScoped, Timestamped, Base):
    """One unit of background work (convert, thumbnail, import, webhook, ...)."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_status_run_after", "status", "run_after"),
        Index("ix_job_status_lease", "status", "lease_expires_at"),
        Index("ix_job_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    object_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    run_after: Mapped[float] = mapped_column(Double, default=0.0)
    dispatched_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_expires_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    heartbeat_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
