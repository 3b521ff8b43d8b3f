"""Filter classes generated from the objects' ``field(filters=...)`` declarations.

For an object ``KalturaX`` whose own fields declare filter operators, :func:`make_filter_classes`
builds what Kaltura's ``FiltersGenerator`` builds:

- ``KalturaXBaseFilter(base_filter)``: one property per declared operator of X's *own* fields
  (``nameLike``, ``statusIn``, ``createdAtGreaterThanOrEqual``...), plus composite
  properties over several fields (``tagsNameMultiLikeOr``);
- ``KalturaXFilter(KalturaXBaseFilter)``: the class clients name, with hand-declared
  extras (``freeText``...) copied from an ``extra`` mixin;
- ``KalturaXOrderBy``: a string enum of ``+field``/``-field`` for every sortable field of X and
  its ancestors (the documented values of ``orderBy``, which stays a string: Kaltura accepts a
  comma separated list).

Chaining mirrors Kaltura: pass the parent object's ``Filter`` class as ``base_filter`` to get
``KalturaMediaEntryFilter → KalturaMediaEntryBaseFilter → KalturaPlayableEntryFilter → ...``::

    _, KalturaBaseEntryFilter = make_filter_classes(
        KalturaBaseEntry, KalturaRelatedFilter, extra=BaseEntryFilterExtras,
        composites=[("mlikeor", ("tags", "name"))], extra_order=("recent", "weight"))
    _, KalturaPlayableEntryFilter = make_filter_classes(KalturaPlayableEntry,
                                                        KalturaBaseEntryFilter)

Property types follow Kaltura: ``In``/``NotIn``/``Match*``/``NotContains`` and the
``MultiLike`` forms are strings, ``Empty`` and boolean fields take ``KalturaNullableBoolean``,
time fields stay ``Time`` (so relative times work), enum fields use the enum for ``Equal``.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any, get_args, get_origin

from vpaas.domain.filtering import LIST_OPERATORS, OPERATOR_SUFFIXES, ORDER, property_name
from vpaas.objects.common import KalturaNullableBoolean
from vpaas.registry import Time, api_enum, api_object, field
from vpaas.registry.declare import FieldDecl

STRING_OPERATORS = LIST_OPERATORS | {"like", "likex", "xlike", "mlikeor", "mlikeand"}
_DESCRIBE = {
    "eq": "equal to", "not": "not equal to", "in": "one of (comma separated)",
    "notin": "none of (comma separated)", "gt": "greater than", "gte": "at least",
    "lt": "less than", "lte": "at most", "gtornull": "greater than, or unset",
    "gteornull": "at least, or unset", "ltornull": "less than, or unset",
    "lteornull": "at most, or unset", "eqornull": "equal to, or unset",
    "like": "contains (case-insensitive)", "likex": "starts with", "xlike": "ends with",
    "mlikeor": "contains any of (comma separated)",
    "mlikeand": "contains all of (comma separated)",
    "matchor": "holds any of the items (comma separated)",
    "matchand": "holds all of the items (comma separated)",
    "notcontains": "holds none of the items (comma separated)",
    "empty": "is empty (1) or not (0)", "bitand": "has all bits of", "bitor": "has a bit of",
}


class FilterDeclarationError(TypeError):
    """A ``filters=`` declaration names an operator the vocabulary lacks."""


def own_filter_fields(obj_cls: type) -> list[tuple[str, tuple[str, ...], Any, str]]:
    """``(field, operators, type, doc)`` for the fields ``obj_cls`` itself declares."""
    hints = typing.get_type_hints(obj_cls)
    out = []
    for name in inspect.get_annotations(obj_cls):
        decl = obj_cls.__dict__.get(name)
        if not isinstance(decl, FieldDecl) or not decl.filters.strip():
            continue
        ops = tuple(op.strip().lower() for op in decl.filters.split(",") if op.strip())
        unknown = [op for op in ops if op != ORDER and op not in OPERATOR_SUFFIXES]
        if unknown:
            raise FilterDeclarationError(f"{obj_cls.__name__}.{name}: unknown {unknown}")
        out.append((name, ops, _unwrap(hints[name]), decl.doc))
    return out


def property_type(field_type: Any, operator: str) -> Any:
    """The type of a filter property, per Kaltura's FiltersGenerator."""
    if operator in STRING_OPERATORS:
        return str
    if operator == "empty" or field_type is bool:
        return KalturaNullableBoolean
    if field_type is Time or field_type in (int, float, str):
        return field_type
    if isinstance(field_type, type) and issubclass(field_type, Enum):
        return field_type
    return str


def sortable_fields(filter_cls: type) -> frozenset[str]:
    """Every field a filter class (with its ancestors) may be ordered by."""
    out: set[str] = set()
    for klass in filter_cls.__mro__:
        out.update(klass.__dict__.get("__order_fields__", ()))
    return frozenset(out)


def filter_operators(filter_cls: type) -> dict[str, tuple[str, str]]:
    """Generated property name → ``(field, operator)``, ancestors included."""
    out: dict[str, tuple[str, str]] = {}
    for klass in reversed(filter_cls.__mro__):
        out.update(klass.__dict__.get("__filter_properties__", {}))
    return out


def order_by_const(name: str) -> str:
    """``partnerSortValue`` → ``PARTNER_SORT_VALUE`` (Kaltura's enum constant naming)."""
    return re.sub(r"(.)([A-Z])", r"\1_\2", name).upper()


def make_filter_classes(obj_cls: type, base_filter: type, name: str | None = None, *,
                        extra: type | None = None,
                        composites: Iterable[tuple[str, Sequence[str]]] = (),
                        extra_order: Iterable[str] = (), register: bool = True,
                        ) -> tuple[type, type]:
    """Generate and register ``{name}BaseFilter``, ``{name}Filter`` and ``{name}OrderBy``.

    Args:
        obj_cls: the object whose own fields' ``filters=`` declarations are used
        base_filter: parent of the base filter (the parent object's Filter, or
            ``KalturaFilter``/``KalturaRelatedFilter`` for a root object)
        name: class name prefix; defaults to ``obj_cls.__name__``
        extra: a plain class whose annotated ``field()`` attributes are added to the Filter
        composites: ``(operator, fields)`` pairs giving one property over several fields,
            e.g. ``("mlikeor", ("tags", "adminTags"))`` → ``tagsAdminTagsMultiLikeOr``
        extra_order: sortable names with no field of their own (``recent``, ``weight``)
        register: False keeps the classes out of the API registry (tests)
    """
    prefix = name or obj_cls.__name__
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    properties: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    for field_name, ops, field_type, doc in own_filter_fields(obj_cls):
        for op in ops:
            if op == ORDER:
                order.append(field_name)
                continue
            prop = property_name(field_name, op)
            annotations[prop] = property_type(field_type, op)
            namespace[prop] = field(doc=f"{field_name} {_DESCRIBE[op]}; {doc}".rstrip("; "))
            properties[prop] = (field_name, op)
    for op, fields in composites:
        combined = fields[0] + "".join(f[:1].upper() + f[1:] for f in fields[1:])
        prop = property_name(combined, op)
        annotations[prop] = str
        namespace[prop] = field(doc=f"{' or '.join(fields)} {_DESCRIBE[op]}")
        properties[prop] = (combined, op)
    order.extend(extra_order)
    base_doc = f"Filter of {obj_cls.__name__} lists, generated from its fields."
    base = _new_class(f"{prefix}BaseFilter", base_filter, annotations, namespace, base_doc,
                      obj_cls.__module__)
    base.__filter_properties__ = properties  # type: ignore[attr-defined]
    base.__order_fields__ = tuple(order)  # type: ignore[attr-defined]
    extra_ann, extra_ns, extra_doc = _mixin_fields(extra)
    doc = extra_doc or f"Filter of {obj_cls.__name__} lists."
    top = _new_class(f"{prefix}Filter", base, extra_ann, extra_ns, doc, obj_cls.__module__)
    order_enum = _order_enum(f"{prefix}OrderBy", sortable_fields(top), obj_cls)
    base.__order_enum__ = order_enum  # type: ignore[attr-defined]
    if register:
        api_enum(order_enum)
        api_object(base, abstract=True)  # Kaltura's generated base filters are abstract
        api_object(top)
    return base, top


def _new_class(name: str, parent: type, annotations: dict[str, Any], namespace: dict[str, Any],
               doc: str, module: str) -> type:
    body = dict(namespace, __annotations__=annotations, __doc__=doc, __module__=module,
                __qualname__=name)
    return type(name, (parent,), body)


def _mixin_fields(extra: type | None) -> tuple[dict[str, Any], dict[str, Any], str]:
    if extra is None:
        return {}, {}, ""
    hints = typing.get_type_hints(extra)
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for attr in inspect.get_annotations(extra):
        decl = extra.__dict__.get(attr)
        if attr.startswith("_") or not isinstance(decl, FieldDecl):
            continue
        annotations[attr] = hints[attr]
        namespace[attr] = decl
    return annotations, namespace, inspect.getdoc(extra) or ""


def _order_enum(name: str, fields: Iterable[str], obj_cls: type) -> type[Enum]:
    values = sorted(f"+{f}" for f in fields) + sorted(f"-{f}" for f in fields)
    members = [(order_by_const(v[1:]) + ("_ASC" if v[0] == "+" else "_DESC"), v)
               for v in values]
    enum_cls = Enum(name, members, type=str, module=obj_cls.__module__)  # type: ignore[misc]
    enum_cls.__doc__ = f"Values of orderBy for {obj_cls.__name__} lists (comma separated)."
    return enum_cls


def _unwrap(tp: Any) -> Any:
    if get_origin(tp) in (typing.Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        return inner[0] if len(inner) == 1 else tp
    return tp
