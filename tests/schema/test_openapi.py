"""openapi.json: an OpenAPI 3.1 document generated from the registry, checked by a validator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from starlette.testclient import TestClient

from vpaas.app import create_app
from vpaas.domain.partners import create_partner
from vpaas.registry.build import Registry
from vpaas.registry.model import EnumSpec
from vpaas.schema.openapi import EXCEPTION, FAMILY_SUFFIX, enum_schema, openapi_document
from vpaas.settings import Settings

BASE = "http://media.example:8080/"


@pytest.fixture(scope="module")
def doc(registry: Registry) -> dict[str, Any]:
    return openapi_document(registry, BASE)


@pytest.fixture
def gizmo_doc(gizmo_registry: Registry) -> dict[str, Any]:
    return openapi_document(gizmo_registry, BASE)


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def response_schema(doc: dict[str, Any], service: str, action: str) -> dict[str, Any]:
    op = doc["paths"][f"/service/{service}/action/{action}"]["post"]
    return op["responses"]["200"]["content"]["application/json"]["schema"]


def conforms(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> bool:
    """Validate a value against a schema whose $refs point into the document's components."""
    root = {**schema, "components": doc["components"]}
    return jsonschema.Draft202012Validator(root).is_valid(value)


def test_validates_as_openapi_31(gizmo_doc: dict[str, Any]) -> None:
    """The gizmo registry holds every real declaration too, so one validation covers both."""
    assert gizmo_doc["openapi"] == "3.1.0"
    validate(gizmo_doc, cls=OpenAPIV31SpecValidator)
    assert gizmo_doc["servers"] == [{"url": "http://media.example:8080/api_v3"}]


def test_every_reference_resolves(gizmo_doc: dict[str, Any]) -> None:
    schemas = gizmo_doc["components"]["schemas"]
    found = set(refs(gizmo_doc))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_every_action_is_an_operation(registry: Registry, doc: dict[str, Any]) -> None:
    ids = []
    for svc in registry.services.values():
        for action in svc.actions.values():
            item = doc["paths"][f"/service/{svc.id}/action/{action.name}"]
            post = item["post"]
            assert post["tags"] == [svc.id]
            assert post["summary"] in action.doc
            has_file = any(p.type.kind == "file" for p in action.params)
            media = "multipart/form-data" if has_file else "application/json"
            assert list(post["requestBody"]["content"]) == [media]
            body = post["requestBody"]["content"][media]["schema"]
            assert {p.name for p in action.params} <= set(body["properties"])
            assert {"ks", "format", "partnerId", "clientTag"} <= set(body["properties"])
            required = [p.name for p in action.params if not p.optional]
            assert body.get("required", []) == required
            ids += [op["operationId"] for op in item.values()]
    assert len(ids) == len(set(ids))
    assert {t["name"] for t in doc["tags"]} == set(registry.services)


def test_every_object_enum_and_error_is_published(registry: Registry,
                                                  doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    for name, spec in registry.objects.items():
        schema = schemas[name]
        fields = registry.all_fields(name)
        assert set(schema["properties"]) == {f.name for f in fields} | {"objectType"}
        assert schema["properties"]["objectType"]["const"] == name
        for f in fields:
            prop = schema["properties"][f.name]
            assert prop.get("readOnly", False) == f.readonly
            assert prop.get("x-insertOnly", False) == f.insert_only
        assert schema.get("x-kaltura-abstract", False) == spec.abstract
    for name, enum in registry.enums.items():
        assert schemas[name]["x-enum-varnames"] == [n for n, _ in enum.values]
        if enum.kind == "int":
            assert schemas[name]["type"] == "integer"
            assert schemas[name]["enum"] == [v for _, v in enum.values]
    assert schemas[EXCEPTION]["properties"]["code"]["enum"] == list(registry.errors)


def test_ks_rules_become_security(doc: dict[str, Any]) -> None:
    assert doc["components"]["securitySchemes"]["ks"] == {
        "type": "apiKey", "in": "query", "name": "ks",
        "description": doc["components"]["securitySchemes"]["ks"]["description"]}
    assert doc["paths"]["/service/session/action/start"]["post"]["security"] == []
    assert doc["paths"]["/service/session/action/get"]["post"]["security"] == [{"ks": []}]


def test_new_declarations_appear_with_nothing_more(gizmo_doc: dict[str, Any]) -> None:
    paths = gizmo_doc["paths"]
    names = {p for p in paths if p.startswith("/service/gadget_gizmo/")}
    assert names == {f"/service/gadget_gizmo/action/{a}"
                     for a in ("add", "upload", "serve", "list", "forget")}
    add = paths["/service/gadget_gizmo/action/add"]["post"]
    assert add["x-kaltura-errors"] == ["GIZMO_JAMMED"]
    body = add["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["gizmo"]
    assert body["properties"]["gizmo"]["$ref"] == "#/components/schemas/KalturaGizmo.any"
    assert body["properties"]["gizmo"]["x-kaltura-validate"] == "insert"
    assert body["properties"]["copies"]["default"] == 1
    assert "GIZMO_JAMMED" in gizmo_doc["components"]["schemas"][EXCEPTION]["properties"][
        "code"]["enum"]
    assert paths["/service/gadget_gizmo/action/list"]["post"]["security"] == [{}, {"ks": []}]


def test_subclasses_get_a_discriminated_family(gizmo_doc: dict[str, Any]) -> None:
    schemas = gizmo_doc["components"]["schemas"]
    family = schemas["KalturaGizmo" + FAMILY_SUFFIX]
    members = ["KalturaGizmo", "KalturaSuperGizmo"]
    assert family["oneOf"] == [{"$ref": f"#/components/schemas/{m}"} for m in members]
    assert family["discriminator"] == {
        "propertyName": "objectType",
        "mapping": {m: f"#/components/schemas/{m}" for m in members}}
    assert "KalturaSuperGizmo" + FAMILY_SUFFIX not in schemas
    sub = schemas["KalturaSuperGizmo"]["properties"]
    assert {"id", "shape", "createdAt", "power", "relatedObjects"} <= set(sub)
    result = response_schema(gizmo_doc, "gadget_gizmo", "add")
    good = {"objectType": "KalturaSuperGizmo", "id": "1_a", "power": 2.5}
    assert conforms(gizmo_doc, result, good)
    assert not conforms(gizmo_doc, result, {**good, "objectType": "KalturaPartner"})
    assert not conforms(gizmo_doc, result, {**good, "power": "strong"})


def test_enums_follow_their_kind(gizmo_doc: dict[str, Any]) -> None:
    shape = gizmo_doc["components"]["schemas"]["KalturaGizmoShape"]
    assert (shape["type"], shape["enum"]) == ("string", ["round", "sq"])
    gizmo = gizmo_doc["components"]["schemas"]["KalturaGizmo"]["properties"]
    assert gizmo["shape"]["x-insertOnly"] is True
    assert gizmo["secretCode"]["writeOnly"] is True
    assert gizmo["createdAt"]["type"] == "integer"


def test_files_maps_and_void(gizmo_doc: dict[str, Any]) -> None:
    paths = gizmo_doc["paths"]
    upload = paths["/service/gadget_gizmo/action/upload"]
    assert "get" not in upload
    form = upload["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["fileData"]["contentMediaType"] == "application/octet-stream"
    serve = paths["/service/gadget_gizmo/action/serve"]
    assert serve["get"]["security"] == [] and "302" in serve["get"]["responses"]
    assert "application/octet-stream" in serve["get"]["responses"]["200"]["content"]
    assert [p["name"] for p in serve["get"]["parameters"]][-2:] == ["gizmoId", "shape"]
    listed = response_schema(gizmo_doc, "gadget_gizmo", "list")
    assert conforms(gizmo_doc, listed, {"a": {"objectType": "KalturaSuperGizmo"}})
    assert not conforms(gizmo_doc, listed, {"a": {"objectType": "KalturaGizmo"}})
    assert "get" not in paths["/service/gadget_gizmo/action/list"]
    forget = response_schema(gizmo_doc, "gadget_gizmo", "forget")
    assert conforms(gizmo_doc, forget, None)
    failure = {"code": "GIZMO_JAMMED", "message": "Gizmo 1 is jammed",
               "objectType": EXCEPTION, "args": {"GIZMO_ID": "1"}}
    assert conforms(gizmo_doc, forget, failure)
    assert conforms(gizmo_doc, forget, {**failure, "args": []})
    assert not conforms(gizmo_doc, forget, {**failure, "code": "NOT_A_CODE"})


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client


def test_served_over_http(client: TestClient, registry: Registry) -> None:
    resp = client.get("/api_v3/openapi.json")
    assert resp.status_code == 200
    served = resp.json()
    assert served["servers"] == [{"url": "http://testserver/api_v3"}]
    assert set(served["components"]["schemas"]) >= set(registry.objects)


def test_live_json_answers_match_the_document(client: TestClient,
                                              doc: dict[str, Any]) -> None:
    """What the server really sends with format=1 conforms to the documented responses."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.db.system_session() as session:
        partner_id = create_partner(session, "schema test").id
        session.commit()
    calls = [
        ("system", "ping", {}),
        ("session", "startWidgetSession", {"widgetId": f"_{partner_id}"}),
        ("session", "startWidgetSession", {"widgetId": "nonsense"}),
        ("session", "get", {}),
    ]
    for service, action, params in calls:
        resp = client.post(f"/api_v3/service/{service}/action/{action}",
                           json={**params, "format": 1})
        answer = resp.json()
        assert conforms(doc, response_schema(doc, service, action), answer), (action, answer)
    assert answer["objectType"] == EXCEPTION


def test_numeric_string_enum_values_are_listed_as_json_sends_them() -> None:
    spec = EnumSpec("KalturaThingType", object, "string",
                    (("CLIP", "1"), ("MIX", "-2"), ("EXTERNAL", "ext.video")), "Kinds")
    schema = enum_schema(spec)
    assert schema["type"] == ["string", "integer"]
    assert schema["enum"] == [1, -2, "ext.video"]
    assert schema["x-enum-varnames"] == ["CLIP", "MIX", "EXTERNAL"]
