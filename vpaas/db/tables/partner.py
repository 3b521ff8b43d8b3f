from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, Timestamped


class PartnerRow(Timestamped, Base):
    """A tenant. Not partner-scoped itself: it *is* the scope."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(256))
    admin_secret: Mapped[str] = mapped_column(String(256))
    secret: Mapped[str] = mapped_column(String(256))
    status: Mapped[int] = mapped_column(Integer, default=1)
    admin_email: Mapped[str | None] = mapped_column(String(256), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    ks_max_expiry: Mapped[int] = mapped_column(Integer, default=86400)


class RevokedKsRow(Base):
    """A KS ended by ``session.end``; kept until it would have expired anyway."""

    __tablename__ = "revoked_ks"

    ks_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, index=True)
    expiry: Mapped[int] = mapped_column(BigInteger, index=True)


class KsUsageRow(Base):
    """Calls made with a KS that carries ``actionslimit``."""

    __tablename__ = "ks_usage"

    ks_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    expiry: Mapped[int] = mapped_column(BigInteger, index=True)
