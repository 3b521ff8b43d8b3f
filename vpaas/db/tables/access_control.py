"""The access-control profile table: a partner's named rule sets, one of them the default.

``rules`` holds the profile's rules as a JSON list of
:meth:`vpaas.domain.access.model.Rule.to_dict` dicts, in evaluation order. Deleted profiles
keep their row with ``deleted_at`` set.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped


class AccessControlProfileRow(PartnerScoped, Timestamped, Base):
    """One access-control profile and its rules."""

    __tablename__ = "access_control_profile"
    __table_args__ = (
        Index("ix_access_control_partner_deleted", "partner_id", "deleted_at"),
        Index("ix_access_control_partner_system_name", "partner_id", "system_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    system_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
