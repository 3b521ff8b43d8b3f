"""api_schema.php: Kaltura's client-generator XML, generated from the registry."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from typing import Any

import pytest
from lxml import etree
from starlette.testclient import TestClient

from vpaas.app import create_app
from vpaas.registry.build import Registry
from vpaas.registry.model import ParamSpec, TypeRef
from vpaas.schema.xml import CLIENT_BASE, api_schema_xml, default_text
from vpaas.settings import Settings


def parse(registry: Registry) -> Any:
    return etree.fromstring(api_schema_xml(registry, generated=1700000000).encode("utf-8"))


@pytest.fixture(scope="module")
def doc(registry: Registry) -> Any:
    return parse(registry)


@pytest.fixture
def gizmo_doc(gizmo_registry: Registry) -> Any:
    return parse(gizmo_registry)


def one(doc: Any, xpath: str) -> Any:
    found = doc.xpath(xpath)
    assert len(found) == 1, f"{xpath}: {len(found)} matches"
    return found[0]


def test_root_and_sections_are_kaltura_shaped(doc: Any) -> None:
    assert doc.tag == "xml"
    assert doc.get("apiVersion") and doc.get("generatedDate") == "1700000000"
    assert [child.tag for child in doc] == [
        "enums", "classes", "services", "plugins", "errors", "configurations"]


def test_declaration_and_default_generated_date() -> None:
    text = api_schema_xml(Registry({}, {}, {}, {}))
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert int(etree.fromstring(text.encode()).get("generatedDate")) > 1700000000


def test_every_enum_with_its_constants(registry: Registry, doc: Any) -> None:
    for spec in registry.enums.values():
        el = one(doc, f"/xml/enums/enum[@name='{spec.name}']")
        assert el.get("enumType") == spec.kind
        assert [(c.get("name"), c.get("value")) for c in el] == [
            (name, str(value)) for name, value in spec.values]


def test_every_object_is_a_class_with_its_base(registry: Registry, doc: Any) -> None:
    names = [el.get("name") for el in doc.xpath("/xml/classes/class")]
    assert sorted(names) == sorted(n for n in registry.objects if n != CLIENT_BASE)
    for spec in registry.objects.values():
        if spec.name == CLIENT_BASE:
            continue
        el = one(doc, f"/xml/classes/class[@name='{spec.name}']")
        expected_base = None if spec.base == CLIENT_BASE else spec.base
        assert el.get("base") == expected_base
        assert el.get("abstract") == ("1" if spec.abstract else None)
        assert el.get("description") == spec.doc.strip()
        if expected_base:
            assert names.index(expected_base) < names.index(spec.name), "base comes first"


def test_properties_carry_types_and_flags(registry: Registry, doc: Any) -> None:
    """Own fields, plus the client base's fields on its direct children."""
    for spec in registry.objects.values():
        if spec.name == CLIENT_BASE:
            continue
        fields = list(spec.fields)
        if spec.base == CLIENT_BASE:
            fields = registry.all_fields(CLIENT_BASE) + fields
        props = doc.xpath(f"/xml/classes/class[@name='{spec.name}']/property")
        assert [p.get("name") for p in props] == [f.name for f in fields]
        for f, p in zip(fields, props, strict=True):
            assert p.get("readOnly") == ("1" if f.readonly else "0")
            assert p.get("insertOnly") == ("1" if f.insert_only else "0")
            assert p.get("writeOnly") == ("1" if f.write_only else "0")
            assert p.get("type")


def test_every_service_action_and_param(registry: Registry, doc: Any) -> None:
    assert [s.get("id") for s in doc.xpath("/xml/services/service")] == list(registry.services)
    for svc in registry.services.values():
        el = one(doc, f"/xml/services/service[@id='{svc.id}']")
        assert el.get("name") == svc.name and el.get("description") == svc.doc
        assert [a.get("name") for a in el] == [a.name for a in svc.actions.values()]
        for action in svc.actions.values():
            a = one(el, f"action[@name='{action.name}']")
            assert a.get("description") == action.doc
            params = a.xpath("param")
            assert [p.get("name") for p in params] == [p.name for p in action.params]
            for spec, p in zip(action.params, params, strict=True):
                assert p.get("optional") == ("1" if spec.optional else "0")
                assert (p.get("default") is not None) == spec.optional
            assert len(a.xpath("result")) == 1


def test_real_session_start_shape(doc: Any) -> None:
    start = one(doc, "/xml/services/service[@id='session']/action[@name='start']")
    secret = one(start, "param[@name='secret']")
    assert (secret.get("type"), secret.get("optional")) == ("string", "0")
    kind = one(start, "param[@name='type']")
    assert (kind.get("type"), kind.get("enumType"), kind.get("default")) == (
        "int", "KalturaSessionType", "0")
    assert one(start, "result").get("type") == "string"
    assert start.get("enableInMultiRequest") == "1"


def test_every_error_with_its_parameters(registry: Registry, doc: Any) -> None:
    assert [e.get("name") for e in doc.xpath("/xml/errors/error")] == list(registry.errors)
    for code, definition in registry.errors.items():
        el = one(doc, f"/xml/errors/error[@name='{code}']")
        assert el.get("code") == code and el.get("message") == definition.template
        assert [p.get("name") for p in el] == list(definition.arg_names)


def test_configurations_for_generated_clients(doc: Any) -> None:
    client = one(doc, "/xml/configurations/client")
    assert client.get("type") == "KalturaClientConfiguration"
    assert {c.tag for c in client} == {"clientTag", "apiVersion"}
    request = one(doc, "/xml/configurations/request")
    assert one(request, "ks").get("alias") == "sessionId"
    assert one(request, "partnerId").get("type") == "int"


def test_new_declarations_appear_with_nothing_more(gizmo_doc: Any) -> None:
    svc = one(gizmo_doc, "/xml/services/service[@id='gadget_gizmo']")
    assert (svc.get("name"), svc.get("plugin")) == ("gizmo", "gadget")
    plugin = one(gizmo_doc, "/xml/plugins/plugin[@name='gadget']")
    assert [p.get("name") for p in plugin] == ["gizmo"]
    assert [a.get("name") for a in svc] == ["add", "upload", "serve", "list", "forget"]
    add = one(svc, "action[@name='add']")
    assert one(add, "param[@name='gizmo']").get("type") == "KalturaGizmo"
    assert [(p.get("name"), p.get("default")) for p in add.xpath("param[@optional='1']")] == [
        ("copies", "1"), ("loud", "false")]
    assert one(add, "param[@name='copies']").get("description") == "How many"
    assert add.get("errors") == "GIZMO_JAMMED" and add.get("ksRule") == "user"
    error = one(gizmo_doc, "/xml/errors/error[@name='GIZMO_JAMMED']")
    assert [p.get("name") for p in error] == ["GIZMO_ID"]
    assert error.get("description") == "The gizmo cannot move."


def test_new_files_maps_and_void(gizmo_doc: Any) -> None:
    svc = one(gizmo_doc, "/xml/services/service[@id='gadget_gizmo']")
    assert one(svc, "action[@name='upload']/param[@name='fileData']").get("type") == "file"
    serve = one(svc, "action[@name='serve']")
    assert one(serve, "result").get("type") == "file"
    assert serve.get("enableInMultiRequest") == "0"
    shape = one(serve, "param[@name='shape']")
    assert (shape.get("type"), shape.get("enumType"), shape.get("default")) == (
        "string", "KalturaGizmoShape", "sq")
    listed = one(svc, "action[@name='list']")
    ids = one(listed, "param[@name='ids']")
    assert (ids.get("type"), ids.get("arrayType"), ids.get("default")) == (
        "array", "KalturaGizmo", "null")
    result = one(listed, "result")
    assert (result.get("type"), result.get("arrayType")) == ("map", "KalturaSuperGizmo")
    forget = one(svc, "action[@name='forget']")
    assert one(forget, "result").get("type") is None
    since = one(forget, "param[@name='since']")
    assert (since.get("type"), since.get("isTime")) == ("int", "1")


def test_new_classes_and_string_enum(gizmo_doc: Any) -> None:
    gizmo = one(gizmo_doc, "/xml/classes/class[@name='KalturaGizmo']")
    assert gizmo.get("base") is None and gizmo.get("description") == "A throwaway object."
    assert one(gizmo, "property[@name='relatedObjects']").get("type") == "map"
    shape = one(gizmo, "property[@name='shape']")
    assert (shape.get("type"), shape.get("enumType"), shape.get("insertOnly")) == (
        "string", "KalturaGizmoShape", "1")
    assert one(gizmo, "property[@name='secretCode']").get("writeOnly") == "1"
    assert one(gizmo, "property[@name='createdAt']").get("isTime") == "1"
    sub = one(gizmo_doc, "/xml/classes/class[@name='KalturaSuperGizmo']")
    assert sub.get("base") == "KalturaGizmo"
    assert [p.get("name") for p in sub] == ["power"]
    enum = one(gizmo_doc, "/xml/enums/enum[@name='KalturaGizmoShape']")
    assert enum.get("enumType") == "string"
    assert [c.get("value") for c in enum] == ["round", "sq"]


@pytest.mark.parametrize(("kind", "default", "text"), [
    ("int", None, "null"), ("bool", True, "true"), ("bool", False, "false"),
    ("float", 2.0, "2"), ("float", 0.5, "0.5"), ("string", "", ""),
    ("object", None, "null"), ("array", None, "null"),
])
def test_default_text(kind: str, default: Any, text: str) -> None:
    assert default_text(ParamSpec("p", TypeRef(kind), optional=True, default=default)) == text


def test_description_drops_control_characters(gizmo_registry: Registry) -> None:
    spec = gizmo_registry.services["gadget_gizmo"]
    odd = type(spec)(spec.id, spec.name, " Bell \x07 and\r\nnewline ", spec.plugin, {})
    registry = Registry({spec.id: odd}, {}, {}, {})
    el = one(parse(registry), "/xml/services/service")
    assert el.get("description") == "Bell  and\nnewline"


def test_served_over_http(settings: Settings, registry: Registry) -> None:
    with TestClient(create_app(settings)) as client:
        resp = client.get("/api_v3/api_schema.php")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/xml")
    served = etree.fromstring(resp.content)
    assert [s.get("id") for s in served.xpath("/xml/services/service")] == list(
        registry.services)


def _client_module(plugin: str | None) -> Any:
    name = "Core" if plugin is None else plugin[:1].upper() + plugin[1:]
    try:
        return importlib.import_module(f"KalturaClient.Plugins.{name}")
    except ImportError:
        return None


def _client_action(service: Any, plugin: str | None, action: str) -> Any:
    module = _client_module(plugin)
    name = service.get("name")
    cls = getattr(module, f"Kaltura{name[:1].upper()}{name[1:]}Service", None)
    return getattr(cls, action, None) or getattr(cls, action + "Action", None)


def test_schema_agrees_with_the_official_python_client(doc: Any) -> None:
    """Where the official client (KalturaApiClient) knows a call, the schema must not break
    it: every published parameter exists there, mandatory ones are mandatory there, and an
    object result is the type the client expects (or one it does not know, which it accepts)."""
    problems = []
    for svc in doc.xpath("/xml/services/service"):
        for action in svc.xpath("action"):
            method = _client_action(svc, svc.get("plugin"), action.get("name"))
            if method is None:
                continue
            where = f"{svc.get('id')}.{action.get('name')}"
            signature = inspect.signature(method).parameters.values()
            theirs = {p.name: p.default is p.empty for p in signature if p.name != "self"}
            for param in action.xpath("param"):
                name, mandatory = param.get("name"), param.get("optional") == "0"
                if name not in theirs:
                    problems.append(f"{where}: the client has no parameter {name}")
                elif mandatory and not theirs[name]:
                    problems.append(f"{where}: {name} is optional in the client")
            problems += _result_problems(where, method, one(action, "result").get("type"))
    assert not problems, "\n".join(problems)


def _result_problems(where: str, method: Any, ours: str | None) -> list[str]:
    module = sys.modules[method.__module__]
    expected = re.search(r"KalturaObjectFactory\.create\(resultNode, '(\w+)'\)",
                         inspect.getsource(method))
    if expected is None:
        return []
    theirs = getattr(module, expected.group(1))
    mine = getattr(module, ours or "", None)
    if mine is None and not (ours or "").startswith("Kaltura"):
        return [f"{where}: returns {ours}, the client expects {theirs.__name__}"]
    if mine is not None and not issubclass(mine, theirs):
        return [f"{where}: returns {ours}, the client expects {theirs.__name__}"]
    return []


def test_enums_agree_with_the_official_python_client(doc: Any) -> None:
    core = _client_module(None)
    problems = []
    for enum in doc.xpath("/xml/enums/enum"):
        theirs = getattr(_client_module(enum.get("plugin")) or core, enum.get("name"), None)
        for const in enum if theirs is not None else ():
            value = getattr(theirs, const.get("name"), None)
            if value is not None and str(value) != const.get("value"):
                problems.append(f"{enum.get('name')}.{const.get('name')}: {const.get('value')}"
                                f" here, {value} in the client")
    assert not problems, "\n".join(problems)
