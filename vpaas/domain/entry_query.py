"""Where an entry list filter becomes a query; the extension points other modules use.

Modules that own extra filter properties (categories, custom metadata...) register here at
import time, importing nothing but this module:

- :func:`filter_handler` — a function narrowing the entry SELECT for one filter property
  (``categoriesIdsMatchOr``...), called as ``handler(stmt, value, qctx)``;
- :func:`advanced_search_handler` — the same for one ``KalturaSearchItem`` class of
  ``filter.advancedSearch`` (``KalturaMetadataSearchItem``...): ``handler(stmt, item, qctx)``;
- :func:`search_text_provider` — extra text for an entry's freeText document:
  ``provider(session, partner_id, entry_id) -> list[str]``.

:func:`reindex_entry` rebuilds one entry's search document (call it after any write that
changes what freeText finds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from vpaas.db.search import SearchIndex
from vpaas.db.tables.entry import EntryRow

FilterHandler = Callable[[Select[Any], Any, "QueryContext"], Select[Any]]
AdvancedSearchHandler = Callable[[Select[Any], Any, "QueryContext"], Select[Any]]
SearchTextProvider = Callable[[Session, int, str], list[str]]

ENTRY_FILTER_HANDLERS: dict[str, FilterHandler] = {}
"""Filter property name → handler narrowing the entry SELECT."""
ADVANCED_SEARCH_HANDLERS: dict[str, AdvancedSearchHandler] = {}
"""``KalturaSearchItem`` subclass name → handler narrowing the entry SELECT."""
SEARCH_TEXT_PROVIDERS: list[SearchTextProvider] = []
"""Functions giving extra freeText text of an entry (custom metadata...)."""

_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass
class QueryContext:
    """What a handler may use: the partner-scoped session, the partner and the entry table.

    ``entry`` is the mapped entry class (``EntryRow``; its columns are ``entry.id``...);
    ``call`` is the action's :class:`vpaas.context.CallContext` (None outside an API call,
    e.g. a dynamic playlist executed by a job).
    """

    session: Session
    partner_id: int
    entry: type[EntryRow] = EntryRow
    call: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def filter_handler(prop_name: str) -> Callable[[_F], _F]:
    """Register the decorated function as the handler of filter property ``prop_name``."""
    def register(fn: _F) -> _F:
        ENTRY_FILTER_HANDLERS[prop_name] = fn
        return fn
    return register


def advanced_search_handler(object_type_name: str) -> Callable[[_F], _F]:
    """Register the decorated function for ``advancedSearch`` items of that class name."""
    def register(fn: _F) -> _F:
        ADVANCED_SEARCH_HANDLERS[object_type_name] = fn
        return fn
    return register


def search_text_provider(fn: _F) -> _F:
    """Register ``fn(session, partner_id, entry_id) -> list[str]`` as freeText text."""
    if fn not in SEARCH_TEXT_PROVIDERS:
        SEARCH_TEXT_PROVIDERS.append(fn)
    return fn


def search_index(session: Session) -> SearchIndex:
    """The entry search index on the session's database."""
    bind = session.get_bind()
    return SearchIndex(bind.dialect.name)


def reindex_entry(session: Session, entry_id: str) -> None:
    """Rebuild one entry's freeText document; deleted or missing entries lose theirs."""
    row = session.get(EntryRow, entry_id)
    partner_id = row.partner_id if row is not None else session.info.get("partner_id")
    index = search_index(session)
    if row is None or row.status == 3:
        if partner_id is not None:
            index.delete(session, int(partner_id), entry_id)
        return
    metadata: list[str] = []
    for provider in SEARCH_TEXT_PROVIDERS:
        metadata.extend(provider(session, row.partner_id, row.id))
    ids = [row.id, row.reference_id or "", row.parent_entry_id or ""]
    index.upsert(session, row.partner_id, row.id, {
        "name": row.name, "tags": row.tags, "description": row.description,
        "ids": [i for i in ids if i], "metadata": metadata,
    })
