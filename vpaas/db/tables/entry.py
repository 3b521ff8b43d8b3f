"""The entry table: every entry type (media clip, data, document, ...) in one table.

Columns hold what is filtered, sorted or needed by the server; rarely used pass-through
API fields live in the ``extra`` JSON column. ``status`` only changes through
:func:`vpaas.domain.entry_state.transition`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped

LISTED = text("status = 2 AND moderation_status NOT IN (1, 3) "
              "AND display_in_search NOT IN (-2, -1)")
"""What a list shows by default: READY, not pending moderation nor rejected, not SYSTEM nor
RECYCLED (:func:`vpaas.domain.entry_query.entry_select` writes these conditions as constants
so that both databases can prove them and use :data:`LISTED`'s partial index)."""


class EntryRow(PartnerScoped, Timestamped, Base):
    """One entry: its metadata, lifecycle status and source file."""

    __tablename__ = "entry"
    __table_args__ = (
        Index("ix_entry_partner_status_created", "partner_id", "status", "created_at"),
        # covers the default list conditions, so counts never touch the table
        Index("ix_entry_list_cover", "partner_id", "status", "type", "created_at", "media_type",
              "moderation_status", "display_in_search"),
        Index("ix_entry_partner_created", "partner_id", "created_at"),
        Index("ix_entry_partner_updated", "partner_id", "updated_at"),
        Index("ix_entry_partner_reference", "partner_id", "reference_id"),
        Index("ix_entry_partner_user", "partner_id", "user_id"),
        Index("ix_entry_partner_type_media", "partner_id", "type", "media_type"),
        Index("ix_entry_partner_name", "partner_id", "name"),
        Index("ix_entry_partner_parent", "partner_id", "parent_entry_id"),
        # checks the default list conditions of entries found by id (category members,
        # freeText matches) and orders them newest first without reading the rows
        Index("ix_entry_partner_id_state", "partner_id", "id", "type", "status",
              "moderation_status", "display_in_search", "created_at"),
        # counts of default lists (by type, media type and creation time) read only the
        # entries listed, without checking each one's state
        Index("ix_entry_listed", "partner_id", "type", "media_type", "created_at",
              sqlite_where=LISTED, postgresql_where=LISTED),
    )

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    type: Mapped[int] = mapped_column(Integer, default=1)
    media_type: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[int] = mapped_column(Integer, default=7)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    name: Mapped[str] = mapped_column(String(256), default="")
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[str | None] = mapped_column(Text, nullable=True)
    admin_tags: Mapped[str | None] = mapped_column(Text, nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    creator_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reference_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    categories: Mapped[str | None] = mapped_column(Text, nullable=True)
    categories_ids: Mapped[str | None] = mapped_column(Text, nullable=True)
    partner_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    partner_sort_value: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_type: Mapped[int | None] = mapped_column(Integer, nullable=True)
    conversion_profile_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    access_control_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start_date: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    end_date: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    thumb_version: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    plays: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    last_played_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    media_date: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    moderation_status: Mapped[int] = mapped_column(Integer, default=6)
    moderation_count: Mapped[int] = mapped_column(Integer, default=0)
    display_in_search: Mapped[int] = mapped_column(Integer, default=1)
    document_type: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parent_entry_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    redirect_entry_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    entitled_users_edit: Mapped[str | None] = mapped_column(Text, nullable=True)
    entitled_users_publish: Mapped[str | None] = mapped_column(Text, nullable=True)
    entitled_users_view: Mapped[str | None] = mapped_column(Text, nullable=True)
    data_content: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Source file (the original upload), as stored in media storage.
    source_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    source_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    source_ext: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    # Content on its way: an upload token still receiving chunks, or a replacement.
    pending_token_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    pending_replacement: Mapped[bool] = mapped_column(Boolean, default=False)
    replacement_status: Mapped[int] = mapped_column(Integer, default=0)
    replacement_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    replacement_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    replacement_ext: Mapped[str | None] = mapped_column(String(16), nullable=True)
    replacement_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    replacement_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
