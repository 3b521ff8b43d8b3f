"""session: start, describe and end Kaltura Sessions."""

from __future__ import annotations

from vpaas.context import CallContext
from vpaas.domain import partners, sessions
from vpaas.objects.session import (
    KalturaSessionInfo,
    KalturaSessionType,
    KalturaStartWidgetSessionResponse,
)
from vpaas.registry import Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

session = Service("session", """Kaltura Sessions (KS): every other call carries one.""")


@session.action(ks=KsRule.NONE, errors=("START_SESSION_ERROR",))
def start(ctx: CallContext, secret: str, userId: str = "",
          type: KalturaSessionType = KalturaSessionType.USER, partnerId: int | None = None,
          expiry: int = 86400, privileges: str | None = None) -> str:
    """Start a session with the partner's admin or user secret.

    Args:
        secret: The admin secret (any session type) or the user secret (USER only)
        userId: The user the session acts as
        type: USER (0) or ADMIN (2)
        partnerId: The partner; may also come from the request's partnerId
        expiry: Lifetime in seconds (capped by the partner's maximum)
        privileges: Comma separated privileges, e.g. "sview:*,disableentitlement"
    """
    pid = partnerId if partnerId is not None else ctx.partner_id
    with ctx.runtime.db.system_session() as db:
        partner = partners.get_partner(db, pid) if pid is not None else None
    if partner is None or partner.status != 1 or not sessions.secret_grants(
            partner, secret, int(type)):
        raise E.START_SESSION_ERROR(pid if pid is not None else "")
    max_expiry = min(partner.ks_max_expiry or 86400, ctx.settings.ks_max_expiry)
    return sessions.issue(partner, int(type), userId or "", expiry, privileges or "",
                          max(max_expiry, 86400))


@session.action(ks=KsRule.NONE, errors=("INVALID_WIDGET_ID",))
def startWidgetSession(ctx: CallContext, widgetId: str,
                       expiry: int = 86400) -> KalturaStartWidgetSessionResponse:
    """Start an anonymous viewing session from a widget id such as ``_101``.

    Args:
        widgetId: The widget id; ``_{partnerId}`` is every partner's default widget
        expiry: Lifetime in seconds
    """
    pid_text = widgetId[1:] if widgetId.startswith("_") else ""
    if not pid_text.isdigit():
        raise E.INVALID_WIDGET_ID(widgetId)
    with ctx.runtime.db.system_session() as db:
        partner = partners.get_partner(db, int(pid_text))
    if partner is None or partner.status != 1:
        raise E.INVALID_WIDGET_ID(widgetId)
    ks = sessions.issue(partner, sessions.USER, "", expiry, sessions.WIDGET_PRIVILEGES,
                        ctx.settings.ks_max_expiry)
    return KalturaStartWidgetSessionResponse(partnerId=partner.id, ks=ks, userId="0")


@session.action(ks=KsRule.ANY)
def get(ctx: CallContext, session: str | None = None) -> KalturaSessionInfo:
    """Describe a KS: the request's own, or the one given (of the same partner).

    Args:
        session: The KS to describe; empty means the request's KS
    """
    assert ctx.ks is not None
    data = ctx.ks
    if session:
        data = sessions.verify(ctx.runtime.db, ctx.runtime.partners, session)
        if data.partner_id != ctx.partner_id:
            raise E.INVALID_KS(session[:200], -1, "INVALID_STR")
    return KalturaSessionInfo(
        ks=data.original, sessionType=KalturaSessionType(2 if data.session_type >= 1 else 0),
        partnerId=data.partner_id, userId=data.user_id, expiry=data.expiry,
        privileges=data.privileges.to_string())


@session.action(ks=KsRule.ANY)
def end(ctx: CallContext) -> None:
    """End the request's KS; it is rejected from now on."""
    assert ctx.ks is not None and ctx.partner_id is not None
    sessions.revoke(ctx.session, ctx.ks.ks_hash, ctx.partner_id, ctx.ks.expiry)
