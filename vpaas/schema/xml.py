"""``api_schema.php``: the registry in the XML format Kaltura's client generators read.

The layout follows Kaltura's ``XmlClientGenerator``: ``<xml apiVersion generatedDate>`` holding
``<enums>``, ``<classes>``, ``<services>``, ``<plugins>``, ``<errors>`` and ``<configurations>``.
Time fields are ``type="int" isTime="1"`` and file-serving actions return ``type="file"``, as
the generators expect.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from vpaas.registry.build import Registry
from vpaas.registry.model import (
    ActionSpec,
    EnumSpec,
    FieldSpec,
    ObjectSpec,
    ParamSpec,
    ServiceSpec,
    TypeRef,
)

KALTURA_API_VERSION = "23.10.0"
"""The Kaltura API version whose clients this server answers."""

CLIENT_BASE = "KalturaObjectBase"
"""Clients define this root class themselves; its fields are published on its children."""

_SCALAR_TYPES = {"string": "string", "int": "int", "float": "float", "bool": "bool",
                 "time": "int", "file": "file", "serve": "file"}


def api_schema_xml(registry: Registry, *, api_version: str = KALTURA_API_VERSION,
                   generated: int | None = None) -> str:
    """The whole schema as an XML document (UTF-8, with declaration)."""
    root = etree.Element("xml", apiVersion=api_version,
                         generatedDate=str(int(time.time()) if generated is None else generated))
    etree.SubElement(root, "enums").extend(
        _enum(spec, registry) for spec in sorted(registry.enums.values(), key=lambda e: e.name))
    etree.SubElement(root, "classes").extend(
        _class(spec, registry) for spec in published_classes(registry))
    etree.SubElement(root, "services").extend(
        _service(spec, registry) for spec in registry.services.values())
    etree.SubElement(root, "plugins").extend(_plugins(registry))
    etree.SubElement(root, "errors").extend(_errors(registry))
    root.append(_configurations(registry))
    body: str = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def published_classes(registry: Registry) -> list[ObjectSpec]:
    """Objects as classes, every base before its subclasses, otherwise by name."""
    ordered: list[ObjectSpec] = []
    seen: set[str] = {CLIENT_BASE}

    def visit(spec: ObjectSpec) -> None:
        if spec.name in seen:
            return
        seen.add(spec.name)
        parent = registry.objects.get(spec.base) if spec.base else None
        if parent is not None:
            visit(parent)
        ordered.append(spec)

    for spec in sorted(registry.objects.values(), key=lambda o: o.name):
        visit(spec)
    return ordered


def _text(value: str) -> str:
    """Attribute text: trimmed, without characters XML cannot carry."""
    cleaned = "".join(c for c in value.replace("\r", "") if c in "\n\t" or ord(c) >= 0x20)
    return cleaned.strip()


def _enum(spec: EnumSpec, registry: Registry) -> etree._Element:
    el = etree.Element("enum", name=spec.name, enumType=spec.kind)
    plugin = getattr(spec.cls, "__api_plugin__", None)
    if plugin:
        el.set("plugin", plugin)
    for name, value in spec.values:
        etree.SubElement(el, "const", name=name, value=str(value))
    return el


def _class(spec: ObjectSpec, registry: Registry) -> etree._Element:
    el = etree.Element("class", name=spec.name)
    if spec.base and spec.base != CLIENT_BASE:
        el.set("base", spec.base)
    if spec.abstract:
        el.set("abstract", "1")
    if spec.plugin:
        el.set("plugin", spec.plugin)
    el.set("description", _text(spec.doc))
    fields: Iterable[FieldSpec] = spec.fields
    if spec.base == CLIENT_BASE:
        fields = [*registry.all_fields(CLIENT_BASE), *spec.fields]
    el.extend(_property(f, registry) for f in fields)
    return el


def _property(f: FieldSpec, registry: Registry) -> etree._Element:
    el = etree.Element("property", name=f.name)
    _set_type(el, f.type, registry)
    el.set("readOnly", "1" if f.readonly else "0")
    el.set("insertOnly", "1" if f.insert_only else "0")
    el.set("writeOnly", "1" if f.write_only else "0")
    el.set("description", _text(f.doc))
    if f.filters:
        el.set("filters", ",".join(f.filters))
    return el


def _set_type(el: etree._Element, ref: TypeRef, registry: Registry) -> None:
    """Write ``type`` plus ``arrayType``/``enumType``/``isTime`` the way the generators read it."""
    if ref.kind in ("array", "map"):
        el.set("type", ref.kind)
        item = ref.item or TypeRef("string")
        el.set("arrayType", item.name or _SCALAR_TYPES.get(item.kind, item.kind))
    elif ref.kind == "enum":
        el.set("type", registry.enums[ref.name].kind)
        el.set("enumType", ref.name)
    elif ref.kind == "object":
        el.set("type", ref.name)
    elif ref.kind != "void":
        el.set("type", _SCALAR_TYPES[ref.kind])
        if ref.kind == "time":
            el.set("isTime", "1")


def _service(spec: ServiceSpec, registry: Registry) -> etree._Element:
    el = etree.Element("service", id=spec.id, name=spec.name, description=_text(spec.doc))
    if spec.plugin:
        el.set("plugin", spec.plugin)
    el.extend(_action(action, registry) for action in spec.actions.values())
    return el


def _action(spec: ActionSpec, registry: Registry) -> etree._Element:
    el = etree.Element("action", name=spec.name)
    el.extend(_param(p, registry) for p in spec.params)
    result = etree.SubElement(el, "result")
    _set_type(result, spec.returns, registry)
    el.set("description", _text(spec.doc))
    el.set("enableInMultiRequest", "0" if spec.returns.kind == "serve" else "1")
    if spec.errors:
        el.set("errors", ",".join(spec.errors))
    el.set("ksRule", str(spec.ks))
    return el


def _param(spec: ParamSpec, registry: Registry) -> etree._Element:
    el = etree.Element("param", name=spec.name)
    _set_type(el, spec.type, registry)
    el.set("optional", "1" if spec.optional else "0")
    if spec.optional:
        el.set("default", default_text(spec))
    el.set("description", _text(spec.doc))
    return el


def default_text(spec: ParamSpec) -> str:
    """An optional parameter's default as Kaltura writes it: ``null``, ``true``, ``5``, ``a``."""
    value: Any = spec.default
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or spec.type.kind in ("object", "array", "map", "file"):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plugins(registry: Registry) -> Iterator[etree._Element]:
    names = sorted({s.plugin for s in registry.services.values() if s.plugin}
                   | {o.plugin for o in registry.objects.values() if o.plugin})
    for name in names:
        el = etree.Element("plugin", name=name)
        for svc in registry.services.values():
            if svc.plugin == name:
                etree.SubElement(el, "pluginService", name=svc.name)
        yield el


def _errors(registry: Registry) -> Iterator[etree._Element]:
    for code, definition in registry.errors.items():
        el = etree.Element("error", name=code, code=code, message=definition.template)
        if definition.doc:
            el.set("description", _text(definition.doc))
        for arg in definition.arg_names:
            etree.SubElement(el, "parameter", name=arg)
        yield el


_REQUEST_CONFIG: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("partnerId", "int", "Impersonated partner id", {}),
    ("ks", "string", "Kaltura API session", {"alias": "sessionId"}),
    ("responseProfile", "KalturaBaseResponseProfile",
     "Response profile - this attribute will be automatically unset after every API call",
     {"volatile": "1"}),
)


def _configurations(registry: Registry) -> etree._Element:
    """Client-wide and per-request settings the generated clients expose."""
    el = etree.Element("configurations")
    client = etree.SubElement(el, "client", type="KalturaClientConfiguration")
    etree.SubElement(client, "clientTag", type="string", description="Client tag")
    etree.SubElement(client, "apiVersion", type="string", description="API Version")
    request = etree.SubElement(el, "request", type="KalturaRequestConfiguration")
    for name, type_name, doc, extra in _REQUEST_CONFIG:
        if type_name.startswith("Kaltura") and type_name not in registry.objects:
            continue  # generators reject configuration types the schema does not define
        etree.SubElement(request, name, type=type_name, **extra, description=doc)
    return el
