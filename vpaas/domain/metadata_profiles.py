"""Metadata profiles: their XSD and views, their searchable fields, revalidation on change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vpaas.db.tables.metadata import (
    MetadataProfileFieldRow,
    MetadataProfileRow,
    MetadataRow,
)
from vpaas.domain.metadata_index import (
    FIELD_ACTIVE,
    FIELD_DEPRECATED,
    INVALID,
    VALID,
    active_fields,
    clear_values,
    index_values,
    reindex_object,
)
from vpaas.domain.metadata_xsd import FieldDef, compile_schema, schema_fields, validate_xml
from vpaas.registry import catalogue as E
from vpaas.registry.errors import ApiError

MAX_VIEWS_CHARS = 256 * 1024
PROFILE_ACTIVE, PROFILE_DEPRECATED = 1, 2


def get_profile(session: Session, profile_id: int) -> MetadataProfileRow:
    """A live profile of the session's partner, or ``METADATA_PROFILE_NOT_FOUND``."""
    row = session.scalar(select(MetadataProfileRow).where(
        MetadataProfileRow.id == profile_id, MetadataProfileRow.status != PROFILE_DEPRECATED))
    if row is None:
        raise E.METADATA_PROFILE_NOT_FOUND(profile_id)
    return row


def set_profile_xsd(session: Session, row: MetadataProfileRow, xsd: str) -> None:
    """Store a new XSD (validated), bump the version and refresh fields and metadata."""
    _, doc = compile_schema(xsd)
    fields = schema_fields(doc)
    changed = row.id is not None and row.xsd != xsd
    if row.id is None:
        row.version = 1
        session.add(row)
        session.flush()
    elif changed:
        row.version = (row.version or 0) + 1
    row.xsd = xsd
    _sync_fields(session, row, fields)
    if changed:
        revalidate_profile(session, row)


def set_profile_views(row: MetadataProfileRow, views: str | None) -> None:
    """Store the UI views document (opaque to vpaas, size-capped)."""
    if views is not None and len(views) > MAX_VIEWS_CHARS:
        raise E.INVALID_PARAMETER_VALUE(f"({len(views)} characters)", "viewsData")
    if views:
        row.views = views


def _sync_fields(session: Session, row: MetadataProfileRow, fields: list[FieldDef]) -> None:
    existing = {f.path: f for f in session.scalars(select(MetadataProfileFieldRow).where(
        MetadataProfileFieldRow.metadata_profile_id == row.id))}
    wanted = {f.path: f for f in fields if f.path}
    for path, old in existing.items():
        if path not in wanted:
            old.status = FIELD_DEPRECATED
    for path, new in wanted.items():
        target = existing.get(path) or MetadataProfileFieldRow(
            metadata_profile_id=row.id, path=path, partner_id=row.partner_id)
        target.xpath, target.key, target.label = new.xpath, new.key[:256], new.label[:256]
        target.type, target.status = new.type, FIELD_ACTIVE
        session.add(target)
    session.flush()


def revalidate_profile(session: Session, profile: MetadataProfileRow) -> None:
    """Check every metadata of a profile against its (new) XSD: valid ones move to the new
    version and are re-indexed; the others become INVALID and leave the index."""
    schema, _ = compile_schema(profile.xsd)
    fields = {f.path: f.type for f in active_fields(session, profile.id)}
    rows = session.scalars(select(MetadataRow).where(
        MetadataRow.metadata_profile_id == profile.id).order_by(MetadataRow.id))
    for row in list(rows):
        try:
            root = validate_xml(schema, row.xml)
        except ApiError:
            row.status = INVALID
            clear_values(session, row)
        else:
            row.status, row.metadata_profile_version = VALID, profile.version
            index_values(session, row, root, fields)
        reindex_object(session, row)
