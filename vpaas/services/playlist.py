"""playlist: static and dynamic playlists — add, get, update, delete, list, clone, execute.

Playlists are entries of type PLAYLIST; see :mod:`vpaas.domain.playlists` for how they are
stored and executed.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from functools import cache
from typing import Annotated, Any

from vpaas.context import CallContext
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries, entry_query, library, playlists
from vpaas.domain.entries import EntryType
from vpaas.domain.entry_state import EntryStatus, transition
from vpaas.domain.playlists import PlaylistType
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.entry import KalturaBaseEntry
from vpaas.objects.filters import sortable_fields
from vpaas.objects.playlist import (
    KalturaMediaEntryFilterForPlaylist,
    KalturaPlaylist,
    KalturaPlaylistFilter,
    KalturaPlaylistListResponse,
    KalturaPlaylistType,
)
from vpaas.registry import ForInsert, ForUpdate, KalturaObject, Service, declare
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule
from vpaas.services import base_entry as shared
from vpaas.services import entry_objects

playlist = Service("playlist", """Playlists: static (a list of entries) or dynamic (rules).""")

_RULES, _TOTAL = "playlistFilters", "totalResults"
_FOUND = ("INVALID_ENTRY_ID", "INVALID_PLAYLIST_TYPE")
_CONTENT = ("INVALID_PLAYLIST_TYPE", "PLAYLIST_TOO_LARGE", "FILTER_NOT_SUPPORTED",
            "INVALID_ORDER_BY", "INVALID_PARAMETER_VALUE")
_RULE_ORDER = sortable_fields(KalturaMediaEntryFilterForPlaylist)


# --- rules: filter objects <-> plain JSON ----------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, KalturaObject):
        fields = {k: _plain(v) for k, v in vars(value).items()
                  if k not in ("supplied", "nulled") and v is not None}
        return {"objectType": type(value).__name__, **fields}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def rule_to_plain(rule: KalturaMediaEntryFilterForPlaylist) -> dict[str, Any]:
    """A rule as stored: its properties with plain JSON values."""
    out = _plain(rule)
    out.pop("objectType", None)
    return dict(out)


@cache
def _classes() -> dict[str, type]:
    return {c.__name__: c for c in declare.OBJECTS}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return {k: v for k, v in typing.get_type_hints(cls).items()
            if k not in ("supplied", "nulled") and not k.startswith("_")}


def _typed(hint: Any, value: Any, name: str) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        hint = args[0] if len(args) == 1 else hint
    if typing.get_origin(hint) is list:
        return [_typed(typing.get_args(hint)[0], v, name) for v in value or []]
    try:
        if isinstance(hint, type) and issubclass(hint, Enum):
            return hint(str(value)) if issubclass(hint, str) else hint(int(value))
        if isinstance(value, dict):
            cls = _classes().get(str(value.get("objectType")), hint)
            return build(cls, value)
        if hint in (int, float, str) or hint is declare.Time:
            return int(value) if hint is declare.Time else hint(value)
    except (TypeError, ValueError):
        raise E.INVALID_PARAMETER_VALUE(str(value)[:80], f"filters:{name}") from None
    return value


def build(cls: type, data: dict[str, Any]) -> Any:
    """An API object from stored plain values; unknown properties are refused."""
    obj = cls()
    hints = _hints(cls)
    for name, value in data.items():
        if name == "objectType":
            continue
        if name not in hints:
            raise E.FILTER_NOT_SUPPORTED(name[:80])
        setattr(obj, name, _typed(hints[name], value, name))
        obj.supplied.add(name)
    return obj


def _rules(data: list[dict[str, Any]]) -> list[KalturaMediaEntryFilterForPlaylist]:
    return [build(KalturaMediaEntryFilterForPlaylist, d) for d in data]


# --- row <-> object ---------------------------------------------------------------------------

def _row(ctx: CallContext, playlist_id: Any) -> EntryRow:
    text = str(playlist_id or "")
    row = ctx.session.get(EntryRow, text) if 0 < len(text) <= 20 else None
    if row is None or row.status == EntryStatus.DELETED:
        raise E.INVALID_ENTRY_ID(text[:40])
    if row.type != EntryType.PLAYLIST:
        raise E.INVALID_PLAYLIST_TYPE()
    return row


def _kind(row: EntryRow) -> PlaylistType:
    try:
        return PlaylistType(row.media_type or PlaylistType.STATIC_LIST)
    except ValueError:
        return PlaylistType.STATIC_LIST


def playlist_object(ctx: CallContext, row: EntryRow) -> KalturaPlaylist:
    """The API object of a playlist entry row."""
    base = entry_objects.plain_entry_object(ctx, row)
    values = {k: v for k, v in vars(base).items() if k not in ("supplied", "nulled")}
    kind = _kind(row)
    extra = row.extra or {}
    values.update(playlistType=KalturaPlaylistType(int(kind)), plays=row.plays,
                  views=row.views, duration=round((row.duration_ms or 0) / 1000),
                  executeUrl=ctx.url(f"/api_v3/service/playlist/action/execute?id={row.id}"))
    if kind == PlaylistType.DYNAMIC:
        stored = list(extra.get(_RULES) or [])
        total = int(extra.get(_TOTAL) or playlists.DEFAULT_TOTAL_RESULTS)
        values.update(filters=_rules(stored), totalResults=total,
                      playlistContent=playlists.rules_to_xml(stored, total))
    else:
        values.update(playlistContent=row.data_content or "")
    return KalturaPlaylist(**values)


def _apply_content(ctx: CallContext, row: EntryRow, obj: KalturaPlaylist,
                   update_stats: bool) -> None:
    q = shared.query_context(ctx)
    sent = obj.supplied - obj.nulled
    if _kind(row) == PlaylistType.STATIC_LIST:
        if "playlistContent" in obj.supplied:
            ids = playlists.parse_static(obj.playlistContent if "playlistContent" in sent
                                         else "")
            row.data_content = ",".join(ids)
        row.duration_ms = playlists.static_duration_ms(q, playlists.parse_static(
            row.data_content))
        return
    extra = dict(row.extra or {})
    stored = list(extra.get(_RULES) or [])
    total = extra.get(_TOTAL)
    if "filters" in obj.supplied:
        stored = [rule_to_plain(f) for f in obj.filters or []]
    elif "playlistContent" in sent and (obj.playlistContent or "").strip():
        stored, from_xml = playlists.rules_from_xml(obj.playlistContent or "")
        total = from_xml if from_xml is not None else total
    if "totalResults" in obj.supplied:
        total = obj.totalResults if "totalResults" in sent else None
    rules = _rules(stored)
    total = playlists.check_dynamic(rules, total, q, _RULE_ORDER)
    extra[_RULES], extra[_TOTAL] = [rule_to_plain(r) for r in rules], total
    row.extra, row.data_content = extra, None
    if update_stats:
        row.duration_ms = playlists.dynamic_duration_ms(q, rules, total)


def _execute(ctx: CallContext, row: EntryRow, extra_filter: Any = None) -> list[EntryRow]:
    q = shared.query_context(ctx)
    if _kind(row) == PlaylistType.DYNAMIC:
        extra = row.extra or {}
        return playlists.execute_dynamic(q, _rules(list(extra.get(_RULES) or [])),
                                         extra.get(_TOTAL), extra_filter, _RULE_ORDER)
    return playlists.execute_static(q, playlists.parse_static(row.data_content), extra_filter)


def _page(ctx: CallContext, rows: list[EntryRow],
          pager: KalturaFilterPager | None) -> list[KalturaBaseEntry]:
    if pager is not None and (pager.pageSize is not None or pager.pageIndex is not None):
        page = library.PageRequest.of(pager)
        rows = rows[(page.index - 1) * page.size:page.index * page.size]
    return [entry_objects.entry_object(ctx, r) for r in rows]


# --- actions ----------------------------------------------------------------------------------

@playlist.action(ks=KsRule.USER, errors=_CONTENT)
def add(ctx: CallContext, playlist: Annotated[KalturaPlaylist, ForInsert],
        updateStats: bool = False) -> KalturaPlaylist:
    """Add a playlist (READY at once).

    Args:
        playlist: name, playlistType (STATIC_LIST 3, default, or DYNAMIC 10), and
            playlistContent (static: entry ids) or filters + totalResults (dynamic)
        updateStats: Also compute a dynamic playlist's duration now (static: always)
    """
    if not (playlist.name or "").strip():
        raise E.PROPERTY_VALIDATION_MIN_LENGTH("name", 1)
    kind = playlists.check_type(playlist.playlistType or KalturaPlaylistType.STATIC_LIST)
    entry_query.track(ctx.session)
    row = shared.create(ctx, playlist, EntryType.PLAYLIST)
    row.media_type = int(kind)
    _apply_content(ctx, row, playlist, updateStats)
    transition(row, EntryStatus.READY)
    ctx.session.flush()
    return playlist_object(ctx, row)


@playlist.action(ks=KsRule.ANY, errors=_FOUND)
def get(ctx: CallContext, id: str, version: int = -1) -> KalturaPlaylist:
    """Get a playlist.

    Args:
        id: Playlist id
        version: Ignored (the current version is returned)
    """
    del version
    return playlist_object(ctx, _row(ctx, id))


@playlist.action(ks=KsRule.USER, errors=(*_FOUND, *_CONTENT))
def update(ctx: CallContext, id: str, playlist: Annotated[KalturaPlaylist, ForUpdate],
           updateStats: bool = False) -> KalturaPlaylist:
    """Update a playlist; its type cannot change.

    Args:
        id: Playlist id
        playlist: The fields to change (playlistContent, filters, totalResults, name...)
        updateStats: Also recompute a dynamic playlist's duration
    """
    row = _row(ctx, id)
    shared.check_can_edit(ctx, row)
    if "name" in playlist.supplied and not (playlist.name or "").strip():
        raise E.PROPERTY_VALIDATION_MIN_LENGTH("name", 1)
    entry_query.track(ctx.session)
    entry_objects.apply_object(ctx, row, playlist, insert=False)
    _apply_content(ctx, row, playlist, updateStats)
    ctx.session.flush()
    return playlist_object(ctx, row)


@playlist.action("delete", ks=KsRule.USER, errors=_FOUND)
def delete_(ctx: CallContext, id: str) -> None:
    """Delete a playlist (the entries in it are not touched).

    Args:
        id: Playlist id
    """
    row = _row(ctx, id)
    shared.check_can_edit(ctx, row)
    entry_query.track(ctx.session)
    entries.delete_entry(ctx.session, row)  # its hooks drop the category memberships


@playlist.action(ks=KsRule.USER, errors=(*_FOUND, "CANT_UPDATE_PARAMETER"))
def clone(ctx: CallContext, id: str, newPlaylist: KalturaPlaylist | None = None
          ) -> KalturaPlaylist:
    """Copy a playlist; fields set in ``newPlaylist`` replace the copied ones.

    Args:
        id: Playlist to copy
        newPlaylist: Fields of the copy that differ (its type must stay the same)
    """
    source = playlist_object(ctx, _row(ctx, id))
    new = newPlaylist or KalturaPlaylist()
    if new.playlistType is not None and int(new.playlistType) != int(source.playlistType):
        raise E.CANT_UPDATE_PARAMETER("playlistType")
    copied = KalturaPlaylist()
    for name in _hints(KalturaPlaylist):
        chosen = getattr(new, name, None) if name in new.supplied else getattr(source, name)
        decl = _decl(name)
        if chosen is None or decl is None or decl.readonly:
            continue
        setattr(copied, name, chosen)
        copied.supplied.add(name)
    copied.supplied.discard("playlistContent" if source.playlistType ==
                            KalturaPlaylistType.DYNAMIC else "filters")
    return add(ctx, copied, True)


def _decl(name: str) -> declare.FieldDecl | None:
    for klass in KalturaPlaylist.__mro__:
        decl = klass.__dict__.get(name)
        if isinstance(decl, declare.FieldDecl):
            return decl
    return None


@playlist.action("list", ks=KsRule.ANY, errors=("FILTER_NOT_SUPPORTED", "INVALID_ORDER_BY"))
def list_(ctx: CallContext, filter: KalturaPlaylistFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaPlaylistListResponse:
    """List playlists (newest first unless ``orderBy`` says otherwise).

    Args:
        filter: Entry conditions, plus playListTypeEqual/playListTypeIn
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    f = filter or KalturaPlaylistFilter()
    found = library.list_entries(shared.query_context(ctx), f, library.PageRequest.of(pager),
                                 allowed_order=sortable_fields(type(f)),
                                 viewer=shared.viewer(ctx), entry_type=EntryType.PLAYLIST)
    return KalturaPlaylistListResponse(objects=[playlist_object(ctx, r) for r in found.rows],
                                       totalCount=found.total)


@playlist.action(ks=KsRule.ANY, errors=(*_FOUND, "FILTER_NOT_SUPPORTED"))
def execute(ctx: CallContext, id: str, detailed: str = "",
            filter: KalturaMediaEntryFilterForPlaylist | None = None,
            pager: KalturaFilterPager | None = None) -> list[KalturaBaseEntry]:
    """The entries of a playlist, for playing: a static playlist's in its order (skipping
    missing or unplayable ones), a dynamic playlist's as its rules select them now.

    Args:
        id: Playlist id
        detailed: Ignored (entries are always complete)
        filter: Further conditions on the entries
        pager: A page of the result (all of it by default)
    """
    del detailed
    return _page(ctx, _execute(ctx, _row(ctx, id), filter), pager)


@playlist.action(ks=KsRule.ANY, errors=_CONTENT)
def executeFromContent(ctx: CallContext, playlistType: KalturaPlaylistType,
                       playlistContent: str, detailed: str = "",
                       pager: KalturaFilterPager | None = None) -> list[KalturaBaseEntry]:
    """Execute a playlist that is not stored: entry ids (static) or the XML rules (dynamic).

    Args:
        playlistType: STATIC_LIST (3) or DYNAMIC (10)
        playlistContent: Comma separated entry ids, or <playlist> XML
        detailed: Ignored
        pager: A page of the result
    """
    del detailed
    kind = playlists.check_type(playlistType)
    q = shared.query_context(ctx)
    if kind == PlaylistType.STATIC_LIST:
        rows = playlists.execute_static(q, playlists.parse_static(playlistContent))
    else:
        stored, total = playlists.rules_from_xml(playlistContent)
        rows = playlists.execute_dynamic(q, _rules(stored), total, None, _RULE_ORDER)
    return _page(ctx, rows, pager)


@playlist.action(ks=KsRule.ANY, errors=_CONTENT)
def executeFromFilters(ctx: CallContext, filters: list[KalturaMediaEntryFilterForPlaylist],
                       totalResults: int, detailed: str = "1",
                       pager: KalturaFilterPager | None = None) -> list[KalturaBaseEntry]:
    """Execute dynamic-playlist rules that are not stored.

    Args:
        filters: The rules, run in order
        totalResults: At most this many entries (max 500)
        detailed: Ignored
        pager: A page of the result
    """
    del detailed
    rows = playlists.execute_dynamic(shared.query_context(ctx), filters, totalResults, None,
                                     _RULE_ORDER)
    return _page(ctx, rows, pager)
