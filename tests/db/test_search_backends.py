"""The freeText index: SQLite FTS5 and PostgreSQL tsvector give the same answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, create_engine, select
from support.databases import scratch_database

from vpaas.db.search import (
    SearchIndex,
    fts5_query,
    is_search_table,
    layout,
    tsquery_text,
    tsvector_text,
)
from vpaas.domain.search import parse

DOCS = {
    "a": {"name": "Red car racing", "tags": "cars, speed", "description": "A café at AT&T"},
    "b": {"name": "Blue boat", "tags": "red, sea", "description": "Sailing the sea"},
    "c": {"name": "Money ball", "tags": "sports", "ids": ["0_abc123", "ref-77"]},
    "d": {"name": "Ball of money", "tags": "sports, tech", "metadata": "Ελληνικά σημειώσεις"},
    "e": {"name": "test! 100% _under_", "description": "videos and video", "tags": "TECH"},
}
OTHER_PARTNER = {"z": {"name": "Red car", "tags": "sports"}}

CASES = [
    ("red", "ab"),
    ("car", "a"),
    ("RED CAR", "a"),
    ("red sea", "b"),
    ("cars red", "a"),  # AND holds across fields
    ("tech,sea", "bde"),
    ("boat, money ball", "bcd"),
    ("sports !tech", "c"),
    ("red !\"red car\"", "b"),
    ('"money ball"', "c"),
    ('"ball money"', ""),
    ('"racing cars"', ""),
    ('"car racing"', "a"),
    ("test\\!", "e"),
    ("\\!test", "e"),
    ("100%", "e"),
    ("_under_", "e"),
    ("at&t", "a"),
    ("cafe", "a"),
    ("CAFÉ", "a"),
    ("vid*", "e"),
    ("video", "e"),
    ("vide", ""),
    ("ra*", "a"),
    ('"red ca"*', ""),
    ("red ca*", "a"),
    ("0_abc123", "c"),
    ("abc*", "c"),
    ("ελληνικα", "d"),
    ("ΕΛΛΗΝΙΚΆ", "d"),
    ("' OR 1=1 --", ""),
    ('x") OR ("y', ""),
]



@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def indexed(request: pytest.FixtureRequest) -> Iterator[tuple[Engine, SearchIndex]]:
    """DOCS indexed for partner 1 and OTHER_PARTNER for partner 2, on each backend."""
    urls = scratch_database() if request.param == "postgresql" else iter(["sqlite://"])
    engine = create_engine(next(urls))
    index = SearchIndex(engine)
    with engine.begin() as conn:
        index.ensure_schema(conn)
        index.ensure_schema(conn)  # idempotent
        for pid, docs in ((1, DOCS), (2, OTHER_PARTNER)):
            for oid, fields in docs.items():
                index.upsert(conn, pid, oid, fields)
    yield engine, index
    engine.dispose()
    for _ in urls:
        pass


def found(indexed: tuple[Engine, SearchIndex], text: str, partner: int = 1) -> str:
    engine, index = indexed
    query = parse(text)
    assert query is not None
    with engine.connect() as conn:
        return "".join(sorted(conn.execute(index.matching_ids_clause(partner, query)).scalars()))


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_operators_give_the_same_results_on_both_backends(
        indexed: tuple[Engine, SearchIndex], text: str, expected: str) -> None:
    assert found(indexed, text) == expected


def test_partners_see_only_their_documents(indexed: tuple[Engine, SearchIndex]) -> None:
    assert found(indexed, "red car", partner=2) == "z"
    assert found(indexed, "sports", partner=2) == "z"
    assert found(indexed, "sports", partner=3) == ""


def test_clause_filters_a_table_by_id(indexed: tuple[Engine, SearchIndex]) -> None:
    engine, index = indexed
    items = Table("items_search_demo", MetaData(), Column("id", String(8), primary_key=True),
                  Column("n", Integer))
    items.create(engine, checkfirst=True)
    with engine.begin() as conn:
        conn.execute(items.delete())
        conn.execute(items.insert(), [{"id": k, "n": i} for i, k in enumerate("abcdez")])
        two = items.c.id.in_(index.matching_ids_clause(1, parse("sports")))
        one = items.c.id.in_(index.matching_ids_clause(1, parse("red")))
        stmt = select(items.c.id).where(two | one).order_by(items.c.n)
        assert list(conn.execute(stmt).scalars()) == ["a", "b", "c", "d"]
        items.drop(conn)


def test_upsert_replaces_and_delete_removes(indexed: tuple[Engine, SearchIndex]) -> None:
    engine, index = indexed
    with engine.begin() as conn:
        index.upsert(conn, 1, "tmp", {"name": "zebra crossing"})
        index.upsert(conn, 1, "tmp", {"name": "giraffe"})
    assert found(indexed, "zebra") == "" and found(indexed, "giraffe") == "tmp"
    with engine.begin() as conn:
        index.delete(conn, 1, "tmp")
        index.delete(conn, 1, "never-indexed")
    assert found(indexed, "giraffe") == ""


def test_unknown_fields_and_identifiers_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown search fields"):
        layout(("name",), {"colour": "red"})
    with pytest.raises(ValueError, match="bad search identifier"):
        SearchIndex("sqlite", kind="entry; DROP TABLE x")
    with pytest.raises(ValueError, match="no search backend"):
        SearchIndex("mysql")


def test_backend_syntax_is_built_from_tokens_only() -> None:
    query = parse('cat "red car",dog !bird*')
    assert query is not None
    assert fts5_query(query) == '("cat" AND "red car") OR (("dog") NOT ("bird" *))'
    assert tsquery_text(query) == "(('cat') & ('red' <-> 'car')) | (('dog') & !('bird':*))"
    assert tsvector_text([["a", "b"], ["b"]]) == "'a':1 'b':2,4"
    assert is_search_table("search_entry_fts_data") and not is_search_table("entry")
