"""user: the partner's users (Kaltura kusers), keyed by the partner's own user ids."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from vpaas.context import CallContext
from vpaas.db.tables.user import UserRow
from vpaas.domain import users
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.user import (
    KalturaGender,
    KalturaUser,
    KalturaUserFilter,
    KalturaUserListResponse,
    KalturaUserStatus,
    KalturaUserType,
)
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

user = Service("user", """The partner's users.

A user's ``id`` is its id in the partner's own system, the user a KS names. A KS's user that
was never added is created (ACTIVE) the first time the KS calls ``user.get`` or updates
itself, as Kaltura creates its kusers. Admin sessions manage every user; a user session may
get and update only its own user, and not its status, isAdmin, roleIds or adminTags.""")

_COLUMNS = {
    "screenName": "screen_name", "fullName": "full_name", "email": "email",
    "country": "country", "state": "state", "city": "city", "zip": "zip",
    "thumbnailUrl": "thumbnail_url", "description": "description", "tags": "tags",
    "adminTags": "admin_tags", "status": "status", "partnerData": "partner_data",
    "type": "type", "gender": "gender", "isAdmin": "is_admin", "roleIds": "role_ids",
    "firstName": "first_name", "lastName": "last_name", "title": "title",
    "company": "company",
}
_NULLED: dict[str, Any] = {"status": users.ACTIVE, "type": 0, "gender": None,
                           "isAdmin": False}
_ADMIN_ONLY = ("status", "isAdmin", "roleIds", "adminTags")
_ERRORS = ("INVALID_USER_ID",)


def _enum(cls: type[Enum], value: Any) -> Any:
    try:
        return cls(value) if value is not None else None
    except ValueError:
        return None


def user_object(row: UserRow) -> KalturaUser:
    """The API object of a user row."""
    return KalturaUser(
        id=row.user_id, partnerId=row.partner_id, screenName=row.screen_name,
        fullName=row.full_name, email=row.email, country=row.country, state=row.state,
        city=row.city, zip=row.zip, thumbnailUrl=row.thumbnail_url,
        description=row.description, tags=row.tags, adminTags=row.admin_tags,
        status=_enum(KalturaUserStatus, row.status), createdAt=row.created_at,
        updatedAt=row.updated_at, partnerData=row.partner_data,
        statusUpdatedAt=row.status_updated_at, deletedAt=row.deleted_at,
        type=_enum(KalturaUserType, row.type), gender=_enum(KalturaGender, row.gender),
        isAdmin=bool(row.is_admin), roleIds=row.role_ids, firstName=row.first_name,
        lastName=row.last_name, title=row.title, company=row.company)


def _values(ctx: CallContext, obj: KalturaUser) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in sorted(obj.supplied | obj.nulled):
        if name not in _COLUMNS:
            continue
        if name in _ADMIN_ONLY and not ctx.is_admin:
            raise E.PROPERTY_VALIDATION_ADMIN_PROPERTY(name)
        value = getattr(obj, name, None)
        if name in obj.nulled or value is None:
            value = _NULLED.get(name, "")
        elif isinstance(value, Enum):
            value = value.value
        values[_COLUMNS[name]] = value
    if values.get("status") == users.DELETED:
        raise E.INVALID_FIELD_VALUE("status")  # user.delete deletes
    return values


def _pid(ctx: CallContext) -> int:
    assert ctx.partner_id is not None
    return ctx.partner_id


def _own_or_admin(ctx: CallContext, user_id: str, action: str) -> None:
    if ctx.is_admin or user_id == ctx.user_id:
        return
    if action == "get":
        raise E.CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION(user_id)
    raise E.ACTION_FORBIDDEN(action, "user")


def _is_own(ctx: CallContext, user_id: str) -> bool:
    """Whether ``user_id`` is the KS's (named, not anonymous) user."""
    return ctx.ks is not None and not ctx.ks.is_anonymous and user_id == ctx.user_id


@user.action(ks=KsRule.ADMIN, errors=("DUPLICATE_USER_BY_ID", "INVALID_FIELD_VALUE"))
def add(ctx: CallContext, user: Annotated[KalturaUser, ForInsert]) -> KalturaUser:
    """Add a user.

    Args:
        user: id (mandatory: the user's id in the partner's system), names, email...
    """
    if not user.id:
        raise E.PROPERTY_VALIDATION_CANNOT_BE_NULL("id")
    return user_object(users.add(ctx.session, _pid(ctx), user.id, _values(ctx, user)))


_GET_ERRORS = (*_ERRORS, "CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION")


@user.action(ks=KsRule.ANY, errors=_GET_ERRORS)
def get(ctx: CallContext, userId: str | None = None) -> KalturaUser:
    """Get a user; without userId, the KS's own user (created on first sight).

    Args:
        userId: the user's id in the partner's system (default: the KS's user)
    """
    user_id = userId or ctx.user_id
    _own_or_admin(ctx, user_id, "get")
    if _is_own(ctx, user_id):
        return user_object(users.ensure(ctx.session, _pid(ctx), user_id))
    return user_object(users.get(ctx.session, user_id))


@user.action(ks=KsRule.USER, errors=_ERRORS)
def update(ctx: CallContext, userId: str, user: Annotated[KalturaUser, ForUpdate]
           ) -> KalturaUser:
    """Update a user; a user session may update only itself.

    Args:
        userId: the user's id in the partner's system
        user: the fields to change
    """
    _own_or_admin(ctx, userId, "update")
    values = _values(ctx, user)
    if _is_own(ctx, userId):
        row = users.ensure(ctx.session, _pid(ctx), userId)
    else:
        row = users.get(ctx.session, userId)
    return user_object(users.update(ctx.session, row, values))


@user.action("delete", ks=KsRule.ADMIN, errors=_ERRORS)
def delete_(ctx: CallContext, userId: str) -> KalturaUser:
    """Delete a user (its status becomes DELETED); returns the deleted user.

    Args:
        userId: the user's id in the partner's system
    """
    return user_object(users.delete(ctx.session, users.get(ctx.session, userId)))


@user.action(ks=KsRule.ADMIN)
def list_(ctx: CallContext, filter: KalturaUserFilter | None = None,  # type: ignore[valid-type]
          pager: KalturaFilterPager | None = None) -> KalturaUserListResponse:
    """List the partner's users; deleted ones only when statusEqual/statusIn names DELETED.

    Args:
        filter: Conditions and orderBy (default +createdAt)
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    rows, total = users.list_(ctx.session, filter, pager)
    return KalturaUserListResponse(objects=[user_object(r) for r in rows], totalCount=total)
