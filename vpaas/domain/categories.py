"""The category tree and the entries placed in it (categoryEntry).

A category's ``full_ids``/``full_name`` are materialized paths joined with ``>`` from the
root; renaming or moving a category rewrites them for its whole subtree (and the
``category_full_ids`` of the memberships there). Counters follow Kaltura:

- ``direct_entries_count``: ACTIVE memberships in the category itself;
- ``entries_count``: distinct entries ACTIVE anywhere in its subtree (an entry in two
  subcategories counts once);
- ``direct_sub_categories_count``: live children.

They are recomputed (never incremented) for the categories a change touches, after locking
those rows, so concurrent writers cannot lose counts. Entries that are deleted stop counting
at the next recount; :func:`vpaas.domain.category_members.forget_entry` removes their
memberships at once.

An entry's deprecated ``categories``/``categoriesIds`` fields list its ACTIVE categories that
have no privacy context (as Kaltura does); :func:`sync_entry_fields` keeps them current.
Placing entries is in :mod:`vpaas.domain.category_members`, the entry-list filters on
categories in :mod:`vpaas.domain.category_filters`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

from sqlalchemy import ColumnElement, func, literal, or_, select, update
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.category import CategoryEntryRow, CategoryRow
from vpaas.db.tables.entry import EntryRow
from vpaas.registry import catalogue as E

SEPARATOR = ">"
MAX_DEPTH = 32
"""A root category has depth 0; the deepest allowed has depth ``MAX_DEPTH - 1``."""
MAX_NAME = 128
MAX_FULL_NAME = 2000
_BAD_NAME_CHARS = frozenset("<>,")
_PRIVACY_CONTEXT = re.compile(r"^[A-Za-z0-9]{4,}$")
_DELETED_ENTRY = 3


class CategoryStatus(IntEnum):
    """``KalturaCategoryStatus`` numbers."""

    UPDATING = 1
    ACTIVE = 2
    DELETED = 3
    PURGED = 4


class MembershipStatus(IntEnum):
    """``KalturaCategoryEntryStatus`` numbers."""

    PENDING = 1
    ACTIVE = 2
    DELETED = 3
    REJECTED = 4


C = CategoryRow
M = CategoryEntryRow


# --- lookups ---------------------------------------------------------------------------------


def live() -> ColumnElement[bool]:
    """The condition of a category that is not deleted."""
    return C.status != int(CategoryStatus.DELETED)


def get_category(session: Session, category_id: Any) -> CategoryRow:
    """The live (partner-scoped) category, else CATEGORY_NOT_FOUND."""
    row = _find(session, category_id)
    if row is None:
        raise E.CATEGORY_NOT_FOUND(str(category_id)[:40])
    return row


def _find(session: Session, category_id: Any) -> CategoryRow | None:
    try:
        cid = int(category_id)
    except (TypeError, ValueError):
        return None
    return session.scalars(select(C).where(C.id == cid, live())).first()


def ancestor_ids(row: CategoryRow) -> list[int]:
    """Ids from the root down to ``row`` itself (parsed from ``full_ids``)."""
    return [int(part) for part in row.full_ids.split(SEPARATOR) if part]


def subtree_condition(full_ids: str) -> ColumnElement[bool]:
    """Categories at ``full_ids`` or below it."""
    return or_(C.full_ids == full_ids, C.full_ids.like(full_ids + SEPARATOR + "%"))


def path_contains(expr: Any, category_id: int) -> ColumnElement[bool]:
    """A ``>``-joined id path ``expr`` passes through ``category_id``."""
    wrapped = literal(SEPARATOR).concat(expr).concat(SEPARATOR)
    return wrapped.like(f"%{SEPARATOR}{int(category_id)}{SEPARATOR}%")


def parse_ids(value: Any, name: str) -> list[int]:
    """A comma separated list of category ids; PROPERTY_VALIDATION_NUMERIC_VALUE otherwise."""
    out: list[int] = []
    for part in str(value).split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit() or len(part) > 12:
            raise E.PROPERTY_VALIDATION_NUMERIC_VALUE(name)
        out.append(int(part))
    if len(out) > 500:
        raise E.INVALID_PARAMETER_VALUE(f"({len(out)} ids, at most 500)", name)
    return out


# --- validation ------------------------------------------------------------------------------


def check_name(name: Any) -> str:
    """A valid category name (stripped), else a readable error."""
    text = str(name or "").strip()
    if not text:
        raise E.PROPERTY_VALIDATION_MIN_LENGTH("name", 1)
    if len(text) > MAX_NAME:
        raise E.PROPERTY_VALIDATION_MAX_LENGTH("name", MAX_NAME)
    if _BAD_NAME_CHARS & set(text):
        raise E.CATEGORY_NAME_CONTAINS_INVALID_CHARS()
    return text


def check_privacy_context(value: str | None) -> str | None:
    """Comma separated contexts of 4+ letters or digits; empty means none."""
    if value is None or not value.strip():
        return None
    parts = [p.strip() for p in value.split(",")]
    for part in parts:
        if not _PRIVACY_CONTEXT.match(part):
            raise E.PRIVACY_CONTEXT_INVALID_STRING(part[:64])
    joined = ",".join(dict.fromkeys(parts))
    if len(joined) > 255:
        raise E.PROPERTY_VALIDATION_MAX_LENGTH("privacyContext", 255)
    return joined


def _check_unique(session: Session, parent_id: int, name: str, full_name: str,
                  except_id: int | None = None) -> None:
    stmt = select(C.id).where(C.parent_id == parent_id, C.name == name, live())
    if except_id is not None:
        stmt = stmt.where(C.id != except_id)
    if session.scalars(stmt).first() is not None:
        raise E.DUPLICATE_CATEGORY(full_name[:300])


def _parent(session: Session, parent_id: int) -> CategoryRow | None:
    if not parent_id:
        return None
    parent = _find(session, parent_id)
    if parent is None:
        raise E.PARENT_CATEGORY_NOT_FOUND(parent_id)
    return parent


def _joined(parent: CategoryRow | None, part: str) -> str:
    return f"{parent.full_name}{SEPARATOR}{part}" if parent else part


# --- the tree ----------------------------------------------------------------------------------


def add_category(session: Session, name: Any, parent_id: int | None,
                 values: dict[str, Any]) -> CategoryRow:
    """Insert a category under ``parent_id`` (0/None: a root) with other column ``values``."""
    name = check_name(name)
    parent = _parent(session, int(parent_id or 0))
    depth = parent.depth + 1 if parent else 0
    if depth >= MAX_DEPTH:
        raise E.MAX_CATEGORY_DEPTH_REACHED(MAX_DEPTH)
    full_name = _joined(parent, name)
    if len(full_name) > MAX_FULL_NAME:
        raise E.PROPERTY_VALIDATION_MAX_LENGTH("fullName", MAX_FULL_NAME)
    _check_unique(session, parent.id if parent else 0, name, full_name)
    if parent is not None:
        lock(session, ancestor_ids(parent))
    row = CategoryRow(name=name, parent_id=parent.id if parent else 0, depth=depth,
                      full_name=full_name, full_ids="", status=int(CategoryStatus.ACTIVE),
                      entries_count=0, direct_entries_count=0, pending_entries_count=0,
                      direct_sub_categories_count=0)
    for column, value in values.items():
        setattr(row, column, value)
    row.privacy_context = check_privacy_context(row.privacy_context)
    session.add(row)
    session.flush()
    row.full_ids = f"{parent.full_ids}{SEPARATOR}{row.id}" if parent else str(row.id)
    _inherit(row, parent)
    if parent is not None:
        recount(session, [parent.id])
    session.flush()
    return row


def _inherit(row: CategoryRow, parent: CategoryRow | None) -> None:
    """privacyContexts and inheritedParentId from the parent (or the row itself)."""
    row.privacy_contexts = row.privacy_context or (parent.privacy_contexts if parent else None)
    if row.inheritance_type == 1 and parent is not None:
        row.inherited_parent_id = parent.inherited_parent_id or parent.id
    else:
        row.inherited_parent_id = None


def update_category(session: Session, row: CategoryRow, values: dict[str, Any],
                    name: Any = None, parent_id: int | None = None) -> None:
    """Change settings (``values``: column → value), the name and/or the parent.

    A rename or a move rewrites the paths of the whole subtree, the memberships' paths and
    the category fields of the entries there, and recounts the old and new ancestors.
    """
    if "privacy_context" in values:
        values["privacy_context"] = check_privacy_context(values["privacy_context"])
    new_name = check_name(name) if name is not None else row.name
    new_parent_id = row.parent_id if parent_id is None else int(parent_id)
    moved = new_parent_id != row.parent_id
    for column, value in values.items():
        setattr(row, column, value)
    if not moved and new_name == row.name:
        if {"privacy_context", "inheritance_type"} & set(values):
            _reshape(session, row, _parent(session, row.parent_id), row.name)
        session.flush()
        return
    parent = _parent(session, new_parent_id)
    if parent is not None and (parent.id == row.id
                               or parent.full_ids.startswith(row.full_ids + SEPARATOR)):
        raise E.PARENT_CATEGORY_IS_CHILD(parent.id, row.id)
    _check_unique(session, new_parent_id, new_name, _joined(parent, new_name), row.id)
    old_ancestors = ancestor_ids(row)[:-1]
    lock(session, sorted(set(old_ancestors) | set(ancestor_ids(parent) if parent else [])))
    _reshape(session, row, parent, new_name)
    if moved:
        recount(session, old_ancestors + (ancestor_ids(parent) if parent else []))
    session.flush()


def _reshape(session: Session, row: CategoryRow, parent: CategoryRow | None,
             name: str) -> None:
    """Give ``row`` its new parent/name and rewrite paths and inherited settings below it."""
    old_ids = row.full_ids
    subtree = list(session.scalars(
        select(C).where(C.full_ids.like(old_ids + SEPARATOR + "%"), live())
        .order_by(C.depth, C.id)))
    depth = parent.depth + 1 if parent else 0
    height = max((c.depth - row.depth for c in subtree), default=0)
    if depth + height >= MAX_DEPTH:
        raise E.MAX_CATEGORY_DEPTH_REACHED(MAX_DEPTH)
    by_id: dict[int, CategoryRow] = {row.id: row}
    row.parent_id, row.name, row.depth = (parent.id if parent else 0), name, depth
    _place(row, parent)
    for child in subtree:
        child_parent = by_id[child.parent_id]
        child.depth = child_parent.depth + 1
        _place(child, child_parent)
        by_id[child.id] = child
    session.flush()
    if old_ids != row.full_ids:
        _sync_membership_paths(session, list(by_id))
    sync_entry_fields(session, entries_in(session, list(by_id)))


def _place(row: CategoryRow, parent: CategoryRow | None) -> None:
    full_name = _joined(parent, row.name)
    if len(full_name) > MAX_FULL_NAME:
        raise E.PROPERTY_VALIDATION_MAX_LENGTH("fullName", MAX_FULL_NAME)
    row.full_name = full_name
    row.full_ids = f"{parent.full_ids}{SEPARATOR}{row.id}" if parent else str(row.id)
    _inherit(row, parent)


def _sync_membership_paths(session: Session, category_ids: list[int]) -> None:
    for chunk in _chunks(category_ids):
        path = select(C.full_ids).where(C.id == M.category_id).scalar_subquery()
        session.execute(update(M).where(M.category_id.in_(chunk))
                        .values(category_full_ids=path, updated_at=now())
                        .execution_options(synchronize_session=False))


def delete_category(session: Session, row: CategoryRow, move_entries_to_parent: bool) -> None:
    """Delete a category and its subtree; their entries go to its parent, or are removed.

    As Kaltura: with ``move_entries_to_parent`` (the default) the entries of every deleted
    category are placed in the deleted category's parent; a root category's are removed.
    """
    ancestors = ancestor_ids(row)[:-1]
    lock(session, [*ancestors, row.id])
    doomed = list(session.scalars(select(C).where(subtree_condition(row.full_ids), live())))
    doomed_ids = [c.id for c in doomed]
    members = list(session.scalars(select(M).where(M.category_id.in_(doomed_ids))))
    touched = {m.entry_id for m in members}
    parent = _find(session, row.parent_id) if move_entries_to_parent else None
    if parent is not None:
        present = set(session.scalars(select(M.entry_id).where(M.category_id == parent.id)))
        for m in members:
            if m.entry_id not in present and m.status == MembershipStatus.ACTIVE:
                present.add(m.entry_id)
                session.add(CategoryEntryRow(category_id=parent.id, entry_id=m.entry_id,
                                             category_full_ids=parent.full_ids,
                                             status=int(MembershipStatus.ACTIVE),
                                             creator_user_id=m.creator_user_id))
    for m in members:
        session.delete(m)
    stamp = now()
    for c in doomed:
        c.status, c.deleted_at = int(CategoryStatus.DELETED), stamp
    session.flush()
    recount(session, ancestors)
    sync_entry_fields(session, touched)


# --- counters --------------------------------------------------------------------------------


def lock(session: Session, category_ids: Iterable[int]) -> None:
    """Lock category rows (in id order) before recounting them; a no-op on SQLite."""
    ids = sorted(set(category_ids))
    if ids and session.get_bind().dialect.name != "sqlite":
        session.execute(select(C.id).where(C.id.in_(ids)).order_by(C.id).with_for_update())


def _live_entry(entry_id: Any) -> Any:
    return select(EntryRow.id).where(EntryRow.id == entry_id,
                                     EntryRow.status != _DELETED_ENTRY).exists()


def recount(session: Session, category_ids: Iterable[int]) -> None:
    """Recompute the counters of these categories from the memberships and the tree."""
    ids = sorted(set(category_ids))
    for row in session.scalars(select(C).where(C.id.in_(ids), live())):
        active = M.status == int(MembershipStatus.ACTIVE)
        row.direct_entries_count = session.scalar(
            select(func.count()).select_from(M)
            .where(M.category_id == row.id, active, _live_entry(M.entry_id))) or 0
        row.pending_entries_count = session.scalar(
            select(func.count()).select_from(M)
            .where(M.category_id == row.id, M.status == int(MembershipStatus.PENDING))) or 0
        in_subtree = or_(M.category_full_ids == row.full_ids,
                         M.category_full_ids.like(row.full_ids + SEPARATOR + "%"))
        row.entries_count = session.scalar(
            select(func.count(func.distinct(M.entry_id)))
            .where(in_subtree, active, _live_entry(M.entry_id))) or 0
        row.direct_sub_categories_count = session.scalar(
            select(func.count()).select_from(C).where(C.parent_id == row.id, live())) or 0


# --- the entries' category fields ------------------------------------------------------------


def entries_in(session: Session, category_ids: Sequence[int]) -> set[str]:
    """Ids of the entries placed (any status) in these categories."""
    out: set[str] = set()
    for chunk in _chunks(list(category_ids)):
        out.update(session.scalars(select(M.entry_id).where(M.category_id.in_(chunk))))
    return out


def sync_entry_fields(session: Session, entry_ids: Iterable[str]) -> None:
    """Rewrite the ``categories``/``categories_ids`` columns of these entries."""
    for chunk in _chunks(sorted(set(entry_ids))):
        listed: dict[str, list[tuple[int, str]]] = {e: [] for e in chunk}
        rows = session.execute(
            select(M.entry_id, C.id, C.full_name).join(C, C.id == M.category_id)
            .where(M.entry_id.in_(chunk), M.status == int(MembershipStatus.ACTIVE), live(),
                   or_(C.privacy_contexts.is_(None), C.privacy_contexts == ""))
            .order_by(M.id))
        for entry_id, cid, full_name in rows:
            listed[entry_id].append((cid, full_name))
        for entry in session.scalars(select(EntryRow).where(EntryRow.id.in_(chunk))):
            cats = listed.get(entry.id, [])
            entry.categories = ",".join(name for _, name in cats) or None
            entry.categories_ids = ",".join(str(cid) for cid, _ in cats) or None
    session.flush()


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
