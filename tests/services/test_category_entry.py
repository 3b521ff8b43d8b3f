"""categoryEntry through the API: placing entries, counters, moderation, lists, and the
entry-list filters on categories (media.list / baseEntry.list)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update
from support.api import ApiHelper, is_error

from vpaas.db.tables.entry import EntryRow
from vpaas.settings import Settings


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def category(api: ApiHelper, name: str, parent: int = 0, **fields: Any) -> int:
    result = api.call("category", "add", category={
        "objectType": "KalturaCategory", "name": name, "parentId": parent, **fields})
    assert "id" in result, result
    return int(result["id"])


def ready_entry(api: ApiHelper, name: str, ks: str | None = None) -> str:
    params = {"ks": ks} if ks else {}
    entry_id = api.call("media", "add", entry={"objectType": "KalturaMediaEntry",
                                               "name": name, "mediaType": 1}, **params)["id"]
    with api.runtime.db.system_session() as s:
        s.execute(update(EntryRow).where(EntryRow.id == entry_id).values(status=2))
        s.commit()
    return str(entry_id)


def place(api: ApiHelper, entry_id: str, category_id: int, **params: Any) -> dict[str, Any]:
    return api.call("categoryEntry", "add", categoryEntry={
        "objectType": "KalturaCategoryEntry", "entryId": entry_id,
        "categoryId": category_id}, **params)


def counts(api: ApiHelper, category_id: int) -> tuple[int, int]:
    got = api.call("category", "get", id=category_id)
    return got["entriesCount"], got["directEntriesCount"]


def test_entries_count_counts_distinct_entries_of_the_subtree(api: ApiHelper) -> None:
    root = category(api, "Root")
    left, right = category(api, "Left", root), category(api, "Right", root)
    e1, e2 = ready_entry(api, "one"), ready_entry(api, "two")
    added = place(api, e1, left)
    assert added["status"] == 2 and added["categoryFullIds"] == f"{root}>{left}"
    place(api, e1, right)
    place(api, e2, right)
    assert counts(api, root) == (2, 0)
    assert counts(api, left) == (1, 1) and counts(api, right) == (2, 2)
    assert is_error(place(api, e1, left), "CATEGORY_ENTRY_ALREADY_EXISTS")
    api.call("categoryEntry", "delete", entryId=e1, categoryId=right)
    assert counts(api, root) == (2, 0) and counts(api, right) == (1, 1)
    api.call("categoryEntry", "delete", entryId=e1, categoryId=left)
    assert counts(api, root) == (1, 0)
    assert is_error(api.call("categoryEntry", "delete", entryId=e1, categoryId=left),
                    "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY")


def test_entry_fields_follow_memberships(api: ApiHelper) -> None:
    a, b = category(api, "A"), category(api, "B")
    sub = category(api, "Sub", a)
    e1 = ready_entry(api, "one")
    place(api, e1, sub)
    place(api, e1, b)
    got = api.call("media", "get", entryId=e1)
    assert got["categories"] == "A>Sub,B" and got["categoriesIds"] == f"{sub},{b}"
    api.call("categoryEntry", "delete", entryId=e1, categoryId=sub)
    assert api.call("media", "get", entryId=e1)["categoriesIds"] == str(b)


def test_bad_references_are_refused(api: ApiHelper) -> None:
    cat = category(api, "C")
    e1 = ready_entry(api, "one")
    assert is_error(place(api, "0_nothere", cat), "INVALID_ENTRY_ID")
    assert is_error(place(api, e1, 424242), "CATEGORY_NOT_FOUND")
    assert is_error(api.call("categoryEntry", "add", categoryEntry={
        "objectType": "KalturaCategoryEntry", "entryId": e1}), "MISSING_MANDATORY_PARAMETER")
    other_ks = api.ks(admin=True, partner=api.new_partner())
    assert is_error(place(api, e1, cat, ks=other_ks), "INVALID_ENTRY_ID")


def test_users_place_their_own_entries_and_moderation_holds_them(api: ApiHelper) -> None:
    open_cat = category(api, "Open")
    moderated = category(api, "Moderated", moderation=1)
    alice = api.ks(user="alice")
    mine = ready_entry(api, "mine", ks=alice)
    theirs = ready_entry(api, "theirs")
    assert place(api, mine, open_cat, ks=alice)["status"] == 2
    assert is_error(place(api, theirs, open_cat, ks=alice), "CANNOT_ASSIGN_ENTRY_TO_CATEGORY")
    pending = place(api, mine, moderated, ks=alice)
    assert pending["status"] == 1 and counts(api, moderated) == (0, 0)
    assert api.call("category", "get", id=moderated)["pendingEntriesCount"] == 1
    assert is_error(api.call("categoryEntry", "activate", entryId=mine, categoryId=moderated,
                             ks=alice))
    api.call("categoryEntry", "activate", entryId=mine, categoryId=moderated)
    assert counts(api, moderated) == (1, 1)
    assert is_error(api.call("categoryEntry", "reject", entryId=mine, categoryId=moderated),
                    "CANNOT_REJECT_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING")


def test_list_filters_and_its_guard(api: ApiHelper) -> None:
    root = category(api, "Root")
    sub = category(api, "Sub", root)
    e1, e2 = ready_entry(api, "one"), ready_entry(api, "two")
    place(api, e1, root)
    place(api, e1, sub)
    place(api, e2, sub)

    def pairs(**flt: Any) -> set[tuple[str, int]]:
        listed = api.call("categoryEntry", "list",
                          filter={"objectType": "KalturaCategoryEntryFilter", **flt})
        assert "objects" in listed, listed
        return {(o["entryId"], o["categoryId"]) for o in listed["objects"]}

    assert pairs(entryIdEqual=e1) == {(e1, root), (e1, sub)}
    assert pairs(categoryIdEqual=sub) == {(e1, sub), (e2, sub)}
    assert pairs(categoryFullIdsStartsWith=f"{root}>") == {(e1, sub), (e2, sub)}
    assert pairs(entryIdIn=f"{e2},0_nothing") == {(e2, sub)}
    assert len(pairs()) == 3
    user_ks = api.ks(user="bob")
    assert is_error(api.call("categoryEntry", "list", ks=user_ks),
                    "MUST_FILTER_ON_ENTRY_OR_CATEGORY")


def test_deleted_entries_stop_counting_at_the_next_recount(api: ApiHelper) -> None:
    cat = category(api, "C")
    e1, e2 = ready_entry(api, "one"), ready_entry(api, "two")
    place(api, e1, cat)
    place(api, e2, cat)
    api.call("media", "delete", entryId=e2)
    assert api.call("category", "index", id=cat) == cat
    assert counts(api, cat) == (1, 1)
    listed = api.call("categoryEntry", "list", filter={
        "objectType": "KalturaCategoryEntryFilter", "categoryIdEqual": cat})
    assert [o["entryId"] for o in listed["objects"]] == [e1]


class TestEntryFilters:
    """The category properties of entry list filters, answered from categoryEntry."""

    @pytest.fixture
    def tree(self, api: ApiHelper) -> dict[str, Any]:
        root = category(api, "Root")
        pets = category(api, "Pets", root)
        cats = category(api, "Cats", pets)
        fun = category(api, "Fun", root)
        ids = {k: ready_entry(api, k) for k in ("a", "b", "c", "none")}
        place(api, ids["a"], cats)
        place(api, ids["a"], fun)
        place(api, ids["b"], pets)
        place(api, ids["c"], fun)
        return {"api": api, "ids": ids, "root": root, "pets": pets, "cats": cats, "fun": fun}

    @staticmethod
    def names(tree: dict[str, Any], service: str = "media", **flt: Any) -> set[str]:
        kind = "KalturaMediaEntryFilter" if service == "media" else "KalturaBaseEntryFilter"
        listed = tree["api"].call(service, "list", filter={"objectType": kind, **flt})
        assert "objects" in listed, listed
        by_id = {v: k for k, v in tree["ids"].items()}
        return {by_id[o["id"]] for o in listed["objects"]}

    def test_ids_match_or_and(self, tree: dict[str, Any]) -> None:
        t = tree
        assert self.names(t, categoriesIdsMatchOr=f"{t['cats']},{t['pets']}") == {"a", "b"}
        assert self.names(t, categoriesIdsMatchAnd=f"{t['cats']},{t['fun']}") == {"a"}
        assert self.names(t, categoriesIdsMatchAnd=f"{t['pets']},{t['fun']}") == set()
        assert self.names(t, "baseEntry", categoriesIdsMatchOr=str(t["fun"])) == {"a", "c"}

    def test_ancestors_full_names_and_negations(self, tree: dict[str, Any]) -> None:
        t = tree
        assert self.names(t, categoryAncestorIdIn=str(t["pets"])) == {"a", "b"}
        assert self.names(t, categoryAncestorIdIn=str(t["root"])) == {"a", "b", "c"}
        assert self.names(t, categoriesFullNameIn="Root>Pets>Cats,Root>Nope") == {"a"}
        assert self.names(t, categoriesMatchOr="Root>Fun") == {"a", "c"}
        assert self.names(t, categoriesMatchAnd="Root>Fun,Root>Pets>Cats") == {"a"}
        assert self.names(t, categoriesIdsNotContains=str(t["pets"])) == {"c", "none"}
        assert self.names(t, categoriesNotContains="Root>Fun") == {"b", "none"}
        assert self.names(t, categoriesIdsEmpty=1) == {"none"}
        assert self.names(t, categoriesIdsEmpty=0) == {"a", "b", "c"}

    def test_filters_follow_moves_and_bad_ids_are_refused(self, tree: dict[str, Any]) -> None:
        t = tree
        t["api"].call("category", "update", id=t["cats"], category={
            "objectType": "KalturaCategory", "parentId": t["fun"]})
        assert self.names(t, categoryAncestorIdIn=str(t["pets"])) == {"b"}
        assert self.names(t, categoriesFullNameIn="Root>Fun>Cats") == {"a"}
        bad = t["api"].call("media", "list", filter={
            "objectType": "KalturaMediaEntryFilter", "categoriesIdsMatchOr": "1,two"})
        assert is_error(bad, "PROPERTY_VALIDATION_NUMERIC_VALUE")

    def test_other_partners_categories_do_not_match(self, tree: dict[str, Any]) -> None:
        api = tree["api"]
        other = api.new_partner()
        other_ks = api.ks(admin=True, partner=other)
        listed = api.call("media", "list", ks=other_ks, filter={
            "objectType": "KalturaMediaEntryFilter",
            "categoryAncestorIdIn": str(tree["root"])})
        assert listed["totalCount"] == 0


def test_deleting_an_entry_takes_it_out_of_its_categories(api: ApiHelper) -> None:
    root = category(api, "deleted-entries")
    entry_id = ready_entry(api, "soon gone")
    place(api, entry_id, root)
    assert counts(api, root) == (1, 1)
    api.call("media", "delete", entryId=entry_id)
    assert counts(api, root) == (0, 0)
    listed = api.call("categoryEntry", "list", filter={
        "objectType": "KalturaCategoryEntryFilter", "categoryIdEqual": root})
    assert listed["totalCount"] == 0
