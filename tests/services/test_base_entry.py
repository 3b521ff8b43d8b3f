"""baseEntry: concrete classes on get, data entries, the kaltura-uploader form call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.settings import Settings

PDF = b"%PDF-1.4\n" + bytes(300)


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def upload(api: ApiHelper, data: bytes, name: str) -> str:
    token = api.call("uploadToken", "add", uploadToken={"fileName": name})
    api.call("uploadToken", "upload", files={"fileData": (name, data)},
             uploadTokenId=token["id"])
    return str(token["id"])


def add(api: ApiHelper, entry: dict[str, Any], **params: Any) -> dict[str, Any]:
    result = api.call("baseEntry", "add", entry=entry, **params)
    assert not is_error(result), result
    return dict(result)


def test_get_returns_the_concrete_class(api: ApiHelper) -> None:
    media = add(api, {"objectType": "KalturaMediaEntry", "name": "m", "mediaType": 5})
    doc = add(api, {"objectType": "KalturaDocumentEntry", "name": "d", "documentType": 13})
    data = add(api, {"objectType": "KalturaDataEntry", "name": "x", "dataContent": "hello"})
    for created, cls in ((media, "KalturaMediaEntry"), (doc, "KalturaDocumentEntry"),
                         (data, "KalturaDataEntry")):
        got = api.call("baseEntry", "get", entryId=created["id"])
        assert got["objectType"] == cls and got["id"] == created["id"]
    assert api.call("baseEntry", "get", entryId=media["id"])["mediaType"] == 5
    got_data = api.call("baseEntry", "get", entryId=data["id"])
    assert (got_data["type"], got_data["status"], got_data["dataContent"]) == (6, 2, "hello")
    assert "dataUrl" not in got_data
    root = api.call("baseEntry", "get", format=2, entryId=doc["id"])
    assert root.findtext("objectType") == "KalturaDocumentEntry"
    assert root.findtext("documentType") == "13" and root.findtext("type") == "10"


def test_media_service_does_not_see_other_entry_types(api: ApiHelper) -> None:
    doc = add(api, {"objectType": "KalturaDocumentEntry", "name": "d"})
    assert is_error(api.call("media", "get", entryId=doc["id"]), "ENTRY_ID_NOT_FOUND")


def test_plain_base_entry_needs_a_known_type(api: ApiHelper) -> None:
    refused = api.call("baseEntry", "add", entry={"objectType": "KalturaBaseEntry", "name": "b"})
    assert is_error(refused, "ENTRY_TYPE_NOT_SUPPORTED")
    data = add(api, {"objectType": "KalturaBaseEntry", "name": "b"}, type="6")
    assert data["objectType"] == "KalturaDataEntry" and data["status"] == 7


def test_kaltura_uploader_data_entry_form_call(api: ApiHelper) -> None:
    token = upload(api, b"just some bytes", "notes.txt")
    form = {"service": "baseEntry", "action": "addFromUploadedFile",
            "entry:objectType": "KalturaDataEntry", "entry:name": "notes.txt",
            "entry:conversionProfileId": "-1", "type": "6", "uploadTokenId": token,
            "ks": api.admin_ks, "format": "1"}
    resp = api.client.post("/api_v3/", data=form)
    body = resp.json()
    assert resp.status_code == 200 and body["objectType"] == "KalturaDataEntry", body
    assert (body["status"], body["type"], body["conversionProfileId"]) == (2, 6, -1)


def test_add_content_and_delete_through_base_entry(api: ApiHelper) -> None:
    doc = add(api, {"objectType": "KalturaDocumentEntry", "name": "d"})
    result = api.call("baseEntry", "addContent", entryId=doc["id"],
                      resource={"objectType": "KalturaUploadedFileTokenResource",
                                "token": upload(api, PDF, "paper.pdf")})
    assert result["objectType"] == "KalturaDocumentEntry"
    assert (result["status"], result["documentType"]) == (2, 13)
    assert api.call("baseEntry", "delete", entryId=doc["id"]) is None
    assert is_error(api.call("baseEntry", "get", entryId=doc["id"]), "ENTRY_ID_NOT_FOUND")
    assert is_error(api.call("baseEntry", "get", entryId="bad id!"), "ENTRY_ID_NOT_FOUND")


def test_widget_sessions_cannot_add(api: ApiHelper) -> None:
    widget = api.call("session", "startWidgetSession", widgetId=f"_{api.partner.id}")["ks"]
    refused = api.call("baseEntry", "add", ks=widget,
                       entry={"objectType": "KalturaMediaEntry", "name": "w"})
    assert is_error(refused, "SERVICE_FORBIDDEN")
