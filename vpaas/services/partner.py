"""partner: the current partner's account."""

from __future__ import annotations

from vpaas.context import CallContext
from vpaas.db.tables.partner import PartnerRow
from vpaas.domain import partners
from vpaas.objects.partner import KalturaPartner, KalturaPartnerStatus
from vpaas.registry import Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

partner = Service("partner", """The partner (tenant) account of the session.""")


def _current(ctx: CallContext, partner_id: int | None) -> PartnerRow:
    if partner_id is not None and partner_id != ctx.partner_id:
        raise E.INVALID_PARTNER_ID(partner_id)
    assert ctx.partner_id is not None
    with ctx.runtime.db.system_session() as db:
        row = partners.get_partner(db, ctx.partner_id)
    if row is None:
        raise E.PARTNER_NOT_FOUND(ctx.partner_id)
    return row


@partner.action(ks=KsRule.ANY)
def get(ctx: CallContext, id: int | None = None) -> KalturaPartner:
    """Get the session's partner; secrets are included for admin sessions only.

    Args:
        id: The partner id; must be the session's own partner
    """
    row = _current(ctx, id)
    result = KalturaPartner(
        id=row.id, name=row.name, adminEmail=row.admin_email, description=row.description,
        createdAt=row.created_at, status=KalturaPartnerStatus(row.status),
        serviceUrl=ctx.url(""), cdnHost=ctx.url(""))
    if ctx.is_admin:
        result.adminSecret, result.secret = row.admin_secret, row.secret
    return result


@partner.action(ks=KsRule.ANY)
def getInfo(ctx: CallContext) -> KalturaPartner:
    """Get the session partner's details (never its secrets)."""
    row = _current(ctx, None)
    return KalturaPartner(id=row.id, name=row.name, adminEmail=row.admin_email,
                          description=row.description, createdAt=row.created_at,
                          status=KalturaPartnerStatus(row.status))
