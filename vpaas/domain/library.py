"""The media library: pages of entries (offset or cursor), counts, listByReferenceId,
update checks and the recycle bin.

Filters become queries in :mod:`vpaas.domain.entry_query`; this module orders, pages and
counts them. Two ways to page:

- ``pageIndex``/``pageSize`` (Kaltura's ``KalturaFilterPager``): OFFSET paging, size 30 by
  default, at most 500;
- a cursor (``KalturaEntryCursorPager``): keyset paging over the same ordering; each page
  returns the cursor of the next one, so a walk through 100,000 entries costs the same per
  page at the end as at the start. ``idGreaterThan`` with ``orderBy=+id`` is the transparent
  form of the same walk.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import (
    category_filters,  # noqa: F401  (registers the category filters)
    entry_query,
    filtering,
)
from vpaas.domain.entry_query import COLUMNS, DEFAULT_ORDER, QueryContext, Viewer
from vpaas.registry import catalogue as E

RECYCLED = entry_query.RECYCLED
_RECYCLED_FROM = "recycledDisplayInSearch"
_RECYCLED_AT = "recycledAt"


@dataclass
class EntryPage:
    """One page of entries, the number of matches, and (cursor paging) the next cursor."""

    rows: list[EntryRow]
    total: int
    next_cursor: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """What the pager asked for: OFFSET paging, or a cursor (``""`` = the first page)."""

    size: int = filtering.DEFAULT_PAGE_SIZE
    index: int = 1
    cursor: str | None = None

    @classmethod
    def of(cls, pager: Any) -> PageRequest:
        """From a ``KalturaFilterPager`` (or its cursor subclass, or None)."""
        size = getattr(pager, "pageSize", None)
        index = getattr(pager, "pageIndex", None)
        size = filtering.DEFAULT_PAGE_SIZE if size is None else \
            max(0, min(int(size), filtering.MAX_PAGE_SIZE))
        cursor = (getattr(pager, "cursor", None) or "") if hasattr(pager, "cursor") else None
        return cls(size, 1 if index is None else max(1, int(index)), cursor)


def list_entries(q: QueryContext, filter_obj: Any, page: PageRequest, *,
                 allowed_order: Collection[str] | None, viewer: Viewer | None = None,
                 entry_type: int | None = None) -> EntryPage:
    """A page of the entries ``filter_obj`` selects, in its ``orderBy`` (``-createdAt``)."""
    stmt = entry_query.entry_select(q, filter_obj, viewer, entry_type)
    order_by = getattr(filter_obj, "orderBy", None)
    return page_of(q.session, stmt, order_by, page, allowed_order)


def page_of(session: Session, stmt: Select[Any], order_by: str | None, page: PageRequest,
            allowed_order: Collection[str] | None = None) -> EntryPage:
    """Order, page and count ``stmt`` (a ``SELECT entry`` with its conditions)."""
    keys = filtering.sort_keys(order_by, COLUMNS, DEFAULT_ORDER, "id", allowed_order)
    ordered = stmt.order_by(*(_order_clause(k) for k in keys))
    if page.cursor is None:
        offset = (page.index - 1) * page.size
        rows = _rows_by_ids(session, ordered.limit(page.size).offset(offset))
        return EntryPage(rows, _total(session, stmt, page, offset, len(rows)))
    keyed = filtering.after_cursor(ordered, keys, page.cursor or None)
    keyed = keyed.add_columns(*(k.expr for k in keys)).limit(page.size)
    found = list(session.execute(keyed))
    rows = [r[0] for r in found]
    more = len(found) == page.size and page.size > 0
    cursor = filtering.encode_cursor(keys, list(found[-1][1:])) if more else ""
    first = 0 if not page.cursor else None
    return EntryPage(rows, _total(session, stmt, page, first, len(rows)), cursor)


def _rows_by_ids(session: Session, page: Select[Any]) -> list[EntryRow]:
    """The rows of a page in its order: first their ids (which an index may give without
    reading the rows: the databases read every candidate row before sorting otherwise), then
    those rows."""
    ids = list(session.scalars(page.with_only_columns(EntryRow.id)))
    if not ids:
        return []
    found = {r.id: r for r in session.scalars(select(EntryRow).where(EntryRow.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _total(session: Session, stmt: Select[Any], page: PageRequest, offset: int | None,
           found: int) -> int:
    """The number of matches: known without counting when a page that starts at a known
    ``offset`` is not full (as Kaltura does), else ``SELECT count(*)``."""
    if offset is not None and found < page.size and (found or not offset):
        return offset + found
    return int(session.scalar(count_of(stmt)) or 0)


def _order_clause(key: filtering.SortKey) -> Any:
    """Plain ASC/DESC on NOT NULL columns: the same order, and PostgreSQL can then read it
    from an index (an explicit NULLS FIRST/LAST that differs from the index's cannot)."""
    column = getattr(key.expr, "expression", key.expr)
    if getattr(column, "nullable", True) is False:
        return key.expr.desc() if key.descending else key.expr.asc()
    return key.clause()


def count_of(stmt: Select[Any]) -> Select[Any]:
    """``SELECT count(*)`` with the conditions of an entry SELECT (no subquery; ``*`` lets a
    covering index answer without reading the rows)."""
    return stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)


def count_entries(q: QueryContext, filter_obj: Any, *, viewer: Viewer | None = None,
                  entry_type: int | None = None) -> int:
    """How many entries ``filter_obj`` selects."""
    stmt = entry_query.entry_select(q, filter_obj, viewer, entry_type)
    return int(q.session.scalar(count_of(stmt)) or 0)


def reference_select(q: QueryContext, reference_id: str,
                     viewer: Viewer | None = None) -> Select[Any]:
    """Entries with this reference id, whatever their status (not DELETED, not SYSTEM)."""
    if not reference_id:
        raise E.MISSING_MANDATORY_PARAMETER("refId")
    stmt = select(EntryRow).where(
        EntryRow.partner_id == q.partner_id, EntryRow.reference_id == reference_id,
        EntryRow.status != entry_query.DELETED,
        EntryRow.display_in_search != entry_query.SYSTEM)
    return entry_query.visibility(stmt, viewer)


# --- updates and the recycle bin ----------------------------------------------------------

NOT_NULL_MESSAGE = "cannot be null"


def check_nulls(nulled: Collection[str], columns: dict[str, str]) -> None:
    """Refuse ``field__null`` for fields whose column cannot be empty (name...)."""
    table = EntryRow.__table__
    for name in sorted(nulled):
        column = columns.get(name)
        if column is not None and not table.c[column].nullable:
            raise E.PROPERTY_VALIDATION_CANNOT_BE_NULL(name)


def recycle(session: Session, row: EntryRow) -> None:
    """Move an entry to the recycle bin: hidden from lists until restored (idempotent)."""
    entry_query.track(session)
    if row.display_in_search == RECYCLED:
        return
    extra = dict(row.extra or {})
    extra[_RECYCLED_FROM] = row.display_in_search
    extra[_RECYCLED_AT] = now()
    row.extra = extra
    row.display_in_search = RECYCLED


def restore(session: Session, row: EntryRow) -> None:
    """Take an entry out of the recycle bin, with its former visibility (idempotent)."""
    entry_query.track(session)
    if row.display_in_search != RECYCLED:
        return
    extra = dict(row.extra or {})
    former = extra.pop(_RECYCLED_FROM, None)
    extra.pop(_RECYCLED_AT, None)
    row.extra = extra
    row.display_in_search = 1 if former is None or former == RECYCLED else int(former)
