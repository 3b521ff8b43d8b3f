"""Playlists domain: static content, the XML form of rules, static and dynamic execution."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries, playlists
from vpaas.domain.entry_query import ENTRY_FILTER_HANDLERS, QueryContext
from vpaas.domain.playlists import PlaylistType
from vpaas.registry import ApiError

PID = 401


def media(s: Session, name: str, status: int = 2, entry_type: int = 1, **cols: Any) -> str:
    row = entries.new_entry(s, entry_type, {"name": name, **cols})
    row.status = status
    s.flush()
    return row.id


def rule(**props: Any) -> SimpleNamespace:
    return SimpleNamespace(**props)


def test_static_content_parsing() -> None:
    assert playlists.parse_static(" 0_a , 0_b,,0_a ") == ["0_a", "0_b", "0_a"]
    assert playlists.parse_static(None) == []
    for bad in ("0_a,../x", "0_a,<b>", "x" * 21):
        with pytest.raises(ApiError) as exc:
            playlists.parse_static(bad)
        assert exc.value.code == "INVALID_ENTRY_ID"
    with pytest.raises(ApiError) as exc:
        playlists.parse_static(",".join(["0_a"] * (playlists.MAX_STATIC_ENTRIES + 1)))
    assert exc.value.code == "PLAYLIST_TOO_LARGE"


def test_types() -> None:
    assert playlists.check_type(3) is PlaylistType.STATIC_LIST
    assert playlists.check_type("10") is PlaylistType.DYNAMIC
    for bad in (101, 102, "x", None):
        with pytest.raises(ApiError):
            playlists.check_type(bad)


def test_rules_xml_round_trip_and_refusals() -> None:
    stored = [{"tagsMultiLikeOr": "a,b", "limit": 3, "orderBy": "-plays"},
              {"nameLike": "x <&> y"}]
    xml = playlists.rules_to_xml(stored, 12)
    rules, total = playlists.rules_from_xml(xml)
    assert total == 12
    assert rules == [{"tagsMultiLikeOr": "a,b", "limit": "3", "orderBy": "-plays"},
                     {"nameLike": "x <&> y"}]
    for bad in ("<nope", "<other/>", "<playlist><total_results>x</total_results></playlist>"):
        with pytest.raises(ApiError) as exc:
            playlists.rules_from_xml(bad)
        assert exc.value.code == "INVALID_PARAMETER_VALUE"
    bomb = ('<!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            "<playlist><filters><filter><nameLike>&b;</nameLike></filter></filters>"
            "</playlist>")
    rules, _ = playlists.rules_from_xml(bomb)
    assert "aaaaaaaaaa" not in str(rules)


def test_static_execution_keeps_order_and_skips_unplayable(database: Database) -> None:
    with database.partner_session(PID) as s:
        a, b = media(s, "a", duration_ms=1000), media(s, "b", duration_ms=2000)
        draft = media(s, "draft", status=7)
        hidden = media(s, "recycled", display_in_search=-2)
        q = QueryContext(s, PID)
        ids = [b, draft, "0_missing", a, hidden, b]
        assert [r.id for r in playlists.execute_static(q, ids)] == [b, a, b]
        assert playlists.static_duration_ms(q, ids) == 5000
        narrowed = rule(nameEqual="a", limit=4, name="ignored")
        assert [r.id for r in playlists.execute_static(q, ids, narrowed)] == [a]
    with database.partner_session(PID + 1) as s:
        assert playlists.execute_static(QueryContext(s, PID + 1), [a, b]) == []


def test_dynamic_execution_merges_rules_up_to_the_total(database: Database) -> None:
    with database.partner_session(PID) as s:
        cats = [media(s, f"cat{i}", tags="cats", plays=i) for i in range(4)]
        dogs = [media(s, f"dog{i}", tags="dogs", plays=10 + i) for i in range(3)]
        doc = media(s, "cat document", tags="cats", entry_type=10)
        q = QueryContext(s, PID)
        rules = [rule(tagsMultiLikeOr="cats", orderBy="-plays", limit=2),
                 rule(tagsMultiLikeOr="cats,dogs", orderBy="+plays", limit=None)]
        found = [r.id for r in playlists.execute_dynamic(q, rules, 5)]
        assert found == [cats[3], cats[2], cats[0], cats[1], dogs[0]]
        assert [r.id for r in playlists.execute_dynamic(q, rules, 1)] == [cats[3]]
        assert playlists.execute_dynamic(q, rules, 0) == []
        everything = [r.id for r in playlists.execute_dynamic(q, [rule(typeIn="1,10")], 50)]
        assert doc in everything and len(everything) == 8
        extra = rule(nameLike="dog")
        only_dogs = playlists.execute_dynamic(q, rules, 10, extra)
        assert [r.id for r in only_dogs] == dogs
        with pytest.raises(ApiError) as exc:
            playlists.execute_dynamic(q, [rule()] * (playlists.MAX_FILTERS + 1), 5)
        assert exc.value.code == "PLAYLIST_TOO_LARGE"
        with pytest.raises(ApiError) as exc:
            playlists.check_dynamic([rule(colourEqual=1)], 5, q)
        assert exc.value.code == "FILTER_NOT_SUPPORTED"


def test_playlist_type_handlers(database: Database) -> None:
    with database.partner_session(PID) as s:
        static = media(s, "s", entry_type=5, media_type=3)
        dynamic = media(s, "d", entry_type=5, media_type=10)
        q = QueryContext(s, PID)
        equal = ENTRY_FILTER_HANDLERS["playListTypeEqual"](select(EntryRow), 10, q)
        assert [r.id for r in s.scalars(equal)] == [dynamic]
        within = ENTRY_FILTER_HANDLERS["playListTypeIn"](select(EntryRow), "3,10", q)
        assert {r.id for r in s.scalars(within)} == {static, dynamic}
        with pytest.raises(ApiError):
            ENTRY_FILTER_HANDLERS["playListTypeIn"](select(EntryRow), "3,x", q)
