"""Flavor tables: flavor params (the encode presets), conversion profiles and flavor assets.

``flavor_params`` is not partner-scoped by the session filter: system defaults belong to
partner 0 and are visible to every partner, so queries filter ``partner_id IN (0, pid)``
themselves. Profiles, their params links and flavor assets are ordinary partner-scoped rows.
A flavor asset's ``status`` only changes through :mod:`vpaas.domain.asset_state`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Double,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped


class FlavorParamsRow(Timestamped, Base):
    """One flavor params (rendition preset); partner 0 holds the system defaults."""

    __tablename__ = "flavor_params"
    __table_args__ = (Index("ix_flavor_params_partner", "partner_id", "deleted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    partner_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128), default="")
    system_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(32), default="mp4")
    video_codec: Mapped[str] = mapped_column(String(32), default="")
    video_bitrate: Mapped[int] = mapped_column(Integer, default=0)
    audio_codec: Mapped[str] = mapped_column(String(32), default="")
    audio_bitrate: Mapped[int] = mapped_column(Integer, default=0)
    audio_channels: Mapped[int] = mapped_column(Integer, default=0)
    audio_sample_rate: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    frame_rate: Mapped[float] = mapped_column(Double, default=0.0)
    gop_size: Mapped[int] = mapped_column(Integer, default=2)
    is_gop_in_sec: Mapped[bool] = mapped_column(Boolean, default=True)
    is_system_default: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ConversionProfileRow(PartnerScoped, Timestamped, Base):
    """A conversion profile: which flavor params an entry gets."""

    __tablename__ = "conversion_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    system_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[int] = mapped_column(Integer, default=2)
    type: Mapped[int] = mapped_column(Integer, default=1)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ConversionProfileParamsRow(PartnerScoped, Timestamped, Base):
    """Links a profile to one flavor params, with its ready behavior and origin."""

    __tablename__ = "conversion_profile_params"
    __table_args__ = (
        UniqueConstraint("profile_id", "flavor_params_id", name="uq_profile_params"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile_id: Mapped[int] = mapped_column(Integer, index=True)
    flavor_params_id: Mapped[int] = mapped_column(Integer)
    ready_behavior: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[int] = mapped_column(Integer, default=0)
    system_name: Mapped[str | None] = mapped_column(String(128), nullable=True)


class FlavorAssetRow(PartnerScoped, Timestamped, Base):
    """One rendition of an entry: its status, progress, stored files and media facts.

    ``storage_key`` is the progressive MP4 (for the source asset, the uploaded file);
    ``video_key``/``audio_key`` are the packaged single-track fMP4 files and
    ``track_index`` their fragment indexes (``{"video": TrackIndex.to_dict(), ...}``).
    ``replacing`` marks assets built for a pending content replacement.
    """

    __tablename__ = "flavor_asset"
    __table_args__ = (Index("ix_flavor_asset_partner_entry", "partner_id", "entry_id"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(20), index=True)
    flavor_params_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_original: Mapped[bool] = mapped_column(Boolean, default=False)
    is_web: Mapped[bool] = mapped_column(Boolean, default=False)
    replacing: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[str] = mapped_column(Text, default="")
    container_format: Mapped[str | None] = mapped_column(String(32), nullable=True)
    file_ext: Mapped[str | None] = mapped_column(String(16), nullable=True)
    video_codec_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    codecs: Mapped[str | None] = mapped_column(String(128), nullable=True)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    bitrate: Mapped[int] = mapped_column(Integer, default=0)
    frame_rate: Mapped[float] = mapped_column(Double, default=0.0)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    video_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    audio_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    track_index: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    label: Mapped[str | None] = mapped_column(String(128), nullable=True)
    language: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    partner_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
