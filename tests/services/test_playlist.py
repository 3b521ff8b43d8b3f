"""playlist through the API: static and dynamic playlists, execute, list, update, clone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update
from support.api import ApiHelper, is_error

from vpaas.db.tables.entry import EntryRow
from vpaas.settings import Settings

STATIC, DYNAMIC = 3, 10
RULE = "KalturaMediaEntryFilterForPlaylist"


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def media(api: ApiHelper, name: str, status: int = 2, **columns: Any) -> str:
    fields = {k: columns.pop(k) for k in ("tags",) if k in columns}
    entry_id = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": name,
                                               "mediaType": 1, **fields})["id"]
    with api.runtime.db.system_session() as s:
        s.execute(update(EntryRow).where(EntryRow.id == entry_id)
                  .values(status=status, **columns))
        s.commit()
    return str(entry_id)


def add_playlist(api: ApiHelper, **fields: Any) -> dict[str, Any]:
    return api.call("playlist", "add", playlist={"objectType": "KalturaPlaylist",
                                                 "name": "My list", **fields})


def ids(result: Any) -> list[str]:
    assert isinstance(result, list), result
    return [o["id"] for o in result]


def test_static_playlist_keeps_order_and_skips_missing_and_unready(api: ApiHelper) -> None:
    a = media(api, "a", duration_ms=10_000)
    b = media(api, "b", duration_ms=20_000)
    draft = media(api, "draft", status=7)
    gone = media(api, "gone")
    api.call("media", "delete", entryId=gone)
    content = f"{b}, {draft},0_missing1,{a},{gone},{b}"
    pl = add_playlist(api, playlistType=STATIC, playlistContent=content)
    assert pl["playlistType"] == STATIC and str(pl["status"]) == "2" and str(pl["type"]) == "5"
    assert pl["objectType"] == "KalturaPlaylist" and pl["playlistContent"].startswith(b)
    assert pl["duration"] == 50
    assert ids(api.call("playlist", "execute", id=pl["id"])) == [b, a, b]
    first = api.call("playlist", "execute", id=pl["id"], pager={
        "objectType": "KalturaFilterPager", "pageSize": 2, "pageIndex": 2})
    assert ids(first) == [b]
    executed = api.call("playlist", "execute", id=pl["id"])
    assert executed[0]["objectType"] == "KalturaMediaEntry"
    narrowed = api.call("playlist", "execute", id=pl["id"], filter={
        "objectType": RULE, "nameLike": "a"})
    assert ids(narrowed) == [a]
    assert ids(api.call("playlist", "executeFromContent", playlistType=STATIC,
                        playlistContent=f"{a},{b}")) == [a, b]


def test_dynamic_playlist_runs_each_rule_and_merges(api: ApiHelper) -> None:
    cats = [media(api, f"cat {i}", tags="cats", plays=i, created_at=1_700_000_000 + i)
            for i in range(4)]
    dogs = [media(api, f"dog {i}", tags="dogs", plays=10 + i) for i in range(3)]
    media(api, "cat draft", status=7, tags="cats")
    pl = add_playlist(api, playlistType=DYNAMIC, totalResults=5, filters=[
        {"objectType": RULE, "tagsMultiLikeOr": "cats", "orderBy": "-plays", "limit": 2},
        {"objectType": RULE, "tagsMultiLikeOr": "cats,dogs", "orderBy": "+plays",
         "limit": 10}])
    assert pl["playlistType"] == DYNAMIC and pl["totalResults"] == 5
    assert [f["limit"] for f in pl["filters"]] == [2, 10]
    assert pl["filters"][0]["objectType"] == RULE and pl["filters"][0]["orderBy"] == "-plays"
    assert "<total_results>5</total_results>" in pl["playlistContent"]
    run = ids(api.call("playlist", "execute", id=pl["id"]))
    assert run == [cats[3], cats[2], cats[0], cats[1], dogs[0]]
    again = api.call("playlist", "get", id=pl["id"])
    assert again["filters"][1]["tagsMultiLikeOr"] == "cats,dogs"
    rules = [{"objectType": RULE, "tagsMultiLikeOr": "dogs", "orderBy": "-plays"}]
    assert ids(api.call("playlist", "executeFromFilters", filters=rules,
                        totalResults=2)) == [dogs[2], dogs[1]]
    xml = again["playlistContent"]
    assert ids(api.call("playlist", "executeFromContent", playlistType=DYNAMIC,
                        playlistContent=xml)) == run


def test_dynamic_rules_use_category_filters(api: ApiHelper) -> None:
    cat = api.call("category", "add", category={"objectType": "KalturaCategory",
                                                "name": "Shows"})["id"]
    inside, outside = media(api, "inside"), media(api, "outside")
    api.call("categoryEntry", "add", categoryEntry={
        "objectType": "KalturaCategoryEntry", "entryId": inside, "categoryId": cat})
    pl = add_playlist(api, playlistType=DYNAMIC, filters=[
        {"objectType": RULE, "categoryAncestorIdIn": str(cat)}])
    assert ids(api.call("playlist", "execute", id=pl["id"])) == [inside]
    assert outside


def test_dynamic_playlist_from_xml_content_and_bad_rules(api: ApiHelper) -> None:
    a = media(api, "alpha")
    media(api, "beta")
    xml = ("<playlist><total_results>10</total_results><filters><filter>"
           "<nameLike>alp</nameLike><limit>3</limit></filter></filters></playlist>")
    pl = add_playlist(api, playlistType=DYNAMIC, playlistContent=xml)
    assert pl["totalResults"] == 10 and pl["filters"][0]["nameLike"] == "alp"
    assert ids(api.call("playlist", "execute", id=pl["id"])) == [a]
    assert is_error(add_playlist(api, playlistType=DYNAMIC, playlistContent="<nope"),
                    "INVALID_PARAMETER_VALUE")
    bad_prop = ("<playlist><filters><filter><colourEqual>1</colourEqual></filter></filters>"
                "</playlist>")
    assert is_error(add_playlist(api, playlistType=DYNAMIC, playlistContent=bad_prop),
                    "FILTER_NOT_SUPPORTED")
    assert is_error(add_playlist(api, playlistType=DYNAMIC, filters=[
        {"objectType": RULE, "orderBy": "+colour"}]), "INVALID_ORDER_BY")
    assert is_error(add_playlist(api, playlistType=DYNAMIC, totalResults=501),
                    "PLAYLIST_TOO_LARGE")
    entity = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
              "<playlist><filters><filter><nameLike>&x;</nameLike></filter></filters>"
              "</playlist>")
    result = add_playlist(api, playlistType=DYNAMIC, playlistContent=entity)
    assert "root:" not in str(result)


def test_static_content_is_validated(api: ApiHelper) -> None:
    assert is_error(add_playlist(api, playlistType=STATIC, playlistContent="0_ok,../etc"),
                    "INVALID_ENTRY_ID")
    too_many = ",".join(f"0_{i:08d}" for i in range(1001))
    assert is_error(add_playlist(api, playlistType=STATIC, playlistContent=too_many),
                    "PLAYLIST_TOO_LARGE")
    assert is_error(add_playlist(api, playlistType=101), "INVALID_PLAYLIST_TYPE")
    assert is_error(api.call("playlist", "add", playlist={"objectType": "KalturaPlaylist"}),
                    "PROPERTY_VALIDATION_MIN_LENGTH")


def test_get_update_delete_and_wrong_types(api: ApiHelper) -> None:
    a, b = media(api, "a"), media(api, "b")
    pl = add_playlist(api, playlistType=STATIC, playlistContent=a, tags="mix")
    updated = api.call("playlist", "update", id=pl["id"], playlist={
        "objectType": "KalturaPlaylist", "name": "Renamed", "playlistContent": f"{b},{a}"})
    assert updated["name"] == "Renamed" and updated["tags"] == "mix"
    assert ids(api.call("playlist", "execute", id=pl["id"])) == [b, a]
    assert is_error(api.call("playlist", "update", id=pl["id"], playlist={
        "objectType": "KalturaPlaylist", "playlistType": DYNAMIC}),
        "PROPERTY_VALIDATION_NOT_UPDATABLE")
    assert is_error(api.call("playlist", "get", id=a), "INVALID_PLAYLIST_TYPE")
    assert is_error(api.call("playlist", "get", id="0_nothere"), "INVALID_ENTRY_ID")
    assert api.call("baseEntry", "get", entryId=pl["id"])["id"] == pl["id"]
    other_ks = api.ks(admin=True, partner=api.new_partner())
    assert is_error(api.call("playlist", "get", id=pl["id"], ks=other_ks), "INVALID_ENTRY_ID")
    assert is_error(api.call("playlist", "update", id=pl["id"], ks=api.ks(user="eve"),
                             playlist={"objectType": "KalturaPlaylist", "name": "x"}))
    api.call("playlist", "delete", id=pl["id"])
    assert is_error(api.call("playlist", "get", id=pl["id"]), "INVALID_ENTRY_ID")
    assert ids(api.call("playlist", "executeFromContent", playlistType=STATIC,
                        playlistContent=a)) == [a]


def test_list_filters_by_type_and_fields(api: ApiHelper) -> None:
    static = add_playlist(api, playlistType=STATIC, playlistContent="", name="Static one")
    dynamic = add_playlist(api, playlistType=DYNAMIC, name="Dynamic one", filters=[
        {"objectType": RULE, "tagsLike": "x"}])
    media(api, "not a playlist")

    def listed(**flt: Any) -> list[str]:
        result = api.call("playlist", "list", filter={"objectType": "KalturaPlaylistFilter",
                                                      **flt})
        assert "objects" in result, result
        assert all(o["objectType"] == "KalturaPlaylist" for o in result["objects"])
        return [o["id"] for o in result["objects"]]

    assert set(listed()) == {static["id"], dynamic["id"]}
    assert listed(playListTypeEqual=DYNAMIC) == [dynamic["id"]]
    assert listed(playListTypeIn=f"{STATIC}") == [static["id"]]
    assert listed(nameLike="static") == [static["id"]]
    assert listed(orderBy="+name") == [dynamic["id"], static["id"]]


def test_clone_copies_content_and_applies_overrides(api: ApiHelper) -> None:
    a = media(api, "a")
    pl = add_playlist(api, playlistType=STATIC, playlistContent=a, description="d")
    copy = api.call("playlist", "clone", id=pl["id"], newPlaylist={
        "objectType": "KalturaPlaylist", "name": "Copy"})
    assert copy["id"] != pl["id"] and copy["name"] == "Copy" and copy["description"] == "d"
    assert ids(api.call("playlist", "execute", id=copy["id"])) == [a]
    dyn = add_playlist(api, playlistType=DYNAMIC, totalResults=7, filters=[
        {"objectType": RULE, "nameLike": "a"}])
    dyn_copy = api.call("playlist", "clone", id=dyn["id"])
    assert dyn_copy["totalResults"] == 7 and dyn_copy["filters"][0]["nameLike"] == "a"
    assert is_error(api.call("playlist", "clone", id=pl["id"], newPlaylist={
        "objectType": "KalturaPlaylist", "playlistType": DYNAMIC}), "CANT_UPDATE_PARAMETER")


def test_base_entry_get_returns_a_playlist_object(api: ApiHelper) -> None:
    playlist = add_playlist(api, playlistType=3, playlistContent="")
    got = api.call("baseEntry", "get", entryId=playlist["id"])
    assert got["objectType"] == "KalturaPlaylist" and got["playlistType"] == 3


def test_deleting_a_playlist_takes_it_out_of_its_categories(api: ApiHelper) -> None:
    pl = add_playlist(api, playlistType=STATIC, playlistContent="")
    category = api.call("category", "add", category={"objectType": "KalturaCategory",
                                                      "name": "Shelf"})
    api.call("categoryEntry", "add", categoryEntry={"objectType": "KalturaCategoryEntry",
                                                    "entryId": pl["id"],
                                                    "categoryId": category["id"]})
    assert api.call("category", "get", id=category["id"])["entriesCount"] == 1
    api.call("playlist", "delete", id=pl["id"])
    listed = api.call("categoryEntry", "list", filter={
        "objectType": "KalturaCategoryEntryFilter", "categoryIdEqual": category["id"]})
    assert listed["totalCount"] == 0
    assert api.call("category", "get", id=category["id"])["entriesCount"] == 0
