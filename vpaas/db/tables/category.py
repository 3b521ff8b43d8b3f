"""Category tables: the category tree and the entries placed in it.

The tree is stored as an adjacency list (``parent_id``) plus materialized paths
(``full_ids`` / ``full_name``, ``>``-joined from the root), so subtree queries are prefix
matches. Counters are kept on the rows and recomputed by :mod:`vpaas.domain.categories`
whenever membership or the shape of the tree changes. Deleted categories stay as rows with
status DELETED (3); their names may be reused.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped

_LIVE = text("status != 3")


class CategoryRow(PartnerScoped, Timestamped, Base):
    """One category: its place in the tree, its settings and its counters."""

    __tablename__ = "category"
    __table_args__ = (
        # One live category per (parent, name): full names are unique per partner.
        Index("ux_category_partner_parent_name", "partner_id", "parent_id", "name",
              unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_category_partner_full_ids", "partner_id", "full_ids"),
        Index("ix_category_partner_full_name", "partner_id", "full_name"),
        Index("ix_category_partner_reference", "partner_id", "reference_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parent_id: Mapped[int] = mapped_column(Integer, default=0)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(128))
    full_name: Mapped[str] = mapped_column(String(2000), default="")
    full_ids: Mapped[str] = mapped_column(String(512), default="")
    status: Mapped[int] = mapped_column(Integer, default=2)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[str | None] = mapped_column(Text, nullable=True)
    admin_tags: Mapped[str | None] = mapped_column(Text, nullable=True)
    reference_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    partner_sort_value: Mapped[int] = mapped_column(Integer, default=0)
    partner_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    privacy: Mapped[int] = mapped_column(Integer, default=1)
    privacy_context: Mapped[str | None] = mapped_column(String(255), nullable=True)
    privacy_contexts: Mapped[str | None] = mapped_column(String(255), nullable=True)
    appear_in_list: Mapped[int] = mapped_column(Integer, default=1)
    inheritance_type: Mapped[int] = mapped_column(Integer, default=2)
    inherited_parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_join_policy: Mapped[int] = mapped_column(Integer, default=3)
    default_permission_level: Mapped[int] = mapped_column(Integer, default=3)
    contribution_policy: Mapped[int] = mapped_column(Integer, default=1)
    moderation: Mapped[int] = mapped_column(Integer, default=0)
    default_order_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_aggregation_category: Mapped[int] = mapped_column(Integer, default=0)
    aggregation_categories: Mapped[str | None] = mapped_column(Text, nullable=True)
    entries_count: Mapped[int] = mapped_column(Integer, default=0)
    direct_entries_count: Mapped[int] = mapped_column(Integer, default=0)
    pending_entries_count: Mapped[int] = mapped_column(Integer, default=0)
    direct_sub_categories_count: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class CategoryEntryRow(PartnerScoped, Timestamped, Base):
    """An entry placed in a category (one row per pair; removal deletes the row)."""

    __tablename__ = "category_entry"
    __table_args__ = (
        UniqueConstraint("category_id", "entry_id", name="uq_category_entry_pair"),
        Index("ix_category_entry_partner_entry", "partner_id", "entry_id"),
        Index("ix_category_entry_partner_full_ids", "partner_id", "category_full_ids"),
        # the entries of a category (categoriesIdsMatchOr...) without reading the rows
        Index("ix_category_entry_partner_category", "partner_id", "category_id", "status",
              "entry_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    entry_id: Mapped[str] = mapped_column(String(20))
    category_full_ids: Mapped[str] = mapped_column(String(512), default="")
    status: Mapped[int] = mapped_column(Integer, default=2)
    creator_user_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
