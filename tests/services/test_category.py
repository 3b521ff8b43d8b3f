"""category through the API: the tree, renames and moves, delete, list filters, counters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.settings import Settings


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def add(api: ApiHelper, name: str, parent: int = 0, **fields: Any) -> dict[str, Any]:
    result = api.call("category", "add", category={
        "objectType": "KalturaCategory", "name": name, "parentId": parent, **fields})
    assert "id" in result, result
    return result


def entry(api: ApiHelper, name: str = "clip") -> str:
    return api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": name,
                                           "mediaType": 1})["id"]


def place(api: ApiHelper, entry_id: str, category_id: int) -> dict[str, Any]:
    return api.call("categoryEntry", "add", categoryEntry={
        "objectType": "KalturaCategoryEntry", "entryId": entry_id, "categoryId": category_id})


def get(api: ApiHelper, category_id: int) -> dict[str, Any]:
    return api.call("category", "get", id=category_id)


def test_nesting_builds_full_names_ids_and_depth(api: ApiHelper) -> None:
    root = add(api, "Mediaspace")
    site = add(api, "site", root["id"])
    channels = add(api, "channels", site["id"], description="all channels", tags="a,b")
    assert (root["depth"], site["depth"], channels["depth"]) == (0, 1, 2)
    assert channels["fullName"] == "Mediaspace>site>channels"
    assert channels["fullIds"] == f"{root['id']}>{site['id']}>{channels['id']}"
    assert channels["parentId"] == site["id"] and channels["status"] == 2
    assert channels["description"] == "all channels" and channels["partnerId"] == api.partner.id
    assert get(api, root["id"])["directSubCategoriesCount"] == 1
    again = api.call("category", "get", id=channels["id"])
    assert again["fullName"] == channels["fullName"]


def test_bad_names_duplicates_and_missing_parents_are_refused(api: ApiHelper) -> None:
    root = add(api, "News")
    dup = api.call("category", "add", category={"objectType": "KalturaCategory",
                                                "name": "News"})
    assert is_error(dup, "DUPLICATE_CATEGORY") and "News" in dup["message"]
    for bad in ("a>b", "a,b", "<x"):
        assert is_error(api.call("category", "add", category={
            "objectType": "KalturaCategory", "name": bad}), "CATEGORY_NAME_CONTAINS_INVALID_CHARS")
    assert is_error(api.call("category", "add", category={
        "objectType": "KalturaCategory", "name": "  "}), "PROPERTY_VALIDATION_MIN_LENGTH")
    assert is_error(api.call("category", "add", category={
        "objectType": "KalturaCategory", "name": "x" * 129}), "PROPERTY_VALIDATION_MAX_LENGTH")
    assert is_error(api.call("category", "add", category={
        "objectType": "KalturaCategory", "name": "orphan", "parentId": 999999}),
        "PARENT_CATEGORY_NOT_FOUND")
    assert is_error(api.call("category", "add", category={
        "objectType": "KalturaCategory", "name": "p", "privacyContext": "ab"}),
        "PRIVACY_CONTEXT_INVALID_STRING")
    assert is_error(api.call("category", "get", id=987654), "CATEGORY_NOT_FOUND")
    assert add(api, "News", root["id"])["fullName"] == "News>News"


def test_rename_and_move_rewrite_the_subtree_and_counts(api: ApiHelper) -> None:
    a = add(api, "A")
    b = add(api, "B", a["id"])
    c = add(api, "C", b["id"])
    other = add(api, "Other")
    e1, e2 = entry(api, "one"), entry(api, "two")
    place(api, e1, c["id"])
    place(api, e2, b["id"])
    assert get(api, a["id"])["entriesCount"] == 2

    renamed = api.call("category", "update", id=a["id"], category={
        "objectType": "KalturaCategory", "name": "Alpha"})
    assert renamed["fullName"] == "Alpha"
    assert get(api, c["id"])["fullName"] == "Alpha>B>C"
    assert api.call("baseEntry", "get", entryId=e1)["categories"] == "Alpha>B>C"

    moved = api.call("category", "update", id=b["id"], category={
        "objectType": "KalturaCategory", "parentId": other["id"]})
    assert moved["fullName"] == "Other>B" and moved["depth"] == 1
    moved_c = get(api, c["id"])
    assert moved_c["fullIds"] == f"{other['id']}>{b['id']}>{c['id']}"
    assert moved_c["depth"] == 2 and moved_c["fullName"] == "Other>B>C"
    assert get(api, a["id"])["entriesCount"] == 0
    assert get(api, a["id"])["directSubCategoriesCount"] == 0
    assert get(api, other["id"])["entriesCount"] == 2
    members = api.call("categoryEntry", "list", filter={
        "objectType": "KalturaCategoryEntryFilter", "entryIdEqual": e1})
    assert members["objects"][0]["categoryFullIds"] == moved_c["fullIds"]
    assert api.call("baseEntry", "get", entryId=e1)["categories"] == "Other>B>C"


def test_a_category_cannot_move_under_itself_or_its_children(api: ApiHelper) -> None:
    a = add(api, "A")
    b = add(api, "B", a["id"])
    for target in (a["id"], b["id"]):
        assert is_error(api.call("category", "update", id=a["id"], category={
            "objectType": "KalturaCategory", "parentId": target}), "PARENT_CATEGORY_IS_CHILD")
    add(api, "B")
    assert is_error(api.call("category", "update", id=b["id"], category={
        "objectType": "KalturaCategory", "parentId": 0}), "DUPLICATE_CATEGORY")


def test_delete_moves_entries_of_the_subtree_to_the_parent(api: ApiHelper) -> None:
    top = add(api, "Top")
    mid = add(api, "Mid", top["id"])
    low = add(api, "Low", mid["id"])
    e1, e2 = entry(api), entry(api)
    place(api, e1, low["id"])
    place(api, e2, mid["id"])
    api.call("category", "delete", id=mid["id"])
    for gone in (mid["id"], low["id"]):
        assert is_error(api.call("category", "get", id=gone), "CATEGORY_NOT_FOUND")
    top_now = get(api, top["id"])
    assert top_now["directEntriesCount"] == 2 and top_now["entriesCount"] == 2
    assert top_now["directSubCategoriesCount"] == 0
    assert api.call("baseEntry", "get", entryId=e1)["categoriesIds"] == str(top["id"])
    assert add(api, "Mid", top["id"])["fullName"] == "Top>Mid"


def test_delete_without_moving_removes_the_entries(api: ApiHelper) -> None:
    top = add(api, "Top")
    mid = add(api, "Mid", top["id"])
    e1 = entry(api)
    place(api, e1, mid["id"])
    api.call("category", "delete", id=mid["id"], moveEntriesToParentCategory=0)
    assert get(api, top["id"])["entriesCount"] == 0
    assert not api.call("baseEntry", "get", entryId=e1).get("categories")
    root = add(api, "Root")
    place(api, e1, root["id"])
    api.call("category", "delete", id=root["id"])
    assert not api.call("baseEntry", "get", entryId=e1).get("categoriesIds")


def test_list_filters_order_and_paging(api: ApiHelper) -> None:
    a = add(api, "Animals", referenceId="ref-a", tags="zoo")
    cats = add(api, "Cats", a["id"], description="purring things")
    add(api, "Dogs", a["id"])
    plants = add(api, "Plants")

    def ids(**flt: Any) -> list[int]:
        listed = api.call("category", "list",
                          filter={"objectType": "KalturaCategoryFilter", **flt})
        assert "objects" in listed, listed
        return [o["id"] for o in listed["objects"]]

    assert ids() == [a["id"], plants["id"], cats["id"], cats["id"] + 1]
    assert ids(parentIdEqual=a["id"], orderBy="-name") == [cats["id"] + 1, cats["id"]]
    assert ids(fullNameStartsWith="Animals>") == [cats["id"], cats["id"] + 1]
    assert ids(fullNameEqual="Animals>Cats") == [cats["id"]]
    assert ids(ancestorIdIn=str(a["id"])) == [cats["id"], cats["id"] + 1]
    assert ids(depthEqual=0, orderBy="+name") == [a["id"], plants["id"]]
    assert ids(freeText="purring") == [cats["id"]]
    assert ids(freeText="zoo,plants") == [a["id"], plants["id"]]
    assert ids(referenceIdEqual="ref-a") == [a["id"]]
    assert ids(idIn=f"{plants['id']},{a['id']}") == [a["id"], plants["id"]]
    paged = api.call("category", "list", pager={"objectType": "KalturaFilterPager",
                                                "pageSize": 1, "pageIndex": 2})
    assert paged["totalCount"] == 4 and [o["id"] for o in paged["objects"]] == [plants["id"]]
    assert is_error(api.call("category", "list", filter={
        "objectType": "KalturaCategoryFilter", "orderBy": "+description"}), "INVALID_ORDER_BY")
    assert is_error(api.call("category", "list", filter={
        "objectType": "KalturaCategoryFilter", "idIn": "1,x"}),
        "PROPERTY_VALIDATION_NUMERIC_VALUE")


def test_partners_do_not_see_each_others_categories(api: ApiHelper) -> None:
    mine = add(api, "Mine")
    other_ks = api.ks(admin=True, partner=api.new_partner())
    assert is_error(api.call("category", "get", id=mine["id"], ks=other_ks), "CATEGORY_NOT_FOUND")
    assert api.call("category", "list", ks=other_ks)["totalCount"] == 0
    theirs = api.call("category", "add", ks=other_ks, category={
        "objectType": "KalturaCategory", "name": "Mine"})
    assert theirs["fullName"] == "Mine"
    assert is_error(api.call("category", "add", ks=other_ks, category={
        "objectType": "KalturaCategory", "name": "x", "parentId": mine["id"]}),
        "PARENT_CATEGORY_NOT_FOUND")


def test_user_sessions_may_read_but_not_change_the_tree(api: ApiHelper) -> None:
    a = add(api, "A")
    user_ks = api.ks(admin=False, user="u1")
    assert api.call("category", "get", id=a["id"], ks=user_ks)["name"] == "A"
    assert is_error(api.call("category", "delete", id=a["id"], ks=user_ks))


def test_privacy_context_is_inherited_and_hides_categories_from_entry_fields(
        api: ApiHelper) -> None:
    private = add(api, "Private", privacyContext="kmsctx")
    child = add(api, "Child", private["id"])
    assert child["privacyContexts"] == "kmsctx" and not child.get("privacyContext")
    public = add(api, "Public")
    e1 = entry(api)
    place(api, e1, child["id"])
    place(api, e1, public["id"])
    got = api.call("baseEntry", "get", entryId=e1)
    assert got["categories"] == "Public" and got["categoriesIds"] == str(public["id"])
    api.call("category", "update", id=private["id"], category={
        "objectType": "KalturaCategory", "privacyContext__null": ""})
    assert not get(api, child["id"]).get("privacyContexts")
    got = api.call("baseEntry", "get", entryId=e1)
    assert got["categories"] == "Private>Child,Public"


def test_move_action_and_index(api: ApiHelper) -> None:
    a, b = add(api, "A"), add(api, "B")
    x, y = add(api, "X", a["id"]), add(api, "Y", a["id"])
    z = add(api, "Z", b["id"])
    assert is_error(api.call("category", "move", categoryIds=f"{x['id']},{z['id']}",
                             targetCategoryParentId=b["id"]),
                    "CANNOT_MOVE_CATEGORIES_FROM_DIFFERENT_PARENT_CATEGORIES")
    api.call("category", "move", categoryIds=f"{x['id']},{y['id']}",
             targetCategoryParentId=b["id"])
    assert get(api, y["id"])["fullName"] == "B>Y"
    assert get(api, b["id"])["directSubCategoriesCount"] == 3
    assert api.call("category", "index", id=b["id"]) == b["id"]
