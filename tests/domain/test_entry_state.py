"""The entry state machine: allowed paths, refusals, reasons, deletion."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from vpaas.domain.entry_state import (
    ALLOWED,
    EntryStatus,
    IllegalTransition,
    can_transition,
    transition,
)

S = EntryStatus


@dataclass
class Entry:
    id: str = "0_abcdefgh"
    status: int = int(S.NO_CONTENT)
    status_reason: str | None = None
    deleted_at: int | None = None


def test_status_numbers_are_kalturas() -> None:
    assert [int(s) for s in S] == [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("path", [
    [S.IMPORT, S.PRECONVERT, S.READY],
    [S.PRECONVERT, S.READY],
    [S.READY],
    [S.IMPORT, S.ERROR_IMPORTING, S.IMPORT, S.PRECONVERT, S.ERROR_CONVERTING, S.PRECONVERT],
])
def test_ingest_paths(path: list[EntryStatus]) -> None:
    entry = Entry()
    for to in path:
        reason = "broken" if to in (S.ERROR_IMPORTING, S.ERROR_CONVERTING) else None
        assert transition(entry, to, reason) is True
        assert entry.status == int(to)


@pytest.mark.parametrize("current,to", [
    (S.NO_CONTENT, S.ERROR_CONVERTING), (S.READY, S.IMPORT), (S.READY, S.PRECONVERT),
    (S.READY, S.NO_CONTENT), (S.PRECONVERT, S.IMPORT), (S.DELETED, S.READY),
    (S.IMPORT, S.NO_CONTENT),
])
def test_illegal_transitions_raise_and_change_nothing(current: EntryStatus,
                                                      to: EntryStatus) -> None:
    entry = Entry(status=int(current))
    with pytest.raises(IllegalTransition) as info:
        transition(entry, to, "why")
    assert entry.status == int(current)
    assert current.name in str(info.value) and to.name in str(info.value)


def test_error_states_need_and_keep_a_reason_until_recovery() -> None:
    entry = Entry(status=int(S.IMPORT))
    with pytest.raises(ValueError):
        transition(entry, S.ERROR_IMPORTING)
    with pytest.raises(ValueError):
        transition(entry, S.ERROR_IMPORTING, "   ")
    transition(entry, S.ERROR_IMPORTING, "HTTP 404 from http://x/y")
    assert entry.status_reason == "HTTP 404 from http://x/y"
    transition(entry, S.IMPORT)
    assert entry.status_reason is None
    transition(entry, S.ERROR_IMPORTING, "x" * 5000)
    assert entry.status_reason is not None and len(entry.status_reason) == 1000


def test_same_status_is_a_no_op_but_deleted_is_final() -> None:
    entry = Entry(status=int(S.PRECONVERT))
    assert transition(entry, S.PRECONVERT) is False
    assert transition(entry, S.DELETED) is True
    assert entry.deleted_at is not None
    with pytest.raises(IllegalTransition):
        transition(entry, S.DELETED)


def test_every_live_state_can_be_deleted() -> None:
    for status in S:
        assert can_transition(status, S.DELETED) is (status != S.DELETED)
    assert set(ALLOWED) == set(S)
