"""Build the frozen :class:`Registry` from the declarations, with start-up checks."""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from vpaas.registry import declare
from vpaas.registry.declare import (
    FieldDecl,
    ForInsert,
    ForUpdate,
    KalturaObject,
    ServeFile,
    Time,
    UploadedFile,
)
from vpaas.registry.errors import CATALOGUE, ErrorDef
from vpaas.registry.model import (
    ActionSpec,
    EnumSpec,
    FieldSpec,
    ObjectSpec,
    ParamSpec,
    ServiceSpec,
    TypeRef,
)

SCALARS: dict[Any, str] = {str: "string", int: "int", float: "float", bool: "bool"}
CONTEXT_PARAM = "ctx"


class RegistryError(Exception):
    pass


@dataclass(frozen=True)
class Registry:
    """Everything the API publishes; read by dispatch, validation and the schema writers."""

    services: dict[str, ServiceSpec]
    objects: dict[str, ObjectSpec]
    enums: dict[str, EnumSpec]
    errors: dict[str, ErrorDef]

    def object_named(self, name: str) -> ObjectSpec | None:
        spec = self.objects.get(name)
        if spec is None:
            spec = self._objects_lower.get(name.lower())
        return spec

    @property
    def _objects_lower(self) -> dict[str, ObjectSpec]:
        cached = self.__dict__.get("_lower")
        if cached is None:
            cached = {k.lower(): v for k, v in self.objects.items()}
            object.__setattr__(self, "_lower", cached)
        return cached

    def is_subclass(self, name: str, base: str) -> bool:
        spec = self.object_named(name)
        while spec is not None:
            if spec.name == base:
                return True
            spec = self.objects.get(spec.base) if spec.base else None
        return False

    def all_fields(self, name: str) -> list[FieldSpec]:
        """Fields of an object, inherited ones first."""
        chain: list[ObjectSpec] = []
        spec = self.objects.get(name)
        while spec is not None:
            chain.append(spec)
            spec = self.objects.get(spec.base) if spec.base else None
        return [f for s in reversed(chain) for f in s.fields]

    def field_map(self, name: str) -> dict[str, FieldSpec]:
        key = "_fields_" + name
        cached = self.__dict__.get(key)
        if cached is None:
            cached = {f.name: f for f in self.all_fields(name)}
            object.__setattr__(self, key, cached)
        return cached


def import_submodules(package: str) -> None:
    """Import every module of a package so that its declarations register."""
    pkg = importlib.import_module(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        importlib.import_module(info.name)


def type_ref(tp: Any) -> TypeRef:
    if tp is None or tp is type(None):
        return TypeRef("void")
    if get_origin(tp) is Annotated:
        return type_ref(get_args(tp)[0])
    if tp is Time:
        return TypeRef("time")
    if tp in SCALARS:
        return TypeRef(SCALARS[tp])
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        if len(inner) != 1:
            raise RegistryError(f"unsupported union {tp}")
        return type_ref(inner[0])
    if origin is list:
        return TypeRef("array", item=type_ref(get_args(tp)[0]))
    if origin is dict:
        return TypeRef("map", item=type_ref(get_args(tp)[1]))
    if isinstance(tp, type):
        if tp is UploadedFile:
            return TypeRef("file")
        if tp is ServeFile:
            return TypeRef("serve")
        if issubclass(tp, enum.Enum):
            return TypeRef("enum", tp.__name__)
        if issubclass(tp, KalturaObject):
            return TypeRef("object", tp.__name__)
    raise RegistryError(f"unsupported API type {tp!r}")


def _enum_spec(cls: type[enum.Enum]) -> EnumSpec:
    kind = "int" if issubclass(cls, int) else "string"
    values = tuple((m.name, m.value) for m in cls)
    return EnumSpec(cls.__name__, cls, kind, values, inspect.getdoc(cls) or "")


def _object_spec(cls: type) -> ObjectSpec:
    hints = typing.get_type_hints(cls, include_extras=True)
    own = inspect.get_annotations(cls)
    fields = []
    for name in own:
        if name.startswith("_") or name in ("supplied", "nulled"):
            continue
        decl = cls.__dict__.get(name)
        decl = decl if isinstance(decl, FieldDecl) else FieldDecl()
        filters = tuple(f.strip() for f in decl.filters.split(",") if f.strip())
        fields.append(FieldSpec(name, type_ref(hints[name]), decl.doc, decl.readonly,
                                decl.insert_only, decl.write_only, filters))
    bases = [b for b in cls.__bases__ if issubclass(b, KalturaObject) and b is not KalturaObject]
    return ObjectSpec(cls.__name__, cls, bases[0].__name__ if bases else None, tuple(fields),
                      inspect.getdoc(cls) or "", bool(cls.__dict__.get("__api_abstract__")),
                      cls.__dict__.get("__api_plugin__"))


_ARG_LINE = re.compile(r"^\s{2,}(\w+):\s*(.*)$")


def _param_docs(doc: str) -> tuple[str, dict[str, str]]:
    """Split a docstring into its summary and the ``Args:`` section's entries."""
    summary, _, rest = doc.partition("\nArgs:")
    docs: dict[str, str] = {}
    current = None
    for line in rest.splitlines():
        m = _ARG_LINE.match(line)
        if m:
            current = m.group(1)
            docs[current] = m.group(2).strip()
        elif current and line.strip():
            docs[current] += " " + line.strip()
    return summary.strip(), docs


def _action_spec(decl: declare.ActionDecl) -> ActionSpec:
    func = decl.func
    hints = typing.get_type_hints(func, include_extras=True)
    doc, param_docs = _param_docs(inspect.getdoc(func) or "")
    params = []
    for pname, p in inspect.signature(func).parameters.items():
        if pname == CONTEXT_PARAM:
            continue
        hint = hints[pname]
        validate = None
        if get_origin(hint) is Annotated:
            marks = get_args(hint)[1:]
            validate = "insert" if ForInsert in marks else "update" if ForUpdate in marks else None
        optional = p.default is not inspect.Parameter.empty
        params.append(ParamSpec(pname, type_ref(hint), param_docs.get(pname, ""), optional,
                                p.default if optional else None, validate))
    return ActionSpec(decl.service.id, decl.name, func, tuple(params),
                      type_ref(hints.get("return")), doc, decl.ks, decl.errors)


def build_registry(packages: Iterable[str] = ("vpaas.objects", "vpaas.services")) -> Registry:
    """Import the declaring packages and freeze what they declared."""
    for package in packages:
        import_submodules(package)
    _no_duplicates([c.__name__ for c in declare.ENUMS + declare.OBJECTS])
    enums = {c.__name__: _enum_spec(c) for c in declare.ENUMS}
    objects = {c.__name__: _object_spec(c) for c in declare.OBJECTS}
    services: dict[str, ServiceSpec] = {}
    for svc in declare.SERVICES:
        actions = {a.name.lower(): _action_spec(a) for a in svc.actions}
        if svc.id in services:
            services[svc.id].actions.update(actions)
        else:
            services[svc.id] = ServiceSpec(svc.id, svc.name, svc.doc, svc.plugin, actions)
    registry = Registry(services, objects, enums, dict(CATALOGUE))
    check(registry)
    return registry


def _no_duplicates(names: list[str]) -> None:
    seen: set[str] = set()
    twice = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if twice:
        raise RegistryError(f"declared more than once: {', '.join(twice)}")


def check(registry: Registry) -> None:
    """Start-up checks: every referenced type exists and everything published is documented."""
    problems: list[str] = []

    def known(ref: TypeRef, where: str) -> None:
        if ref.kind == "object" and ref.name not in registry.objects:
            problems.append(f"{where}: unknown object {ref.name}")
        if ref.kind == "enum" and ref.name not in registry.enums:
            problems.append(f"{where}: unknown enum {ref.name}")
        if ref.item:
            known(ref.item, where)

    for obj in registry.objects.values():
        if not obj.doc:
            problems.append(f"object {obj.name} has no docstring")
        for f in obj.fields:
            known(f.type, f"{obj.name}.{f.name}")
    for svc in registry.services.values():
        if not svc.doc:
            problems.append(f"service {svc.name} has no docstring")
        for action in svc.actions.values():
            if not action.doc:
                problems.append(f"action {svc.id}.{action.name} has no docstring")
            known(action.returns, f"{svc.id}.{action.name}")
            for p in action.params:
                known(p.type, f"{svc.id}.{action.name}({p.name})")
    if problems:
        raise RegistryError("; ".join(problems))
