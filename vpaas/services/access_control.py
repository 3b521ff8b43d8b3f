"""accessControl: the legacy form of accessControlProfile, with restrictions instead of rules.

A restriction is stored as the rule Kaltura's ``kAccessControl*Restriction`` stands for: a
site, country, IP or user-agent condition (with ``not`` for an allow list) and a BLOCK action
in the PLAY and DOWNLOAD contexts; a session restriction blocks, and a preview restriction
previews, viewers without an ``sview`` KS; a flavor restriction limits flavors. Profiles are
shared with accessControlProfile (same ids). A profile with other rules shows
``containsUnsuportedRestrictions`` and must be updated with accessControlProfile.
"""

from __future__ import annotations

from typing import Annotated, Any

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.tables.access_control import AccessControlProfileRow
from vpaas.domain import access, filtering
from vpaas.domain.access import profiles
from vpaas.objects import access_control_legacy as L
from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule
from vpaas.services.access_control_profile import apply_fields

access_control = Service("accessControl", """Access-control profiles as restrictions (legacy).

Prefer accessControlProfile; both services see the same profiles.""")

_NOT_FOUND = ("ACCESS_CONTROL_ID_NOT_FOUND",)
_COLUMNS = {"id": AccessControlProfileRow.id, "systemName": AccessControlProfileRow.system_name,
            "createdAt": AccessControlProfileRow.created_at}
_BLOCK = {"type": "1"}
_LISTS: dict[str, tuple[str, str, str, str, Any]] = {
    # restriction class → condition type, list field, type field, stored kind, type enum
    "KalturaSiteRestriction": ("4", "siteList", "siteRestrictionType", "site",
                               L.KalturaSiteRestrictionType),
    "KalturaCountryRestriction": ("2", "countryList", "countryRestrictionType", "country",
                                  L.KalturaCountryRestrictionType),
    "KalturaIpAddressRestriction": ("3", "ipAddressList", "ipAddressRestrictionType", "ip",
                                    L.KalturaIpAddressRestrictionType),
    "KalturaUserAgentRestriction": ("5", "userAgentRegexList", "userAgentRestrictionType",
                                    "user_agent", L.KalturaUserAgentRestrictionType),
}


def restriction_rule(restriction: Any) -> dict[str, Any]:
    """The rule dict a restriction stands for."""
    name = type(restriction).__name__
    if name in _LISTS:
        kind, list_field, type_field, stored, _enum = _LISTS[name]
        text = str(getattr(restriction, list_field) or "")
        allow = int(getattr(restriction, type_field) or 0) == 1
        items = [v for v in text.split(",") if v.strip()] if kind == "5" else [text]
        return {"conditions": [{"type": kind, "not": allow, "values": items}],
                "actions": [_BLOCK], "contexts": [1, 2], "restriction": stored}
    if name in ("KalturaSessionRestriction", "KalturaPreviewRestriction"):
        preview = name == "KalturaPreviewRestriction"
        action = {"type": "2", "limit": restriction.previewLength or 0} if preview else _BLOCK
        return {"conditions": [{"type": "1", "not": True, "privileges": ["sview"]}],
                "actions": [action], "contexts": [1, 2],
                "restriction": "preview" if preview else "session"}
    if name == "KalturaLimitFlavorsRestriction":
        blocked = int(restriction.limitFlavorsRestrictionType or 0) == 0
        return {"actions": [{"type": "3", "flavorParamsIds": restriction.flavorParamsIds or "",
                             "isBlockedList": blocked}],
                "contexts": [1, 2], "restriction": "limit_flavors"}
    raise E.INVALID_OBJECT_TYPE(name)


def restriction_object(rule: access.Rule) -> L.KalturaBaseRestriction:
    """The restriction a stored restriction rule stands for."""
    cond = rule.conditions[0] if rule.conditions else None
    for name, (_kind, list_field, type_field, stored, enum) in _LISTS.items():
        if rule.restriction == stored and cond is not None:
            obj: L.KalturaBaseRestriction = getattr(L, name)()
            setattr(obj, list_field, ",".join(cond.values))
            setattr(obj, type_field, enum(int(cond.negate)))
            return obj
    if rule.restriction == "preview":
        return L.KalturaPreviewRestriction(previewLength=rule.actions[0].limit)
    if rule.restriction == "session":
        return L.KalturaSessionRestriction()
    action = rule.actions[0]
    return L.KalturaLimitFlavorsRestriction(
        limitFlavorsRestrictionType=L.KalturaLimitFlavorsRestrictionType(
            0 if action.is_blocked_list else 1),
        flavorParamsIds=",".join(str(i) for i in action.flavor_params_ids))


def _legacy_only(rules: list[access.Rule]) -> bool:
    return all(r.restriction for r in rules)


def control_object(row: AccessControlProfileRow) -> L.KalturaAccessControl:
    """The legacy API object of a profile row."""
    rules = profiles.rules_of(row)
    legacy = _legacy_only(rules)
    return L.KalturaAccessControl(
        id=row.id, partnerId=row.partner_id, name=row.name, systemName=row.system_name or "",
        description=row.description or "", createdAt=row.created_at,
        isDefault=KalturaNullableBoolean(int(bool(row.is_default))),
        restrictions=[restriction_object(r) for r in rules] if legacy else None,
        containsUnsuportedRestrictions=not legacy)


def _apply(ctx: CallContext, row: AccessControlProfileRow, obj: L.KalturaAccessControl) -> None:
    apply_fields(ctx, row, obj)
    if "restrictions" in obj.supplied:
        dicts = [restriction_rule(r) for r in obj.restrictions or []]
        row.rules = [r.to_dict() for r in access.parse_rules(dicts, "restrictions")]


@access_control.action(ks=KsRule.ADMIN, errors=(
    "SYSTEM_NAME_ALREADY_EXISTS", "INVALID_ACCESS_CONTROL_RULE",
    "MAX_NUMBER_OF_ACCESS_CONTROLS_REACHED"))
def add(ctx: CallContext, accessControl: Annotated[L.KalturaAccessControl, ForInsert]
        ) -> L.KalturaAccessControl:
    """Add a profile made of restrictions.

    Args:
        accessControl: name (mandatory), systemName, description, isDefault, restrictions
    """
    if "name" not in accessControl.supplied:
        raise E.PROPERTY_VALIDATION_CANNOT_BE_NULL("name")
    row = profiles.new_profile(ctx.session, ctx.partner_id or 0)
    _apply(ctx, row, accessControl)
    ctx.session.flush()
    return control_object(row)


@access_control.action(ks=KsRule.USER, errors=_NOT_FOUND)
def get(ctx: CallContext, id: int) -> L.KalturaAccessControl:
    """Get a profile as restrictions.

    Args:
        id: Profile id
    """
    return control_object(profiles.get_profile(ctx.session, ctx.partner_id or 0, id))


@access_control.action(ks=KsRule.ADMIN, errors=(
    *_NOT_FOUND, "ACCESS_CONTROL_NEW_VERSION_UPDATE", "SYSTEM_NAME_ALREADY_EXISTS"))
def update(ctx: CallContext, id: int,
           accessControl: Annotated[L.KalturaAccessControl, ForUpdate]
           ) -> L.KalturaAccessControl:
    """Update a profile; ``restrictions``, when sent, replaces all of them.

    Args:
        id: Profile id
        accessControl: the fields to change
    """
    row = profiles.get_profile(ctx.session, ctx.partner_id or 0, id)
    if not _legacy_only(profiles.rules_of(row)):
        raise E.ACCESS_CONTROL_NEW_VERSION_UPDATE(id)
    _apply(ctx, row, accessControl)
    ctx.session.flush()
    return control_object(row)


@access_control.action("delete", ks=KsRule.ADMIN, errors=(
    *_NOT_FOUND, "CANNOT_DELETE_DEFAULT_ACCESS_CONTROL"))
def delete_(ctx: CallContext, id: int) -> None:
    """Delete a profile; its entries move to the default profile.

    Args:
        id: Profile id
    """
    profiles.delete_profile(ctx.session, profiles.get_profile(ctx.session, ctx.partner_id or 0,
                                                              id))


@access_control.action(ks=KsRule.USER)
def list_(ctx: CallContext, filter: L.KalturaAccessControlFilter | None = None,
          pager: KalturaFilterPager | None = None) -> L.KalturaAccessControlListResponse:
    """List the partner's profiles as restrictions.

    Args:
        filter: Conditions (id, systemName, createdAt)
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    pid = ctx.partner_id or 0
    profiles.default_profile(ctx.session, pid)
    f = filter or L.KalturaAccessControlFilter()
    query = select(AccessControlProfileRow).where(AccessControlProfileRow.partner_id == pid,
                                                  AccessControlProfileRow.deleted_at.is_(None))
    query = filtering.apply_filter(query, f, _COLUMNS)
    total = ctx.session.scalar(filtering.count(query)) or 0
    query = filtering.apply_order(query, f.orderBy, _COLUMNS, default="+createdAt")
    page, _size, _index = filtering.page(query, pager)
    return L.KalturaAccessControlListResponse(
        objects=[control_object(r) for r in ctx.session.scalars(page)], totalCount=total)
