"""Playlists: entries of type PLAYLIST (5), as in Kaltura, in the entry table.

- ``media_type`` holds the playlist type: STATIC_LIST (3) or DYNAMIC (10);
- a static playlist's entry ids, comma separated and in order, are in ``data_content``;
- a dynamic playlist's rules are in ``extra["playlistFilters"]`` (one dict of filter
  properties per rule, plain JSON values) and its cap in ``extra["totalResults"]``.

Executing a static playlist returns its entries in order, skipping those that are missing,
deleted or not playable (not READY, rejected, recycled...); the same entry may appear twice.
A dynamic playlist runs each rule as an entry list filter (:mod:`vpaas.domain.entry_query`,
so every filter the library knows works here), in its ``orderBy`` (newest first by default),
takes up to ``limit`` entries not found by an earlier rule, and stops at ``totalResults``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from lxml import etree
from sqlalchemy import Select

from vpaas.db.tables.entry import EntryRow
from vpaas.domain import (
    category_filters,  # noqa: F401  (registers the category filters)
    entry_query,
    filtering,
)
from vpaas.domain.entry_query import QueryContext, filter_handler
from vpaas.registry import catalogue as E

PLAYLIST_ENTRY_TYPE = 5
MEDIA_CLIP = 1
MAX_STATIC_ENTRIES = 1000
MAX_FILTERS = 20
MAX_TOTAL_RESULTS = 500
DEFAULT_TOTAL_RESULTS = 50
MAX_CONTENT_BYTES = 65_536
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_PLAYLIST_ONLY = ("limit", "name")
_TYPE_PROPS = ("typeEqual", "typeIn")


class PlaylistType(IntEnum):
    """``KalturaPlaylistType`` numbers."""

    STATIC_LIST = 3
    DYNAMIC = 10
    EXTERNAL = 101
    PATH = 102


SUPPORTED = frozenset({PlaylistType.STATIC_LIST, PlaylistType.DYNAMIC})


def check_type(value: Any) -> PlaylistType:
    """A playlist type vpaas executes (static or dynamic), else INVALID_PLAYLIST_TYPE."""
    try:
        kind = PlaylistType(int(getattr(value, "value", value)))
    except (TypeError, ValueError):
        raise E.INVALID_PLAYLIST_TYPE() from None
    if kind not in SUPPORTED:
        raise E.INVALID_PLAYLIST_TYPE()
    return kind


# --- static playlists ------------------------------------------------------------------------


def parse_static(content: str | None) -> list[str]:
    """The entry ids of a static playlist's content (comma separated; order kept)."""
    text = content or ""
    if len(text.encode()) > MAX_CONTENT_BYTES:
        raise E.PLAYLIST_TOO_LARGE(MAX_STATIC_ENTRIES, "entries")
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if len(ids) > MAX_STATIC_ENTRIES:
        raise E.PLAYLIST_TOO_LARGE(MAX_STATIC_ENTRIES, "entries")
    for entry_id in ids:
        if len(entry_id) > 20 or not set(entry_id) <= _ID_CHARS:
            raise E.INVALID_ENTRY_ID(entry_id[:40])
    return ids


def playable(q: QueryContext, ids: Sequence[str], extra_filter: Any = None) -> Select[Any]:
    """SELECT of the entries among ``ids`` an entry list would show (READY, not rejected,
    not recycled, in their scheduling defaults), narrowed by ``extra_filter`` if given."""
    stmt = entry_query.entry_select(q, _without_playlist_fields(extra_filter))
    return stmt.where(EntryRow.id.in_(list(dict.fromkeys(ids))))


def execute_static(q: QueryContext, ids: Sequence[str], extra_filter: Any = None
                   ) -> list[EntryRow]:
    """The playable entries of a static playlist, in the playlist's order."""
    found: dict[str, EntryRow] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), filtering.MAX_IN_VALUES):
        chunk = unique[start:start + filtering.MAX_IN_VALUES]
        for row in q.session.scalars(playable(q, chunk, extra_filter)):
            found[row.id] = row
    return [found[i] for i in ids if i in found]


def static_duration_ms(q: QueryContext, ids: Sequence[str]) -> int:
    """Total duration of the playable entries of a static playlist (repeats count again)."""
    rows = execute_static(q, ids)
    return sum(r.duration_ms or 0 for r in rows)


# --- dynamic playlists -----------------------------------------------------------------------


def _without_playlist_fields(filter_obj: Any) -> Any:
    """A copy of a playlist rule without ``limit``/``name`` (not entry properties)."""
    if filter_obj is None:
        return None
    clone = copy.copy(filter_obj)
    for name in _PLAYLIST_ONLY:
        if hasattr(clone, name):
            setattr(clone, name, None)
    return clone


def check_dynamic(filters: Sequence[Any], total_results: int | None,
                  q: QueryContext | None = None, allowed_order: Any = None) -> int:
    """Validate a dynamic playlist's rules; the effective totalResults.

    With ``q`` each rule's query is also built, so an unsupported filter property or
    ordering is refused now rather than when the playlist is played.
    """
    if len(filters) > MAX_FILTERS:
        raise E.PLAYLIST_TOO_LARGE(MAX_FILTERS, "filters")
    total = DEFAULT_TOTAL_RESULTS if total_results is None else int(total_results)
    if total < 0:
        raise E.INVALID_PARAMETER_VALUE(total, "totalResults")
    if total > MAX_TOTAL_RESULTS:
        raise E.PLAYLIST_TOO_LARGE(MAX_TOTAL_RESULTS, "entries (totalResults)")
    for f in filters:
        limit = getattr(f, "limit", None)
        if limit is not None and int(limit) < 0:
            raise E.INVALID_PARAMETER_VALUE(limit, "filters:limit")
        if q is not None:
            _rule_select(q, f, None, set(), allowed_order)
    return total


def execute_dynamic(q: QueryContext, filters: Sequence[Any], total_results: int | None,
                    extra_filter: Any = None, allowed_order: Any = None) -> list[EntryRow]:
    """Run each rule in turn; merge their entries without duplicates, up to totalResults."""
    total = check_dynamic(filters, total_results)
    extra = None
    if extra_filter is not None:
        extra = entry_query.entry_select(q, _without_playlist_fields(extra_filter))
        extra = extra.with_only_columns(EntryRow.id)
    found: list[EntryRow] = []
    seen: set[str] = set()
    for rule in filters:
        remaining = total - len(found)
        if remaining <= 0:
            break
        limit = getattr(rule, "limit", None)
        size = remaining if limit is None else min(int(limit), remaining)
        if size <= 0:
            continue
        stmt = _rule_select(q, rule, extra, seen, allowed_order)
        for row in q.session.scalars(stmt.limit(size)):
            seen.add(row.id)
            found.append(row)
    return found


def _rule_select(q: QueryContext, rule: Any, extra: Select[Any] | None, seen: set[str],
                 allowed_order: Any) -> Select[Any]:
    plain = _without_playlist_fields(rule)
    props = filtering.supplied_properties(plain)
    entry_type = None if any(p in props for p in _TYPE_PROPS) else MEDIA_CLIP
    stmt = entry_query.entry_select(q, plain, None, entry_type)
    if extra is not None:
        stmt = stmt.where(EntryRow.id.in_(extra))
    if seen:
        stmt = stmt.where(EntryRow.id.not_in(sorted(seen)))
    keys = filtering.sort_keys(getattr(rule, "orderBy", None), entry_query.COLUMNS,
                               entry_query.DEFAULT_ORDER, "id", allowed_order)
    return stmt.order_by(*(k.clause() for k in keys))


def dynamic_duration_ms(q: QueryContext, filters: Sequence[Any], total: int | None) -> int:
    """Total duration of what the rules select now."""
    return sum(r.duration_ms or 0 for r in execute_dynamic(q, filters, total))


# --- the XML form of dynamic rules ------------------------------------------------------------


def rules_to_xml(rules: Sequence[dict[str, Any]], total_results: int) -> str:
    """``<playlist><total_results/><filters><filter><prop>value</prop>...`` of stored rules."""
    root = etree.Element("playlist")
    etree.SubElement(root, "total_results").text = str(total_results)
    holder = etree.SubElement(root, "filters")
    for rule in rules:
        node = etree.SubElement(holder, "filter")
        for name, value in rule.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                etree.SubElement(node, name).text = str(value)
    return etree.tostring(root, encoding="unicode")


def rules_from_xml(content: str) -> tuple[list[dict[str, str]], int | None]:
    """Rules (property → text) and total_results of the XML form; INVALID_PARAMETER_VALUE
    with the parser's reason if it is not that XML."""
    if len(content.encode()) > MAX_CONTENT_BYTES:
        raise E.PLAYLIST_TOO_LARGE(MAX_FILTERS, "filters")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content.encode(), parser)
    except etree.XMLSyntaxError as exc:
        raise E.INVALID_PARAMETER_VALUE(f"(not XML: {exc})"[:200], "playlistContent") from None
    if root.tag != "playlist":
        raise E.INVALID_PARAMETER_VALUE("(root element must be <playlist>)", "playlistContent")
    total_text = (root.findtext("total_results") or "").strip()
    if total_text and not total_text.isdigit():
        raise E.INVALID_PARAMETER_VALUE(total_text[:40], "playlistContent:total_results")
    rules = []
    for node in root.iterfind("filters/filter"):
        rules.append({child.tag: (child.text or "").strip() for child in node
                      if isinstance(child.tag, str)})
    if len(rules) > MAX_FILTERS:
        raise E.PLAYLIST_TOO_LARGE(MAX_FILTERS, "filters")
    return rules, int(total_text) if total_text else None


# --- playlist lists -------------------------------------------------------------------------


def _type_equal(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
    return stmt.where(q.entry.media_type == int(getattr(value, "value", value)))


def _type_in(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
    items = [p.strip() for p in str(value).split(",") if p.strip()]
    if not all(p.lstrip("-").isdigit() for p in items):
        raise E.PROPERTY_VALIDATION_NUMERIC_VALUE("filter:playListTypeIn")
    return stmt.where(q.entry.media_type.in_([int(p) for p in items]))


filter_handler("playListTypeEqual")(_type_equal)
filter_handler("playListTypeIn")(_type_in)

