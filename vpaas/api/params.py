"""Request parameters: flat keys to nested values, then typed arguments per the registry.

Flat keys (``filter:nameLike``, ``thumbParams[width]``, ``1:entryId``) become nested dicts.
Values arrive as the Python client's strings, the Node client's JSON types, or form strings;
:func:`cast` turns them into the declared types with Kaltura's casting rules.
"""

from __future__ import annotations

import re
import time
from enum import Enum
from typing import Any

from vpaas.registry import ApiError, KalturaObject
from vpaas.registry import catalogue as E
from vpaas.registry.build import Registry
from vpaas.registry.declare import UploadedFile
from vpaas.registry.model import ParamSpec, TypeRef

NULL_SUFFIX = "__null"
EMPTY_MARK = "-"
MAX_DEPTH = 12
MAX_ITEMS = 10_000
RELATIVE_TIME_LIMIT = 315_360_000  # ten years, as Kaltura
_BRACKETS = re.compile(r"\[([^\]]*)\]")


def split_key(key: str) -> list[str]:
    """``a:b:c`` and ``a[b][c]`` both give ``["a", "b", "c"]``."""
    head, bracket, rest = key.partition("[")
    parts = head.split(":")
    if bracket:
        parts += _BRACKETS.findall("[" + rest)
    return parts


def nest(pairs: list[tuple[str, Any]], into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fold flat ``(key, value)`` pairs into nested dicts; later pairs win."""
    root: dict[str, Any] = {} if into is None else into
    for key, value in pairs:
        parts = split_key(key)
        if len(parts) > MAX_DEPTH:
            raise E.INVALID_REQUEST_FORMAT(f"key {key[:80]!r} is nested too deeply")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return root


def merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Recursive replace, like PHP's ``array_replace_recursive``."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


class Caster:
    """Turns raw request values into the registry's declared types."""

    def __init__(self, registry: Registry, files: dict[str, UploadedFile]) -> None:
        self.registry = registry
        self.files = files

    def args(self, params: tuple[ParamSpec, ...], raw: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in params:
            if p.type.kind == "file":
                value: Any = self.files.get(p.name, raw.get(p.name))
                if not isinstance(value, UploadedFile):
                    value = None
            else:
                value = raw.get(p.name)
                if value is not None and not (value == "" and p.type.kind != "string"):
                    value = self.cast(value, p.type, p.name)
                else:
                    value = None
            if value is None:
                if not p.optional:
                    raise E.MISSING_MANDATORY_PARAMETER(p.name)
                value = p.default
            elif p.validate and isinstance(value, KalturaObject):
                self.check_writable(value, p.validate)
            out[p.name] = value
        return out

    def cast(self, value: Any, ref: TypeRef, name: str) -> Any:
        kind = ref.kind
        if kind == "string":
            if isinstance(value, (dict, list)):
                raise E.INVALID_PARAMETER_VALUE("(object)", name)
            if isinstance(value, bool):
                return "1" if value else "0"
            return str(value)
        if kind in ("int", "time"):
            number = _to_int(value, name)
            return _relative_time(number) if kind == "time" else number
        if kind == "float":
            return _to_float(value, name)
        if kind == "bool":
            return _to_bool(value)
        if kind == "enum":
            return self._enum(value, ref.name, name)
        if kind == "object":
            return self._object(value, ref.name, name)
        if kind in ("array", "map"):
            return self._collection(value, ref, name)
        return value

    def _enum(self, value: Any, enum_name: str, name: str) -> Any:
        spec = self.registry.enums[enum_name]
        cls: type[Enum] = spec.cls
        if isinstance(value, bool) or str(value).lower() in ("true", "false"):
            value = 1 if str(value).lower() == "true" else 0
        try:
            if spec.kind == "int":
                return cls(_to_int(value, name))
            return cls(str(value))
        except (ValueError, ApiError):
            raise E.INVALID_ENUM_VALUE(value, name, enum_name) from None

    def _object(self, value: Any, declared: str, name: str) -> KalturaObject | None:
        if not isinstance(value, dict):
            raise E.INVALID_PARAMETER_VALUE(str(value)[:100], name)
        type_name = str(value.get("objectType") or declared)
        spec = self.registry.object_named(type_name)
        if spec is None or not self.registry.is_subclass(spec.name, declared):
            spec = self.registry.objects[declared]
        if spec.abstract:
            raise E.OBJECT_TYPE_ABSTRACT(spec.name)
        obj: KalturaObject = spec.cls()
        fields = self.registry.field_map(spec.name)
        for key, raw in value.items():
            if key.endswith(NULL_SUFFIX) and key[: -len(NULL_SUFFIX)] in fields:
                field_name = key[: -len(NULL_SUFFIX)]
                obj.nulled.add(field_name)
                obj.supplied.add(field_name)
                setattr(obj, field_name, None)
                continue
            f = fields.get(key)
            if f is None or raw is None:
                continue
            setattr(obj, key, self.cast(raw, f.type, f"{name}:{key}"))
            obj.supplied.add(key)
        return obj

    def _collection(self, value: Any, ref: TypeRef, name: str) -> Any:
        assert ref.item is not None
        if isinstance(value, dict) and set(value) == {EMPTY_MARK}:
            return [] if ref.kind == "array" else {}
        if ref.kind == "map":
            if not isinstance(value, dict):
                raise E.INVALID_PARAMETER_VALUE(str(value)[:100], name)
            return {str(k): self.cast(v, ref.item, f"{name}:{k}") for k, v in value.items()}
        if isinstance(value, dict):
            keys = sorted(value, key=lambda k: (not str(k).isdigit(), int(k) if
                                                str(k).isdigit() else 0, str(k)))
            items = [value[k] for k in keys if k != EMPTY_MARK]
        elif isinstance(value, list):
            items = value
        elif ref.item.kind == "object" and ref.item.name == "KalturaString":
            items = [{"value": v} for v in str(value).split(",")] if value != "" else []
        else:
            raise E.INVALID_PARAMETER_VALUE(str(value)[:100], name)
        if len(items) > MAX_ITEMS:
            raise E.INVALID_PARAMETER_VALUE(f"({len(items)} items)", name)
        return [self.cast(v, ref.item, f"{name}:{i}") for i, v in enumerate(items)]

    def check_writable(self, obj: KalturaObject, mode: str) -> None:
        fields = self.registry.field_map(type(obj).__name__)
        for field_name in sorted(obj.supplied):
            f = fields[field_name]
            if f.readonly or (mode == "update" and f.insert_only):
                raise E.PROPERTY_VALIDATION_NOT_UPDATABLE(field_name)


def _to_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return int(float(text))
    except (ValueError, OverflowError):
        if text.lower() in ("true", "false"):
            return 1 if text.lower() == "true" else 0
        raise E.PROPERTY_VALIDATION_NUMERIC_VALUE(name) from None


def _to_float(value: Any, name: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise E.PROPERTY_VALIDATION_NUMERIC_VALUE(name) from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return text not in ("", "0", "false", "0.0")


def _relative_time(value: int) -> int:
    if value != -1 and value != 0 and abs(value) <= RELATIVE_TIME_LIMIT:
        return int(time.time()) + value
    return value
