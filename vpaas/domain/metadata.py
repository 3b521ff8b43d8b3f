"""Custom metadata: XSD profiles, XML per object, the field index, and metadata search.

XML and XSD come from clients, so they are parsed by :func:`parse_xml` only: size-capped, no
DTD (so no entity expansion), no network, no external schema documents. A profile's XSD must
compile as an XML Schema; metadata XML must validate against it. lxml's messages are returned
(``INVALID_METADATA_PROFILE_SCHEMA``/``INVALID_METADATA_DATA``), never a stack.

Searchable fields (after Kaltura's ``kXsd::findXpathsByAppInfo``) are the leaf elements below
the XSD's root element whose ``xs:annotation/xs:appinfo/searchable`` is ``true``; vpaas also
treats a leaf without any ``searchable`` flag as searchable. Each write of a metadata row
rebuilds its ``metadata_field_value`` rows, which the advanced-search handlers registered
here query (``KalturaMetadataSearchItem`` and its conditions; semantics in docs/metadata.md)
and which feed the entries' freeText documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree
from sqlalchemy import (
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.metadata import (
    MetadataFieldValueRow,
    MetadataProfileFieldRow,
    MetadataProfileRow,
    MetadataRow,
)
from vpaas.domain import entries, entry_query
from vpaas.domain.search import tokens
from vpaas.registry import catalogue as E
from vpaas.registry.errors import ApiError, ErrorDef

MAX_XSD_CHARS = 256 * 1024
MAX_XML_CHARS = 1024 * 1024
MAX_VIEWS_CHARS = 256 * 1024
MAX_FIELDS = 500
MAX_VALUES = 2000
"""Indexed values per metadata object; values beyond are stored but not searchable."""
MAX_OBJECT_ID = 128
MAX_NESTING = 16
MAX_MESSAGES = 3
FOLDED_LENGTH = 255
MAX_WORDS = 200

XS = "http://www.w3.org/2001/XMLSchema"
ENTRY = "1"
PARTNER = "4"
PROFILE_ACTIVE, PROFILE_DEPRECATED = 1, 2
VALID, INVALID = 1, 2
FIELD_ACTIVE, FIELD_DEPRECATED = 1, 2
KMC_TYPES = frozenset({"textType", "listType", "dateType", "intType", "objectType",
                       "userType", "metadataObjectType"})
WHOLE_VALUE_TYPES = frozenset({"listType", "objectType", "userType", "metadataObjectType"})
"""Field types matched as a whole value; other types match a phrase of words."""
_NUMERIC_XS = frozenset({"int", "integer", "long", "short", "byte", "decimal", "double",
                         "float", "nonNegativeInteger", "positiveInteger", "unsignedInt",
                         "unsignedLong", "unsignedShort", "negativeInteger",
                         "nonPositiveInteger"})
_EXTERNAL = ("include", "import", "redefine", "override")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

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


# --- XML and XSD ---------------------------------------------------------------------------


def parse_xml(text: str, limit: int, error: ErrorDef) -> etree._Element:
    """Parse untrusted XML safely; problems raise ``error`` with a readable reason."""
    if len(text) > limit:
        raise error(f"larger than {limit} characters")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, dtd_validation=False)
    try:
        root = etree.fromstring(_XML_DECLARATION.sub("", text, count=1), parser)
    except etree.XMLSyntaxError as exc:
        raise error(f"not well-formed XML: {exc}") from None
    if root is None:
        raise error("no XML document")
    if root.getroottree().docinfo.doctype:
        raise error("a DOCTYPE is not allowed")
    return root


def compile_schema(xsd: str) -> tuple[etree.XMLSchema, etree._Element]:
    """The compiled schema and its parsed document; ``INVALID_METADATA_PROFILE_SCHEMA``."""
    bad = E.INVALID_METADATA_PROFILE_SCHEMA
    doc = parse_xml(xsd, MAX_XSD_CHARS, bad)
    if doc.tag != f"{{{XS}}}schema":
        raise bad("the root element must be xs:schema")
    for node in doc.iter(*(f"{{{XS}}}{name}" for name in _EXTERNAL)):
        if node.get("schemaLocation") is not None or etree.QName(node).localname != "import":
            raise bad(f"xs:{etree.QName(node).localname} of other schema documents "
                      "is not allowed")
    try:
        schema = etree.XMLSchema(doc)
    except etree.XMLSchemaParseError as exc:
        raise bad(_messages(exc.error_log) or str(exc)) from None
    if _root_element(doc) is None:
        raise bad("no global xs:element to be the document's root")
    return schema, doc


def validate_xml(schema: etree.XMLSchema, xml: str) -> etree._Element:
    """The parsed XML, valid against ``schema``; else ``INVALID_METADATA_DATA``."""
    root = parse_xml(xml, MAX_XML_CHARS, E.INVALID_METADATA_DATA)
    try:
        ok = schema.validate(root)
    except etree.XMLSchemaValidateError:
        raise E.INVALID_METADATA_DATA("the schema validator gave up (too complex)") from None
    if not ok:
        raise E.INVALID_METADATA_DATA(_messages(schema.error_log))
    return root


def _messages(log: Any) -> str:
    entries = list(log)[:MAX_MESSAGES]
    return "; ".join(f"line {e.line}: {e.message}" for e in entries)


@dataclass(frozen=True)
class FieldDef:
    """A searchable leaf element: its path below the root, xPath, key, label and type."""

    path: str
    xpath: str
    key: str
    label: str
    type: str


def schema_fields(doc: etree._Element) -> list[FieldDef]:
    """The searchable fields of a compiled XSD document, in document order."""
    root = _root_element(doc)
    if root is None:
        return []
    found: list[FieldDef] = []
    _walk(doc, root, [root.get("name", "")], found, 0)
    if len(found) > MAX_FIELDS:
        raise E.INVALID_METADATA_PROFILE_SCHEMA(f"more than {MAX_FIELDS} searchable fields")
    return found


def _root_element(doc: etree._Element) -> etree._Element | None:
    return next((el for el in doc.iterchildren(f"{{{XS}}}element") if el.get("name")), None)


def _global(doc: etree._Element, kind: str, qname: str | None) -> etree._Element | None:
    if not qname:
        return None
    name = qname.rpartition(":")[2]
    return next((el for el in doc.iterchildren(f"{{{XS}}}{kind}") if el.get("name") == name),
                None)


def _walk(doc: etree._Element, element: etree._Element, path: list[str],
          found: list[FieldDef], depth: int) -> None:
    if depth > MAX_NESTING or len(found) > MAX_FIELDS:
        return
    complex_type = element.find(f"{{{XS}}}complexType")
    if complex_type is None:
        complex_type = _global(doc, "complexType", element.get("type"))
    children = list(_child_elements(doc, complex_type, 0)) if complex_type is not None else []
    if not children and depth > 0:
        leaf = _field_def(doc, element, path)
        if leaf is not None:
            found.append(leaf)
    for child in children:
        target = _global(doc, "element", child.get("ref")) if child.get("ref") else child
        if target is not None and target.get("name") and target.get("name") not in path:
            _walk(doc, target, [*path, target.get("name", "")], found, depth + 1)


def _child_elements(doc: etree._Element, node: etree._Element,
                    depth: int) -> Iterator[etree._Element]:
    for child in node.iterchildren(f"{{{XS}}}*"):
        local = etree.QName(child).localname
        if local == "element":
            yield child
        elif local == "group" and child.get("ref") and depth < MAX_NESTING:
            group = _global(doc, "group", child.get("ref"))
            if group is not None:
                yield from _child_elements(doc, group, depth + 1)
        elif local not in ("annotation", "attribute", "attributeGroup") and depth < MAX_NESTING:
            yield from _child_elements(doc, child, depth + 1)


def _field_def(doc: etree._Element, element: etree._Element,
               path: list[str]) -> FieldDef | None:
    info = {etree.QName(c).localname: (c.text or "").strip()
            for c in element.iterfind(f"{{{XS}}}annotation/{{{XS}}}appinfo/*")
            if isinstance(c.tag, str)}
    if info.get("searchable", "true").lower() != "true":
        return None
    name = path[-1]
    xpath = "".join(f"/*[local-name()='{step}']" for step in path)
    return FieldDef("/".join(path[1:]), xpath, info.get("key") or name,
                    info.get("label") or name, _field_type(doc, element))


def _field_type(doc: etree._Element, element: etree._Element) -> str:
    declared = (element.get("type") or "").rpartition(":")[2]
    if declared in KMC_TYPES:
        return declared
    if declared in _NUMERIC_XS:
        return "intType"
    simple = element.find(f"{{{XS}}}simpleType")
    if simple is None:
        simple = _global(doc, "simpleType", element.get("type"))
    if simple is not None:
        if simple.find(f".//{{{XS}}}enumeration") is not None:
            return "listType"
        restriction = simple.find(f"{{{XS}}}restriction")
        base = (restriction.get("base") or "") if restriction is not None else ""
        if base.rpartition(":")[2] in _NUMERIC_XS:
            return "intType"
    return "textType"


def field_values(root: etree._Element, fields: dict[str, str]) -> list[tuple[str, str]]:
    """``(path, text)`` of every non-empty leaf value of a searchable field (``fields``:
    path → type), in document order, at most :data:`MAX_VALUES`."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[etree._Element, str]] = [(root, "")]
    while stack and len(out) < MAX_VALUES:
        node, path = stack.pop()
        children = [c for c in node if isinstance(c.tag, str)]
        if path in fields and not children and (node.text or "").strip():
            out.append((path, node.text.strip()))
        for child in reversed(children):
            local = etree.QName(child).localname
            stack.append((child, f"{path}/{local}" if path else local))
    return out


# --- profiles ------------------------------------------------------------------------------


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


def active_fields(session: Session, profile_id: int) -> list[MetadataProfileFieldRow]:
    """The profile's searchable fields, by id."""
    return list(session.scalars(select(MetadataProfileFieldRow).where(
        MetadataProfileFieldRow.metadata_profile_id == profile_id,
        MetadataProfileFieldRow.status == FIELD_ACTIVE).order_by(MetadataProfileFieldRow.id)))


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
            _clear_values(session, row)
        else:
            row.status, row.metadata_profile_version = VALID, profile.version
            _index_values(session, row, root, fields)
        _reindex_object(session, row)


def delete_profile(session: Session, profile: MetadataProfileRow) -> None:
    """Deprecate a profile and delete its fields, metadata and index rows."""
    profile.status = PROFILE_DEPRECATED
    rows = list(session.scalars(select(MetadataRow).where(
        MetadataRow.metadata_profile_id == profile.id)))
    for row in rows:
        delete_metadata(session, row)
    session.execute(delete(MetadataProfileFieldRow).where(
        MetadataProfileFieldRow.metadata_profile_id == profile.id))


# --- metadata ------------------------------------------------------------------------------


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
    _index_values(session, row, root, _field_types(session, profile_id))
    _reindex_object(session, row)
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
    _index_values(session, row, root, _field_types(session, row.metadata_profile_id))
    _reindex_object(session, row)
    return row


def delete_metadata(session: Session, row: MetadataRow) -> None:
    """Remove a metadata row and its index rows."""
    _clear_values(session, row)
    session.delete(row)
    session.flush()
    _reindex_object(session, row)


@entries.on_entry_deleted
def _delete_entry_metadata(session: Session, entry: EntryRow) -> None:
    delete_object_metadata(session, "1", entry.id)


def delete_object_metadata(session: Session, object_type: str, object_id: str) -> None:
    """Remove every metadata of one object (call when the object is deleted)."""
    for row in list(session.scalars(select(MetadataRow).where(
            MetadataRow.object_type == object_type, MetadataRow.object_id == object_id))):
        delete_metadata(session, row)


def _field_types(session: Session, profile_id: int) -> dict[str, str]:
    return {f.path: f.type for f in active_fields(session, profile_id)}


def _clear_values(session: Session, row: MetadataRow) -> None:
    session.execute(delete(MetadataFieldValueRow).where(
        MetadataFieldValueRow.partner_id == row.partner_id,
        MetadataFieldValueRow.metadata_id == row.id))


def _index_values(session: Session, row: MetadataRow, root: etree._Element,
                  fields: dict[str, str]) -> None:
    _clear_values(session, row)
    values = [dict(partner_id=row.partner_id, metadata_id=row.id,
                   metadata_profile_id=row.metadata_profile_id, object_type=row.object_type,
                   object_id=row.object_id, path=path[:512], kind=fields[path],
                   folded=text.casefold()[:FOLDED_LENGTH],
                   words=" " + " ".join(tokens(text)[:MAX_WORDS]) + " ",
                   number=as_number(text)) for path, text in field_values(root, fields)]
    if values:
        session.execute(insert(MetadataFieldValueRow), values)


def as_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _reindex_object(session: Session, row: MetadataRow) -> None:
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


# Advanced search lives in its own module; importing it registers its handlers.
from vpaas.domain import metadata_search  # noqa: E402, F401
