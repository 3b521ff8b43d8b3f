"""Custom-metadata advanced search: KalturaMetadataSearchItem and its conditions as entry
query conditions (registered with vpaas.domain.entry_query)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    exists,
    literal,
    or_,
    select,
)

from vpaas.db.base import now
from vpaas.db.tables.metadata import (
    MetadataFieldValueRow,
)
from vpaas.domain import entry_query
from vpaas.domain.metadata_index import (
    ENTRY,
    FOLDED_LENGTH,
    MAX_WORDS,
    WHOLE_VALUE_TYPES,
    as_number,
)
from vpaas.domain.search import tokens
from vpaas.registry import catalogue as E

MAX_SEARCH_ITEMS = 100
MAX_SEARCH_DEPTH = 5
RELATIVE_TIME_LIMIT = 315_360_000
"""Date values within ten years of zero are relative to now, as in Kaltura's filters."""
_STEP = re.compile(r"^(?:\*\[local-name\(\)\s*=\s*(['\"])([^'\"]+)\1\]"
                   r"|(?:[\w.-]+:)?([\w.-]+))$")
_NAME = re.compile(r"^[^\W\d][\w.-]*$")
_COMPARISONS: dict[str, Callable[[Any, float], Any]] = {
    "1": lambda c, v: c == v, "2": lambda c, v: c > v, "3": lambda c, v: c >= v,
    "4": lambda c, v: c < v, "5": lambda c, v: c <= v, "6": lambda c, v: c != v}


def field_path(xpath: str | None) -> tuple[str, bool]:
    """A condition's ``field`` → ``(path below the root, by_name)``.

    Accepts the profile field's xPath (``/*[local-name()='metadata']/*[local-name()='A']``),
    a slashed path (``/metadata/A``) or a bare element name (``A``: any field so named).
    """
    text = (xpath or "").strip()
    if not text or len(text) > 1024:
        raise E.INVALID_PARAMETER_VALUE(text[:100], "advancedSearch:field")
    by_name = not text.startswith("/") or (text.startswith("//") and text.count("/") == 2)
    names = []
    for step in text.lstrip("/").split("/"):
        match = _STEP.match(step.strip())
        name = (match.group(2) or match.group(3)) if match else ""
        if not _NAME.match(name):
            raise E.INVALID_PARAMETER_VALUE(text[:100], "advancedSearch:field")
        names.append(name)
    if by_name:
        return names[-1], True
    if len(names) < 2:
        raise E.INVALID_PARAMETER_VALUE(text[:100], "advancedSearch:field (names no field)")
    return "/".join(names[1:]), False


def search_condition(item: Any, qctx: entry_query.QueryContext,
                     profile_id: int | None = None) -> Any:
    """The SQL condition on entries of a metadata search item (None when it asks nothing)."""
    budget = [MAX_SEARCH_ITEMS]
    return _condition(item, qctx, profile_id, 0, budget)


def _condition(item: Any, qctx: entry_query.QueryContext, profile_id: int | None,
               depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_SEARCH_DEPTH:
        raise E.INVALID_PARAMETER_VALUE(
            f"(more than {MAX_SEARCH_ITEMS} items or {MAX_SEARCH_DEPTH} levels)",
            "advancedSearch")
    if _handler(item) is not None:
        raise E.FILTER_NOT_SUPPORTED(f"advancedSearch:{type(item).__name__} "
                                     "inside a metadata search item or an OR")
    if _is_operator(item):
        own = getattr(item, "metadataProfileId", None)
        pid = own if own is not None else profile_id
        parts = [c for c in (_condition(child, qctx, pid, depth + 1, budget)
                             for child in item.items or []) if c is not None]
        if not parts:
            return None
        return or_(*parts) if _is_or(item) else and_(*parts)
    return _field_condition(item, qctx, profile_id)


def _field_condition(item: Any, qctx: entry_query.QueryContext,
                     profile_id: int | None) -> Any:
    v = MetadataFieldValueRow
    path, by_name = field_path(item.field)
    where = [v.partner_id == qctx.partner_id, v.object_type == ENTRY,
             v.object_id == qctx.entry.id]
    if profile_id is not None:
        where.append(v.metadata_profile_id == profile_id)
    where.append(or_(v.path == path, v.path.endswith("/" + path, autoescape=True))
                 if by_name else v.path == path)
    value = "" if item.value is None else str(item.value).strip()
    comparison = getattr(item, "comparison", None)
    if comparison is not None:
        where.append(_compare(str(getattr(comparison, "value", comparison)), value))
    elif value != "*":
        where.append(_match(value))
    return exists(select(literal(1)).select_from(v).where(*where))


def _match(value: str) -> Any:
    v = MetadataFieldValueRow
    folded = v.folded == value.casefold()[:FOLDED_LENGTH]
    words = tokens(value)[:MAX_WORDS]
    if not words:
        return folded
    phrase = v.words.contains(" " + " ".join(words) + " ", autoescape=True)
    return or_(and_(v.kind.in_(WHOLE_VALUE_TYPES), folded),
               and_(v.kind.not_in(WHOLE_VALUE_TYPES), phrase))


def _compare(comparison: str, value: str) -> Any:
    v = MetadataFieldValueRow
    if comparison not in _COMPARISONS:
        raise E.INVALID_PARAMETER_VALUE(comparison, "advancedSearch:comparison")
    op = _COMPARISONS[comparison]
    clock = now()
    if value.upper() == "CURRENT_DATE":
        return op(v.number, float(clock - clock % 86400))
    if value.upper() in ("CURRENT_TIME", "CURRENT_TIMESTAMP"):
        return op(v.number, float(clock))
    number = as_number(value)
    if number is None:
        raise E.INVALID_PARAMETER_VALUE(value[:100], "advancedSearch:value (not a number)")
    if abs(number) >= RELATIVE_TIME_LIMIT:
        return op(v.number, number)
    return or_(and_(v.kind == "dateType", op(v.number, clock + number)),
               and_(v.kind != "dateType", op(v.number, number)))


def _narrow(stmt: Select[Any], item: Any, qctx: entry_query.QueryContext) -> Select[Any]:
    """The advanced-search handler: metadata items become one condition; a top-level AND
    operator may also hold other modules' items, which their own handlers apply."""
    if _is_operator(item) and not _is_or(item):
        mine = [child for child in item.items or [] if _handler(child) is None]
        for child in item.items or []:
            other = _handler(child)
            stmt = other(stmt, child, qctx) if other is not None else stmt
        item = copy.copy(item)
        item.items = mine
    condition = search_condition(item, qctx)
    return stmt if condition is None else stmt.where(condition)


def _is_operator(item: Any) -> bool:
    return hasattr(item, "items") and hasattr(item, "type")


def _is_or(item: Any) -> bool:
    return item.type is not None and int(item.type) == 2


def _handler(item: Any) -> entry_query.AdvancedSearchHandler | None:
    """Another module's handler of ``item``; None when it is a metadata item (ours)."""
    for klass in type(item).__mro__:
        found = entry_query.ADVANCED_SEARCH_HANDLERS.get(klass.__name__)
        if found is not None:
            return None if found is _narrow else found
    raise E.FILTER_NOT_SUPPORTED(f"advancedSearch:{type(item).__name__}")


for _name in ("KalturaMetadataSearchItem", "KalturaSearchCondition",
              "KalturaSearchComparableCondition"):
    entry_query.advanced_search_handler(_name)(_narrow)
if "KalturaSearchOperator" not in entry_query.ADVANCED_SEARCH_HANDLERS:
    entry_query.advanced_search_handler("KalturaSearchOperator")(_narrow)
