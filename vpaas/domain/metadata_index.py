"""The metadata field-value index: one ``metadata_field_value`` row per searchable value.

Each write of a metadata row rebuilds its index rows, which the advanced-search handlers of
:mod:`vpaas.domain.metadata_search` query (semantics in docs/metadata.md) and which feed the
entries' freeText documents.
"""

from __future__ import annotations

from lxml import etree
from sqlalchemy import (
    delete,
    insert,
    select,
)
from sqlalchemy.orm import Session

from vpaas.db.tables.metadata import (
    MetadataFieldValueRow,
    MetadataProfileFieldRow,
    MetadataRow,
)
from vpaas.domain import entry_query
from vpaas.domain.metadata_xsd import field_values
from vpaas.domain.search import tokens

FOLDED_LENGTH = 255
MAX_WORDS = 200
ENTRY = "1"
"""The metadata object type of entries: their values feed entry search."""
VALID, INVALID = 1, 2
"""Metadata row statuses: only VALID rows have index values."""
FIELD_ACTIVE, FIELD_DEPRECATED = 1, 2
WHOLE_VALUE_TYPES = frozenset({"listType", "objectType", "userType", "metadataObjectType"})
"""Field types matched as a whole value; other types match a phrase of words."""


def active_fields(session: Session, profile_id: int) -> list[MetadataProfileFieldRow]:
    """The profile's searchable fields, by id."""
    return list(session.scalars(select(MetadataProfileFieldRow).where(
        MetadataProfileFieldRow.metadata_profile_id == profile_id,
        MetadataProfileFieldRow.status == FIELD_ACTIVE).order_by(MetadataProfileFieldRow.id)))


def field_types(session: Session, profile_id: int) -> dict[str, str]:
    """Active field path → field type, for indexing."""
    return {f.path: f.type for f in active_fields(session, profile_id)}


def clear_values(session: Session, row: MetadataRow) -> None:
    """Remove a metadata row's index rows."""
    session.execute(delete(MetadataFieldValueRow).where(
        MetadataFieldValueRow.partner_id == row.partner_id,
        MetadataFieldValueRow.metadata_id == row.id))


def index_values(session: Session, row: MetadataRow, root: etree._Element,
                 fields: dict[str, str]) -> None:
    """Rebuild a metadata row's index rows from its validated XML."""
    clear_values(session, row)
    values = [dict(partner_id=row.partner_id, metadata_id=row.id,
                   metadata_profile_id=row.metadata_profile_id, object_type=row.object_type,
                   object_id=row.object_id, path=path[:512], kind=fields[path],
                   folded=text.casefold()[:FOLDED_LENGTH],
                   words=" " + " ".join(tokens(text)[:MAX_WORDS]) + " ",
                   number=as_number(text)) for path, text in field_values(root, fields)]
    if values:
        session.execute(insert(MetadataFieldValueRow), values)


def as_number(text: str) -> float | None:
    """The value as a finite number, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def reindex_object(session: Session, row: MetadataRow) -> None:
    """Refresh the search document of the row's object (entries only)."""
    if row.object_type == ENTRY:
        session.flush()
        entry_query.reindex_entry(session, row.object_id)


@entry_query.search_text_provider
def entry_metadata_text(session: Session, partner_id: int, entry_id: str) -> list[str]:
    """The searchable metadata values of an entry, for its freeText document."""
    return list(session.scalars(select(MetadataFieldValueRow.words).where(
        MetadataFieldValueRow.partner_id == partner_id,
        MetadataFieldValueRow.object_type == ENTRY,
        MetadataFieldValueRow.object_id == entry_id).order_by(MetadataFieldValueRow.id)))
