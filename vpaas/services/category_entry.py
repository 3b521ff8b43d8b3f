"""categoryEntry: place entries in categories, take them out, list and moderate memberships."""

from __future__ import annotations

from typing import Annotated, Any

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.tables.category import CategoryEntryRow, CategoryRow
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import categories, category_members, filtering
from vpaas.domain.categories import M, MembershipStatus
from vpaas.objects.category import (
    KalturaCategoryEntry,
    KalturaCategoryEntryFilter,
    KalturaCategoryEntryListResponse,
    KalturaCategoryEntryStatus,
)
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.filters import sortable_fields
from vpaas.registry import ForInsert, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

category_entry = Service("categoryEntry", """Entries in categories: add, remove, list.""")

_DELETED_ENTRY = 3
_CONTRIBUTORS_ONLY = 2
_LOOKUP_ERRORS = ("INVALID_ENTRY_ID", "CATEGORY_NOT_FOUND")
COLUMNS: dict[str, Any] = {
    "categoryId": M.category_id, "entryId": M.entry_id, "createdAt": M.created_at,
    "categoryFullIds": M.category_full_ids, "status": M.status,
    "creatorUserId": M.creator_user_id, "id": M.id,
}
"""API field → column, for filters and orderBy."""


def category_entry_object(row: CategoryEntryRow) -> KalturaCategoryEntry:
    """The API object of a membership row."""
    return KalturaCategoryEntry(
        categoryId=row.category_id, entryId=row.entry_id, createdAt=row.created_at,
        categoryFullIds=row.category_full_ids, status=KalturaCategoryEntryStatus(row.status),
        creatorUserId=row.creator_user_id)


def _entry(ctx: CallContext, entry_id: Any) -> EntryRow:
    text = str(entry_id or "")
    row = ctx.session.get(EntryRow, text) if 0 < len(text) <= 20 else None
    if row is None or row.status == _DELETED_ENTRY:
        raise E.INVALID_ENTRY_ID(text[:40])
    return row


def _may_edit(ctx: CallContext, entry: EntryRow) -> bool:
    if ctx.is_admin or (ctx.privileges and ctx.privileges.allows_entry("edit", entry.id)):
        return True
    editors = {u.strip() for u in (entry.entitled_users_edit or "").split(",")}
    return bool(ctx.user_id) and (ctx.user_id == entry.user_id or ctx.user_id in editors)


def _pair(ctx: CallContext, entry_id: str, category_id: int
          ) -> tuple[EntryRow, CategoryRow, CategoryEntryRow | None]:
    entry = _entry(ctx, entry_id)
    category = categories.get_category(ctx.session, category_id)
    return entry, category, category_members.membership(ctx.session, entry.id, category.id)


@category_entry.action(ks=KsRule.USER, errors=(
        *_LOOKUP_ERRORS, "CATEGORY_ENTRY_ALREADY_EXISTS", "CANNOT_ASSIGN_ENTRY_TO_CATEGORY",
        "MAX_CATEGORIES_FOR_ENTRY_REACHED"))
def add(ctx: CallContext, categoryEntry: Annotated[KalturaCategoryEntry, ForInsert]
        ) -> KalturaCategoryEntry:
    """Place an entry in a category (and so in the counts of its ancestors).

    A non-admin session may place entries it may edit; in a category with ``moderation``
    they wait as PENDING until an admin activates them.

    Args:
        categoryEntry: categoryId and entryId
    """
    if categoryEntry.entryId is None or categoryEntry.categoryId is None:
        raise E.MISSING_MANDATORY_PARAMETER(
            "categoryEntry:entryId" if categoryEntry.entryId is None
            else "categoryEntry:categoryId")
    entry = _entry(ctx, categoryEntry.entryId)
    category = categories.get_category(ctx.session, categoryEntry.categoryId)
    if not ctx.is_admin and (not _may_edit(ctx, entry)
                             or category.contribution_policy == _CONTRIBUTORS_ONLY):
        raise E.CANNOT_ASSIGN_ENTRY_TO_CATEGORY()
    row = category_members.add_membership(ctx.session, entry.id, category, ctx.user_id or None,
                                    pending=bool(category.moderation) and not ctx.is_admin)
    return category_entry_object(row)


@category_entry.action("delete", ks=KsRule.USER, errors=(
        *_LOOKUP_ERRORS, "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY",
        "CANNOT_REMOVE_ENTRY_FROM_CATEGORY"))
def delete_(ctx: CallContext, entryId: str, categoryId: int) -> None:
    """Take an entry out of a category.

    Args:
        entryId: The entry
        categoryId: The category
    """
    entry, _category, row = _pair(ctx, entryId, categoryId)
    if row is None:
        raise E.ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY()
    if not _may_edit(ctx, entry):
        raise E.CANNOT_REMOVE_ENTRY_FROM_CATEGORY()
    category_members.remove_membership(ctx.session, row)


def _moderate(ctx: CallContext, entry_id: str, category_id: int,
              status: MembershipStatus) -> None:
    _entry_row, _category, row = _pair(ctx, entry_id, category_id)
    if row is None:
        raise E.ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY()
    if row.status != MembershipStatus.PENDING:
        if status == MembershipStatus.ACTIVE:
            raise E.CANNOT_ACTIVATE_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING()
        raise E.CANNOT_REJECT_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING()
    category_members.set_membership_status(ctx.session, row, status)


@category_entry.action(ks=KsRule.ADMIN, errors=(
        *_LOOKUP_ERRORS, "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY",
        "CANNOT_ACTIVATE_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING"))
def activate(ctx: CallContext, entryId: str, categoryId: int) -> None:
    """Accept an entry waiting for moderation (PENDING → ACTIVE).

    Args:
        entryId: The entry
        categoryId: The category
    """
    _moderate(ctx, entryId, categoryId, MembershipStatus.ACTIVE)


@category_entry.action(ks=KsRule.ADMIN, errors=(
        *_LOOKUP_ERRORS, "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY",
        "CANNOT_REJECT_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING"))
def reject(ctx: CallContext, entryId: str, categoryId: int) -> None:
    """Refuse an entry waiting for moderation (PENDING → REJECTED).

    Args:
        entryId: The entry
        categoryId: The category
    """
    _moderate(ctx, entryId, categoryId, MembershipStatus.REJECTED)


@category_entry.action(ks=KsRule.ADMIN, errors=(*_LOOKUP_ERRORS,
                                               "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY"))
def index(ctx: CallContext, entryId: str, categoryId: int, shouldUpdate: bool = True) -> int:
    """Recompute a membership's path and its category's counters; returns its id.

    Args:
        entryId: The entry
        categoryId: The category
        shouldUpdate: Recompute (the default)
    """
    _entry_row, category, row = _pair(ctx, entryId, categoryId)
    if row is None:
        raise E.ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY()
    if shouldUpdate:
        row.category_full_ids = category.full_ids
        categories.recount(ctx.session, categories.ancestor_ids(category))
        categories.sync_entry_fields(ctx.session, [row.entry_id])
    return row.id


@category_entry.action(ks=KsRule.ADMIN, errors=(*_LOOKUP_ERRORS,
                                               "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY"))
def syncPrivacyContext(ctx: CallContext, entryId: str, categoryId: int) -> None:
    """Refresh the entry's category fields from the category's privacy context.

    Args:
        entryId: The entry
        categoryId: The category
    """
    _entry_row, _category, row = _pair(ctx, entryId, categoryId)
    if row is None:
        raise E.ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY()
    categories.sync_entry_fields(ctx.session, [row.entry_id])


@category_entry.action("list", ks=KsRule.ANY, errors=(
        "FILTER_NOT_SUPPORTED", "INVALID_ORDER_BY", "MUST_FILTER_ON_ENTRY_OR_CATEGORY"))
def list_(ctx: CallContext, filter: KalturaCategoryEntryFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaCategoryEntryListResponse:
    """List memberships (ACTIVE ones unless ``statusEqual``/``statusIn`` say otherwise).

    Non-admin sessions must filter on entries or categories.

    Args:
        filter: entryIdEqual/In, categoryIdEqual/In, categoryFullIdsStartsWith, status...
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    f = filter or KalturaCategoryEntryFilter()
    props = filtering.supplied_properties(f)
    narrowing = ("entryIdEqual", "entryIdIn", "categoryIdEqual", "categoryIdIn")
    if not ctx.is_admin and not any(p in props for p in narrowing):
        raise E.MUST_FILTER_ON_ENTRY_OR_CATEGORY()
    live_entry = select(EntryRow.id).where(EntryRow.id == M.entry_id,
                                           EntryRow.status != _DELETED_ENTRY).exists()
    stmt = select(CategoryEntryRow).where(live_entry)
    if "statusEqual" not in props and "statusIn" not in props:
        stmt = stmt.where(M.status == int(MembershipStatus.ACTIVE))
    stmt = filtering.apply_filter(stmt, f, COLUMNS)
    stmt = filtering.apply_order(stmt, f.orderBy, COLUMNS, "-createdAt", "id",
                                 sortable_fields(type(f)))
    total = int(ctx.session.scalar(filtering.count(stmt)) or 0)
    rows = ctx.session.scalars(filtering.page(stmt, pager)[0])
    return KalturaCategoryEntryListResponse(
        objects=[category_entry_object(r) for r in rows], totalCount=total)
