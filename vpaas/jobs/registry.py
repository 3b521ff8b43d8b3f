"""Job types and the context their handlers receive.

Handlers take ids, never ORM objects: a handler gets a :class:`JobContext` (job id, partner,
object id, payload, progress reporting) plus the opaque ``deps`` the app handed to the runner,
and opens its own sessions through them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from vpaas.jobs.model import LeasedJob

Handler = Callable[["JobContext"], None]
FailedHook = Callable[["JobContext", str], None]


class JobContext:
    """What a running handler knows about its job, and how it reports back."""

    def __init__(
        self, job: LeasedJob, deps: Any, beat: Callable[[int | None], bool] | None = None
    ) -> None:
        self.job_id = job.id
        self.type = job.type
        self.partner_id = job.partner_id
        self.object_type = job.object_type
        self.object_id = job.object_id
        self.payload = dict(job.payload)
        self.attempt = job.attempts
        self.max_attempts = job.max_attempts
        self.lease_owner = job.lease_owner
        self.deps = deps
        self._beat = beat
        self._lost = threading.Event()
        self._last_progress = -1

    @property
    def stopped(self) -> bool:
        """True once this worker lost the lease (cancelled, or expired and re-leased).

        A long handler should check it between steps and return early: its result will be
        discarded anyway.
        """
        return self._lost.is_set()

    def progress(self, pct: float) -> None:
        """Record progress (0-100, clamped) and extend the lease."""
        if isinstance(pct, bool) or not isinstance(pct, int | float) or math.isnan(pct):
            raise ValueError(f"progress must be a number from 0 to 100, not {pct!r}")
        value = int(min(100, max(0, pct)))
        if value == self._last_progress:
            return
        self._last_progress = value
        self.heartbeat(value)

    def heartbeat(self, progress: int | None = None) -> bool:
        """Extend the lease now; False (and :attr:`stopped`) when the lease is gone."""
        if self._beat is None or self._lost.is_set():
            return not self._lost.is_set()
        if not self._beat(progress):
            self._lost.set()
        return not self._lost.is_set()


@dataclass(frozen=True)
class JobType:
    """A registered job type: its handler and the hook run once when a job finally fails."""

    name: str
    run: Handler
    on_failed: FailedHook | None = None


class JobHandlers:
    """Maps job type names to handlers; built by the app at start-up and passed down."""

    def __init__(self) -> None:
        self._types: dict[str, JobType] = {}

    def register(self, name: str, run: Handler, *, on_failed: FailedHook | None = None) -> None:
        """Register ``run`` for jobs of type ``name`` (and its ``on_failed(ctx, reason)``)."""
        if not name or len(name) > 64:
            raise ValueError("job type must be 1 to 64 characters")
        if name in self._types:
            raise ValueError(f"job type {name!r} is already registered")
        self._types[name] = JobType(name, run, on_failed)

    def handler(
        self, name: str, *, on_failed: FailedHook | None = None
    ) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`register`."""

        def decorate(run: Handler) -> Handler:
            self.register(name, run, on_failed=on_failed)
            return run

        return decorate

    def get(self, name: str) -> JobType | None:
        return self._types.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._types))
