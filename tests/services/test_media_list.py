"""media.list / baseEntry.list / count / listByReferenceId / recycle through the in-process
API: every filter operator, every freeText operator, defaults, ordering, pager and cursors.

One library is built per module (SQLite, or PostgreSQL in the PostgreSQL pass): entries are
added through the API, then the fields clients cannot write (status, plays, durations,
times) are set in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update
from support.api import ApiHelper, is_error
from support.databases import fresh_database_url

from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entry_query
from vpaas.settings import load_settings

T0 = 1_700_000_000
S = 1_600_000_000  # schedule and play times (small values would be relative times)
MEDIA = "KalturaMediaEntryFilter"

# key: (API fields at add, database columns set afterwards)
LIBRARY: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "A": ({"name": "Alpha cat video", "description": "a small cat", "tags": "pets,cats",
           "adminTags": "promo", "referenceId": "ref-a", "partnerSortValue": 3,
           "startDate": S + 1000, "endDate": S + 9000, "accessControlId": 4, "groupId": 7,
           "entitledUsersEdit": "bob,carol"},
          {"plays": 10, "duration_ms": 30_000, "last_played_at": S + 5000, "media_type": 1,
           "categories": "Root>Pets,Root>Fun", "categories_ids": "1,2",
           "extra": {"groupId": 7, "flavorParamsIds": "0,3"}}),
    "B": ({"name": "Beta dog", "description": "big dog running", "tags": "pets,dogs",
           "referenceId": "ref-b", "partnerSortValue": 1, "accessControlId": 5,
           "entitledUsersEdit": "bob"},
          {"plays": 50, "duration_ms": 300_000, "last_played_at": S + 9000, "media_type": 5,
           "moderation_status": 2, "categories": "Root>Pets", "categories_ids": "2",
           "extra": {"replacingEntryId": "0_zzzzzzzz"}}),
    "C": ({"name": "Gamma Café", "description": "the money ball scene", "tags": "sports",
           "adminTags": "internal", "referenceId": "ref-c", "partnerSortValue": 2,
           "startDate": S + 5000, "entitledUsersPublish": "erin"},
          {"plays": 0, "duration_ms": 1_500_000, "media_type": 1, "media_date": S + 3000,
           "conversion_profile_id": 77}),
    "I": ({"name": "Iota cat", "tags": "cats,kittens", "userId": "dave",
           "entitledUsersEdit": "dave"},
          {"plays": 5, "duration_ms": None, "media_type": 2}),
    "D": ({"name": "Delta draft", "referenceId": "ref-d"}, {"status": 7}),
    "E": ({"name": "Epsilon pending", "tags": "pets"}, {"moderation_status": 1}),
    "F": ({"name": "Zeta system"}, {"display_in_search": -1}),
    "G": ({"name": "Eta deleted", "referenceId": "ref-b"}, {"status": 3}),
}
VISIBLE = {"A", "B", "C", "I"}


class Library:
    """The module's API helper and entry ids by key."""

    def __init__(self, api: ApiHelper) -> None:
        self.api = api
        self.ids: dict[str, str] = {}
        self.keys: dict[str, str] = {}

    def call(self, service: str, action: str, **params: Any) -> Any:
        return self.api.call(service, action, **params)

    def names(self, result: dict[str, Any]) -> set[str]:
        assert not is_error(result), result
        return {self.keys.get(o["id"], o["id"]) for o in result["objects"]}

    def media(self, pager: dict[str, Any] | None = None, **props: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"filter": {"objectType": MEDIA, **props}}
        if pager is not None:
            params["pager"] = pager
        return dict(self.call("media", "list", **params))

    def set_columns(self, key: str, **values: Any) -> None:
        with self.api.runtime.db.partner_session(self.api.partner.id) as s:
            s.execute(update(EntryRow).where(EntryRow.id == self.ids[key]).values(**values))
            s.commit()


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    where: Path = tmp_path_factory.mktemp("library")
    settings = load_settings(env={}, data_dir=str(where / "data"),
                             database_url=fresh_database_url(), workers=0)
    with ApiHelper(settings) as api:
        library = Library(api)
        for i, (key, (fields, columns)) in enumerate(LIBRARY.items()):
            added = api.call("media", "add", entry={"objectType": "KalturaMediaEntry",
                                                    "mediaType": 1, **fields})
            assert not is_error(added), added
            library.ids[key], library.keys[added["id"]] = added["id"], key
            stamp = T0 + 100 * (i + 1)
            library.set_columns(key, **{"status": 2, "created_at": stamp,
                                        "updated_at": stamp + 1, **columns})
        library.set_columns("F", parent_entry_id=library.ids["A"], updated_at=T0 + 701)
        library.set_columns("B", redirect_entry_id=library.ids["I"], updated_at=T0 + 201)
        data = api.call("baseEntry", "add", entry={"objectType": "KalturaDataEntry",
                                                   "name": "Theta data", "dataContent": "x"})
        library.ids["H"], library.keys[data["id"]] = data["id"], "H"
        yield library


def _expand(lib: Library, props: dict[str, Any]) -> dict[str, Any]:
    """Entry keys written as ``@A`` in a property value become the entry ids."""
    out = {}
    for name, value in props.items():
        if isinstance(value, str) and "@" in value:
            value = ",".join(lib.ids[v[1:]] if v.startswith("@") else v
                             for v in value.split(","))
        out[name] = value
    return out


OPERATOR_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"idEqual": "@A"}, {"A"}), ({"idIn": "@A,@B"}, {"A", "B"}),
    ({"idNotIn": "@A"}, {"B", "C", "I"}),
    ({"nameLike": "CAT"}, {"A", "I"}), ({"nameMultiLikeOr": "beta,iota"}, {"B", "I"}),
    ({"nameMultiLikeAnd": "alpha,video"}, {"A"}), ({"nameEqual": "Beta dog"}, {"B"}),
    ({"partnerIdEqual": "{pid}"}, VISIBLE), ({"partnerIdIn": "{pid},9"}, VISIBLE),
    ({"userIdEqual": "dave"}, {"I"}), ({"userIdIn": "dave,admin"}, VISIBLE),
    ({"userIdNotIn": "dave"}, {"A", "B", "C"}), ({"creatorIdEqual": "admin"}, VISIBLE),
    ({"tagsLike": "pets"}, {"A", "B"}), ({"tagsMultiLikeOr": "dogs,kittens"}, {"B", "I"}),
    ({"tagsMultiLikeAnd": "pets,cats"}, {"A"}), ({"adminTagsLike": "promo"}, {"A"}),
    ({"adminTagsMultiLikeOr": "promo,internal"}, {"A", "C"}),
    ({"adminTagsMultiLikeAnd": "pro,mo"}, {"A"}),
    ({"tagsNameMultiLikeOr": "sports,iota"}, {"C", "I"}),
    ({"tagsNameMultiLikeAnd": "cat,kitten"}, {"I"}),
    ({"tagsAdminTagsMultiLikeOr": "internal,dogs"}, {"B", "C"}),
    ({"tagsAdminTagsMultiLikeAnd": "pets,promo"}, {"A"}),
    ({"tagsAdminTagsNameMultiLikeOr": "internal,beta"}, {"B", "C"}),
    ({"tagsAdminTagsNameMultiLikeAnd": "sports,gamma,internal"}, {"C"}),
    ({"statusEqual": "2"}, VISIBLE), ({"statusNotEqual": "2"}, {"D"}),
    ({"statusIn": "2,7"}, VISIBLE | {"D"}), ({"statusNotIn": "2"}, {"D"}),
    ({"moderationStatusEqual": 1}, {"E"}), ({"moderationStatusIn": "1,2"}, {"B", "E"}),
    ({"moderationStatusNotEqual": 6}, {"B", "E"}), ({"moderationStatusNotIn": "6"}, {"B", "E"}),
    ({"typeEqual": "1"}, VISIBLE), ({"typeIn": "1,6"}, VISIBLE),
    ({"createdAtGreaterThanOrEqual": T0 + 300}, {"C", "I"}),
    ({"createdAtLessThanOrEqual": T0 + 200}, {"A", "B"}),
    ({"updatedAtGreaterThanOrEqual": T0 + 301}, {"C", "I"}),
    ({"updatedAtLessThanOrEqual": T0 + 101}, {"A"}),
    ({"rankLessThanOrEqual": 0}, VISIBLE), ({"rankGreaterThanOrEqual": 1}, set()),
    ({"totalRankGreaterThanOrEqual": 0}, VISIBLE), ({"totalRankLessThanOrEqual": -1}, set()),
    ({"groupIdEqual": 7}, {"A"}),
    ({"searchTextMatchAnd": "cat video"}, {"A"}), ({"searchTextMatchOr": "dog money"}, {"B", "C"}),
    ({"accessControlIdEqual": 4}, {"A"}), ({"accessControlIdIn": "4,5"}, {"A", "B"}),
    ({"startDateGreaterThanOrEqual": S + 2000}, {"C"}),
    ({"startDateLessThanOrEqual": S + 2000}, {"A"}),
    ({"startDateGreaterThanOrEqualOrNull": S + 2000}, {"B", "C", "I"}),
    ({"startDateLessThanOrEqualOrNull": S + 2000}, {"A", "B", "I"}),
    ({"endDateGreaterThanOrEqual": S + 8000}, {"A"}), ({"endDateLessThanOrEqual": S + 9000}, {"A"}),
    ({"endDateGreaterThanOrEqualOrNull": S + 9500}, {"B", "C", "I"}),
    ({"endDateLessThanOrEqualOrNull": S + 8000}, {"B", "C", "I"}),
    ({"referenceIdEqual": "ref-b"}, {"B"}), ({"referenceIdIn": "ref-a,ref-c"}, {"A", "C"}),
    ({"replacingEntryIdEqual": "0_zzzzzzzz"}, {"B"}),
    ({"replacingEntryIdIn": "0_zzzzzzzz,0_y"}, {"B"}),
    ({"replacedEntryIdEqual": "0_zzzzzzzz"}, set()), ({"replacedEntryIdIn": "0_a"}, set()),
    ({"replacementStatusEqual": "0"}, VISIBLE), ({"replacementStatusIn": "1,4"}, set()),
    ({"partnerSortValueGreaterThanOrEqual": 2}, {"A", "C"}),
    ({"partnerSortValueLessThanOrEqual": 1}, {"B", "I"}),
    ({"rootEntryIdEqual": "@B"}, {"B"}), ({"rootEntryIdIn": "@A,@C"}, {"A", "C"}),
    ({"parentEntryIdEqual": "@A"}, {"F"}),
    ({"entitledUsersEditMatchOr": "carol,dave"}, {"A", "I"}),
    ({"entitledUsersEditMatchAnd": "bob,carol"}, {"A"}),
    ({"entitledUsersPublishMatchOr": "erin,x"}, {"C"}),
    ({"entitledUsersPublishMatchAnd": "erin"}, {"C"}),
    ({"entitledUsersViewMatchOr": "erin"}, set()), ({"entitledUsersViewMatchAnd": "x"}, set()),
    ({"displayInSearchEqual": -1}, {"F"}), ({"displayInSearchIn": "1,-1"}, VISIBLE | {"F"}),
    ({"descriptionLike": "DOG"}, {"B"}), ({"isRoot": 1}, VISIBLE),
    ({"isRoot": 0, "displayInSearchIn": "-1,1"}, {"F"}),
    ({"conversionProfileIdEqual": 77}, {"C"}),
    ({"redirectFromEntryId": "@B"}, {"I"}), ({"redirectFromEntryId": "@A"}, {"A"}),
    ({"idGreaterThan": "0_"}, VISIBLE),
    # KalturaPlayableEntryFilter
    ({"lastPlayedAtGreaterThanOrEqual": S + 6000}, {"B"}),
    ({"lastPlayedAtLessThanOrEqual": S + 6000}, {"A"}),
    ({"lastPlayedAtLessThanOrEqualOrNull": S + 6000}, {"A", "C", "I"}),
    ({"durationLessThan": 60}, {"A", "I"}), ({"durationGreaterThan": 60}, {"B", "C"}),
    ({"durationLessThanOrEqual": 30}, {"A", "I"}),
    ({"durationGreaterThanOrEqual": 1500}, {"C"}),
    ({"durationTypeMatchOr": "short,notavailable"}, {"A", "I"}),
    ({"durationTypeMatchOr": "medium"}, {"B"}), ({"durationTypeMatchOr": "long"}, {"C"}),
    # KalturaMediaEntryFilter
    ({"mediaTypeEqual": 5}, {"B"}), ({"mediaTypeIn": "2,5"}, {"B", "I"}),
    ({"sourceTypeEqual": "1"}, VISIBLE), ({"sourceTypeNotEqual": "1"}, set()),
    ({"sourceTypeIn": "1,5"}, VISIBLE), ({"sourceTypeNotIn": "5"}, VISIBLE),
    ({"mediaDateGreaterThanOrEqual": S + 2000}, {"C"}),
    ({"mediaDateLessThanOrEqual": S + 2000}, set()),
    ({"flavorParamsIdsMatchOr": "3,9"}, {"A"}), ({"flavorParamsIdsMatchAnd": "0,3"}, {"A"}),
]


@pytest.mark.parametrize(("props", "expected"), OPERATOR_CASES,
                         ids=[",".join(p) for p, _ in OPERATOR_CASES])
def test_every_filter_operator(lib: Library, props: dict[str, Any], expected: set[str]) -> None:
    props = {k: v.replace("{pid}", str(lib.api.partner.id)) if isinstance(v, str) else v
             for k, v in props.items()}
    result = lib.media(**_expand(lib, props))
    assert lib.names(result) == expected
    assert result["totalCount"] == len(expected)


CATEGORY_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"categoriesMatchOr": "Root>Fun"}, {"A"}),
    ({"categoriesMatchAnd": "Root>Pets,Root>Fun"}, {"A"}),
    ({"categoriesNotContains": "Root>Fun"}, {"B", "C", "I"}),
    ({"categoriesIdsMatchOr": "2"}, {"A", "B"}), ({"categoriesIdsMatchAnd": "1,2"}, {"A"}),
    ({"categoriesIdsNotContains": "1"}, {"B", "C", "I"}),
    ({"categoriesIdsEmpty": 1}, {"C", "I"}), ({"categoriesIdsEmpty": 0}, {"A", "B"}),
    ({"categoriesFullNameIn": "Root>Fun,Root>X"}, {"A"}),
]


@pytest.mark.parametrize(("props", "expected"), CATEGORY_CASES,
                         ids=[",".join(p) for p, _ in CATEGORY_CASES])
def test_category_operators_on_the_entry_columns(lib: Library, props: dict[str, Any],
                                                 expected: set[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a category module's handler, the entry's own category columns answer."""
    for name in props:
        monkeypatch.delitem(entry_query.ENTRY_FILTER_HANDLERS, name, raising=False)
    assert lib.names(lib.media(**props)) == expected


def test_registered_handlers_win(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []

    def only_b(stmt: Any, value: Any, q: entry_query.QueryContext) -> Any:
        seen.append((value, q.partner_id, q.call is not None))
        return stmt.where(q.entry.id == lib.ids["B"])

    monkeypatch.setitem(entry_query.ENTRY_FILTER_HANDLERS, "categoryAncestorIdIn", only_b)
    monkeypatch.setitem(entry_query.ENTRY_FILTER_HANDLERS, "tagsLike", only_b)
    assert lib.names(lib.media(categoryAncestorIdIn="12")) == {"B"}
    assert lib.names(lib.media(tagsLike="cats")) == {"B"}
    assert seen == [("12", lib.api.partner.id, True), ("cats", lib.api.partner.id, True)]


SEARCH_CASES: list[tuple[str, set[str]]] = [
    ("cat", {"A", "I"}), ("CAT video", {"A"}), ("beta,iota", {"B", "I"}),
    ("pets !dogs", {"A"}), ('"money ball"', {"C"}), ('"ball money"', set()),
    ("caf*", {"C"}), ("cafe", {"C"}), ("Café", {"C"}), ("kitten*", {"I"}),
    ("ref-b", {"B"}), ("small,sports", {"A", "C"}), ("dog !\"big dog\"", set()),
    ("running\\,x", set()), ("kittens dave,nothing", set()),
]


@pytest.mark.parametrize(("text", "expected"), SEARCH_CASES, ids=[t for t, _ in SEARCH_CASES])
def test_free_text_operators(lib: Library, text: str, expected: set[str]) -> None:
    assert lib.names(lib.media(freeText=text)) == expected


def test_free_text_finds_ids_and_refuses_bad_syntax(lib: Library) -> None:
    assert lib.names(lib.media(freeText=lib.ids["C"])) == {"C"}
    assert lib.names(lib.media(freeText="ref-d", statusEqual="7")) == {"D"}
    for bad in ("!dogs", '"open quote', "x" * 1001):
        assert is_error(lib.media(freeText=bad), "INVALID_SEARCH_TEXT")


def test_free_text_finds_text_of_search_providers(lib: Library,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def provider(session: Any, partner_id: int, entry_id: str) -> list[str]:
        return ["unicorn <b>sparkle</b>"] if entry_id == lib.ids["B"] else []

    monkeypatch.setattr(entry_query, "SEARCH_TEXT_PROVIDERS", [provider])
    with lib.api.runtime.db.partner_session(lib.api.partner.id) as s:
        entry_query.reindex_entry(s, lib.ids["B"])
        s.commit()
    assert lib.names(lib.media(freeText="unicorn sparkle")) == {"B"}
    monkeypatch.setattr(entry_query, "SEARCH_TEXT_PROVIDERS", [])
    with lib.api.runtime.db.partner_session(lib.api.partner.id) as s:
        entry_query.reindex_entry(s, lib.ids["B"])
        s.commit()
    assert lib.names(lib.media(freeText="unicorn")) == set()


def test_defaults_hide_what_kaltura_hides(lib: Library) -> None:
    assert lib.names(lib.media()) == VISIBLE
    assert lib.names(lib.call("media", "list")) == VISIBLE
    assert lib.names(lib.media(idEqual=lib.ids["E"])) == {"E"}  # idEqual lifts defaults
    assert lib.names(lib.media(idEqual=lib.ids["F"])) == {"F"}
    assert lib.names(lib.media(idEqual=lib.ids["G"])) == set()  # DELETED stays hidden
    assert lib.names(lib.media(statusNotIn="7")) == VISIBLE
    assert lib.names(lib.media(statusEqual="3")) == {"G"}
    assert lib.names(lib.media(statusIn="3,7")) == {"D", "G"}
    assert lib.call("media", "count") == len(VISIBLE)
    assert lib.call("media", "count", filter={"objectType": MEDIA, "statusIn": "2,7"}) == 5


def test_base_entry_lists_every_type_and_media_only_media(lib: Library) -> None:
    every = lib.call("baseEntry", "list", filter={"objectType": "KalturaBaseEntryFilter"})
    assert lib.names(every) == VISIBLE | {"H"}
    assert {o["objectType"] for o in every["objects"]} == {"KalturaMediaEntry",
                                                            "KalturaDataEntry"}
    assert every["objectType"] == "KalturaBaseEntryListResponse"
    only_data = lib.call("baseEntry", "list", filter={"objectType": "KalturaBaseEntryFilter",
                                                      "typeEqual": "6"})
    assert lib.names(only_data) == {"H"}
    assert lib.call("baseEntry", "count") == len(VISIBLE) + 1
    media_filter = lib.call("baseEntry", "list",
                            filter={"objectType": MEDIA, "mediaTypeEqual": 5})
    assert lib.names(media_filter) == {"B"}
    assert lib.names(lib.call("media", "list", filter={"objectType": MEDIA,
                                                       "idEqual": lib.ids["H"]})) == set()


def test_unknown_properties_are_dropped_bad_values_refused(lib: Library) -> None:
    refused = lib.call("baseEntry", "list", filter={"objectType": "KalturaBaseEntryFilter",
                                                    "mediaTypeEqual": 5})
    assert lib.names(refused) == VISIBLE | {"H"}  # not a property of this class: dropped
    assert is_error(lib.media(advancedSearch={"objectType": "KalturaSearchItem"}))
    assert is_error(lib.media(durationTypeMatchOr="huge"), "INVALID_PARAMETER_VALUE")
    assert is_error(lib.media(statusIn="2,x"), "PROPERTY_VALIDATION_NUMERIC_VALUE")


@pytest.mark.parametrize(("order", "expected"), [
    ("+name", ["A", "B", "C", "I"]), ("-name", ["I", "C", "B", "A"]),
    ("", ["I", "C", "B", "A"]), ("+createdAt", ["A", "B", "C", "I"]),
    ("-plays", ["B", "A", "I", "C"]), ("+duration", ["I", "A", "B", "C"]),
    ("+partnerSortValue", ["I", "B", "C", "A"]), ("-updatedAt", ["I", "C", "B", "A"]),
    ("+mediaType,-name", ["C", "A", "I", "B"]), ("+recent", ["I", "C", "B", "A"]),
    ("-startDate,+name", ["C", "A", "B", "I"]), ("+lastPlayedAt,+name", ["C", "I", "A", "B"]),
])
def test_order_by(lib: Library, order: str, expected: list[str]) -> None:
    result = lib.media(orderBy=order)
    assert [lib.keys[o["id"]] for o in result["objects"]] == expected


def test_order_by_refuses_unknown_and_other_levels(lib: Library) -> None:
    assert is_error(lib.media(orderBy="+colour"), "INVALID_ORDER_BY")
    base = lib.call("baseEntry", "list", filter={"objectType": "KalturaBaseEntryFilter",
                                                 "orderBy": "-plays"})
    assert is_error(base, "INVALID_ORDER_BY")


def test_list_by_reference_id(lib: Library) -> None:
    found = lib.call("baseEntry", "listByReferenceId", refId="ref-d")
    assert lib.names(found) == {"D"} and found["totalCount"] == 1  # any status
    assert lib.names(lib.call("baseEntry", "listByReferenceId", refId="ref-b")) == {"B"}
    assert lib.call("baseEntry", "listByReferenceId", refId="nope")["totalCount"] == 0
    assert is_error(lib.call("baseEntry", "listByReferenceId", refId=""),
                    "MISSING_MANDATORY_PARAMETER")


def test_user_sessions_list_their_own_entries(lib: Library) -> None:
    api = lib.api
    dave = api.ks(user="dave")
    assert lib.names(lib.call("media", "list", ks=dave)) == {"I"}
    bob = api.ks(user="bob")  # entitled editor of A and B
    assert lib.names(lib.call("media", "list", ks=bob)) == {"A", "B"}
    assert lib.call("media", "count", ks=bob) == 2
    lister = api.ks(user="zoe", privileges="list:*")
    assert lib.names(lib.call("media", "list", ks=lister)) == VISIBLE
    widget = api.ks(user="", privileges="widget:1,view:*")
    assert lib.names(lib.call("media", "list", ks=widget)) == VISIBLE
    assert lib.names(lib.call("baseEntry", "list", ks=widget, filter={
        "objectType": "KalturaBaseEntryFilter", "redirectFromEntryId": lib.ids["B"]})) == {"I"}


def test_recycle_and_restore(lib: Library) -> None:
    c = lib.ids["C"]
    recycled = lib.call("baseEntry", "recycle", entryId=c)
    assert recycled["displayInSearch"] == -2
    try:
        assert lib.names(lib.media()) == VISIBLE - {"C"}
        assert lib.names(lib.media(displayInSearchEqual=-2)) == {"C"}
        assert lib.names(lib.media(freeText="money")) == set()
        assert lib.call("media", "get", entryId=c)["id"] == c
        assert lib.call("baseEntry", "recycle", entryId=c)["displayInSearch"] == -2
        stranger = lib.api.ks(user="mallory")
        assert is_error(lib.call("baseEntry", "restoreRecycled", ks=stranger, entryId=c),
                        "INVALID_KS")
    finally:
        restored = lib.call("baseEntry", "restoreRecycled", entryId=c)
    assert restored["displayInSearch"] == 1
    assert lib.names(lib.media()) == VISIBLE
    assert lib.call("baseEntry", "restoreRecycled", entryId=c)["displayInSearch"] == 1
    assert is_error(lib.call("baseEntry", "recycle", entryId="0_nothere"),
                    "ENTRY_ID_NOT_FOUND")


# --- pager and cursors ---------------------------------------------------------------------

def _bulk_partner(lib: Library, count: int, prefix: str) -> tuple[str, list[str]]:
    """Another partner holding ``count`` READY entries (inserted directly); its admin KS."""
    api = lib.api
    partner = api.new_partner(f"bulk {count}")
    ids = [f"0_{prefix}{i:07d}" for i in range(count)]
    rows = [{"id": entry_id, "partner_id": partner.id, "name": f"bulk {i % 7}",
             "status": 2, "type": 1, "media_type": 1, "created_at": T0 + i // 3,
             "updated_at": T0, "extra": {}} for i, entry_id in enumerate(ids)]
    with api.runtime.db.system_session() as s:
        s.execute(insert(EntryRow), rows)
        s.commit()
    return api.ks(admin=True, user="admin", partner=partner), ids


@pytest.fixture(scope="module")
def bulk(lib: Library) -> tuple[str, list[str]]:
    return _bulk_partner(lib, 1203, "b")


def _page(lib: Library, ks: str, pager: dict[str, Any] | None = None,
          **props: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"ks": ks, "filter": {"objectType": MEDIA, **props}}
    if pager is not None:
        params["pager"] = pager
    result = lib.call("media", "list", **params)
    assert not is_error(result), result
    return dict(result)


def test_pager_bounds(lib: Library, bulk: tuple[str, list[str]]) -> None:
    ks, ids = bulk
    first = _page(lib, ks)
    assert len(first["objects"]) == 30 and first["totalCount"] == len(ids)
    assert len(_page(lib, ks, {"objectType": "KalturaFilterPager",
                               "pageSize": 5000})["objects"]) == 500
    assert len(_page(lib, ks, {"objectType": "KalturaFilterPager", "pageSize": 0})["objects"]) == 0
    zero = _page(lib, ks, {"objectType": "KalturaFilterPager", "pageSize": 7, "pageIndex": 0})
    one = _page(lib, ks, {"objectType": "KalturaFilterPager", "pageSize": 7, "pageIndex": 1})
    assert [o["id"] for o in zero["objects"]] == [o["id"] for o in one["objects"]]
    last = _page(lib, ks, {"objectType": "KalturaFilterPager", "pageSize": 500,
                           "pageIndex": 3}, orderBy="+createdAt")
    assert [o["id"] for o in last["objects"]] == ids[1000:]
    beyond = _page(lib, ks, {"objectType": "KalturaFilterPager", "pageSize": 500,
                             "pageIndex": 4})
    assert beyond["objects"] == [] and beyond["totalCount"] == len(ids)


@pytest.mark.parametrize("order", ["", "+createdAt", "-name", "+name,-createdAt"])
def test_cursor_walks_every_entry_once(lib: Library, bulk: tuple[str, list[str]],
                                       order: str) -> None:
    ks, ids = bulk
    seen: list[str] = []
    cursor = ""
    for _ in range(20):
        result = _page(lib, ks, {"objectType": "KalturaEntryCursorPager", "pageSize": 250,
                                 "cursor": cursor}, orderBy=order)
        assert result["objectType"] == "KalturaMediaCursorListResponse"
        assert result["totalCount"] == len(ids)
        seen += [o["id"] for o in result["objects"]]
        cursor = result.get("nextCursor") or ""
        if not cursor:
            break
    assert sorted(seen) == ids and len(seen) == len(set(seen))


def test_id_greater_than_walks_by_id(lib: Library, bulk: tuple[str, list[str]]) -> None:
    ks, ids = bulk
    seen: list[str] = []
    last = ""
    while True:
        props = {"orderBy": "+id", **({"idGreaterThan": last} if last else {})}
        page = _page(lib, ks, {"objectType": "KalturaFilterPager", "pageSize": 500}, **props)
        if not page["objects"]:
            break
        seen += [o["id"] for o in page["objects"]]
        last = seen[-1]
    assert seen == ids


def test_bad_cursors_are_clear_errors(lib: Library, bulk: tuple[str, list[str]]) -> None:
    ks, _ = bulk
    first = _page(lib, ks, {"objectType": "KalturaEntryCursorPager", "pageSize": 10},
                  orderBy="+name")
    cursor = first["nextCursor"]
    for bad, order in ((cursor, "-name"), ("garbage!", "+name"), ("x" * 3000, "+name")):
        result = lib.call("media", "list", ks=ks,
                          filter={"objectType": MEDIA, "orderBy": order},
                          pager={"objectType": "KalturaEntryCursorPager", "cursor": bad})
        assert is_error(result, "INVALID_PAGER_CURSOR"), result


@pytest.mark.slow
def test_cursor_pages_past_ten_thousand(lib: Library) -> None:
    ks, ids = _bulk_partner(lib, 10_050, "c")
    seen = 0
    cursor = ""
    while True:
        result = _page(lib, ks, {"objectType": "KalturaEntryCursorPager", "pageSize": 500,
                                 "cursor": cursor}, orderBy="+createdAt")
        seen += len(result["objects"])
        cursor = result.get("nextCursor") or ""
        if not cursor:
            break
    assert seen == len(ids) == result["totalCount"]
    tail = _page(lib, ks, {"objectType": "KalturaFilterPager", "pageSize": 500,
                           "pageIndex": 21}, orderBy="+createdAt")
    assert [o["id"] for o in tail["objects"]] == ids[10_000:]
