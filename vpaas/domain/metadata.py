"""Custom metadata: one XML document per object and profile, validated and indexed.

Profiles live in :mod:`vpaas.domain.metadata_profiles`, XML/XSD handling in
:mod:`vpaas.domain.metadata_xsd`, the field-value index in :mod:`vpaas.domain.metadata_index`
and advanced search in :mod:`vpaas.domain.metadata_search`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.metadata import (
    MetadataProfileFieldRow,
    MetadataProfileRow,
    MetadataRow,
)
from vpaas.domain import (
    entries,
    metadata_search,  # noqa: F401  (registers the search handlers)
)
from vpaas.domain.metadata_index import (
    ENTRY,
    VALID,
    clear_values,
    field_types,
    index_values,
    reindex_object,
)
from vpaas.domain.metadata_profiles import PROFILE_DEPRECATED, get_profile
from vpaas.domain.metadata_xsd import compile_schema, validate_xml
from vpaas.registry import catalogue as E

MAX_OBJECT_ID = 128
PARTNER = "4"
ObjectCheck = Callable[[Session, int, str], bool]
OBJECT_CHECKS: dict[str, ObjectCheck] = {}
"""Metadata object type → ``check(session, partner_id, object_id)``: does the object exist?
Types without a check (category, user) accept any well-formed id, except the unsupported."""
UNSUPPORTED_OBJECT_TYPES = frozenset({"6"})
"""USER_ENTRY; cue-point types (``plugin.Type``) are unsupported too, until checked."""


def object_check(object_type: str) -> Callable[[ObjectCheck], ObjectCheck]:
    """Register the existence check of one metadata object type (categories, users...)."""
    def register(fn: ObjectCheck) -> ObjectCheck:
        OBJECT_CHECKS[object_type] = fn
        return fn
    return register


@object_check(ENTRY)
def _entry_exists(session: Session, partner_id: int, object_id: str) -> bool:
    found = session.scalar(select(EntryRow.id).where(
        EntryRow.partner_id == partner_id, EntryRow.id == object_id, EntryRow.status != 3))
    return found is not None


@object_check(PARTNER)
def _is_partner(session: Session, partner_id: int, object_id: str) -> bool:
    del session
    return object_id == str(partner_id)


def delete_profile(session: Session, profile: MetadataProfileRow) -> None:
    """Deprecate a profile and delete its fields, metadata and index rows."""
    profile.status = PROFILE_DEPRECATED
    rows = list(session.scalars(select(MetadataRow).where(
        MetadataRow.metadata_profile_id == profile.id)))
    for row in rows:
        delete_metadata(session, row)
    session.execute(delete(MetadataProfileFieldRow).where(
        MetadataProfileFieldRow.metadata_profile_id == profile.id))


def get_metadata(session: Session, metadata_id: int) -> MetadataRow:
    """A metadata row of the session's partner, or ``METADATA_NOT_FOUND``."""
    row = session.scalar(select(MetadataRow).where(MetadataRow.id == metadata_id))
    if row is None:
        raise E.METADATA_NOT_FOUND(metadata_id)
    return row


def add_metadata(session: Session, partner_id: int, profile_id: int, object_type: str,
                 object_id: str, xml: str) -> MetadataRow:
    """Validate and store one object's metadata for one profile (Kaltura's checks, in order)."""
    profile = get_profile(session, profile_id)
    if profile.object_type != object_type:
        raise E.INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE(profile.object_type, object_type)
    _check_object(session, partner_id, object_type, object_id)
    _raise_if_exists(session, profile_id, object_type, object_id)
    schema, _ = compile_schema(profile.xsd)
    root = validate_xml(schema, xml)
    row = MetadataRow(partner_id=partner_id, metadata_profile_id=profile_id,
                      metadata_profile_version=profile.version, object_type=object_type,
                      object_id=object_id, version=1, status=VALID, xml=xml)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # lost a race with a concurrent add; the call rolls back
        raise E.METADATA_ALREADY_EXISTS("(added concurrently)") from None
    index_values(session, row, root, field_types(session, profile_id))
    reindex_object(session, row)
    return row


def _raise_if_exists(session: Session, profile_id: int, object_type: str,
                     object_id: str) -> None:
    found = session.scalar(select(MetadataRow.id).where(
        MetadataRow.metadata_profile_id == profile_id, MetadataRow.object_type == object_type,
        MetadataRow.object_id == object_id))
    if found is not None:
        raise E.METADATA_ALREADY_EXISTS(found)


def _check_object(session: Session, partner_id: int, object_type: str, object_id: str) -> None:
    if not object_id or len(object_id) > MAX_OBJECT_ID or object_id != object_id.strip():
        raise E.INVALID_METADATA_OBJECT(object_id[:MAX_OBJECT_ID])
    check = OBJECT_CHECKS.get(object_type)
    if check is None and (object_type in UNSUPPORTED_OBJECT_TYPES or "." in object_type):
        raise E.INVALID_METADATA_OBJECT(object_id)
    if check is not None and not check(session, partner_id, object_id):
        raise E.INVALID_METADATA_OBJECT(object_id)


def update_metadata(session: Session, row: MetadataRow, xml: str | None,
                    version: int | None) -> MetadataRow:
    """Replace the XML (validated) and bump the version; a ``version`` other than the
    current one is refused with ``INVALID_METADATA_VERSION`` (optimistic concurrency)."""
    if version and row.version != version:
        raise E.INVALID_METADATA_VERSION(row.version)
    if not xml:
        return row
    profile = session.get(MetadataProfileRow, row.metadata_profile_id)
    if profile is None or profile.status == PROFILE_DEPRECATED:
        raise E.INVALID_METADATA_PROFILE(row.metadata_profile_id)
    root = validate_xml(compile_schema(profile.xsd)[0], xml)
    done = session.execute(update(MetadataRow).where(
        MetadataRow.id == row.id, MetadataRow.version == row.version).values(
        xml=xml, version=row.version + 1, status=VALID, updated_at=now(),
        metadata_profile_version=profile.version).execution_options(
        synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(row)
        raise E.INVALID_METADATA_VERSION(row.version)
    session.refresh(row)
    index_values(session, row, root, field_types(session, row.metadata_profile_id))
    reindex_object(session, row)
    return row


def delete_metadata(session: Session, row: MetadataRow) -> None:
    """Remove a metadata row and its index rows."""
    clear_values(session, row)
    session.delete(row)
    session.flush()
    reindex_object(session, row)


@entries.on_entry_deleted
def _delete_entry_metadata(session: Session, entry: EntryRow) -> None:
    delete_object_metadata(session, "1", entry.id)


def delete_object_metadata(session: Session, object_type: str, object_id: str) -> None:
    """Remove every metadata of one object (call when the object is deleted)."""
    for row in list(session.scalars(select(MetadataRow).where(
            MetadataRow.object_type == object_type, MetadataRow.object_id == object_id))):
        delete_metadata(session, row)
