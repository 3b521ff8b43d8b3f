"""``openapi.json``: the registry as an OpenAPI 3.1 document.

One operation per ``service.action`` at ``POST /service/{serviceId}/action/{action}`` (plus
``GET`` for calls that take only scalar parameters or answer with a file). Responses describe the
JSON shape (``format=1``): objects carry ``objectType``; a reference to an object type that has
subclasses points at ``{Name}.any``, a ``oneOf`` of the concrete types with a ``discriminator``
on ``objectType``. Failures are ``KalturaAPIException`` documents, sent with HTTP 200 as Kaltura
does.
"""

from __future__ import annotations

import enum
from typing import Any

from vpaas import __version__
from vpaas.registry.build import Registry
from vpaas.registry.model import ActionSpec, EnumSpec, KsRule, ObjectSpec, ParamSpec, TypeRef

Schema = dict[str, Any]
REF = "#/components/schemas/"
EXCEPTION = "KalturaAPIException"
FAMILY_SUFFIX = ".any"
OPAQUE_FILE: Schema = {"type": "string", "contentMediaType": "application/octet-stream"}
_SCALARS: dict[str, Schema] = {
    "string": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "time": {"type": "integer", "format": "int64", "x-kaltura-type": "time"},
    "file": OPAQUE_FILE,
    "serve": OPAQUE_FILE,
    "void": {"type": "null"},
}
COMMON_PARAMS: dict[str, Schema] = {
    "ks": {"type": "string", "description": "Kaltura Session (may also be sent in the query)"},
    "format": {"type": "integer", "enum": [1, 2, 3, 9], "default": 2,
               "description": "Response format: 1 JSON (the shape documented here), "
                              "2 XML (the default), 9 JSONP"},
    "partnerId": {"type": "integer", "description": "Partner id (for calls without a KS)"},
    "clientTag": {"type": "string", "description": "Free text identifying the client"},
    "apiVersion": {"type": "string", "description": "The client's API version (not checked)"},
}
_KS_RULES = {
    KsRule.NONE: "No KS is read.",
    KsRule.OPTIONAL: "A KS is used when given.",
    KsRule.ANY: "Needs a valid KS; widget sessions are accepted.",
    KsRule.USER: "Needs a USER or ADMIN KS (not a widget session).",
    KsRule.ADMIN: "Needs an ADMIN KS.",
}


def openapi_document(registry: Registry, base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document; ``base_url`` is the server root (``http://host:port/``)."""
    schemas = _Schemas(registry)
    paths: dict[str, Any] = {}
    for svc in registry.services.values():
        for action in svc.actions.values():
            paths[f"/service/{svc.id}/action/{action.name}"] = _path_item(action, schemas)
    if "multirequest" not in registry.services:
        paths["/service/multirequest"] = _multirequest(registry)
    tags = [{"name": s.id, "description": s.doc} for s in registry.services.values()]
    return {
        "openapi": "3.1.0",
        "info": {"title": "vpaas: Kaltura API v3", "version": __version__,
                 "description": "Every service and action the server publishes, generated from "
                                "its registry. The same calls are described for Kaltura's "
                                "client generators at api_schema.php."},
        "servers": [{"url": base_url.rstrip("/") + "/api_v3"}],
        "tags": tags,
        "security": [{"ks": []}],
        "paths": paths,
        "components": {
            "schemas": schemas.components(),
            "securitySchemes": {"ks": {
                "type": "apiKey", "in": "query", "name": "ks",
                "description": "A Kaltura Session from session.start or "
                               "session.startWidgetSession; also accepted in the body"}},
        },
    }


class _Schemas:
    """JSON Schemas of the registry's objects and enums, and references to them."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.descendants: dict[str, list[str]] = {name: [] for name in registry.objects}
        for name in sorted(registry.objects):
            spec = registry.objects[name]
            while spec.base and spec.base in registry.objects:
                self.descendants[spec.base].append(name)
                spec = registry.objects[spec.base]

    def concrete_family(self, name: str) -> list[str]:
        """The instantiable types a value declared as ``name`` can have."""
        members = [name, *self.descendants.get(name, [])]
        return [m for m in members if not self.registry.objects[m].abstract]

    def has_family(self, name: str) -> bool:
        return bool(self.descendants.get(name)) and bool(self.concrete_family(name))

    def of(self, ref: TypeRef) -> Schema:
        """The schema of a value of this type, as sent and received in JSON."""
        if ref.kind == "object":
            suffix = FAMILY_SUFFIX if self.has_family(ref.name) else ""
            return {"$ref": REF + ref.name + suffix}
        if ref.kind == "enum":
            return {"$ref": REF + ref.name}
        if ref.kind == "array":
            return {"type": "array", "items": self.of(ref.item or TypeRef("string"))}
        if ref.kind == "map":
            return {"type": "object",
                    "additionalProperties": self.of(ref.item or TypeRef("string"))}
        return dict(_SCALARS[ref.kind])

    def components(self) -> dict[str, Schema]:
        out: dict[str, Schema] = {}
        for name in sorted(self.registry.objects):
            out[name] = self.object(self.registry.objects[name])
            if self.has_family(name):
                out[name + FAMILY_SUFFIX] = self.family(name)
        for name in sorted(self.registry.enums):
            out[name] = enum_schema(self.registry.enums[name])
        out[EXCEPTION] = self.exception()
        return out

    def object(self, spec: ObjectSpec) -> Schema:
        props: dict[str, Schema] = {}
        for f in self.registry.all_fields(spec.name):
            prop = self.of(f.type)
            if f.doc:
                prop["description"] = f.doc
            if f.readonly:
                prop["readOnly"] = True
            if f.write_only:
                prop["writeOnly"] = True
            if f.insert_only:
                prop["x-insertOnly"] = True
            if f.filters:
                prop["x-filters"] = list(f.filters)
            props[f.name] = prop
        props["objectType"] = {"type": "string", "const": spec.name}
        schema: Schema = {"type": "object", "description": spec.doc, "properties": props,
                          "required": ["objectType"]}
        if spec.base:
            schema["x-kaltura-base"] = spec.base
        if spec.abstract:
            schema["x-kaltura-abstract"] = True
        return schema

    def family(self, name: str) -> Schema:
        members = self.concrete_family(name)
        return {
            "description": f"A {name} or any of its subclasses, told apart by objectType.",
            "oneOf": [{"$ref": REF + m} for m in members],
            "discriminator": {"propertyName": "objectType",
                              "mapping": {m: REF + m for m in members}},
        }

    def exception(self) -> Schema:
        errors = self.registry.errors
        return {
            "type": "object",
            "description": "A failed call (HTTP 200, as Kaltura answers). The code is one of "
                           "the catalogue's; the message fills the template's @ARG@ values.",
            "required": ["code", "message", "objectType"],
            "properties": {
                "code": {"type": "string", "enum": list(errors),
                         "x-enum-descriptions": [e.template for e in errors.values()]},
                "message": {"type": "string"},
                "objectType": {"type": "string", "const": EXCEPTION},
                "args": {"description": "The template's arguments by name ([] when none)",
                         "oneOf": [{"type": "object", "additionalProperties": {"type": "string"}},
                                   {"type": "array", "maxItems": 0}]},
            },
        }


def enum_schema(spec: EnumSpec) -> Schema:
    """Int enums as integer enums, string enums as string enums; a numeric-looking string
    value is listed as the number the JSON responses carry (clients may send either)."""
    names = [name for name, _ in spec.values]
    if spec.kind == "int":
        values: list[Any] = [int(value) for _, value in spec.values]
        kind: Any = "integer"
    else:
        values = [_json_value(str(value)) for _, value in spec.values]
        kind = "string" if all(isinstance(v, str) for v in values) else ["string", "integer"]
    return {"type": kind, "description": spec.doc, "enum": values, "x-enum-varnames": names}


def _json_value(value: str) -> str | int:
    return int(value) if value.lstrip("-").isdigit() else value


def _path_item(action: ActionSpec, schemas: _Schemas) -> dict[str, Any]:
    item = {"post": _operation(action, schemas, "post")}
    if _gettable(action):
        item["get"] = _operation(action, schemas, "get")
    return item


def _gettable(action: ActionSpec) -> bool:
    """GET is documented for file downloads and for calls with only scalar parameters."""
    if any(p.type.kind == "file" for p in action.params):
        return False
    flat = ("string", "int", "float", "bool", "time", "enum")
    return action.returns.kind == "serve" or all(p.type.kind in flat for p in action.params)


def _operation(action: ActionSpec, schemas: _Schemas, method: str) -> dict[str, Any]:
    doc = action.doc or action.name
    op: dict[str, Any] = {
        "operationId": f"{action.service}.{action.name}" + ("" if method == "post" else ".get"),
        "tags": [action.service],
        "summary": doc.split("\n", 1)[0][:120],
        "description": f"{doc}\n\n{_KS_RULES[action.ks]}",
        "x-kaltura-ks": str(action.ks),
        "security": _security(action.ks),
        "responses": _responses(action, schemas),
    }
    if action.errors:
        op["x-kaltura-errors"] = list(action.errors)
    if method == "post":
        op["requestBody"] = _request_body(action, schemas)
    else:
        op["parameters"] = _query_parameters(action, schemas)
    return op


def _security(rule: KsRule) -> list[dict[str, list[str]]]:
    if rule == KsRule.NONE:
        return []
    if rule == KsRule.OPTIONAL:
        return [{}, {"ks": []}]
    return [{"ks": []}]


def _param_schema(param: ParamSpec, schemas: _Schemas) -> Schema:
    schema = schemas.of(param.type)
    if param.doc:
        schema["description"] = param.doc
    default = param.default.value if isinstance(param.default, enum.Enum) else param.default
    if param.type.kind == "enum" and isinstance(default, str):
        default = _json_value(default)
    if param.optional and isinstance(default, (str, int, float, bool)):
        schema["default"] = default
    if param.validate:
        schema["x-kaltura-validate"] = param.validate
    return schema


def _request_body(action: ActionSpec, schemas: _Schemas) -> dict[str, Any]:
    props: dict[str, Schema] = {name: dict(s) for name, s in COMMON_PARAMS.items()}
    props.update({p.name: _param_schema(p, schemas) for p in action.params})
    body: Schema = {"type": "object", "properties": props}
    required = [p.name for p in action.params if not p.optional]
    if required:
        body["required"] = required
    has_file = any(p.type.kind == "file" for p in action.params)
    media = "multipart/form-data" if has_file else "application/json"
    return {"required": bool(required), "content": {media: {"schema": body}}}


def _query_parameters(action: ActionSpec, schemas: _Schemas) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    names = {p.name for p in action.params}
    for name, schema in COMMON_PARAMS.items():
        if name != "ks" and name not in names:
            params.append({"name": name, "in": "query", "schema": dict(schema)})
    for p in action.params:
        entry: dict[str, Any] = {"name": p.name, "in": "query", "required": not p.optional,
                                 "schema": _param_schema(p, schemas)}
        if p.type.kind in ("object", "array", "map"):
            entry.update(style="deepObject", explode=True)
        params.append(entry)
    return params


def _responses(action: ActionSpec, schemas: _Schemas) -> dict[str, Any]:
    failure = {"$ref": REF + EXCEPTION}
    if action.returns.kind == "serve":
        return {
            "200": {"description": "The file's bytes; a KalturaAPIException document when "
                                   "the call fails",
                    "content": {"application/octet-stream": {"schema": OPAQUE_FILE},
                                "application/json": {"schema": failure}}},
            "302": {"description": "Redirect to where the file is stored"},
        }
    result = schemas.of(action.returns)
    return {"200": {
        "description": "The result (format=1); a KalturaAPIException when the call fails. "
                       "format=2 (the default) answers the same in Kaltura's XML.",
        "content": {"application/json": {"schema": {"oneOf": [result, failure]}},
                    "text/xml": {"schema": {"type": "string"}}},
    }}


def _multirequest(registry: Registry) -> dict[str, Any]:
    call: Schema = {"type": "object", "required": ["service", "action"],
                    "properties": {"service": {"type": "string", "enum": list(registry.services)},
                                   "action": {"type": "string"}},
                    "additionalProperties": True}
    body: Schema = {"type": "object", "properties": {k: dict(v) for k, v in COMMON_PARAMS.items()},
                    "patternProperties": {"^[0-9]+$": call}}
    return {"post": {
        "operationId": "multirequest",
        "tags": ["multirequest"],
        "summary": "Run several calls in one request",
        "description": "Numeric keys hold the calls ({\"0\": {\"service\": .., \"action\": "
                       ".., params..}}), run in key order; a value such as \"{1:result:id}\" "
                       "takes a field of the first call's result. Each call's KS rule applies.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {"200": {
            "description": "One result or KalturaAPIException per call, in order",
            "content": {"application/json": {"schema": {"type": "array"}}},
        }},
    }}
