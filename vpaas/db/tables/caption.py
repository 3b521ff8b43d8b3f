"""The caption asset table: one row per caption track of an entry.

The uploaded file is stored as is under ``file_key``; every READY caption also has a WebVTT
rendition under ``vtt_key`` (players read that one). ``format`` is the detected format
(``KalturaCaptionType`` number), not merely what the client declared.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped


class CaptionAssetRow(PartnerScoped, Timestamped, Base):
    """One caption track of an entry: language, label, format, default flag and files."""

    __tablename__ = "caption_asset"
    __table_args__ = (Index("ix_caption_asset_partner_entry", "partner_id", "entry_id"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(20), index=True)
    caption_params_id: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    format: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str | None] = mapped_column(String(64), nullable=True)
    language_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    label: Mapped[str | None] = mapped_column(String(256), nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    display_on_player: Mapped[bool] = mapped_column(Boolean, default=True)
    accuracy: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[int] = mapped_column(Integer, default=0)
    usage: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    tags: Mapped[str] = mapped_column(Text, default="")
    partner_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    partner_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_ext: Mapped[str | None] = mapped_column(String(16), nullable=True)
    file_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    vtt_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    cue_count: Mapped[int] = mapped_column(Integer, default=0)
    error_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
