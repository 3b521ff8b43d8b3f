"""caption_captionasset through the API: add, setContent, list, get, serve, WebVTT, default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.context import CallContext, RequestInfo
from vpaas.services.caption_asset import playback_captions
from vpaas.settings import Settings

SVC = "caption_captionasset"
SRT = "1\n00:00:01,000 --> 00:00:02,500\nHello <i>there</i>\n\n2\n00:00:03,000 --> " \
      "00:00:04,000\nBye & thanks\n"
DFXP = ('<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling">'
        '<body><div><p begin="00:00:01.000" end="00:00:02.000">Bonjour <span '
        'tts:fontWeight="bold">monde</span></p></div></body></tt>')


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def _entry(api: ApiHelper) -> str:
    entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": "c",
                                            "mediaType": 1})
    return str(entry["id"])


def _caption(api: ApiHelper, entry_id: str, content: str, **fields: Any) -> dict[str, Any]:
    asset = api.call(SVC, "add", entryId=entry_id,
                     captionAsset={"objectType": "KalturaCaptionAsset", **fields})
    assert not is_error(asset), asset
    done = api.call(SVC, "setContent", id=asset["id"], contentResource={
        "objectType": "KalturaStringResource", "content": content})
    assert not is_error(done), done
    return dict(done)


def _get(api: ApiHelper, url: str) -> Any:
    return api.client.get(url.replace("http://testserver", ""))


def test_add_set_content_and_serve(api: ApiHelper) -> None:
    eid = _entry(api)
    asset = api.call(SVC, "add", entryId=eid, captionAsset={
        "objectType": "KalturaCaptionAsset", "language": "fr", "label": "Français",
        "format": "1"})
    assert (asset["status"], asset["language"], asset["languageCode"]) == (0, "French", "fr")
    assert is_error(api.call(SVC, "getUrl", id=asset["id"]), "CAPTION_ASSET_IS_NOT_READY")
    done = api.call(SVC, "setContent", id=asset["id"], contentResource={
        "objectType": "KalturaStringResource", "content": SRT})
    assert (done["status"], done["format"], done["fileExt"], done["version"]) == (2, 1, "srt",
                                                                                   1)
    assert done["sizeInBytes"] == len(SRT.encode())
    url = api.call(SVC, "getUrl", id=asset["id"])
    assert url.startswith("http://testserver/api_v3/") and "ks" not in url
    resp = _get(api, url)  # no KS needed
    assert resp.status_code == 200 and resp.text == SRT
    assert resp.headers["content-type"].startswith("application/x-subrip")


def test_format_is_detected_and_every_caption_is_served_as_webvtt(api: ApiHelper) -> None:
    eid = _entry(api)
    asset = _caption(api, eid, DFXP, language="French", format="1")  # declared SRT: wrong
    assert asset["format"] == 2 and asset["fileExt"] == "xml"
    pid = api.partner.id
    base = f"/api_v3/service/{SVC}/action/serveWebVTT?captionAssetId={asset['id']}"
    whole = api.client.get(f"{base}&partnerId={pid}&segmentIndex=-1")
    assert whole.headers["content-type"].startswith("text/vtt")
    assert whole.text == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour <b>monde</b>\n"
    playlist = api.client.get(f"{base}&partnerId={pid}&segmentDuration=10")
    assert playlist.text.startswith("#EXTM3U") and "#EXT-X-ENDLIST" in playlist.text
    segment_url = next(line for line in playlist.text.splitlines() if line.startswith("http"))
    segment = _get(api, segment_url)
    assert segment.status_code == 200 and "X-TIMESTAMP-MAP" in segment.text
    assert "Bonjour" in segment.text


def test_malformed_and_unsupported_content_is_refused(api: ApiHelper) -> None:
    eid = _entry(api)
    asset = _caption(api, eid, SRT, language="English")
    bad = api.call(SVC, "setContent", id=asset["id"], contentResource={
        "objectType": "KalturaStringResource",
        "content": "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\nnot a time\nx\n"})
    assert is_error(bad, "CAPTION_ASSET_PARSING_FAILED")
    assert "line 6: expected a timing line" in bad["message"]
    kept = api.call(SVC, "get", captionAssetId=asset["id"])
    assert (kept["status"], kept["version"]) == (2, 1)  # previous content kept
    assert _get(api, api.call(SVC, "getUrl", id=asset["id"])).text == SRT
    scc = api.call(SVC, "add", entryId=eid, captionAsset={"objectType": "KalturaCaptionAsset",
                                                          "format": "5"})
    refused = api.call(SVC, "setContent", id=scc["id"], contentResource={
        "objectType": "KalturaStringResource", "content": SRT})
    assert is_error(refused, "CAPTION_ASSET_UNSUPPORTED_FORMAT")


def test_upload_token_content(api: ApiHelper) -> None:
    eid = _entry(api)
    token = api.call("uploadToken", "add", uploadToken={"fileName": "a.vtt"})
    vtt = b"WEBVTT\n\n00:00.500 --> 00:01.000\nhi\n"
    api.call("uploadToken", "upload", files={"fileData": ("a.vtt", vtt)},
             uploadTokenId=token["id"])
    asset = api.call(SVC, "add", entryId=eid, captionAsset={"objectType": "KalturaCaptionAsset",
                                                            "language": "English"})
    done = api.call(SVC, "setContent", id=asset["id"], contentResource={
        "objectType": "KalturaUploadedFileTokenResource", "token": token["id"]})
    assert done["format"] == 3 and done["status"] == 2
    assert api.call("uploadToken", "get", uploadTokenId=token["id"])["status"] == 3  # CLOSED
    again = api.call(SVC, "setContent", id=asset["id"], contentResource={
        "objectType": "KalturaUploadedFileTokenResource", "token": token["id"]})
    assert is_error(again, "UPLOAD_TOKEN_ALREADY_USED")


def test_list_default_and_delete(api: ApiHelper) -> None:
    eid, other = _entry(api), _entry(api)
    en = _caption(api, eid, SRT, language="English", isDefault=1)
    fr = _caption(api, eid, DFXP, language="French")
    _caption(api, other, SRT, language="German")
    listed = api.call(SVC, "list", filter={"objectType": "KalturaCaptionAssetFilter",
                                           "entryIdEqual": eid, "orderBy": "+createdAt"})
    assert listed["totalCount"] == 2
    assert {o["id"]: o["isDefault"] for o in listed["objects"]} == {en["id"]: 1, fr["id"]: 0}
    dfxp_only = api.call(SVC, "list", filter={"objectType": "KalturaCaptionAssetFilter",
                                              "entryIdEqual": eid, "formatEqual": "2"})
    assert [o["id"] for o in dfxp_only["objects"]] == [fr["id"]]
    assert api.call(SVC, "setAsDefault", captionAssetId=fr["id"]) is None
    assert api.call(SVC, "get", captionAssetId=en["id"])["isDefault"] == 0
    served = api.client.get(f"/api_v3/service/{SVC}/action/serveByEntryId?entryId={eid}"
                            f"&ks={api.admin_ks}")
    assert "Bonjour" in served.text
    assert api.call(SVC, "delete", captionAssetId=fr["id"]) is None
    assert is_error(api.call(SVC, "get", captionAssetId=fr["id"]), "CAPTION_ASSET_ID_NOT_FOUND")
    assert api.call(SVC, "list", filter={"objectType": "KalturaAssetFilter",
                                         "entryIdEqual": eid})["totalCount"] == 1
    bad_order = api.call(SVC, "list", filter={"objectType": "KalturaCaptionAssetFilter",
                                              "orderBy": "+name"})
    assert is_error(bad_order, "INVALID_ORDER_BY")


def test_xml_responses_and_update(api: ApiHelper) -> None:
    eid = _entry(api)
    asset = _caption(api, eid, SRT, language="en-US")
    result = api.call(SVC, "get", format=2, captionAssetId=asset["id"])
    assert result.findtext("objectType") == "KalturaCaptionAsset"
    assert (result.findtext("language"), result.findtext("languageCode")) == ("English", "en")
    assert result.findtext("format") == "1" and result.findtext("status") == "2"
    changed = api.call(SVC, "update", id=asset["id"], captionAsset={
        "objectType": "KalturaCaptionAsset", "label": "EN (CC)", "language": "Klingon"})
    assert (changed["label"], changed["language"]) == ("EN (CC)", "Klingon")
    assert changed.get("languageCode") is None
    refused = api.call(SVC, "update", id=asset["id"], captionAsset={
        "objectType": "KalturaCaptionAsset", "format": "2"})
    assert is_error(refused, "PROPERTY_VALIDATION_NOT_UPDATABLE")


def test_other_partners_cannot_see_captions(api: ApiHelper) -> None:
    asset = _caption(api, _entry(api), SRT, language="English")
    stranger = api.new_partner()
    ks = api.ks(admin=True, partner=stranger)
    assert is_error(api.call(SVC, "get", ks=ks, captionAssetId=asset["id"]),
                    "CAPTION_ASSET_ID_NOT_FOUND")
    resp = api.client.get(f"/api_v3/service/{SVC}/action/serve?captionAssetId={asset['id']}"
                          f"&partnerId={stranger.id}")
    assert resp.headers.get("X-Kaltura", "").endswith("CAPTION_ASSET_ID_NOT_FOUND") or \
        "CAPTION_ASSET_ID_NOT_FOUND" in resp.text


def test_playback_captions_for_players(api: ApiHelper) -> None:
    eid = _entry(api)
    _caption(api, eid, DFXP, language="French", label="FR", isDefault=1)
    hidden = _caption(api, eid, SRT, language="English")
    api.call(SVC, "update", id=hidden["id"], captionAsset={"objectType": "KalturaCaptionAsset",
                                                            "displayOnPlayer": False})
    ctx = CallContext(api.runtime, RequestInfo(base_url="http://testserver"),
                      partner_id=api.partner.id)
    with ctx.transaction():
        tracks = playback_captions(ctx, eid)
    assert len(tracks) == 1
    track = tracks[0]
    assert (track.format, track.language, track.languageCode, track.label, track.isDefault) == (
        "2", "French", "fr", "FR", True)
    assert "Bonjour" in _get(api, track.url).text
    vtt = _get(api, track.webVttUrl)
    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
