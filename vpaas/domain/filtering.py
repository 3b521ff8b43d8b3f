"""List filters: Kaltura filter properties become SQLAlchemy conditions; ordering and paging.

A filter property is ``{field}{Suffix}`` (``nameLike``, ``createdAtGreaterThanOrEqual``),
the suffix vocabulary of Kaltura's ``FiltersGenerator``. :func:`apply_filter` ANDs one
condition per supplied property onto a SELECT; ``columns`` maps API field names to SQL
expressions. Every operator compiles to portable SQL (SQLite and PostgreSQL alike).

Semantics, after Kaltura's ``baseObjectFilter`` (``[S] alpha/apps/kaltura/lib/model/
objectfilters/filters.class.php``):

- ``Like`` is a case-insensitive substring match (``%value%``, with ``%`` and ``_`` taken
  literally); ``StartsWith``/``EndsWith`` anchor it. Kaltura's Sphinx-backed entry lists match
  whole words; a substring match finds a superset of those. Case folding is ASCII-only on
  SQLite (its ``lower()``), full Unicode on PostgreSQL.
- ``MultiLikeOr``/``MultiLikeAnd``: comma separated terms, each a ``Like``.
- ``In``/``NotIn``: comma separated values (at most :data:`MAX_IN_VALUES`).
- ``MatchOr``/``MatchAnd``/``NotContains`` on comma-list fields (tags, categoriesIds): whole
  items of the list, case-insensitive; ``Empty`` (1/0) tests for no items at all.
- ``…OrNull`` comparisons also match rows where the field is NULL.
- Equality is exact (case-sensitive). Empty-string values are ignored, as Kaltura does.
- A field mapped to a tuple of columns (``tagsAdminTagsName``) ORs the condition across them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import SQLCoreOperations

from vpaas.registry import catalogue as E

OPERATOR_SUFFIXES: dict[str, str] = {
    "eq": "Equal",
    "not": "NotEqual",
    "in": "In",
    "notin": "NotIn",
    "gt": "GreaterThan",
    "gte": "GreaterThanOrEqual",
    "lt": "LessThan",
    "lte": "LessThanOrEqual",
    "gtornull": "GreaterThanOrNull",
    "gteornull": "GreaterThanOrEqualOrNull",
    "ltornull": "LessThanOrNull",
    "lteornull": "LessThanOrEqualOrNull",
    "eqornull": "EqualOrNull",
    "like": "Like",
    "likex": "StartsWith",
    "xlike": "EndsWith",
    "mlikeor": "MultiLikeOr",
    "mlikeand": "MultiLikeAnd",
    "matchor": "MatchOr",
    "matchand": "MatchAnd",
    "notcontains": "NotContains",
    "empty": "Empty",
    "bitand": "BitAnd",
    "bitor": "BitOr",
}
"""Short operator names of ``field(filters=...)`` → Kaltura filter property suffixes."""

ORDER = "order"
"""The ``filters=`` word that makes a field sortable (``+name``/``-name``)."""

LIST_OPERATORS = frozenset({"in", "notin", "matchor", "matchand", "notcontains"})
"""Operators whose value is a comma separated string, whatever the field's type."""

NON_FILTER_PROPERTIES = frozenset({"orderBy", "advancedSearch", "relatedObjects"})
MAX_IN_VALUES = 500
MAX_TERMS = 100
NULLABLE_BOOLEAN_NULL = -1
_BY_SUFFIX = sorted(((s, op) for op, s in OPERATOR_SUFFIXES.items()), key=lambda p: -len(p[0]))
_ESCAPE = "\\"

Expr = SQLCoreOperations[Any]


def property_name(field_name: str, operator: str) -> str:
    """``("name", "mlikeor")`` → ``"nameMultiLikeOr"``."""
    return field_name + OPERATOR_SUFFIXES[operator]


def split_property(name: str) -> tuple[str, str] | None:
    """``"createdAtGreaterThanOrEqual"`` → ``("createdAt", "gte")``; None if no suffix fits."""
    for suffix, operator in _BY_SUFFIX:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], operator
    return None


@dataclass(frozen=True)
class FilterColumn:
    """How one API field is stored: its SQL expression(s) and value conversion.

    ``exprs`` with several expressions ORs conditions across them (composite filters such as
    ``tagsAdminTagsNameMultiLikeOr``). ``csv`` marks a comma-list column (tags, ids).
    ``to_db`` converts a coerced API value to the stored one (e.g. seconds → milliseconds).
    """

    exprs: tuple[Expr, ...]
    csv: bool = False
    to_db: Callable[[Any], Any] | None = None

    @classmethod
    def of(cls, spec: Any, csv: bool = False) -> FilterColumn:
        """Wrap a column, an expression or a tuple of them; FilterColumns pass through."""
        if isinstance(spec, FilterColumn):
            return spec if not csv or spec.csv else FilterColumn(spec.exprs, True, spec.to_db)
        exprs = tuple(spec) if isinstance(spec, (tuple, list)) else (spec,)
        return cls(exprs, csv)


Columns = Mapping[str, Any]
"""API field name → column, SQL expression, tuple of them, or :class:`FilterColumn`."""


def supplied_properties(filter_obj: Any) -> dict[str, Any]:
    """The filter's properties that carry a value (None and "" are ignored, as Kaltura)."""
    out: dict[str, Any] = {}
    for name, value in vars(filter_obj).items():
        if name in ("supplied", "nulled") or name in NON_FILTER_PROPERTIES:
            continue
        if value is None or (isinstance(value, str) and value == ""):
            continue
        out[name] = value
    return out


def conditions(filter_obj: Any, columns: Columns, csv_fields: Collection[str] = (),
               handled: Collection[str] = ()) -> list[ColumnElement[bool]]:
    """One SQL condition per supplied filter property, in property order.

    ``handled`` names properties the caller deals with itself (``freeText``, ``isRoot``...);
    any other property whose field is not in ``columns`` raises ``FILTER_NOT_SUPPORTED``.
    """
    out: list[ColumnElement[bool]] = []
    for name, value in supplied_properties(filter_obj).items():
        if name in handled:
            continue
        parsed = split_property(name)
        if parsed is None or parsed[0] not in columns:
            raise E.FILTER_NOT_SUPPORTED(name)
        field_name, operator = parsed
        column = FilterColumn.of(columns[field_name], csv=field_name in csv_fields)
        condition = condition_for(operator, column, value, name)
        if condition is not None:
            out.append(condition)
    return out


def apply_filter(stmt: Select[Any], filter_obj: Any, columns: Columns,
                 csv_fields: Collection[str] = (), handled: Collection[str] = ()) -> Select[Any]:
    """``stmt`` narrowed by every supplied property of ``filter_obj`` (see :func:`conditions`)."""
    found = conditions(filter_obj, columns, csv_fields, handled)
    return stmt.where(*found) if found else stmt


def condition_for(operator: str, column: FilterColumn, value: Any,
                  name: str) -> ColumnElement[bool] | None:
    """The condition of one operator on one field; None when the value asks for nothing."""
    if operator in LIST_OPERATORS or operator in ("mlikeor", "mlikeand"):
        items = _split_list(value, name)
        if operator in ("in", "notin"):
            return _any(column, lambda e: _in(e, items, column, name, operator == "notin"))
        return _terms(operator, column, items)
    if operator in ("like", "likex", "xlike"):
        pattern = _like_pattern(str(value), operator)
        return _any(column, lambda e: _ilike(e, pattern))
    if operator == "empty":
        return _empty(column, value)
    return _any(column, lambda e: _compare(operator, e, _coerce(value, e, column, name)))


def _any(column: FilterColumn, build: Callable[[Expr], ColumnElement[bool]]
         ) -> ColumnElement[bool]:
    parts = [build(e) for e in column.exprs]
    return parts[0] if len(parts) == 1 else or_(*parts)


def _split_list(value: Any, name: str) -> list[str]:
    items = [part.strip() for part in str(value).split(",")]
    items = [part for part in items if part]
    if len(items) > MAX_IN_VALUES:
        raise E.INVALID_PARAMETER_VALUE(f"({len(items)} values, at most {MAX_IN_VALUES})",
                                        f"filter:{name}")
    return items


def _in(expr: Expr, items: list[str], column: FilterColumn, name: str,
        negate: bool) -> ColumnElement[bool]:
    values = [_coerce(item, expr, column, name) for item in items]
    if not values:
        return true() if negate else false()
    return expr.not_in(values) if negate else expr.in_(values)


def _terms(operator: str, column: FilterColumn, items: list[str]) -> ColumnElement[bool]:
    if len(items) > MAX_TERMS:
        raise E.INVALID_PARAMETER_VALUE(f"({len(items)} terms, at most {MAX_TERMS})",
                                        "filter")
    if operator in ("mlikeor", "mlikeand"):
        def match(e: Expr, term: str) -> ColumnElement[bool]:
            return _ilike(e, _like_pattern(term, "like"))
    else:
        def match(e: Expr, term: str) -> ColumnElement[bool]:
            return _csv_item(e, term)
    per_term = [_any(column, partial(_swap, match, term)) for term in items]
    if not per_term:
        return true() if operator == "notcontains" else false()
    if operator in ("mlikeand", "matchand"):
        return and_(*per_term)
    if operator == "notcontains":
        return not_(or_(*per_term))
    return or_(*per_term)


def _swap(match: Callable[[Expr, str], ColumnElement[bool]], term: str,
          expr: Expr) -> ColumnElement[bool]:
    return match(expr, term)


def _escape_like(text: str) -> str:
    return (text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%")
            .replace("_", _ESCAPE + "_"))


def _like_pattern(text: str, operator: str) -> str:
    body = _escape_like(text)
    if operator == "likex":
        return body + "%"
    if operator == "xlike":
        return "%" + body
    return "%" + body + "%"


def _ilike(expr: Expr, pattern: str) -> ColumnElement[bool]:
    return func.coalesce(expr, "").ilike(pattern, escape=_ESCAPE)


def _csv_item(expr: Expr, item: str) -> ColumnElement[bool]:
    """``expr`` (a comma list, spaces allowed around commas) holds ``item`` as a whole item."""
    normalized = func.replace(func.replace(func.coalesce(expr, ""), ", ", ","), " ,", ",")
    wrapped = literal(",").concat(normalized).concat(",")
    return wrapped.ilike("%," + _escape_like(item) + ",%", escape=_ESCAPE)


def _empty(column: FilterColumn, value: Any) -> ColumnElement[bool] | None:
    flag = int(value.value if isinstance(value, Enum) else value)
    if flag == NULLABLE_BOOLEAN_NULL:
        return None

    def is_empty(e: Expr) -> ColumnElement[bool]:
        return or_(e.is_(None), e == "") if column.csv else e.is_(None)

    empties = [is_empty(e) for e in column.exprs]
    every = and_(*empties) if len(empties) > 1 else empties[0]
    return every if flag else not_(every)


def _compare(operator: str, expr: Expr, value: Any) -> ColumnElement[bool]:
    base = operator.removesuffix("ornull")
    built: dict[str, Callable[[], ColumnElement[bool]]] = {
        "eq": lambda: expr == value,
        "not": lambda: expr != value,
        "gt": lambda: expr > value,
        "gte": lambda: expr >= value,
        "lt": lambda: expr < value,
        "lte": lambda: expr <= value,
        "bitand": lambda: expr.op("&")(value) == value,
        "bitor": lambda: expr.op("&")(value) != 0,
    }
    if base not in built:
        raise E.FILTER_NOT_SUPPORTED(operator)
    condition = built[base]()
    return or_(condition, expr.is_(None)) if operator.endswith("ornull") else condition


def _coerce(value: Any, expr: Expr, column: FilterColumn, name: str) -> Any:
    """An API value converted to the column's Python type (then ``to_db``)."""
    if isinstance(value, Enum):
        value = value.value
    try:
        target = getattr(expr, "type", None).python_type  # type: ignore[union-attr]
    except (NotImplementedError, AttributeError):
        target = None
    if target is bool:
        value = str(value).strip().lower() not in ("0", "false", "")
    elif target in (int, float):
        try:
            value = target(str(value).strip())
        except ValueError:
            raise E.PROPERTY_VALIDATION_NUMERIC_VALUE(f"filter:{name}") from None
    elif target is str:
        value = str(value)
    return column.to_db(value) if column.to_db else value


# --- ordering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """One ``ORDER BY`` term: the API name, its expression and direction."""

    name: str
    expr: Expr
    descending: bool = False

    def clause(self) -> Any:
        """NULLs sort as the smallest value on every backend (as MySQL does)."""
        if self.descending:
            return self.expr.desc().nulls_last()
        return self.expr.asc().nulls_first()


def sort_keys(order_by: str | None, columns: Columns, default: str = "",
              tiebreak: str | None = "id", allowed: Collection[str] | None = None
              ) -> list[SortKey]:
    """Parse ``+name,-createdAt`` into sort keys; ``tiebreak`` (ascending) ends the list.

    Unknown fields (not in ``columns``, or not in ``allowed`` when given) raise
    ``INVALID_ORDER_BY``; repeated fields keep their first direction.
    """
    keys: list[SortKey] = []
    for raw in (order_by or default or "").split(","):
        item = raw.strip()
        if not item:
            continue
        descending = item.startswith("-")
        name = item.lstrip("+-").strip()
        known = name in columns and (allowed is None or name in allowed)
        if not known or isinstance(columns[name], (tuple, list)):
            raise E.INVALID_ORDER_BY(item, ", ".join(sorted(allowed or columns)))
        if all(k.name != name for k in keys):
            keys.append(SortKey(name, FilterColumn.of(columns[name]).exprs[0], descending))
    if tiebreak and all(k.name != tiebreak for k in keys):
        keys.append(SortKey(tiebreak, FilterColumn.of(columns[tiebreak]).exprs[0]))
    return keys


def apply_order(stmt: Select[Any], order_by: str | None, columns: Columns, default: str = "",
                tiebreak: str | None = "id", allowed: Collection[str] | None = None
                ) -> Select[Any]:
    """``stmt`` ordered by ``order_by`` (or ``default``), then by ``tiebreak`` for stability."""
    keys = sort_keys(order_by, columns, default, tiebreak, allowed)
    return stmt.order_by(*(k.clause() for k in keys))


# --- paging -------------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 500


def page(stmt: Select[Any], pager: Any = None) -> tuple[Select[Any], int, int]:
    """Apply a ``KalturaFilterPager``: size 30 by default, clamped to [0, 500]; index from 1."""
    size = getattr(pager, "pageSize", None)
    index = getattr(pager, "pageIndex", None)
    size = DEFAULT_PAGE_SIZE if size is None else max(0, min(int(size), MAX_PAGE_SIZE))
    index = 1 if index is None else max(1, int(index))
    return stmt.limit(size).offset((index - 1) * size), size, index


def count(stmt: Select[Any]) -> Select[Any]:
    """A ``SELECT count(*)`` over ``stmt``'s matches (its order and paging dropped)."""
    inner = stmt.order_by(None).limit(None).offset(None)
    return select(func.count()).select_from(inner.subquery())


# --- cursors (keyset paging) --------------------------------------------------------------

MAX_CURSOR_LENGTH = 2048


def encode_cursor(keys: Sequence[SortKey], values: Sequence[Any]) -> str:
    """An opaque cursor: the last row's sort-key values, bound to the ordering."""
    if len(values) != len(keys):
        raise ValueError("one value per sort key")
    plain = [v.value if isinstance(v, Enum) else v for v in values]
    payload = {"o": _signature(keys), "v": plain}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def row_values(keys: Sequence[SortKey], row: Any) -> list[Any]:
    """The sort-key values of an ORM instance (attribute per column key) or a Row."""
    mapping = getattr(row, "_mapping", None)
    out = []
    for key in keys:
        if mapping is not None and key.expr in mapping:
            out.append(mapping[key.expr])
        else:
            out.append(getattr(row, getattr(key.expr, "key", key.name)))
    return out


def decode_cursor(keys: Sequence[SortKey], cursor: str) -> list[Any]:
    """The values stored in ``cursor``; ``INVALID_PAGER_CURSOR`` if forged or from another order."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise E.INVALID_PAGER_CURSOR("too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        values = payload["v"]
        signature = payload["o"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise E.INVALID_PAGER_CURSOR("not a cursor of this list") from None
    if signature != _signature(keys) or not isinstance(values, list) \
            or len(values) != len(keys):
        raise E.INVALID_PAGER_CURSOR("the cursor was made for another ordering")
    if any(v is not None and not isinstance(v, (str, int, float)) for v in values):
        raise E.INVALID_PAGER_CURSOR("bad value")
    return values


def after_cursor(stmt: Select[Any], keys: Sequence[SortKey], cursor: str | None
                 ) -> Select[Any]:
    """``stmt`` limited to rows after the cursor's row in the ``keys`` ordering (no OFFSET)."""
    if not cursor:
        return stmt
    values = decode_cursor(keys, cursor)
    branches = []
    for i, key in enumerate(keys):
        ties = [_equal(k.expr, v) for k, v in zip(keys[:i], values[:i], strict=True)]
        branches.append(and_(*ties, _after(key, values[i])))
    return stmt.where(or_(*branches))


def _signature(keys: Iterable[SortKey]) -> str:
    return ",".join(("-" if k.descending else "+") + k.name for k in keys)


def _equal(expr: Expr, value: Any) -> ColumnElement[bool]:
    return expr.is_(None) if value is None else expr == value


def _after(key: SortKey, value: Any) -> ColumnElement[bool]:
    """Rows strictly after ``value``; NULL is the smallest value (first ascending)."""
    if key.descending:
        return false() if value is None else or_(key.expr < value, key.expr.is_(None))
    return key.expr.is_not(None) if value is None else key.expr > value
