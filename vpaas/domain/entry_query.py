"""Where an entry list filter becomes a query; the extension points other modules use.

Modules that own extra filter properties (categories, custom metadata...) register here at
import time, importing nothing but this module:

- :func:`filter_handler` — a function narrowing the entry SELECT for one filter property
  (``categoriesIdsMatchOr``...), called as ``handler(stmt, value, qctx)``;
- :func:`advanced_search_handler` — the same for one ``KalturaSearchItem`` class of
  ``filter.advancedSearch`` (``KalturaMetadataSearchItem``...): ``handler(stmt, item, qctx)``;
- :func:`search_text_provider` — extra text for an entry's freeText document:
  ``provider(session, partner_id, entry_id) -> list[str]``.

:func:`entry_select` turns a filter into ``SELECT entry ... WHERE ...`` (no order, no paging);
:func:`reindex_entry` rebuilds one entry's search document, and :func:`track` makes a session
re-index every entry whose searchable text it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import (
    Float,
    Integer,
    Select,
    cast,
    event,
    func,
    inspect,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from vpaas.db.search import SearchIndex
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import search
from vpaas.domain.filtering import FilterColumn, condition_for, conditions, supplied_properties
from vpaas.registry import catalogue as E

FilterHandler = Callable[[Select[Any], Any, "QueryContext"], Select[Any]]
AdvancedSearchHandler = Callable[[Select[Any], Any, "QueryContext"], Select[Any]]
SearchTextProvider = Callable[[Session, int, str], list[str]]

ENTRY_FILTER_HANDLERS: dict[str, FilterHandler] = {}
"""Filter property name → handler narrowing the entry SELECT."""
ADVANCED_SEARCH_HANDLERS: dict[str, AdvancedSearchHandler] = {}
"""``KalturaSearchItem`` subclass name → handler narrowing the entry SELECT."""
SEARCH_TEXT_PROVIDERS: list[SearchTextProvider] = []
"""Functions giving extra freeText text of an entry (custom metadata...)."""

READY, DELETED = 2, 3
PENDING_MODERATION, REJECTED = 1, 3
SYSTEM, RECYCLED = -1, -2
MEDIA_CLIP = 1
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


@dataclass(frozen=True)
class Viewer:
    """Who lists: admins and ``list:*`` sessions see every entry of the partner; a named
    user without them sees the entries they own or are entitled to; an anonymous (widget)
    session is not narrowed (as ``get``)."""

    list_all: bool = True
    user_id: str = ""


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


# --- columns ------------------------------------------------------------------------------

def _extra(key: str, as_int: bool = False) -> Any:
    value = EntryRow.extra[key]
    return value.as_integer() if as_int else value.as_string()


_NEWEST_FIRST = 0 - EntryRow.created_at
COLUMNS: Mapping[str, Any] = {
    "id": EntryRow.id, "name": EntryRow.name, "description": EntryRow.description,
    "partnerId": EntryRow.partner_id, "userId": EntryRow.user_id,
    "creatorId": EntryRow.creator_id, "tags": EntryRow.tags, "adminTags": EntryRow.admin_tags,
    "categories": EntryRow.categories, "categoriesIds": EntryRow.categories_ids,
    "status": EntryRow.status, "moderationStatus": EntryRow.moderation_status,
    "moderationCount": EntryRow.moderation_count, "type": EntryRow.type,
    "createdAt": EntryRow.created_at, "updatedAt": EntryRow.updated_at,
    "rank": cast(literal_column("0"), Float), "totalRank": cast(literal_column("0"), Integer),
    "groupId": _extra("groupId", as_int=True),
    "accessControlId": EntryRow.access_control_id, "startDate": EntryRow.start_date,
    "endDate": EntryRow.end_date, "referenceId": EntryRow.reference_id,
    "replacingEntryId": _extra("replacingEntryId"), "replacedEntryId": _extra("replacedEntryId"),
    "replacementStatus": EntryRow.replacement_status,
    "partnerSortValue": EntryRow.partner_sort_value,
    "conversionProfileId": EntryRow.conversion_profile_id,
    "rootEntryId": func.coalesce(EntryRow.parent_entry_id, EntryRow.id),
    "parentEntryId": EntryRow.parent_entry_id,
    "entitledUsersEdit": EntryRow.entitled_users_edit,
    "entitledUsersPublish": EntryRow.entitled_users_publish,
    "entitledUsersView": EntryRow.entitled_users_view,
    "displayInSearch": EntryRow.display_in_search,
    "tagsName": (EntryRow.tags, EntryRow.name),
    "tagsAdminTags": (EntryRow.tags, EntryRow.admin_tags),
    "tagsAdminTagsName": (EntryRow.tags, EntryRow.admin_tags, EntryRow.name),
    "recent": _NEWEST_FIRST, "weight": _NEWEST_FIRST,
    # playable and media entries
    "plays": EntryRow.plays, "views": EntryRow.views, "lastPlayedAt": EntryRow.last_played_at,
    "duration": (func.coalesce(EntryRow.duration_ms, 0) + 500) // 1000,
    "mediaType": EntryRow.media_type, "sourceType": EntryRow.source_type,
    "mediaDate": EntryRow.media_date, "flavorParamsIds": _extra("flavorParamsIds"),
    # documents
    "documentType": EntryRow.document_type, "assetParamsIds": _extra("assetParamsIds"),
}
"""API field → SQL expression, for filters (``{field}{Suffix}``) and ``orderBy``."""
CSV_FIELDS = frozenset({"categories", "categoriesIds", "entitledUsersEdit",
                        "entitledUsersPublish", "entitledUsersView", "flavorParamsIds",
                        "assetParamsIds"})
DEFAULT_ORDER = "-createdAt"
_STATUS_PROPS = ("statusEqual", "statusIn", "statusNotEqual", "statusNotIn")
_MODERATION_PROPS = tuple(p.replace("status", "moderationStatus") for p in _STATUS_PROPS)
_DISPLAY_PROPS = ("displayInSearchEqual", "displayInSearchIn")
_MINUTE_MS = 60_000


# --- properties vpaas handles itself ------------------------------------------------------

def _free_text(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
    return _matching(stmt, search.parse(str(value)), q)


def _matching(stmt: Select[Any], query: search.Query | None, q: QueryContext) -> Select[Any]:
    if query is None:
        return stmt
    ids = search_index(q.session).matching_ids_clause(q.partner_id, query)
    return stmt.where(EntryRow.id.in_(ids))


def _search_text(match_all: bool) -> FilterHandler:
    def handle(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
        words = search.tokens(str(value))[:search.MAX_QUERY_TERMS]
        if not words:
            return stmt
        terms = [search.Term((w,)) for w in dict.fromkeys(words)]
        groups = [search.Group(tuple(terms))] if match_all else \
            [search.Group((t,)) for t in terms]
        return _matching(stmt, search.Query(tuple(groups)), q)
    return handle


def _is_root(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
    flag = int(getattr(value, "value", value))
    if flag < 0:
        return stmt
    parent = EntryRow.parent_entry_id
    return stmt.where(or_(parent.is_(None), parent == "") if flag else parent != "")


def _redirect_from(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
    target = (select(func.coalesce(EntryRow.redirect_entry_id, EntryRow.id))
              .where(EntryRow.partner_id == q.partner_id, EntryRow.id == str(value))
              .scalar_subquery())
    return stmt.where(EntryRow.id == target)


def _duration_type(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
    ms = func.coalesce(EntryRow.duration_ms, 0)
    buckets = {"notavailable": ms <= 0, "short": (ms > 0) & (ms < 4 * _MINUTE_MS),
               "medium": (ms >= 4 * _MINUTE_MS) & (ms < 20 * _MINUTE_MS),
               "long": ms >= 20 * _MINUTE_MS}
    names = [v.strip().lower() for v in str(value).split(",") if v.strip()]
    unknown = [n for n in names if n not in buckets]
    if unknown:
        raise E.INVALID_PARAMETER_VALUE(unknown[0], "filter:durationTypeMatchOr")
    return stmt.where(or_(*(buckets[n] for n in names))) if names else stmt


def _category_names(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
    column = FilterColumn.of(EntryRow.categories, csv=True)
    found = condition_for("matchor", column, value, "categoriesFullNameIn")
    return stmt if found is None else stmt.where(found)


def _ignored(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
    return stmt


BUILTIN_HANDLERS: Mapping[str, FilterHandler] = {
    "freeText": _free_text, "searchTextMatchAnd": _search_text(True),
    "searchTextMatchOr": _search_text(False), "isRoot": _is_root,
    "redirectFromEntryId": _redirect_from, "durationTypeMatchOr": _duration_type,
    "categoriesFullNameIn": _category_names, "excludedFreeTextGroups": _ignored,
}
"""Properties vpaas handles itself; a registered handler of the same name wins."""


# --- the query ----------------------------------------------------------------------------

def entry_select(q: QueryContext, filter_obj: Any, viewer: Viewer | None = None,
                 entry_type: int | None = None) -> Select[Any]:
    """``SELECT entry`` narrowed by every property of ``filter_obj`` and Kaltura's defaults.

    Defaults (unless the filter says otherwise): READY only, moderation not PENDING or
    REJECTED, no SYSTEM or RECYCLED entries (``displayInSearch``); ``idEqual`` and
    ``redirectFromEntryId`` lift them. DELETED entries appear only when asked for by
    ``statusEqual``/``statusIn``.
    """
    stmt = select(EntryRow).where(EntryRow.partner_id == q.partner_id)
    if entry_type is not None:
        stmt = stmt.where(EntryRow.type == int(entry_type))
    props = supplied_properties(filter_obj) if filter_obj is not None else {}
    handled: set[str] = set()
    for name, value in props.items():
        handler = ENTRY_FILTER_HANDLERS.get(name) or BUILTIN_HANDLERS.get(name)
        if handler is not None:
            stmt = handler(stmt, value, q)
            handled.add(name)
    if filter_obj is not None:
        found = conditions(filter_obj, COLUMNS, CSV_FIELDS, handled)
        stmt = stmt.where(*found) if found else stmt
        stmt = _advanced(stmt, getattr(filter_obj, "advancedSearch", None), q)
    return visibility(_defaults(stmt, props), viewer)


def _defaults(stmt: Select[Any], props: Mapping[str, Any]) -> Select[Any]:
    """Kaltura's default conditions, as constants in the SQL (not parameters): the databases
    then see that they imply the condition of the partial index ``ix_entry_listed``."""
    if "idEqual" not in props and "redirectFromEntryId" not in props:
        if not any(p in props for p in _STATUS_PROPS):
            stmt = stmt.where(EntryRow.status == _constant(READY))
        if not any(p in props for p in _MODERATION_PROPS):
            stmt = stmt.where(EntryRow.moderation_status.not_in(
                [_constant(PENDING_MODERATION), _constant(REJECTED)]))
        if not any(p in props for p in _DISPLAY_PROPS):
            hidden = (RECYCLED,) if "parentEntryIdEqual" in props else (RECYCLED, SYSTEM)
            stmt = stmt.where(EntryRow.display_in_search.not_in([_constant(h) for h in hidden]))
    if not _asks_for_deleted(props):
        stmt = stmt.where(EntryRow.status != _constant(DELETED))
    return stmt


def _constant(value: int) -> Any:
    return literal(value, Integer, literal_execute=True)


def _asks_for_deleted(props: Mapping[str, Any]) -> bool:
    equal = props.get("statusEqual")
    if equal is not None and str(getattr(equal, "value", equal)) == str(DELETED):
        return True
    return str(DELETED) in [s.strip() for s in str(props.get("statusIn") or "").split(",")]


def _advanced(stmt: Select[Any], item: Any, q: QueryContext) -> Select[Any]:
    if item is None:
        return stmt
    for klass in type(item).__mro__:
        handler = ADVANCED_SEARCH_HANDLERS.get(klass.__name__)
        if handler is not None:
            return handler(stmt, item, q)
    raise E.FILTER_NOT_SUPPORTED(f"advancedSearch:{type(item).__name__}")


def visibility(stmt: Select[Any], viewer: Viewer | None) -> Select[Any]:
    """``stmt`` narrowed to what ``viewer`` may list (see :class:`Viewer`)."""
    if viewer is None or viewer.list_all or not viewer.user_id:
        return stmt
    user = viewer.user_id
    entitled = [condition_for("matchor", FilterColumn.of(c, csv=True), user, "entitled")
                for c in (EntryRow.entitled_users_edit, EntryRow.entitled_users_publish,
                          EntryRow.entitled_users_view)]
    return stmt.where(or_(EntryRow.user_id == user, *[c for c in entitled if c is not None]))


# --- the freeText index -------------------------------------------------------------------

INDEXED_ATTRIBUTES = ("name", "tags", "description", "reference_id", "parent_entry_id",
                      "status", "partner_id")
_TRACK_KEY = "vpaas.entry_query.reindex"


def search_index(session: Session) -> SearchIndex:
    """The entry search index on the session's database."""
    return SearchIndex(session.get_bind().dialect.name)


def search_document(session: Session, row: EntryRow) -> dict[str, Any]:
    """The freeText fields of an entry (see :data:`vpaas.db.search.ENTRY_FIELDS`)."""
    metadata: list[str] = []
    for provider in SEARCH_TEXT_PROVIDERS:
        metadata.extend(provider(session, row.partner_id, row.id))
    ids = [row.id, row.reference_id or "", row.parent_entry_id or ""]
    return {"name": row.name, "tags": row.tags, "description": row.description,
            "ids": [i for i in ids if i], "metadata": metadata}


def reindex_entry(session: Session, entry_id: str) -> None:
    """Rebuild one entry's freeText document; deleted or missing entries lose theirs."""
    row = session.get(EntryRow, entry_id)
    partner_id = row.partner_id if row is not None else session.info.get("partner_id")
    index = search_index(session)
    if row is None or row.status == DELETED:
        if partner_id is not None:
            index.delete(session, int(partner_id), entry_id)
        return
    index.upsert(session, row.partner_id, row.id, search_document(session, row))


def track(session: Session) -> None:
    """Keep the index current for this session: every flushed entry whose searchable text
    (or status) changed is re-indexed right after the flush. Idempotent."""
    if _TRACK_KEY in session.info:
        return
    session.info[_TRACK_KEY] = set()
    event.listen(session, "after_flush", _collect)
    event.listen(session, "after_flush_postexec", _reindex_collected)


def _collect(session: Session, _ctx: Any) -> None:
    pending: set[str] = session.info.setdefault(_TRACK_KEY, set())
    for obj in session.new:
        if isinstance(obj, EntryRow):
            pending.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, EntryRow) and _text_changed(obj):
            pending.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, EntryRow):
            pending.add(obj.id)


def _text_changed(row: EntryRow) -> bool:
    state = inspect(row)
    return any(state.attrs[name].history.has_changes() for name in INDEXED_ATTRIBUTES)


def _reindex_collected(session: Session, _ctx: Any) -> None:
    pending: set[str] = session.info.get(_TRACK_KEY) or set()
    while pending:
        reindex_entry(session, pending.pop())
