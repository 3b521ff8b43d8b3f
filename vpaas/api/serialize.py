"""Response encoders: XML (format=2, the default) and JSON (format=1), as the clients parse them."""

from __future__ import annotations

from enum import Enum
from typing import Any
from xml.sax.saxutils import escape

import orjson

from vpaas.registry import ApiError, KalturaObject
from vpaas.registry.build import Registry

XML_HEAD = '<?xml version="1.0" encoding="utf-8"?><xml><result>'
FORMAT_JSON, FORMAT_XML, FORMAT_JSONP = 1, 2, 9
_JSON_SCALARS = frozenset({str, int, float, bool})


def _readable_fields(registry: Registry, cache: dict[str, tuple[tuple[str, bool], ...]],
                     name: str) -> tuple[tuple[str, bool], ...]:
    """``(field name, is enum)`` of the fields an object returns, inherited ones first; worked
    out once per object type."""
    fields = cache.get(name)
    if fields is None:
        fields = cache[name] = tuple((f.name, f.type.kind == "enum")
                                     for f in registry.all_fields(name) if not f.write_only)
    return fields


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class XmlEncoder:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._fields: dict[str, tuple[tuple[str, bool], ...]] = {}

    def document(self, result: Any, execution_time: float) -> str:
        parts = [XML_HEAD]
        self.value(result, parts)
        parts.append(f"</result><executionTime>{execution_time:.4f}</executionTime></xml>")
        return "".join(parts)

    def value(self, value: Any, out: list[str]) -> None:
        if value is None:
            return
        if isinstance(value, ApiError):
            self.error(value, out)
        elif isinstance(value, KalturaObject):
            self.object(value, out)
        elif isinstance(value, (list, tuple)):
            for item in value:
                out.append("<item>")
                self.value(item, out)
                out.append("</item>")
        elif isinstance(value, dict):
            for key, item in value.items():
                out.append(f"<item><itemKey>{escape(str(key))}</itemKey>")
                self.value(item, out)
                out.append("</item>")
        else:
            out.append(escape(_scalar_text(value)))

    def object(self, obj: KalturaObject, out: list[str]) -> None:
        name = type(obj).__name__
        out.append(f"<objectType>{name}</objectType>")
        for field_name, _ in _readable_fields(self.registry, self._fields, name):
            value = getattr(obj, field_name, None)
            out.append(f"<{field_name}>")
            self.value(value, out)
            out.append(f"</{field_name}>")

    def error(self, err: ApiError, out: list[str]) -> None:
        out.append(f"<error><code>{escape(err.code)}</code><message>{escape(err.message)}"
                   "</message><objectType>KalturaAPIException</objectType><args>")
        for key, value in err.args_map.items():
            out.append("<item><objectType>KalturaApiExceptionArg</objectType>"
                       f"<name>{escape(key)}</name><value>{escape(value)}</value></item>")
        out.append("</args></error>")


class JsonEncoder:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._fields: dict[str, tuple[tuple[str, bool], ...]] = {}

    def document(self, result: Any) -> str:
        return orjson.dumps(self.plain(result)).decode()

    def plain(self, value: Any) -> Any:
        if isinstance(value, ApiError):
            return {"code": value.code, "message": value.message,
                    "objectType": "KalturaAPIException", "args": value.args_map or []}
        if isinstance(value, KalturaObject):
            return self.object(value)
        if isinstance(value, (list, tuple)):
            return [self.plain(v) for v in value]
        if isinstance(value, dict):
            return {str(k): self.plain(v) for k, v in value.items()}
        if isinstance(value, Enum):
            return _json_enum(value.value)
        return value

    def object(self, obj: KalturaObject) -> dict[str, Any]:
        name = type(obj).__name__
        out: dict[str, Any] = {}
        for field_name, is_enum in _readable_fields(self.registry, self._fields, name):
            value = getattr(obj, field_name, None)
            if value is None:
                continue
            if is_enum and not isinstance(value, Enum):
                value = _json_enum(value)
            out[field_name] = value if type(value) in _JSON_SCALARS else self.plain(value)
        out["objectType"] = name
        return out


def _json_enum(value: Any) -> Any:
    """Numeric enum values go out as JSON numbers, as Kaltura emits them."""
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value
