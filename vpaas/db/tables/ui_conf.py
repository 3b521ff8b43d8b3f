"""uiConf table: player configurations, partner-scoped, with integer ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped


class UiConfRow(PartnerScoped, Timestamped, Base):
    """One uiConf. Deleted ones keep their row (``deleted_at`` set) so ids are never reused."""

    __tablename__ = "ui_conf"
    __table_args__ = (Index("ix_ui_conf_partner_deleted", "partner_id", "deleted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    obj_type: Mapped[int] = mapped_column(Integer, default=1)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    html_params: Mapped[str] = mapped_column(Text, default="")
    swf_url: Mapped[str] = mapped_column(Text, default="")
    swf_url_version: Mapped[str] = mapped_column(String(64), default="")
    conf_file: Mapped[str] = mapped_column(Text, default="")
    conf_file_features: Mapped[str] = mapped_column(Text, default="")
    config: Mapped[str] = mapped_column(Text, default="")
    conf_vars: Mapped[str] = mapped_column(Text, default="")
    use_cdn: Mapped[bool] = mapped_column(Boolean, default=True)
    tags: Mapped[str] = mapped_column(Text, default="")
    partner_tags: Mapped[str] = mapped_column(Text, default="")
    creation_mode: Mapped[int] = mapped_column(Integer, default=2)
    html5_url: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    v2_redirect: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
