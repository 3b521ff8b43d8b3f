"""The thumbnail asset table: images attached to an entry (uploaded, imported or captured).

One of them may be the entry's default (``is_default``): its image is then also the entry's
thumbnail (``entry.extra["thumbKey"]``, versioned by ``entry.thumb_version``).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped


class ThumbAssetRow(PartnerScoped, Timestamped, Base):
    """One thumbnail image of an entry, with its size, status and stored file."""

    __tablename__ = "thumb_asset"
    __table_args__ = (Index("ix_thumb_asset_partner_entry", "partner_id", "entry_id"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(20), index=True)
    thumb_params_id: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[str] = mapped_column(Text, default="")
    partner_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    partner_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_ext: Mapped[str | None] = mapped_column(String(16), nullable=True)
    file_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    error_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
