"""The entry state machine: every change of ``entry.status`` goes through :func:`transition`.

::

    NO_CONTENT ─┬─> IMPORT (URL being fetched, or upload token still receiving chunks)
                │     ├─> PRECONVERT ──> READY
                │     └─> ERROR_IMPORTING (reason)     └─> ERROR_CONVERTING (reason)
                ├─> PRECONVERT (content attached at once)
                └─> READY (entries that need no processing: data, documents)
    any state ──> DELETED (final)

Errored entries may be given new content (back to IMPORT or PRECONVERT). PENDING, MODERATE
and BLOCKED belong to moderation and are reachable from READY/PRECONVERT.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

from vpaas.db.base import now


class EntryStatus(IntEnum):
    """Entry status codes as Kaltura numbers them (``KalturaEntryStatus``)."""

    ERROR_IMPORTING = -2
    ERROR_CONVERTING = -1
    IMPORT = 0
    PRECONVERT = 1
    READY = 2
    DELETED = 3
    PENDING = 4
    MODERATE = 5
    BLOCKED = 6
    NO_CONTENT = 7


S = EntryStatus
ERRORS = frozenset({S.ERROR_IMPORTING, S.ERROR_CONVERTING})
ALLOWED: dict[EntryStatus, frozenset[EntryStatus]] = {
    S.NO_CONTENT: frozenset({S.IMPORT, S.PRECONVERT, S.READY, S.ERROR_IMPORTING}),
    S.IMPORT: frozenset({S.PRECONVERT, S.READY, S.ERROR_IMPORTING}),
    S.PRECONVERT: frozenset({S.READY, S.ERROR_CONVERTING, S.PENDING, S.MODERATE}),
    S.READY: frozenset({S.MODERATE, S.BLOCKED, S.PENDING}),
    S.ERROR_IMPORTING: frozenset({S.IMPORT, S.PRECONVERT, S.READY}),
    S.ERROR_CONVERTING: frozenset({S.IMPORT, S.PRECONVERT, S.READY}),
    S.PENDING: frozenset({S.READY, S.MODERATE, S.ERROR_CONVERTING}),
    S.MODERATE: frozenset({S.READY, S.BLOCKED}),
    S.BLOCKED: frozenset({S.READY, S.MODERATE}),
    S.DELETED: frozenset(),
}
MAX_REASON_CHARS = 1000


class StatefulEntry(Protocol):
    """What the state machine reads and writes on an entry row."""

    id: str
    status: int
    status_reason: str | None
    deleted_at: int | None


class IllegalTransition(Exception):
    """A status change the lifecycle does not allow (a bug in the caller, not user input)."""

    def __init__(self, entry_id: str, current: EntryStatus, to: EntryStatus) -> None:
        super().__init__(f"entry {entry_id}: {current.name} -> {to.name} is not allowed")
        self.current = current
        self.to = to


def can_transition(current: int, to: int) -> bool:
    """True if an entry in ``current`` may move to ``to`` (same status counts as allowed)."""
    cur, target = EntryStatus(current), EntryStatus(to)
    if cur == target:
        return cur != S.DELETED
    return target == S.DELETED or target in ALLOWED[cur]


def transition(entry: StatefulEntry, to: EntryStatus | int, reason: str | None = None) -> bool:
    """Move ``entry`` to status ``to``; return False if it already was there (a no-op).

    Error states need a ``reason`` a user can read; it is kept in ``status_reason`` and
    cleared by any later non-error status. DELETED stamps ``deleted_at`` and is final.
    Raises :class:`IllegalTransition` for a change the lifecycle does not allow.
    """
    target = EntryStatus(to)
    current = EntryStatus(entry.status)
    if target in ERRORS and not (reason and reason.strip()):
        raise ValueError(f"moving entry {entry.id} to {target.name} needs a reason")
    if not can_transition(current, target):
        raise IllegalTransition(entry.id, current, target)
    if target in ERRORS:
        entry.status_reason = reason.strip()[:MAX_REASON_CHARS]  # type: ignore[union-attr]
    elif target != S.DELETED:
        entry.status_reason = None
    if current == target:
        return False
    entry.status = int(target)
    if target == S.DELETED:
        entry.deleted_at = now()
    return True
