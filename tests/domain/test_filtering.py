"""Every filter operator, ordering, paging and cursors, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
)
from support.databases import scratch_database

from vpaas.domain.filtering import (
    FilterColumn,
    after_cursor,
    apply_filter,
    apply_order,
    count,
    encode_cursor,
    page,
    property_name,
    row_values,
    sort_keys,
    split_property,
)
from vpaas.registry import ApiError, KalturaObject

META = MetaData()
ITEMS = Table(
    "items", META,
    Column("id", String(8), primary_key=True),
    Column("name", String(100)),
    Column("tags", Text, nullable=True),
    Column("status", Integer),
    Column("created_at", BigInteger),
    Column("start_date", BigInteger, nullable=True),
    Column("duration_ms", Integer, nullable=True),
    Column("flags", Integer),
    Column("categories_ids", Text, nullable=True),
)
ROWS = [
    ("a", "Red Car", "cars, speed", 2, 100, None, 5000, 3, "1,2"),
    ("b", "blue boat", "red,sea", 2, 200, 150, 65000, 1, "2"),
    ("c", "100% pure_fun", None, 7, 300, 400, None, 0, None),
    ("d", "Ünïcode Café", "Café, été", 1, 400, None, 1000, 4, ""),
    ("e", "redacted", "speed", -1, 500, 600, 200000, 6, "3, 1"),
]
COLUMNS: dict[str, Any] = {
    "id": ITEMS.c.id, "name": ITEMS.c.name, "tags": ITEMS.c.tags, "status": ITEMS.c.status,
    "createdAt": ITEMS.c.created_at, "startDate": ITEMS.c.start_date, "flags": ITEMS.c.flags,
    "categoriesIds": ITEMS.c.categories_ids,
    "duration": FilterColumn((ITEMS.c.duration_ms,), to_db=lambda s: s * 1000),
    "tagsName": (ITEMS.c.tags, ITEMS.c.name),
}
CSV = {"tags", "categoriesIds", "tagsName"}



@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The items table with ROWS, on each backend."""
    urls = scratch_database() if request.param == "postgresql" else iter(["sqlite://"])
    url = next(urls)
    eng = create_engine(url)
    META.create_all(eng)
    with eng.begin() as conn:
        conn.execute(insert(ITEMS), [dict(zip(ITEMS.c.keys(), row, strict=True))
                                     for row in ROWS])
    yield eng
    eng.dispose()
    for _ in urls:
        pass


def ids(engine: Engine, stmt: Any) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def matching(engine: Engine, **props: Any) -> list[str]:
    stmt = apply_filter(select(ITEMS.c.id), KalturaObject(**props), COLUMNS, CSV)
    return sorted(ids(engine, stmt))


class Status(StrEnum):
    READY = "2"


CASES = [
    ({"nameEqual": "blue boat"}, "b"),
    ({"nameEqual": "Blue Boat"}, ""),
    ({"statusEqual": Status.READY}, "ab"),
    ({"statusNotEqual": 2}, "cde"),
    ({"statusIn": "2,7"}, "abc"),
    ({"statusIn": " 1 , ,-1"}, "de"),
    ({"statusNotIn": "2,7"}, "de"),
    ({"idIn": "a,zz"}, "a"),
    ({"idNotIn": "a,b"}, "cde"),
    ({"idIn": ","}, ""),
    ({"nameLike": "red"}, "ae"),
    ({"nameLike": "100%"}, "c"),
    ({"nameLike": "e_"}, "c"),
    ({"nameLike": "café"}, "d"),
    ({"nameLike": ""}, "abcde"),
    ({"nameStartsWith": "RED"}, "ae"),
    ({"nameEndsWith": "boat"}, "b"),
    ({"nameMultiLikeOr": "boat, car"}, "ab"),
    ({"nameMultiLikeAnd": "red,car"}, "a"),
    ({"nameMultiLikeAnd": "red,boat"}, ""),
    ({"tagsLike": "ee"}, "ae"),
    ({"createdAtGreaterThanOrEqual": 300}, "cde"),
    ({"createdAtLessThanOrEqual": 200}, "ab"),
    ({"createdAtGreaterThan": 300}, "de"),
    ({"createdAtLessThan": 200}, "a"),
    ({"createdAtGreaterThanOrEqual": 200, "createdAtLessThanOrEqual": 400}, "bcd"),
    ({"startDateGreaterThanOrEqualOrNull": 400}, "acde"),
    ({"startDateLessThanOrEqualOrNull": 150}, "abd"),
    ({"startDateGreaterThanOrNull": 400}, "ade"),
    ({"startDateLessThanOrNull": 400}, "abd"),
    ({"startDateEqualOrNull": 150}, "abd"),
    ({"tagsMatchOr": "speed,sea"}, "abe"),
    ({"tagsMatchOr": "car"}, ""),
    ({"tagsMatchOr": "SPEED"}, "ae"),
    ({"tagsMatchAnd": "cars,speed"}, "a"),
    ({"tagsMatchAnd": "cars,sea"}, ""),
    ({"tagsMatchOr": "Café"}, "d"),
    ({"tagsNotContains": "speed"}, "bcd"),
    ({"categoriesIdsMatchOr": "1"}, "ae"),
    ({"categoriesIdsMatchAnd": "1,2"}, "a"),
    ({"categoriesIdsNotContains": "2,3"}, "cd"),
    ({"categoriesIdsEmpty": 1}, "cd"),
    ({"categoriesIdsEmpty": 0}, "abe"),
    ({"categoriesIdsEmpty": -1}, "abcde"),
    ({"startDateEmpty": 1}, "ad"),
    ({"flagsBitAnd": 2}, "ae"),
    ({"flagsBitOr": 5}, "abde"),
    ({"durationGreaterThanOrEqual": 5}, "abe"),
    ({"durationLessThan": 5}, "d"),
    ({"tagsNameMultiLikeOr": "boat,speed"}, "abe"),
    ({"tagsNameMultiLikeAnd": "red,sea"}, "b"),
    ({"tagsNameMatchOr": "sea,red car"}, "ab"),
]


@pytest.mark.parametrize(("props", "expected"), CASES, ids=[str(c[0]) for c in CASES])
def test_every_operator(engine: Engine, props: dict[str, Any], expected: str) -> None:
    assert matching(engine, **props) == list(expected)


def test_property_names_follow_kaltura() -> None:
    assert property_name("startDate", "gteornull") == "startDateGreaterThanOrEqualOrNull"
    assert property_name("name", "likex") == "nameStartsWith"
    assert split_property("createdAtLessThanOrEqual") == ("createdAt", "lte")
    assert split_property("statusNotEqual") == ("status", "not")
    assert split_property("userIdNotIn") == ("userId", "notin")
    assert split_property("categoriesIdsEmpty") == ("categoriesIds", "empty")
    assert split_property("freeText") is None and split_property("In") is None


def test_unsupported_and_bad_values_are_clear_errors(engine: Engine) -> None:
    with pytest.raises(ApiError) as err:
        matching(engine, colourEqual="red")
    assert err.value.code == "FILTER_NOT_SUPPORTED" and "colourEqual" in err.value.message
    with pytest.raises(ApiError) as err:
        matching(engine, freeText="x")
    assert err.value.code == "FILTER_NOT_SUPPORTED"
    with pytest.raises(ApiError) as err:
        matching(engine, statusIn="2,x")
    assert err.value.code == "PROPERTY_VALIDATION_NUMERIC_VALUE"
    with pytest.raises(ApiError) as err:
        matching(engine, idIn=",".join(str(i) for i in range(501)))
    assert err.value.code == "INVALID_PARAMETER_VALUE"


def test_handled_properties_are_left_to_the_caller(engine: Engine) -> None:
    stmt = apply_filter(select(ITEMS.c.id), KalturaObject(freeText="x", statusEqual=7),
                        COLUMNS, CSV, handled={"freeText"})
    assert ids(engine, stmt) == ["c"]


def ordered(engine: Engine, order_by: str, **kw: Any) -> list[str]:
    return ids(engine, apply_order(select(ITEMS.c.id), order_by, COLUMNS, **kw))


def test_order_by(engine: Engine) -> None:
    assert ordered(engine, "+createdAt") == list("abcde")
    assert ordered(engine, "-createdAt") == list("edcba")
    assert ordered(engine, "+startDate") == list("adbce")  # NULL first ascending
    assert ordered(engine, "-startDate") == list("ecbad")  # and last descending
    assert ordered(engine, "-status,+createdAt") == list("cabde")
    assert ordered(engine, "", default="-createdAt") == list("edcba")
    assert ordered(engine, "+flags, -flags") == list("cbade")


def test_order_by_rejects_unknown_fields(engine: Engine) -> None:
    with pytest.raises(ApiError) as err:
        ordered(engine, "+colour")
    assert err.value.code == "INVALID_ORDER_BY" and "+colour" in err.value.message
    with pytest.raises(ApiError):
        ordered(engine, "+name", allowed={"createdAt"})
    with pytest.raises(ApiError):
        ordered(engine, "+tagsName")


def test_pager(engine: Engine) -> None:
    base = apply_order(select(ITEMS.c.id), "+createdAt", COLUMNS)
    pager = KalturaObject(pageSize=2, pageIndex=2)
    stmt, size, index = page(base, pager)
    assert (ids(engine, stmt), size, index) == (["c", "d"], 2, 2)
    assert page(base, None)[1:] == (30, 1)
    assert page(base, KalturaObject(pageSize=10_000, pageIndex=-3))[1:] == (500, 1)
    stmt, size, _ = page(base, KalturaObject(pageSize=-1))
    assert size == 0 and ids(engine, stmt) == []
    with engine.connect() as conn:
        assert conn.execute(count(stmt)).scalar() == 5
        filtered = apply_filter(base, KalturaObject(statusEqual=2), COLUMNS)
        assert conn.execute(count(page(filtered, pager)[0])).scalar() == 2


@pytest.mark.parametrize("order_by", ["+startDate", "-startDate", "-status,+name",
                                      "+createdAt", "-tags"])
def test_cursor_pages_through_everything(engine: Engine, order_by: str) -> None:
    columns = dict(COLUMNS, tags=ITEMS.c.tags)
    keys = sort_keys(order_by, columns)
    base = select(ITEMS).order_by(*(k.clause() for k in keys))
    expected = [row.id for row in _rows(engine, base)]
    seen: list[str] = []
    cursor = None
    while True:
        rows = _rows(engine, after_cursor(base, keys, cursor).limit(2))
        if not rows:
            break
        seen += [row.id for row in rows]
        cursor = encode_cursor(keys, row_values(keys, rows[-1]))
    assert seen == expected and len(seen) == len(ROWS)


def _rows(engine: Engine, stmt: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(stmt))


def test_cursor_rejects_forgeries(engine: Engine) -> None:
    keys = sort_keys("+createdAt", COLUMNS)
    other = sort_keys("-createdAt", COLUMNS)
    cursor = encode_cursor(keys, [300, "c"])
    assert ids(engine, after_cursor(apply_order(select(ITEMS.c.id), "+createdAt", COLUMNS),
                                    keys, cursor)) == ["d", "e"]
    for bad, k in [(cursor, other), ("!!!", keys), ("eyJ4IjoxfQ", keys), ("A" * 3000, keys)]:
        with pytest.raises(ApiError) as err:
            after_cursor(select(ITEMS.c.id), k, bad)
        assert err.value.code == "INVALID_PAGER_CURSOR"
