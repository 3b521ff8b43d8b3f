"""category: the partner's category tree — add, get, update, move, delete, list, index."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from sqlalchemy import ColumnElement, Integer, Select, and_, false, literal, or_, select

from vpaas.context import CallContext
from vpaas.db.base import now
from vpaas.db.tables.category import CategoryRow
from vpaas.domain import categories, filtering
from vpaas.domain.categories import C
from vpaas.objects.category import (
    KalturaAppearInListType,
    KalturaCategory,
    KalturaCategoryBaseFilter,
    KalturaCategoryFilter,
    KalturaCategoryListResponse,
    KalturaCategoryStatus,
    KalturaCategoryUserPermissionLevel,
    KalturaContributionPolicyType,
    KalturaInheritanceType,
    KalturaPrivacyType,
    KalturaUserJoinPolicyType,
)
from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean
from vpaas.objects.filters import sortable_fields
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

category = Service("category", """Categories: a tree to organise entries (see categoryEntry).""")

_SETTINGS: dict[str, str] = {
    "description": "description", "tags": "tags", "adminTags": "admin_tags",
    "referenceId": "reference_id", "partnerSortValue": "partner_sort_value",
    "partnerData": "partner_data", "owner": "owner", "privacy": "privacy",
    "privacyContext": "privacy_context", "appearInList": "appear_in_list",
    "inheritanceType": "inheritance_type",
    "defaultPermissionLevel": "default_permission_level",
    "contributionPolicy": "contribution_policy", "moderation": "moderation",
    "defaultOrderBy": "default_order_by", "isAggregationCategory": "is_aggregation_category",
    "aggregationCategories": "aggregation_categories",
}
_DEFAULTS = {"partner_sort_value": 0, "privacy": 1, "appear_in_list": 1, "inheritance_type": 2,
             "default_permission_level": 3, "contribution_policy": 1, "moderation": 0,
             "is_aggregation_category": 0}
_MAX_LEN = {"referenceId": 256, "owner": 100, "defaultOrderBy": 64, "privacyContext": 255}
_TEXT_MAX = 65_535
_NOT_FOUND = ("CATEGORY_NOT_FOUND",)
_TREE_ERRORS = ("PARENT_CATEGORY_NOT_FOUND", "DUPLICATE_CATEGORY", "PARENT_CATEGORY_IS_CHILD",
                "MAX_CATEGORY_DEPTH_REACHED", "CATEGORY_NAME_CONTAINS_INVALID_CHARS",
                "PRIVACY_CONTEXT_INVALID_STRING")
MAX_UNPAGED = 1500
"""Categories returned by list without a pager (Kaltura's MAX_NUMBER_OF_CATEGORIES)."""


# --- row <-> object ------------------------------------------------------------------------

def _enum(cls: type[Enum], value: Any) -> Any:
    try:
        return None if value is None else cls(value)
    except ValueError:
        return None


def category_object(row: CategoryRow) -> KalturaCategory:
    """The API object of a category row."""
    return KalturaCategory(
        id=row.id, parentId=row.parent_id, depth=row.depth, partnerId=row.partner_id,
        name=row.name, fullName=row.full_name, fullIds=row.full_ids,
        entriesCount=row.entries_count, createdAt=row.created_at, updatedAt=row.updated_at,
        description=row.description, tags=row.tags,
        appearInList=_enum(KalturaAppearInListType, row.appear_in_list),
        privacy=_enum(KalturaPrivacyType, row.privacy),
        inheritanceType=_enum(KalturaInheritanceType, row.inheritance_type),
        userJoinPolicy=_enum(KalturaUserJoinPolicyType, row.user_join_policy),
        defaultPermissionLevel=_enum(KalturaCategoryUserPermissionLevel,
                                     row.default_permission_level),
        owner=row.owner, directEntriesCount=row.direct_entries_count,
        referenceId=row.reference_id,
        contributionPolicy=_enum(KalturaContributionPolicyType, row.contribution_policy),
        membersCount=0, pendingMembersCount=0, privacyContext=row.privacy_context,
        privacyContexts=row.privacy_contexts, status=_enum(KalturaCategoryStatus, row.status),
        inheritedParentId=row.inherited_parent_id, partnerSortValue=row.partner_sort_value,
        partnerData=row.partner_data, defaultOrderBy=row.default_order_by,
        directSubCategoriesCount=row.direct_sub_categories_count,
        moderation=_enum(KalturaNullableBoolean, row.moderation),
        pendingEntriesCount=row.pending_entries_count,
        isAggregationCategory=_enum(KalturaNullableBoolean, row.is_aggregation_category),
        aggregationCategories=row.aggregation_categories, adminTags=row.admin_tags)


def _value(ctx: CallContext, obj: KalturaCategory, name: str) -> Any:
    column = _SETTINGS[name]
    value = None if name in obj.nulled else getattr(obj, name, None)
    if isinstance(value, Enum):
        value = value.value
    if name == "adminTags" and not ctx.is_admin:
        raise E.PROPERTY_VALIDATION_ADMIN_PROPERTY(name)
    if isinstance(value, str) and len(value) > _MAX_LEN.get(name, _TEXT_MAX):
        raise E.PROPERTY_VALIDATION_MAX_LENGTH(name, _MAX_LEN.get(name, _TEXT_MAX))
    if name == "defaultOrderBy" and value:
        allowed = {m.value for m in KalturaCategoryBaseFilter.__order_enum__}  # type: ignore
        if value not in allowed:
            raise E.INVALID_ENUM_VALUE(value, name, "KalturaCategoryOrderBy")
    if column in _DEFAULTS and (value is None or (name in ("moderation",
                                                          "isAggregationCategory")
                                                 and int(value) < 0)):
        value = _DEFAULTS[column]
    return value


def _settings(ctx: CallContext, obj: KalturaCategory) -> dict[str, Any]:
    return {_SETTINGS[n]: _value(ctx, obj, n) for n in sorted(obj.supplied) if n in _SETTINGS}


# --- actions -----------------------------------------------------------------------------------

@category.action(ks=KsRule.ADMIN, errors=_TREE_ERRORS)
def add(ctx: CallContext, category: Annotated[KalturaCategory, ForInsert]) -> KalturaCategory:
    """Add a category; with ``parentId`` it is placed under that category.

    Args:
        category: name (mandatory), parentId, description, tags, referenceId, privacyContext...
    """
    if "name" not in category.supplied:
        raise E.PROPERTY_VALIDATION_CANNOT_BE_NULL("name")
    row = categories.add_category(ctx.session, category.name, category.parentId,
                                  _settings(ctx, category))
    return category_object(row)


@category.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def get(ctx: CallContext, id: int) -> KalturaCategory:
    """Get a category.

    Args:
        id: Category id
    """
    return category_object(categories.get_category(ctx.session, id))


@category.action(ks=KsRule.ADMIN, errors=(*_NOT_FOUND, *_TREE_ERRORS))
def update(ctx: CallContext, id: int,
           category: Annotated[KalturaCategory, ForUpdate]) -> KalturaCategory:
    """Update a category; a new name or parentId moves its whole subtree along.

    Args:
        id: Category id
        category: The fields to change
    """
    row = categories.get_category(ctx.session, id)
    if "name" in category.nulled or "parentId" in category.nulled:
        raise E.PROPERTY_VALIDATION_CANNOT_BE_NULL(
            "name" if "name" in category.nulled else "parentId")
    name = category.name if "name" in category.supplied else None
    parent = category.parentId if "parentId" in category.supplied else None
    categories.update_category(ctx.session, row, _settings(ctx, category), name, parent)
    return category_object(row)


@category.action("delete", ks=KsRule.ADMIN, errors=_NOT_FOUND)
def delete_(ctx: CallContext, id: int,
            moveEntriesToParentCategory: KalturaNullableBoolean = KalturaNullableBoolean.TRUE_VALUE
            ) -> None:
    """Delete a category and all its subcategories.

    Args:
        id: Category id
        moveEntriesToParentCategory: 1 (default): the entries of the deleted categories are
            placed in its parent (removed if it is a root); 0: they are removed
    """
    row = categories.get_category(ctx.session, id)
    categories.delete_category(ctx.session, row, int(moveEntriesToParentCategory) != 0)


@category.action(ks=KsRule.ADMIN, errors=(*_NOT_FOUND, *_TREE_ERRORS,
                                         "CANNOT_MOVE_CATEGORIES_FROM_DIFFERENT_PARENT_CATEGORIES"))
def move(ctx: CallContext, categoryIds: str, targetCategoryParentId: int) -> None:
    """Move categories that share a parent under another category (0: make them roots).

    Args:
        categoryIds: Comma separated category ids, all with the same parent
        targetCategoryParentId: The new parent (0 for none)
    """
    rows = [categories.get_category(ctx.session, i)
            for i in categories.parse_ids(categoryIds, "categoryIds")]
    if len({r.parent_id for r in rows}) > 1:
        raise E.CANNOT_MOVE_CATEGORIES_FROM_DIFFERENT_PARENT_CATEGORIES()
    if targetCategoryParentId:
        categories.get_category(ctx.session, targetCategoryParentId)
    for row in rows:
        categories.update_category(ctx.session, row, {}, None, targetCategoryParentId)


@category.action(ks=KsRule.ADMIN, errors=_NOT_FOUND)
def index(ctx: CallContext, id: int, shouldUpdate: bool = True) -> int:
    """Recompute a category's counters and its entries' category fields.

    Args:
        id: Category id
        shouldUpdate: Recompute (the default); false only touches updatedAt
    """
    row = categories.get_category(ctx.session, id)
    if shouldUpdate:
        categories.recount(ctx.session, [row.id])
        categories.sync_entry_fields(ctx.session, categories.entries_in(ctx.session, [row.id]))
    row.updated_at = now()
    return row.id


@category.action("list", ks=KsRule.ANY, errors=("FILTER_NOT_SUPPORTED", "INVALID_ORDER_BY"))
def list_(ctx: CallContext, filter: KalturaCategoryFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaCategoryListResponse:
    """List categories, by depth then id unless ``orderBy`` says otherwise.

    Without a pager up to 1500 categories are returned (as Kaltura); with one, pages of
    ``pageSize`` (default 30, at most 500).

    Args:
        filter: Conditions (idIn, parentIdEqual, fullNameStartsWith, ancestorIdIn, freeText...)
        pager: Page size and 1-based page index
    """
    f = filter or KalturaCategoryFilter()
    stmt = category_select(ctx, f)
    allowed = sortable_fields(type(f))
    stmt = filtering.apply_order(stmt, f.orderBy, COLUMNS, "+depth", "id", allowed)
    total = int(ctx.session.scalar(filtering.count(stmt)) or 0)
    stmt = stmt.limit(MAX_UNPAGED) if pager is None else filtering.page(stmt, pager)[0]
    rows = ctx.session.scalars(stmt)
    return KalturaCategoryListResponse(objects=[category_object(r) for r in rows],
                                       totalCount=total)


# --- the list query ----------------------------------------------------------------------------

COLUMNS: dict[str, Any] = {
    "id": C.id, "parentId": C.parent_id, "depth": C.depth, "name": C.name,
    "fullName": C.full_name, "fullIds": C.full_ids, "entriesCount": C.entries_count,
    "createdAt": C.created_at, "updatedAt": C.updated_at, "tags": C.tags,
    "appearInList": C.appear_in_list, "privacy": C.privacy,
    "inheritanceType": C.inheritance_type, "directEntriesCount": C.direct_entries_count,
    "referenceId": C.reference_id, "contributionPolicy": C.contribution_policy,
    "membersCount": literal(0, Integer), "pendingMembersCount": literal(0, Integer),
    "privacyContext": C.privacy_context, "status": C.status,
    "inheritedParentId": C.inherited_parent_id, "partnerSortValue": C.partner_sort_value,
    "directSubCategoriesCount": C.direct_sub_categories_count,
    "aggregationCategories": C.aggregation_categories,
}
"""API field → column, for filters and orderBy."""
_TEXT = (C.name, C.description, C.tags, C.reference_id, C.full_name)
_MAX_TERMS = 20


def _starts(expr: Any, text: str) -> ColumnElement[bool]:
    return filtering.condition_for("likex", filtering.FilterColumn.of(expr), text, "filter")


def _free_text(value: str) -> ColumnElement[bool]:
    """Comma separated groups (OR) of space separated words (AND), each in any text field."""
    groups = [g.split() for g in value.split(",") if g.split()]
    if sum(len(g) for g in groups) > _MAX_TERMS:
        raise E.INVALID_SEARCH_TEXT(value[:80], f"at most {_MAX_TERMS} words")
    column = filtering.FilterColumn.of(_TEXT)
    return or_(false(), *(and_(*(filtering.condition_for("like", column, w, "freeText")
                                 for w in g)) for g in groups))


def _ids(value: Any, name: str) -> list[int]:
    return categories.parse_ids(value, f"filter:{name}")


_EXTRAS: dict[str, Any] = {
    "freeText": lambda v: _free_text(str(v)),
    "nameOrReferenceIdStartsWith": lambda v: or_(_starts(C.name, v),
                                                 _starts(C.reference_id, v)),
    # members are not kept: the owner stands for the manager (and only member)
    "managerEqual": lambda v: C.owner == str(v),
    "memberEqual": lambda v: C.owner == str(v),
    "membersIn": lambda v: C.owner.in_([u.strip() for u in str(v).split(",")][:500]),
    "fullNameStartsWithIn": lambda v: or_(false(), *(
        _starts(C.full_name, n.strip()) for n in str(v).split(",")[:500] if n.strip())),
    "ancestorIdIn": lambda v: or_(false(), *(
        and_(categories.path_contains(C.full_ids, i), C.id != i)
        for i in _ids(v, "ancestorIdIn"))),
    "idOrInheritedParentIdIn": lambda v: or_(C.id.in_(_ids(v, "idOrInheritedParentIdIn")),
                                             C.inherited_parent_id.in_(
                                                 _ids(v, "idOrInheritedParentIdIn"))),
    "fullIdsMatchOr": lambda v: C.full_ids.in_([p.strip() for p in str(v).split(",")][:500]),
}


def category_select(ctx: CallContext, f: Any) -> Select[Any]:
    """SELECT of the live categories ``f`` selects (no order, no paging)."""
    stmt = select(CategoryRow).where(categories.live())
    props = filtering.supplied_properties(f)
    for name, build in _EXTRAS.items():
        if name in props:
            stmt = stmt.where(build(props[name]))
    if not ctx.is_admin:
        members_only = C.appear_in_list == int(KalturaAppearInListType.CATEGORY_MEMBERS_ONLY)
        visible = or_(~members_only, C.owner == ctx.user_id) if ctx.user_id else ~members_only
        stmt = stmt.where(visible)
    return filtering.apply_filter(stmt, f, COLUMNS, handled=set(_EXTRAS))
