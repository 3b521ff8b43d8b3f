"""app_user table: the partners' users (Kaltura kusers), unique per (partner, user id)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped

USER_ID_LENGTH = 320
"""Longest user id (an email address fits)."""


class UserRow(PartnerScoped, Timestamped, Base):
    """One user. Deleted users keep their row (status DELETED) until the id is added again."""

    __tablename__ = "app_user"
    __table_args__ = (
        UniqueConstraint("partner_id", "user_id", name="uq_app_user_partner_user"),
        Index("ix_app_user_partner_status", "partner_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(USER_ID_LENGTH))
    screen_name: Mapped[str] = mapped_column(String(255), default="")
    full_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    first_name: Mapped[str] = mapped_column(String(255), default="")
    last_name: Mapped[str] = mapped_column(String(255), default="")
    country: Mapped[str] = mapped_column(String(255), default="")
    state: Mapped[str] = mapped_column(String(255), default="")
    city: Mapped[str] = mapped_column(String(255), default="")
    zip: Mapped[str] = mapped_column(String(64), default="")
    thumbnail_url: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")
    admin_tags: Mapped[str] = mapped_column(Text, default="")
    partner_data: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(255), default="")
    company: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[int] = mapped_column(Integer, default=1)
    type: Mapped[int] = mapped_column(Integer, default=0)
    gender: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    role_ids: Mapped[str] = mapped_column(Text, default="")
    status_updated_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
