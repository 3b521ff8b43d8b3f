"""Users (Kaltura kusers): the partner's users, identified by the partner's own user ids.

Rows are partner-scoped and unique per (partner, user id). Deleting a user keeps its row with
status DELETED (it no longer appears in get/list); adding the same id again starts a fresh
user in that row. Like Kaltura, a user that a KS names but that was never added is created on
first sight (:func:`ensure`): ACTIVE, its screen name the id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.user import USER_ID_LENGTH, UserRow
from vpaas.domain import filtering
from vpaas.registry import catalogue as E

ACTIVE, BLOCKED, DELETED = 1, 0, 2
USER_ID_PATTERN = re.compile(
    r"[A-Za-z0-9,!#$%&'*+?^_`{|}~.@-]{1," + str(USER_ID_LENGTH) + "}")
"""The characters Kaltura allows in a user id (``kuser::PUSER_ID_REGEXP``)."""
MAX_LENGTHS: dict[str, int] = {
    "screen_name": 255, "full_name": 255, "email": 320, "first_name": 255, "last_name": 255,
    "country": 255, "state": 255, "city": 255, "zip": 64, "title": 255, "company": 255,
    "thumbnail_url": 2048, "description": 4000, "tags": 4000, "admin_tags": 4000,
    "partner_data": 64000, "role_ids": 4000,
}
FILTER_COLUMNS: dict[str, Any] = {
    "id": UserRow.user_id, "partnerId": UserRow.partner_id, "screenName": UserRow.screen_name,
    "email": UserRow.email, "tags": UserRow.tags, "status": UserRow.status,
    "createdAt": UserRow.created_at, "updatedAt": UserRow.updated_at, "type": UserRow.type,
    "isAdmin": UserRow.is_admin, "firstName": UserRow.first_name,
    "lastName": UserRow.last_name,
}
ORDER_FIELDS = ("id", "createdAt", "updatedAt")
"""What ``orderBy`` may name (KalturaUserOrderBy)."""
_BLANK: dict[str, Any] = {column: "" for column in MAX_LENGTHS}


def valid_user_id(user_id: str | None) -> bool:
    """Whether ``user_id`` is a storable user id."""
    return bool(user_id) and USER_ID_PATTERN.fullmatch(user_id or "") is not None


def validate(values: Mapping[str, Any]) -> None:
    """Check column values before they are stored (lengths)."""
    for column, value in values.items():
        limit = MAX_LENGTHS.get(column)
        if limit is not None and value is not None and len(str(value)) > limit:
            raise E.PROPERTY_VALIDATION_MAX_LENGTH(column, limit)


def find(session: Session, user_id: str) -> UserRow | None:
    """The session partner's user ``user_id``, deleted ones included; None if never added."""
    return session.scalars(select(UserRow).where(UserRow.user_id == user_id)).first()


def get(session: Session, user_id: str) -> UserRow:
    """A live (not deleted) user of the session's partner, else INVALID_USER_ID."""
    row = find(session, user_id) if user_id else None
    if row is None or row.status == DELETED:
        raise E.INVALID_USER_ID(user_id)
    return row


def ensure(session: Session, partner_id: int, user_id: str) -> UserRow:
    """The user ``user_id``, created ACTIVE when it was never added (a KS's user).

    A deleted user stays deleted (INVALID_USER_ID); an id that cannot be stored is refused
    the same way.
    """
    row = find(session, user_id) if valid_user_id(user_id) else None
    if row is None and valid_user_id(user_id):
        nested = session.begin_nested()
        try:
            row = _insert(session, partner_id, user_id, {})
            nested.commit()
        except IntegrityError:
            nested.rollback()  # a concurrent call created it first
            row = find(session, user_id)
    if row is None or row.status == DELETED:
        raise E.INVALID_USER_ID(user_id)
    return row


def add(session: Session, partner_id: int, user_id: str, values: Mapping[str, Any]) -> UserRow:
    """Create user ``user_id``; DUPLICATE_USER_BY_ID if a live user has that id."""
    if not valid_user_id(user_id):
        raise E.INVALID_FIELD_VALUE("id")
    validate(values)
    row = find(session, user_id)
    if row is not None and row.status != DELETED:
        raise E.DUPLICATE_USER_BY_ID(user_id)
    if row is None:
        return _insert(session, partner_id, user_id, values)
    fresh = {**_BLANK, "type": 0, "gender": None, "is_admin": False, "status": ACTIVE,
             "deleted_at": None, "status_updated_at": None, "created_at": now(), **values}
    return update(session, row, fresh)


def _insert(session: Session, partner_id: int, user_id: str,
            values: Mapping[str, Any]) -> UserRow:
    row = UserRow(partner_id=partner_id, user_id=user_id, status=ACTIVE, screen_name=user_id)
    for column, value in values.items():
        setattr(row, column, value)
    _fill_names(row)
    session.add(row)
    session.flush()
    return row


def _fill_names(row: UserRow) -> None:
    if not row.full_name:
        row.full_name = " ".join(p for p in (row.first_name, row.last_name) if p)
    if not row.screen_name:
        row.screen_name = row.user_id


def update(session: Session, row: UserRow, values: Mapping[str, Any]) -> UserRow:
    """Change the given columns (a status change also stamps ``status_updated_at``)."""
    validate(values)
    old_status = row.status
    for column, value in values.items():
        setattr(row, column, value)
    if row.status != old_status:
        row.status_updated_at = now()
    _fill_names(row)
    row.updated_at = now()
    session.flush()
    return row


def delete(session: Session, row: UserRow) -> UserRow:
    """Mark a user DELETED; it disappears from get and list."""
    stamp = now()
    row.status, row.status_updated_at, row.deleted_at, row.updated_at = (
        DELETED, stamp, stamp, stamp)
    session.flush()
    return row


def list_(session: Session, filter_obj: Any, pager: Any) -> tuple[list[UserRow], int]:
    """One page of users matching the filter (deleted ones only when the status filter names
    DELETED), and the total count."""
    stmt = select(UserRow)
    if not _asks_for_deleted(filter_obj):
        stmt = stmt.where(UserRow.status != DELETED)
    if filter_obj is not None:
        stmt = filtering.apply_filter(stmt, filter_obj, FILTER_COLUMNS, csv_fields=("tags",))
    order_by = getattr(filter_obj, "orderBy", None)
    stmt = filtering.apply_order(stmt, order_by, FILTER_COLUMNS, default="+createdAt",
                                 allowed=ORDER_FIELDS)
    total = int(session.scalar(filtering.count(stmt)) or 0)
    paged, _size, _index = filtering.page(stmt, pager)
    return list(session.scalars(paged)), total


def _asks_for_deleted(filter_obj: Any) -> bool:
    equal = getattr(filter_obj, "statusEqual", None)
    listed = str(getattr(filter_obj, "statusIn", None) or "")
    return (equal is not None and int(equal) == DELETED) or str(DELETED) in listed.split(",")
