"""library: pager requests, offset and cursor pages, counts, listByReferenceId's query,
null checks and the recycle bin (SQLite, or PostgreSQL in the PostgreSQL pass)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries, library
from vpaas.domain.entry_query import QueryContext, entry_select
from vpaas.domain.library import PageRequest
from vpaas.registry import ApiError

PID = 9


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.partner_session(PID) as s:
        yield s


def fill(session: Session, count: int) -> list[EntryRow]:
    rows = [entries.new_entry(session, 1, {"name": f"n{i % 4}", "status": 2,
                                           "created_at": 1_700_000_000 + i // 2,
                                           "reference_id": f"r{i % 3}"})
            for i in range(count)]
    session.commit()
    return rows


def test_page_request_of_pagers() -> None:
    assert PageRequest.of(None) == PageRequest(30, 1, None)
    pager = SimpleNamespace(pageSize=900, pageIndex=-3)
    assert PageRequest.of(pager) == PageRequest(500, 1, None)
    assert PageRequest.of(SimpleNamespace(pageSize=-1, pageIndex=4)) == PageRequest(0, 4, None)
    cursor_pager = SimpleNamespace(pageSize=None, pageIndex=None, cursor=None)
    assert PageRequest.of(cursor_pager) == PageRequest(30, 1, "")
    cursor_pager.cursor = "abc"
    assert PageRequest.of(cursor_pager).cursor == "abc"


def test_offset_pages_and_counts(session: Session) -> None:
    rows = fill(session, 23)
    q = QueryContext(session, PID)
    stmt = entry_select(q, None)
    newest_first = sorted(rows, key=lambda r: (-r.created_at, r.id))
    page = library.page_of(session, stmt, None, PageRequest(10, 2))
    assert [r.id for r in page.rows] == [r.id for r in newest_first[10:20]]
    assert page.total == 23 and page.next_cursor is None
    assert library.count_entries(q, None) == 23
    assert library.count_entries(q, SimpleNamespace(advancedSearch=None, nameEqual="n1")) == 6
    assert session.scalar(library.count_of(stmt.where(EntryRow.name == "n0"))) == 6


@pytest.mark.parametrize(("size", "index", "shown"), [
    (10, 3, 3),    # the last page, not full: its offset plus its rows
    (10, 4, 0),    # past the end: counted
    (23, 1, 23),   # exactly full: counted
    (30, 1, 23),   # one partial page
    (0, 1, 0),     # no rows asked for: counted
])
def test_totals_are_exact_whether_counted_or_not(session: Session, size: int, index: int,
                                                 shown: int) -> None:
    fill(session, 23)
    stmt = entry_select(QueryContext(session, PID), None)
    page = library.page_of(session, stmt, None, PageRequest(size, index))
    assert (len(page.rows), page.total) == (shown, 23)
    first = library.page_of(session, stmt, None, PageRequest(30, 1, ""))
    assert (len(first.rows), first.total, first.next_cursor) == (23, 23, "")


@pytest.mark.parametrize("order", [None, "+name", "-name,+createdAt", "+id", "-recent"])
def test_cursor_pages_cover_everything_in_order(session: Session, order: str | None) -> None:
    fill(session, 37)
    stmt = entry_select(QueryContext(session, PID), None)
    everything = library.page_of(session, stmt, order, PageRequest(100, 1)).rows
    walked: list[str] = []
    cursor = ""
    while True:
        page = library.page_of(session, stmt, order, PageRequest(8, 1, cursor))
        walked += [r.id for r in page.rows]
        assert page.total == 37
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert walked == [r.id for r in everything]


def test_cursor_and_order_errors(session: Session) -> None:
    fill(session, 5)
    stmt = entry_select(QueryContext(session, PID), None)
    first = library.page_of(session, stmt, "+name", PageRequest(2, 1, ""))
    assert first.next_cursor
    for order, cursor, code in (("-name", first.next_cursor, "INVALID_PAGER_CURSOR"),
                                ("+name", "%%%", "INVALID_PAGER_CURSOR"),
                                ("+plays", "", "INVALID_ORDER_BY")):
        with pytest.raises(ApiError) as refused:
            library.page_of(session, stmt, order, PageRequest(2, 1, cursor),
                            allowed_order={"name", "createdAt"})
        assert refused.value.code == code


def test_reference_select(session: Session) -> None:
    rows = fill(session, 6)
    rows[0].status = 7
    rows[3].status = 3
    session.commit()
    q = QueryContext(session, PID)
    found = set(session.scalars(library.reference_select(q, "r0")))
    assert {r.id for r in found} == {rows[0].id}
    with pytest.raises(ApiError) as refused:
        library.reference_select(q, "")
    assert refused.value.code == "MISSING_MANDATORY_PARAMETER"


def test_check_nulls() -> None:
    columns = {"name": "name", "description": "description", "groupId": "x"}
    library.check_nulls({"description"}, columns)
    library.check_nulls({"unknownField"}, columns)
    with pytest.raises(ApiError) as refused:
        library.check_nulls({"description", "name"}, columns)
    assert refused.value.code == "PROPERTY_VALIDATION_CANNOT_BE_NULL"
    assert "name" in str(refused.value)


def test_recycle_and_restore(session: Session) -> None:
    row = entries.new_entry(session, 1, {"name": "r", "status": 2, "display_in_search": 2})
    session.commit()
    library.recycle(session, row)
    library.recycle(session, row)
    session.commit()
    assert row.display_in_search == library.RECYCLED
    assert row.extra["recycledDisplayInSearch"] == 2 and row.extra["recycledAt"] > 0
    listed = session.scalars(entry_select(QueryContext(session, PID), None)).all()
    assert row not in listed
    library.restore(session, row)
    library.restore(session, row)
    session.commit()
    assert row.display_in_search == 2 and "recycledAt" not in row.extra
    stored = session.scalar(select(EntryRow.display_in_search).where(EntryRow.id == row.id))
    assert stored == 2
