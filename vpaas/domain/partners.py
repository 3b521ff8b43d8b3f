"""Partners (tenants): creation with fresh secrets, lookup, listing."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vpaas.db.tables.partner import PartnerRow

FIRST_PARTNER_ID = 101


def new_secret() -> str:
    return secrets.token_hex(16)


def create_partner(session: Session, name: str, admin_email: str | None = None,
                   partner_id: int | None = None) -> PartnerRow:
    """Create a partner with new admin and user secrets; ids start at 101."""
    if partner_id is None:
        highest = session.scalar(select(func.max(PartnerRow.id)))
        partner_id = max(FIRST_PARTNER_ID, (highest or 0) + 1)
    row = PartnerRow(id=partner_id, name=name, admin_secret=new_secret(), secret=new_secret(),
                     status=1, admin_email=admin_email)
    session.add(row)
    session.flush()
    return row


def list_partners(session: Session) -> list[PartnerRow]:
    return list(session.scalars(select(PartnerRow).order_by(PartnerRow.id)))


def get_partner(session: Session, partner_id: int) -> PartnerRow | None:
    return session.get(PartnerRow, partner_id)
