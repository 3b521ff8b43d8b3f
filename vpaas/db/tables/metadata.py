"""Custom metadata tables: profiles (XSD), their searchable fields, metadata XML per object, and
the field values index that advanced search queries.

``metadata_field_value`` is derived data: rebuilt from ``metadata.xml`` on every write of a
metadata row (and when its profile's XSD changes); one row per searchable leaf value.
Ids are never reused (``sqlite_autoincrement``), so a stale id cannot reach another row.
"""

from __future__ import annotations

from sqlalchemy import (
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


class MetadataProfileRow(PartnerScoped, Timestamped, Base):
    """A metadata profile: its XSD and version; ``status`` 2 (DEPRECATED) once deleted."""

    __tablename__ = "metadata_profile"
    __table_args__ = (
        Index("ix_metadata_profile_partner_status", "partner_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    object_type: Mapped[str] = mapped_column(String(64), default="1")
    version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(256), default="")
    system_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[int] = mapped_column(Integer, default=1)
    xsd: Mapped[str] = mapped_column(Text, default="")
    views: Mapped[str | None] = mapped_column(Text, nullable=True)
    create_mode: Mapped[int] = mapped_column(Integer, default=1)
    disable_reindexing: Mapped[bool] = mapped_column(Boolean, default=False)


class MetadataProfileFieldRow(PartnerScoped, Base):
    """A searchable leaf element of a profile's XSD; ``status`` 2 once the XSD drops it."""

    __tablename__ = "metadata_profile_field"
    __table_args__ = (
        UniqueConstraint("metadata_profile_id", "path", name="uq_metadata_profile_field_path"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    metadata_profile_id: Mapped[int] = mapped_column(Integer, index=True)
    path: Mapped[str] = mapped_column(String(512))
    xpath: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(256))
    label: Mapped[str] = mapped_column(String(256))
    type: Mapped[str] = mapped_column(String(32), default="textType")
    status: Mapped[int] = mapped_column(Integer, default=1)


class MetadataRow(PartnerScoped, Timestamped, Base):
    """The XML of one object for one profile; deleting it removes the row."""

    __tablename__ = "metadata"
    __table_args__ = (
        UniqueConstraint("partner_id", "metadata_profile_id", "object_type", "object_id",
                         name="uq_metadata_object"),
        Index("ix_metadata_partner_object", "partner_id", "object_type", "object_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    metadata_profile_id: Mapped[int] = mapped_column(Integer, index=True)
    metadata_profile_version: Mapped[int] = mapped_column(Integer, default=1)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[int] = mapped_column(Integer, default=1)
    xml: Mapped[str] = mapped_column(Text)


class MetadataFieldValueRow(PartnerScoped, Base):
    """One searchable value of a metadata XML, for advanced search.

    ``path`` is the field's element path below the root (``Color``, ``Group/Item``);
    ``kind`` the field's type (``textType``, ``listType``, ``dateType``...);
    ``folded`` the case-folded value (cut to 255 characters) for whole-value matches;
    ``words`` the value's search tokens as `` w1 w2 `` for phrase matches; ``number`` the
    value when it reads as a number (int and date fields).
    """

    __tablename__ = "metadata_field_value"
    __table_args__ = (
        Index("ix_metadata_field_value_lookup", "partner_id", "metadata_profile_id", "path",
              "folded"),
        Index("ix_metadata_field_value_number", "partner_id", "metadata_profile_id", "path",
              "number"),
        Index("ix_metadata_field_value_object", "partner_id", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    metadata_id: Mapped[int] = mapped_column(Integer, index=True)
    metadata_profile_id: Mapped[int] = mapped_column(Integer)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512))
    kind: Mapped[str] = mapped_column(String(32))
    folded: Mapped[str] = mapped_column(String(255))
    words: Mapped[str] = mapped_column(Text)
    number: Mapped[float | None] = mapped_column(Double, nullable=True)
