"""baseEntry.getPlaybackContext / getContextData through the API, including the web player's
anonymous multirequest, blocked, unready and unknown entries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from delivery.playback_helpers import Played, played_app
from support.api import is_error

PLAYER_FIELDS = ("id,referenceId,name,description,thumbnailUrl,dataUrl,duration,msDuration,"
                 "flavorParamsIds,mediaType,type,tags,dvrStatus,status,createdAt,updatedAt,"
                 "plays,views,downloadUrl,creatorId,userId,rootEntryId,capabilities,adminTags")


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    yield from played_app(tmp_path_factory)


def player_multirequest(p: Played, entry_id: str) -> list[Any]:
    """The body the Kaltura web player sends when loading an entry anonymously."""
    body = {
        "1": {"service": "session", "action": "startWidgetSession", "widgetId": f"_{p.pid}"},
        "2": {"service": "baseEntry", "action": "list", "ks": "{1:result:ks}",
              "filter": {"redirectFromEntryId": entry_id},
              "responseProfile": {"type": 1, "fields": PLAYER_FIELDS}},
        "3": {"service": "baseEntry", "action": "getPlaybackContext",
              "entryId": "{2:result:objects:0:id}", "ks": "{1:result:ks}",
              "contextDataParams": {"objectType": "KalturaContextDataParams",
                                    "flavorTags": "all"}},
        "4": {"service": "metadata_metadata", "action": "list", "ks": "{1:result:ks}",
              "filter": {"objectType": "KalturaMetadataFilter",
                         "objectIdEqual": "{2:result:objects:0:id}",
                         "metadataObjectTypeEqual": "1"}},
        "apiVersion": "3.3.0", "format": 1, "ks": "", "clientTag": "html5:v3.17.95",
        "partnerId": p.pid}
    resp = p.api.client.post("/api_v3/service/multirequest", json=body)
    assert resp.status_code == 200
    result = resp.json()
    return result if isinstance(result, list) else result["result"]


def test_player_anonymous_flow(played: Played) -> None:
    session, listed, context, _metadata = player_multirequest(played, played.clip_id)
    assert session["ks"]
    assert listed["totalCount"] == 1 and listed["objects"][0]["id"] == played.clip_id
    assert context["objectType"] == "KalturaPlaybackContext"
    formats = [s["format"] for s in context["sources"]]
    assert formats == ["applehttp", "mpegdash", "url"]
    flavor_ids = {f["id"] for f in context["flavorAssets"]}
    for source in context["sources"]:
        assert source["protocols"] == "http,https" and source["drm"] == []
        assert set(source["flavorIds"].split(",")) == flavor_ids
        assert f"/playManifest/entryId/{played.clip_id}/" in source["url"]
        assert source["deliveryProfileId"]
    for flavor in context["flavorAssets"]:
        assert flavor["width"] and flavor["height"] and flavor["bitrate"] > 0
        assert flavor["fileExt"] == "mp4" and flavor["isOriginal"] is False
    assert context["actions"] == [] and context["messages"] == []
    assert context["playbackCaptions"] == []


def test_player_urls_work(played: Played) -> None:
    context = played.api.call("baseEntry", "getPlaybackContext", entryId=played.clip_id)
    hls = next(s for s in context["sources"] if s["format"] == "applehttp")
    query = "?uiConfId=1&playSessionId=a:b&referrer=aHR0cDovL3g=&clientTag=html5:v3.17.95"
    resp = played.get(hls["url"].replace("http://testserver", "") + query)
    assert resp.status_code == 200 and resp.text.startswith("#EXTM3U")


def test_unknown_unready_and_blocked_entries(played: Played) -> None:
    unknown = played.api.call("baseEntry", "getPlaybackContext", entryId="0_missing")
    assert is_error(unknown, "ENTRY_ID_NOT_FOUND")
    fresh = played.api.call("media", "add", entry={"objectType": "KalturaMediaEntry",
                                                   "name": "empty", "mediaType": 1})
    unready = played.api.call("baseEntry", "getPlaybackContext", entryId=fresh["id"])
    assert unready["sources"] == [] and unready["actions"] == []
    assert unready["messages"][0]["code"] == "ENTRY_NOT_READY"
    try:
        played.set_rules(played.clip_id, [{"actions": [{"type": "1"}], "message": "Go away",
                                           "code": "BLOCKED_HERE"}])
        admin = played.api.call("baseEntry", "getPlaybackContext", entryId=played.clip_id)
        assert admin["sources"] and admin["actions"] == []  # admins skip the rules
        widget = played.api.call("session", "startWidgetSession",
                                 widgetId=f"_{played.pid}")["ks"]
        blocked = played.api.call("baseEntry", "getPlaybackContext", entryId=played.clip_id,
                                  ks=widget)
        assert blocked["sources"] == [] and blocked["flavorAssets"] == []
        assert blocked["actions"][0]["type"] == 1  # a JSON number, as players compare
        assert blocked["actions"][0]["objectType"] == "KalturaAccessControlBlockAction"
        assert {"code": "BLOCKED_HERE", "message": "Go away"}.items() <= blocked[
            "messages"][0].items()
    finally:
        played.set_rules(played.clip_id, None)


def test_scheduled_entry_and_preview(played: Played) -> None:
    eid = played.clip_id
    widget = played.api.call("session", "startWidgetSession", widgetId=f"_{played.pid}")["ks"]
    try:
        played.api.call("baseEntry", "update", entryId=eid,
                        baseEntry={"objectType": "KalturaMediaEntry", "startDate": 4102444800})
        later = played.api.call("baseEntry", "getPlaybackContext", entryId=eid, ks=widget)
        assert [m["code"] for m in later["messages"]] == ["SCHEDULED_RESTRICTED"]
        assert later["sources"] == []
        admin = played.api.call("baseEntry", "getPlaybackContext", entryId=eid)
        assert admin["sources"]
    finally:
        played.api.call("baseEntry", "update", entryId=eid,
                        baseEntry={"objectType": "KalturaMediaEntry", "startDate": -1})
    try:
        played.set_rules(eid, [{"actions": [{"type": "2", "limit": 1}]}])
        preview = played.api.call("baseEntry", "getPlaybackContext", entryId=eid, ks=widget)
        assert preview["actions"] == [{"type": 2, "limit": 1,
                                       "objectType": "KalturaAccessControlPreviewAction"}]
        assert preview["sources"]
    finally:
        played.set_rules(eid, None)


def test_flavor_tags_and_streamer_type(played: Played) -> None:
    only_dash = played.api.call("baseEntry", "getPlaybackContext", entryId=played.clip_id,
                                contextDataParams={"objectType": "KalturaPlaybackContextOptions",
                                                   "streamerType": "mpegdash"})
    assert [s["format"] for s in only_dash["sources"]] == ["mpegdash"]
    image = played.api.call("baseEntry", "getPlaybackContext", entryId=played.image_id)
    assert image["sources"] == [] and image["messages"] == []


def test_legacy_get_context_data(played: Played) -> None:
    data = played.api.call("baseEntry", "getContextData", entryId=played.clip_id,
                           contextDataParams={"objectType": "KalturaEntryContextDataParams"})
    assert data["objectType"] == "KalturaEntryContextDataResult"
    assert data["isScheduledNow"] is True and data["isAdmin"] is True
    assert data["previewLength"] == -1 and data["msDuration"] > 2000
    assert len(data["flavorAssets"]) == 2
    try:
        played.set_rules(played.clip_id, [{"actions": [{"type": "1"}], "conditions": [
            {"type": "4", "values": ["allowed.example"], "not": True}]}])
        widget = played.api.call("session", "startWidgetSession",
                                 widgetId=f"_{played.pid}")["ks"]
        blocked = played.api.call("baseEntry", "getContextData", entryId=played.clip_id,
                                  ks=widget, contextDataParams={
                                      "objectType": "KalturaEntryContextDataParams",
                                      "referrer": "https://elsewhere.example/"})
        assert blocked["isSiteRestricted"] is True and blocked["flavorAssets"] == []
    finally:
        played.set_rules(played.clip_id, None)
