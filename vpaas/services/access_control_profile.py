"""accessControlProfile: the rules that allow, block, preview or limit playback of entries.

Also :func:`action_object` and :func:`message_object`, which turn an
:class:`~vpaas.domain.access.AccessDecision`'s actions and messages into the API objects
getPlaybackContext returns.
"""

from __future__ import annotations

from typing import Annotated, Any

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.tables.access_control import AccessControlProfileRow
from vpaas.domain import access, filtering, geo
from vpaas.domain import entries as entries_domain
from vpaas.domain import sessions as sessions_domain
from vpaas.domain.access import profiles
from vpaas.domain.access.model import MAX_TEXT_LENGTH, Action, ActionType, Condition, Rule
from vpaas.objects import access_control as O
from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean, KalturaString
from vpaas.registry import ForInsert, ForUpdate, Service, Time
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

access_control_profile = Service("accessControlProfile", """Access-control profiles.

A profile is an ordered list of rules; an entry uses the profile named by its accessControlId,
else its partner's default profile (created on first use, with no rules). Rules are checked by
playManifest, thumbnail, download, serveFlavor and baseEntry.getPlaybackContext.""")

_NOT_FOUND = ("ACCESS_CONTROL_ID_NOT_FOUND",)
_COLUMNS = {"id": AccessControlProfileRow.id, "systemName": AccessControlProfileRow.system_name,
            "createdAt": AccessControlProfileRow.created_at,
            "updatedAt": AccessControlProfileRow.updated_at}

_CONDITION_CLASSES: dict[str, type[O.KalturaCondition]] = {
    "1": O.KalturaAuthenticatedCondition, "2": O.KalturaCountryCondition,
    "3": O.KalturaIpAddressCondition, "4": O.KalturaSiteCondition,
    "5": O.KalturaUserAgentCondition, "11": O.KalturaOrCondition,
    "19": O.KalturaEntryScheduledCondition, "22": O.KalturaSessionTypeCondition}
_ACTION_CLASSES: dict[str, type[O.KalturaRuleAction]] = {
    "1": O.KalturaAccessControlBlockAction, "2": O.KalturaAccessControlPreviewAction,
    "3": O.KalturaAccessControlLimitFlavorsAction,
    "8": O.KalturaAccessControlLimitThumbnailCaptureAction}


# --- API objects ↔ stored rule dicts --------------------------------------------------------


def _strings(values: list[Any] | None) -> list[str]:
    return [str(getattr(v, "value", None) or "") for v in values or []]


def condition_dict(cond: O.KalturaCondition) -> dict[str, Any]:
    """A condition object as a rule dict (see :mod:`vpaas.domain.access.model`)."""
    kind = next((k for k, cls in _CONDITION_CLASSES.items() if type(cond) is cls), None)
    out: dict[str, Any] = {"type": kind or type(cond).__name__, "not": bool(getattr(cond, "not")),
                           "description": cond.description}
    if isinstance(cond, O.KalturaMatchCondition):
        out["values"] = _strings(cond.values)
        out["matchType"] = int(cond.matchType.value) if cond.matchType else None
    if isinstance(cond, O.KalturaAuthenticatedCondition) and cond.privileges is not None:
        out["privileges"] = _strings(cond.privileges)
    if isinstance(cond, O.KalturaIpAddressCondition):
        out.update(httpHeader=cond.httpHeader, acceptInternalIps=cond.acceptInternalIps)
    if isinstance(cond, O.KalturaCountryCondition) and cond.geoCoderType:
        out["geoCoderType"] = cond.geoCoderType.value
    if isinstance(cond, O.KalturaSessionTypeCondition) and cond.sessionType is not None:
        out["sessionType"] = int(cond.sessionType)
    if isinstance(cond, O.KalturaOrCondition):
        out["conditions"] = [condition_dict(c) for c in cond.conditions or []]
    return out


def rule_dict(rule: O.KalturaRule) -> dict[str, Any]:
    """A rule object as a rule dict."""
    actions = []
    for action in rule.actions or []:
        # By class name: another module may also declare these action classes.
        name = type(action).__name__
        kind = next((k for k, cls in _ACTION_CLASSES.items() if cls.__name__ == name), name)
        item: dict[str, Any] = {"type": kind}
        if kind == ActionType.PREVIEW:
            item["limit"] = getattr(action, "limit", None)
        if kind == ActionType.LIMIT_FLAVORS:
            item.update(flavorParamsIds=getattr(action, "flavorParamsIds", None),
                        isBlockedList=bool(getattr(action, "isBlockedList", False)))
        actions.append(item)
    return {"description": rule.description, "ruleData": rule.ruleData,
            "message": rule.message, "code": rule.code, "actions": actions,
            "conditions": [condition_dict(c) for c in rule.conditions or []],
            "contexts": [_context_value(getattr(h, "type", None)) for h in rule.contexts or []],
            "stopProcessing": bool(rule.stopProcessing),
            "forceAdminValidation": bool(rule.forceAdminValidation)}


def _context_value(value: Any) -> Any:
    return getattr(value, "value", value)


def action_object(action: Action) -> O.KalturaRuleAction:
    """The API object of a rule action (getPlaybackContext ``actions``)."""
    obj = _ACTION_CLASSES[action.type.value](type=O.KalturaRuleActionType(action.type.value))
    if isinstance(obj, O.KalturaAccessControlPreviewAction):
        obj.limit = action.limit
    if isinstance(obj, O.KalturaAccessControlLimitFlavorsAction):
        obj.flavorParamsIds = ",".join(str(i) for i in action.flavor_params_ids)
        obj.isBlockedList = action.is_blocked_list
    return obj


def message_object(message: access.AccessMessage) -> O.KalturaAccessControlMessage:
    """The API object of an access-control message (getPlaybackContext ``messages``)."""
    return O.KalturaAccessControlMessage(message=message.message, code=message.code)


def condition_object(cond: Condition) -> O.KalturaCondition:
    """The API object of a stored condition."""
    obj = _CONDITION_CLASSES[cond.type.value](type=O.KalturaConditionType(cond.type.value),
                                              description=cond.description)
    setattr(obj, "not", cond.negate)
    if isinstance(obj, O.KalturaMatchCondition):
        obj.values = [O.KalturaStringValue(value=v) for v in cond.values]
        obj.matchType = O.KalturaMatchConditionType(str(cond.match_type))
    if isinstance(obj, O.KalturaAuthenticatedCondition):
        obj.privileges = [O.KalturaStringValue(value=v) for v in cond.privileges]
    if isinstance(obj, O.KalturaIpAddressCondition):
        obj.httpHeader, obj.acceptInternalIps = cond.http_header, cond.accept_internal_ips
    if isinstance(obj, O.KalturaCountryCondition):
        obj.geoCoderType = O.KalturaGeoCoderType(cond.geo_coder_type)
    if isinstance(obj, O.KalturaSessionTypeCondition):
        obj.sessionType = O.KalturaSessionType(cond.session_type)
    if isinstance(obj, O.KalturaOrCondition):
        obj.conditions = [condition_object(c) for c in cond.conditions]
    return obj


def rule_object(rule: Rule) -> O.KalturaRule:
    """The API object of a stored rule."""
    return O.KalturaRule(
        description=rule.description, ruleData=rule.rule_data, message=rule.message,
        code=rule.code, actions=[action_object(a) for a in rule.actions],
        conditions=[condition_object(c) for c in rule.conditions],
        contexts=[O.KalturaAccessControlContextTypeHolder(type=O.KalturaContextType(str(int(c))))
                  for c in rule.contexts],
        stopProcessing=rule.stop_processing, forceAdminValidation=rule.force_admin_validation)


def profile_object(row: AccessControlProfileRow) -> O.KalturaAccessControlProfile:
    """The API object of a profile row."""
    return O.KalturaAccessControlProfile(
        id=row.id, partnerId=row.partner_id, name=row.name, systemName=row.system_name or "",
        description=row.description or "", createdAt=row.created_at, updatedAt=row.updated_at,
        isDefault=KalturaNullableBoolean(int(bool(row.is_default))),
        rules=[rule_object(r) for r in profiles.rules_of(row)])


# --- actions ------------------------------------------------------------------------------


def apply_fields(ctx: CallContext, row: AccessControlProfileRow, obj: Any) -> None:
    """Write the supplied name, systemName, description, rules and isDefault of a profile
    object (a KalturaAccessControlProfile, or a legacy KalturaAccessControl: no rules)."""
    for name, column, limit in (("name", "name", 128), ("systemName", "system_name", 128),
                                ("description", "description", MAX_TEXT_LENGTH)):
        if name not in obj.supplied:
            continue
        value = None if name in obj.nulled else getattr(obj, name)
        if name == "name" and not (value or "").strip():
            raise E.PROPERTY_VALIDATION_MIN_LENGTH("name", 1)
        if value is not None and len(value) > limit:
            raise E.PROPERTY_VALIDATION_MAX_LENGTH(name, limit)
        if name == "systemName":
            profiles.check_system_name(ctx.session, row.partner_id, value, row.id)
        setattr(row, column, value)
    if "rules" in obj.supplied and hasattr(obj, "rules"):
        dicts = [rule_dict(r) for r in obj.rules or []]
        row.rules = [r.to_dict() for r in access.parse_rules(dicts)]
    if obj.isDefault is not None and int(obj.isDefault) == 1:
        profiles.set_default(ctx.session, row)


@access_control_profile.action(ks=KsRule.ADMIN, errors=(
    "SYSTEM_NAME_ALREADY_EXISTS", "INVALID_ACCESS_CONTROL_RULE",
    "MAX_NUMBER_OF_ACCESS_CONTROLS_REACHED"))
def add(ctx: CallContext, accessControlProfile: Annotated[O.KalturaAccessControlProfile,
                                                          ForInsert]
        ) -> O.KalturaAccessControlProfile:
    """Add a profile.

    Args:
        accessControlProfile: name (mandatory), systemName, description, isDefault and rules
    """
    obj = accessControlProfile
    if "name" not in obj.supplied:
        raise E.PROPERTY_VALIDATION_CANNOT_BE_NULL("name")
    row = profiles.new_profile(ctx.session, ctx.partner_id or 0)
    apply_fields(ctx, row, obj)
    ctx.session.flush()
    return profile_object(row)


@access_control_profile.action(ks=KsRule.USER, errors=_NOT_FOUND)
def get(ctx: CallContext, id: int) -> O.KalturaAccessControlProfile:
    """Get a profile.

    Args:
        id: Profile id
    """
    return profile_object(profiles.get_profile(ctx.session, ctx.partner_id or 0, id))


@access_control_profile.action(ks=KsRule.ADMIN, errors=(
    *_NOT_FOUND, "SYSTEM_NAME_ALREADY_EXISTS", "INVALID_ACCESS_CONTROL_RULE"))
def update(ctx: CallContext, id: int,
           accessControlProfile: Annotated[O.KalturaAccessControlProfile, ForUpdate]
           ) -> O.KalturaAccessControlProfile:
    """Update a profile; ``rules``, when sent, replaces all of them.

    Args:
        id: Profile id
        accessControlProfile: the fields to change
    """
    row = profiles.get_profile(ctx.session, ctx.partner_id or 0, id)
    apply_fields(ctx, row, accessControlProfile)
    ctx.session.flush()
    return profile_object(row)


@access_control_profile.action("delete", ks=KsRule.ADMIN, errors=(
    *_NOT_FOUND, "CANNOT_DELETE_DEFAULT_ACCESS_CONTROL"))
def delete_(ctx: CallContext, id: int) -> None:
    """Delete a profile; its entries move to the default profile, which cannot be deleted.

    Args:
        id: Profile id
    """
    profiles.delete_profile(ctx.session, profiles.get_profile(ctx.session, ctx.partner_id or 0,
                                                              id))


@access_control_profile.action(ks=KsRule.USER)
def list_(ctx: CallContext, filter: O.KalturaAccessControlProfileFilter | None = None,
          pager: KalturaFilterPager | None = None) -> O.KalturaAccessControlProfileListResponse:
    """List the partner's profiles (the default one is created on first use).

    Args:
        filter: Conditions (id, systemName, createdAt, updatedAt)
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    pid = ctx.partner_id or 0
    profiles.default_profile(ctx.session, pid)
    f = filter or O.KalturaAccessControlProfileFilter()
    query = select(AccessControlProfileRow).where(AccessControlProfileRow.partner_id == pid,
                                                  AccessControlProfileRow.deleted_at.is_(None))
    query = filtering.apply_filter(query, f, _COLUMNS)
    total = ctx.session.scalar(filtering.count(query)) or 0
    query = filtering.apply_order(query, f.orderBy, _COLUMNS, default="+createdAt")
    page, _size, _index = filtering.page(query, pager)
    return O.KalturaAccessControlProfileListResponse(
        objects=[profile_object(r) for r in ctx.session.scalars(page)], totalCount=total)


@access_control_profile.action(ks=KsRule.ADMIN, errors=(
    "ENTRY_ID_NOT_FOUND", "INVALID_KS", "INVALID_ACCESS_CONTROL_RULE"))
def explain(ctx: CallContext, entryId: str,
            contextType: O.KalturaContextType = O.KalturaContextType.PLAY,
            referrer: str = "", ip: str = "", userAgent: str = "", viewerKs: str = "",
            time: Time | None = None) -> O.KalturaAccessControlExplanation:
    """vpaas: explain which rules of an entry's profile match a request, why, and the outcome.

    Args:
        entryId: The entry
        contextType: PLAY (default), DOWNLOAD, THUMBNAIL, METADATA, EXPORT or SERVE
        referrer: Page URL of the player, in clear (not base64)
        ip: Client address (default: none)
        userAgent: Client user agent
        viewerKs: The viewer's KS, if any (default: an anonymous viewer)
        time: When to evaluate (unix seconds; default now)
    """
    entry = entries_domain.get_entry(ctx.session, entryId)
    row = profiles.profile_row_for_entry(ctx.session, entry)
    ks = (sessions_domain.verify(ctx.runtime.db, ctx.runtime.partners, viewerKs)
          if viewerKs else None)
    request = access.AccessContext(
        partner_id=entry.partner_id, entry_id=entry.id,
        context=access.ContextType(int(contextType.value)), start_date=entry.start_date,
        end_date=entry.end_date, referrer=referrer, client_ip=ip, user_agent=userAgent, ks=ks,
        now=time)
    decision = access.evaluate(profiles.rules_of(row), request)
    return _explanation(row, entry.id, contextType, request, decision)


def _explanation(row: AccessControlProfileRow, entry_id: str, context: O.KalturaContextType,
                 request: access.AccessContext, decision: access.AccessDecision
                 ) -> O.KalturaAccessControlExplanation:
    return O.KalturaAccessControlExplanation(
        accessControlId=row.id, accessControlName=row.name, entryId=entry_id,
        contextType=context, allowed=decision.allowed, reason=decision.reason,
        scheduled=decision.scheduled, previewSeconds=decision.preview_seconds,
        allowedFlavorParamsIds=_ids(decision.allowed_flavor_params_ids),
        blockedFlavorParamsIds=_ids(decision.blocked_flavor_params_ids),
        limitThumbnailCapture=decision.limit_thumbnail_capture,
        country=(geo.country_code(request.client_ip) or "") if request.client_ip else "",
        referrerHost=access.url_host(request.referrer) or "",
        messages=[message_object(m) for m in decision.messages],
        actions=[action_object(a) for a in decision.actions],
        rules=[_rule_explanation(t) for t in decision.trace],
        notes=[KalturaString(value=n) for n in decision.notes])


def _ids(ids: tuple[int, ...] | None) -> str | None:
    return None if ids is None else ",".join(str(i) for i in ids)


def _rule_explanation(trace: access.RuleTrace) -> O.KalturaAccessControlRuleExplanation:
    conditions = []
    for c in trace.conditions:
        item = O.KalturaAccessControlConditionExplanation(
            index=c.index, conditionType=O.KalturaConditionType(c.type.value),
            description=c.description, evaluated=c.evaluated, matched=c.matched,
            fulfilled=c.fulfilled, reason=c.reason)
        setattr(item, "not", c.negate)
        conditions.append(item)
    return O.KalturaAccessControlRuleExplanation(
        index=trace.index, description=trace.description, outcome=trace.outcome,
        fired=trace.fired, reason=trace.reason, conditions=conditions,
        actions=[action_object(a) for a in trace.actions])
