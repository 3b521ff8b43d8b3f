"""Frozen descriptions of what the API publishes, built from the declarations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class KsRule(StrEnum):
    """Which session an action needs."""

    NONE = "none"  # no KS read at all (session.start, system.ping)
    OPTIONAL = "optional"  # a KS is used when given
    ANY = "any"  # any valid KS, widget sessions included
    USER = "user"  # a USER or ADMIN session, not a widget session
    ADMIN = "admin"  # an ADMIN session


@dataclass(frozen=True)
class TypeRef:
    """A parameter or field type: a scalar, an enum, an object, or an array/map of one."""

    kind: str  # string|int|float|bool|time|file|enum|object|array|map|void|serve
    name: str = ""  # enum/object name, or the item's for array/map
    item: TypeRef | None = None

    def describe(self) -> str:
        if self.kind in ("array", "map") and self.item:
            return f"{self.kind} of {self.item.describe()}"
        return self.name or self.kind


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: TypeRef
    doc: str = ""
    readonly: bool = False
    insert_only: bool = False
    write_only: bool = False
    filters: tuple[str, ...] = ()


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    cls: type
    base: str | None
    fields: tuple[FieldSpec, ...]  # own fields only
    doc: str
    abstract: bool = False
    plugin: str | None = None


@dataclass(frozen=True)
class EnumSpec:
    name: str
    cls: type
    kind: str  # "int" or "string"
    values: tuple[tuple[str, Any], ...]
    doc: str


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: TypeRef
    doc: str = ""
    optional: bool = False
    default: Any = None
    validate: str | None = None  # "insert" | "update" for object params


@dataclass(frozen=True)
class ActionSpec:
    service: str
    name: str
    func: Callable[..., Any]
    params: tuple[ParamSpec, ...]
    returns: TypeRef
    doc: str
    ks: KsRule
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceSpec:
    id: str  # what clients send: "uploadtoken", "caption_captionasset"
    name: str  # declared name: "uploadToken"
    doc: str
    plugin: str | None
    actions: dict[str, ActionSpec] = field(default_factory=dict)  # keyed by lower-case name
