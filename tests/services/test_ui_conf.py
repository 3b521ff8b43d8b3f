"""uiConf through the API: CRUD, clone, list filters and ordering, partner isolation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.db.tables.ui_conf import UiConfRow
from vpaas.settings import Settings

PLAYER_CONFIG = {"playback": {"autoplay": False}, "ui": {"locale": "en"}}


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        # no-op once the table is in the migrations
        UiConfRow.__table__.create(helper.runtime.db.engine, checkfirst=True)  # type: ignore[attr-defined]
        yield helper


def _add(api: ApiHelper, ks: str | None = None, **fields: Any) -> Any:
    body = {"objectType": "KalturaUiConf", "name": "Player", "objType": 1,
            "config": json.dumps(PLAYER_CONFIG), **fields}
    return api.call("uiConf", "add", uiConf=body, **({"ks": ks} if ks else {}))


def test_add_get_update_delete(api: ApiHelper) -> None:
    added = _add(api, name="Main player", width=640, height=360, tags="v7,player",
                 description="the site player", creationMode=2)
    assert added["objectType"] == "KalturaUiConf" and isinstance(added["id"], int)
    assert added["partnerId"] == api.partner.id and added["objTypeAsString"] == "PLAYER"
    assert json.loads(added["config"]) == PLAYER_CONFIG and added["version"] == "1"
    assert (added["width"], added["height"], added["creationMode"]) == (640, 360, 2)
    got = api.call("uiConf", "get", id=added["id"])
    assert got["name"] == "Main player" and got["tags"] == "v7,player"

    updated = api.call("uiConf", "update", id=added["id"], uiConf={
        "objectType": "KalturaUiConf", "name": "Renamed", "config": '{"ui":{"locale":"fr"}}'})
    assert updated["name"] == "Renamed" and updated["version"] == "2"
    assert updated["width"] == 640 and json.loads(updated["config"]) == {"ui": {"locale": "fr"}}

    assert api.call("uiConf", "delete", id=added["id"]) is None
    assert is_error(api.call("uiConf", "get", id=added["id"]), "UICONF_ID_NOT_FOUND")
    assert is_error(api.call("uiConf", "update", id=added["id"], uiConf={
        "objectType": "KalturaUiConf", "name": "x"}), "UICONF_ID_NOT_FOUND")
    assert is_error(api.call("uiConf", "delete", id=added["id"]), "UICONF_ID_NOT_FOUND")


def test_readonly_fields_and_bad_config_are_refused(api: ApiHelper) -> None:
    assert is_error(_add(api, id=5), "PROPERTY_VALIDATION_NOT_UPDATABLE")
    bad = _add(api, config="{not json")
    assert is_error(bad, "INVALID_PARAMETER_VALUE") and "uiConf:config" in bad["message"]
    assert is_error(_add(api, config="[1, 2]"), "INVALID_PARAMETER_VALUE")
    assert is_error(_add(api, name="x" * 300), "PROPERTY_VALIDATION_MAX_LENGTH")
    assert is_error(_add(api, width=10**6), "INVALID_PARAMETER_VALUE")
    assert is_error(_add(api, objType=999), "INVALID_ENUM_VALUE")
    ok = _add(api, config="")
    assert ok["config"] == "" and ok["objType"] == 1


def test_clone_copies_under_a_new_id(api: ApiHelper) -> None:
    original = _add(api, name="Original", tags="a,b")
    api.call("uiConf", "update", id=original["id"],
             uiConf={"objectType": "KalturaUiConf", "description": "v2"})
    copy = api.call("uiConf", "clone", id=original["id"])
    assert copy["id"] != original["id"] and copy["name"] == "Original"
    assert copy["description"] == "v2" and copy["tags"] == "a,b" and copy["version"] == "1"
    assert copy["config"] == original["config"]
    assert is_error(api.call("uiConf", "clone", id=987654), "UICONF_ID_NOT_FOUND")


def test_list_filters_order_and_paging(api: ApiHelper) -> None:
    a = _add(api, name="Alpha player", tags="news,v7", objType=1)
    b = _add(api, name="Beta player", tags="sports", objType=8)
    c = _add(api, name="Gamma", tags="news,sports", objType=1, partnerTags="blue")
    ids = lambda result: [o["id"] for o in result["objects"]]  # noqa: E731

    everything = api.call("uiConf", "list")
    assert ids(everything) == [a["id"], b["id"], c["id"]] and everything["totalCount"] == 3
    f = {"objectType": "KalturaUiConfFilter"}
    assert ids(api.call("uiConf", "list", filter={**f, "nameLike": "player"})) == [
        a["id"], b["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "objTypeEqual": 8})) == [b["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "objTypeIn": "1,8"})) == [
        a["id"], b["id"], c["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "tagsMultiLikeOr": "sports"})) == [
        b["id"], c["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "tagsMultiLikeAnd": "news,sports"})) == [
        c["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "idIn": f"{a['id']},{c['id']}"})) == [
        a["id"], c["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "idEqual": b["id"]})) == [b["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "partnerTagsMultiLikeOr": "blue"})) == [
        c["id"]]
    assert ids(api.call("uiConf", "list", filter={
        **f, "createdAtGreaterThanOrEqual": a["createdAt"]})) == [a["id"], b["id"], c["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "versionEqual": "1"})) == [
        a["id"], b["id"], c["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "orderBy": "-name"})) == [
        c["id"], b["id"], a["id"]]
    assert ids(api.call("uiConf", "list", filter={**f, "orderBy": "-id"},
                        pager={"objectType": "KalturaFilterPager", "pageSize": 2,
                               "pageIndex": 2})) == [a["id"]]
    assert is_error(api.call("uiConf", "list", filter={**f, "orderBy": "+config"}),
                    "INVALID_ORDER_BY")


def test_partner_isolation(api: ApiHelper) -> None:
    mine = _add(api, name="Mine")
    other = api.new_partner("other")
    other_ks = api.ks(admin=True, partner=other)
    theirs = _add(api, ks=other_ks, name="Theirs")
    assert is_error(api.call("uiConf", "get", id=theirs["id"]), "UICONF_ID_NOT_FOUND")
    assert is_error(api.call("uiConf", "get", id=mine["id"], ks=other_ks), "UICONF_ID_NOT_FOUND")
    assert is_error(api.call("uiConf", "delete", id=mine["id"], ks=other_ks),
                    "UICONF_ID_NOT_FOUND")
    assert is_error(api.call("uiConf", "clone", id=mine["id"], ks=other_ks),
                    "UICONF_ID_NOT_FOUND")
    listed = api.call("uiConf", "list", ks=other_ks)
    assert [o["id"] for o in listed["objects"]] == [theirs["id"]]
    assert api.call("uiConf", "get", id=mine["id"])["name"] == "Mine"


def test_user_sessions_read_but_do_not_write(api: ApiHelper) -> None:
    added = _add(api)
    user_ks = api.ks()
    assert api.call("uiConf", "get", id=added["id"], ks=user_ks)["id"] == added["id"]
    refused = _add(api, ks=user_ks)
    assert is_error(refused) and refused["code"] in ("SERVICE_FORBIDDEN", "ACTION_FORBIDDEN")


def test_available_types_and_templates(api: ApiHelper) -> None:
    types = api.call("uiConf", "getAvailableTypes")
    assert types[0]["type"] == 1 and types[0]["versions"][0]["value"] == "3.17.95"
    assert api.call("uiConf", "listTemplates")["totalCount"] == 0


def test_the_official_python_client_round_trips_a_ui_conf(api: ApiHelper) -> None:
    """Field names and types as the official client declares them (KalturaUiConf)."""
    from KalturaClient.Plugins.Core import KalturaUiConf

    added = _add(api, useCdn=True, html5Url="/html5/v2", swfUrlVersion="1.0")
    names = set(KalturaUiConf().PROPERTY_LOADERS)
    assert {"id", "config", "objType", "version", "createdAt", "partnerTags"} <= names
    assert set(added) - {"objectType", "v2Redirect"} <= names | {"relatedObjects"}
    assert added["useCdn"] is True and added["html5Url"] == "/html5/v2"
