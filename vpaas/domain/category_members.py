"""Entries placed in categories (categoryEntry): adding, removing, moderating, forgetting.

Every change locks the category's ancestors (:func:`vpaas.domain.categories.lock`), then
recounts them and rewrites the entry's ``categories``/``categoriesIds`` fields. An entry
deleted through :func:`vpaas.domain.entries.delete_entry` leaves every category at once
(:func:`forget_entry` is registered as a delete hook when this module is imported).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vpaas.db.tables.category import CategoryEntryRow, CategoryRow
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries
from vpaas.domain.categories import (
    M,
    MembershipStatus,
    ancestor_ids,
    lock,
    recount,
    sync_entry_fields,
)
from vpaas.registry import catalogue as E

MAX_CATEGORIES_PER_ENTRY = 32


def membership(session: Session, entry_id: str, category_id: int) -> CategoryEntryRow | None:
    """The membership row of an entry in a category, if any."""
    return session.scalars(select(M).where(M.entry_id == entry_id,
                                           M.category_id == category_id)).first()


def add_membership(session: Session, entry_id: str, category: CategoryRow,
                   creator: str | None, *, pending: bool = False) -> CategoryEntryRow:
    """Place an entry in a category (PENDING when moderation applies)."""
    existing = membership(session, entry_id, category.id)
    if existing is not None and existing.status != MembershipStatus.REJECTED:
        raise E.CATEGORY_ENTRY_ALREADY_EXISTS()
    held = session.scalar(select(func.count()).select_from(M).where(
        M.entry_id == entry_id, M.status != int(MembershipStatus.REJECTED))) or 0
    if held >= MAX_CATEGORIES_PER_ENTRY:
        raise E.MAX_CATEGORIES_FOR_ENTRY_REACHED(MAX_CATEGORIES_PER_ENTRY)
    lock(session, ancestor_ids(category))
    status = MembershipStatus.PENDING if pending else MembershipStatus.ACTIVE
    row = existing or CategoryEntryRow(category_id=category.id, entry_id=entry_id)
    row.category_full_ids, row.status, row.creator_user_id = (
        category.full_ids, int(status), creator)
    session.add(row)
    session.flush()
    _after_change(session, category, entry_id)
    return row


def remove_membership(session: Session, row: CategoryEntryRow) -> None:
    """Take an entry out of a category."""
    category = session.get(CategoryRow, row.category_id)
    if category is not None:
        lock(session, ancestor_ids(category))
    entry_id = row.entry_id
    session.delete(row)
    session.flush()
    if category is not None:
        _after_change(session, category, entry_id)


def set_membership_status(session: Session, row: CategoryEntryRow,
                          status: MembershipStatus) -> None:
    """Activate or reject a PENDING membership."""
    category = session.get(CategoryRow, row.category_id)
    if category is not None:
        lock(session, ancestor_ids(category))
    row.status = int(status)
    session.flush()
    if category is not None:
        _after_change(session, category, row.entry_id)


def _after_change(session: Session, category: CategoryRow, entry_id: str) -> None:
    recount(session, ancestor_ids(category))
    sync_entry_fields(session, [entry_id])


@entries.on_entry_deleted
def _forget_deleted(session: Session, entry: EntryRow) -> None:
    forget_entry(session, entry.id)


def forget_entry(session: Session, entry_id: str) -> None:
    """Remove a deleted entry from every category (call when an entry is deleted)."""
    rows = list(session.scalars(select(M).where(M.entry_id == entry_id)))
    touched: set[int] = set()
    for row in rows:
        category = session.get(CategoryRow, row.category_id)
        if category is not None:
            touched.update(ancestor_ids(category))
        session.delete(row)
    session.flush()
    lock(session, touched)
    recount(session, touched)

