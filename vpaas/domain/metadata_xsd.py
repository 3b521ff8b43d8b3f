"""Metadata XML and XSD: safe parsing, schema compilation, validation, searchable fields.

XML and XSD come from clients, so they are parsed by :func:`parse_xml` only: size-capped, no
DTD (so no entity expansion), no network, no external schema documents. A profile's XSD must
compile as an XML Schema; metadata XML must validate against it. lxml's messages are returned
(``INVALID_METADATA_PROFILE_SCHEMA``/``INVALID_METADATA_DATA``), never a stack.

Searchable fields (after Kaltura's ``kXsd::findXpathsByAppInfo``) are the leaf elements below
the XSD's root element whose ``xs:annotation/xs:appinfo/searchable`` is ``true``; vpaas also
treats a leaf without any ``searchable`` flag as searchable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from vpaas.registry import catalogue as E
from vpaas.registry.errors import ErrorDef

MAX_XSD_CHARS = 256 * 1024
MAX_XML_CHARS = 1024 * 1024
MAX_FIELDS = 500
MAX_VALUES = 2000
"""Indexed values per metadata object; values beyond are stored but not searchable."""
MAX_NESTING = 16
MAX_MESSAGES = 3
XS = "http://www.w3.org/2001/XMLSchema"
KMC_TYPES = frozenset({"textType", "listType", "dateType", "intType", "objectType",
                       "userType", "metadataObjectType"})
_NUMERIC_XS = frozenset({"int", "integer", "long", "short", "byte", "decimal", "double",
                         "float", "nonNegativeInteger", "positiveInteger", "unsignedInt",
                         "unsignedLong", "unsignedShort", "negativeInteger",
                         "nonPositiveInteger"})
_EXTERNAL = ("include", "import", "redefine", "override")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


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
