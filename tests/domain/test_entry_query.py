"""entry_query: the extension registries, filters → SELECT, defaults, visibility and the
freeText index kept by :func:`track` (SQLite, or PostgreSQL in the PostgreSQL pass)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from vpaas.db.base import Database
from vpaas.db.tables.entry import LISTED, EntryRow
from vpaas.domain import entries, entry_query, search
from vpaas.domain.entry_query import QueryContext, Viewer
from vpaas.registry import ApiError

PID = 7


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.partner_session(PID) as s:
        yield s


def add(session: Session, name: str, **values: Any) -> EntryRow:
    row = entries.new_entry(session, 1, {"name": name, "status": 2, **values})
    session.flush()
    return row


def ids(session: Session, q: QueryContext, flt: Any = None, **kw: Any) -> set[str]:
    return set(session.scalars(entry_query.entry_select(q, flt, **kw).with_only_columns(
        EntryRow.id)))


def flt(**props: Any) -> SimpleNamespace:
    return SimpleNamespace(advancedSearch=None, **props)


def test_registration_decorators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entry_query, "ENTRY_FILTER_HANDLERS", {})
    monkeypatch.setattr(entry_query, "ADVANCED_SEARCH_HANDLERS", {})
    monkeypatch.setattr(entry_query, "SEARCH_TEXT_PROVIDERS", [])

    @entry_query.filter_handler("thingIn")
    def thing(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
        return stmt

    @entry_query.advanced_search_handler("KalturaThingItem")
    def item(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
        return stmt

    def text(session: Session, partner_id: int, entry_id: str) -> list[str]:
        return []

    assert entry_query.search_text_provider(text) is text
    entry_query.search_text_provider(text)
    registered = (entry_query.ENTRY_FILTER_HANDLERS, entry_query.ADVANCED_SEARCH_HANDLERS,
                  entry_query.SEARCH_TEXT_PROVIDERS)
    assert registered == ({"thingIn": thing}, {"KalturaThingItem": item}, [text])


def test_defaults_and_what_lifts_them(session: Session) -> None:
    q = QueryContext(session, PID)
    ready = add(session, "ready")
    draft = add(session, "draft", status=7)
    pending = add(session, "pending", moderation_status=1)
    rejected = add(session, "rejected", moderation_status=3)
    system = add(session, "system", display_in_search=-1, parent_entry_id=ready.id)
    recycled = add(session, "recycled", display_in_search=-2)
    gone = add(session, "gone", status=3)
    assert ids(session, q) == ids(session, q, flt()) == {ready.id}
    assert ids(session, q, flt(idEqual=draft.id)) == {draft.id}
    assert ids(session, q, flt(statusIn="2,7")) == {ready.id, draft.id}
    assert ids(session, q, flt(moderationStatusIn="1,3")) == {pending.id, rejected.id}
    assert ids(session, q, flt(parentEntryIdEqual=ready.id)) == {system.id}
    assert ids(session, q, flt(displayInSearchEqual=-2)) == {recycled.id}
    assert ids(session, q, flt(statusNotEqual="2")) == {draft.id}
    assert ids(session, q, flt(statusEqual="3")) == {gone.id}
    assert ids(session, q, flt(idEqual=gone.id)) == set()


def test_defaults_are_constants_that_imply_the_listed_index(session: Session) -> None:
    # the partial index ix_entry_listed serves default lists only if the database can prove
    # its condition from the query's, which it cannot from bound parameters
    stmt = entry_query.entry_select(QueryContext(session, PID), flt())
    sql = str(stmt.compile(dialect=session.get_bind().dialect,
                           compile_kwargs={"render_postcompile": True}))
    where = " ".join(sql.split("WHERE", 1)[1].split())
    listed = " ".join(str(LISTED).split()).split(" AND ")
    assert all(f"entry.{term}" in where for term in listed), (where, listed)


def test_entry_type_and_partner_scope(session: Session, database: Database) -> None:
    media = add(session, "m")
    data = entries.new_entry(session, 6, {"name": "d", "status": 2})
    session.commit()
    q = QueryContext(session, PID)
    assert ids(session, q, entry_type=1) == {media.id}
    assert ids(session, q) == {media.id, data.id}
    with database.partner_session(PID + 1) as other:
        assert ids(other, QueryContext(other, PID + 1)) == set()


def test_visibility(session: Session) -> None:
    q = QueryContext(session, PID)
    mine = add(session, "mine", user_id="ann")
    shared = add(session, "shared", user_id="bob", entitled_users_view="x, ann")
    other = add(session, "other", user_id="bob")
    assert ids(session, q, viewer=Viewer(list_all=False, user_id="ann")) == {mine.id,
                                                                             shared.id}
    assert ids(session, q, viewer=Viewer(list_all=True, user_id="ann")) == {
        mine.id, shared.id, other.id}
    assert len(ids(session, q, viewer=Viewer(list_all=False, user_id=""))) == 3


def test_handlers_get_the_query_context(session: Session,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = add(session, "a"), add(session, "b")
    calls: list[tuple[Any, int, Any]] = []

    def only_b(stmt: Select[Any], value: Any, q: QueryContext) -> Select[Any]:
        calls.append((value, q.partner_id, q.call))
        return stmt.where(q.entry.id == b.id)

    monkeypatch.setitem(entry_query.ENTRY_FILTER_HANDLERS, "categoryAncestorIdIn", only_b)
    q = QueryContext(session, PID, call="the call")
    assert ids(session, q, flt(categoryAncestorIdIn="5")) == {b.id}
    assert calls == [("5", PID, "the call")]
    assert a.id in ids(session, q)


def test_advanced_search_dispatch_by_class(session: Session,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = add(session, "a"), add(session, "b")

    class KalturaThingItem:
        pass

    class KalturaSubThingItem(KalturaThingItem):
        pass

    def only_a(stmt: Select[Any], item: Any, q: QueryContext) -> Select[Any]:
        return stmt.where(q.entry.id == a.id)

    q = QueryContext(session, PID)
    with pytest.raises(ApiError) as refused:
        ids(session, q, SimpleNamespace(advancedSearch=KalturaThingItem()))
    assert refused.value.code == "FILTER_NOT_SUPPORTED"
    assert "KalturaThingItem" in str(refused.value)
    monkeypatch.setitem(entry_query.ADVANCED_SEARCH_HANDLERS, "KalturaThingItem", only_a)
    assert ids(session, q, SimpleNamespace(advancedSearch=KalturaSubThingItem())) == {a.id}
    assert b.id in ids(session, q)


def test_unknown_properties_are_refused(session: Session) -> None:
    q = QueryContext(session, PID)
    with pytest.raises(ApiError) as refused:
        ids(session, q, flt(colourEqual="red"))
    assert refused.value.code == "FILTER_NOT_SUPPORTED"


def test_track_keeps_the_index_current(session: Session) -> None:
    q = QueryContext(session, PID)

    def hits(text: str) -> set[str]:
        return set(session.scalars(entry_query.entry_select(
            q, flt(freeText=text, statusIn="2,3")).with_only_columns(EntryRow.id)))

    row = add(session, "Heron watching", tags="birds", reference_id="ext-9")
    session.commit()
    assert hits("heron") == hits("birds") == hits("ext-9") == hits(row.id) == {row.id}
    row.name = "Crane watching"
    session.commit()
    assert hits("heron") == set() and hits("crane") == {row.id}
    row.plays = 5  # not searchable: no re-index needed, nothing changes
    session.commit()
    assert hits("crane") == {row.id}
    entries.delete_entry(session, row)
    session.commit()
    assert hits("crane") == set()


def test_reindex_uses_search_text_providers(session: Session,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    row = add(session, "plain")
    session.commit()
    monkeypatch.setattr(entry_query, "SEARCH_TEXT_PROVIDERS",
                        [lambda s, pid, eid: ["Metadatum ÉLAN"] if eid == row.id else []])
    entry_query.reindex_entry(session, row.id)
    doc = entry_query.search_document(session, row)
    assert doc["metadata"] == ["Metadatum ÉLAN"] and doc["ids"] == [row.id]
    query = search.parse("elan")
    assert query is not None
    index = entry_query.search_index(session)
    found = session.scalars(index.matching_ids_clause(PID, query)).all()
    assert list(found) == [row.id]
    entry_query.reindex_entry(session, "0_missing")  # nothing to index, no error
    assert session.scalar(select(EntryRow.id).where(EntryRow.id == "0_missing")) is None
