"""document / document_documents: add, content, get, serve back, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.settings import Settings

PDF = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n" + b"x" * 4000


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def upload(api: ApiHelper, data: bytes, name: str) -> str:
    token = api.call("uploadToken", "add", uploadToken={"fileName": name})
    api.call("uploadToken", "upload", files={"fileData": (name, data)},
             uploadTokenId=token["id"])
    return str(token["id"])


def serve(api: ApiHelper, service: str, **params: Any) -> Any:
    params.setdefault("ks", api.admin_ks)
    return api.client.get(f"/api_v3/service/{service}/action/serve", params=params)


@pytest.mark.parametrize("service", ["document_documents", "document"])
def test_document_lifecycle(api: ApiHelper, service: str) -> None:
    entry = api.call(service, "add", documentEntry={"objectType": "KalturaDocumentEntry",
                                                    "name": "Paper"})
    assert entry["objectType"] == "KalturaDocumentEntry" and entry["status"] == 7
    not_yet = serve(api, service, entryId=entry["id"])
    assert not_yet.headers.get("X-Kaltura") == "error-ENTRY_NOT_READY"
    result = api.call(service, "addContent", entryId=entry["id"],
                      resource={"objectType": "KalturaUploadedFileTokenResource",
                                "token": upload(api, PDF, "Paper v2.pdf")})
    assert (result["status"], result["documentType"]) == (2, 13)
    got = api.call(service, "get", entryId=entry["id"])
    assert got["name"] == "Paper" and got["version"] == 1
    resp = serve(api, service, entryId=entry["id"])
    assert resp.status_code == 200 and resp.content == PDF
    assert resp.headers["content-type"] == "application/pdf"
    assert "Paper%20v2.pdf" in resp.headers["content-disposition"]
    assert api.call(service, "delete", entryId=entry["id"]) is None
    assert is_error(api.call(service, "get", entryId=entry["id"]), "ENTRY_ID_NOT_FOUND")


def test_kaltura_uploader_document_form_call(api: ApiHelper) -> None:
    token = upload(api, b"PK\x03\x04" + bytes(200), "slides.pptx")
    form = {"service": "document", "action": "addFromUploadedFile",
            "documentEntry:objectType": "KalturaDocumentEntry",
            "documentEntry:name": "slides.pptx", "documentEntry:documentType": "11",
            "uploadTokenId": token, "ks": api.admin_ks, "format": "1"}
    body = api.client.post("/api_v3/", data=form).json()
    assert body["objectType"] == "KalturaDocumentEntry", body
    assert (body["status"], body["documentType"]) == (2, 11)
    resp = serve(api, "document", entryId=body["id"])
    assert resp.content.startswith(b"PK\x03\x04")
    assert "slides.pptx" in resp.headers["content-disposition"]


def test_update_content_replaces_a_document(api: ApiHelper) -> None:
    entry = api.call("document_documents", "addFromUploadedFile",
                     documentEntry={"objectType": "KalturaDocumentEntry", "name": "d"},
                     uploadTokenId=upload(api, PDF, "a.pdf"))
    newer = b"%PDF-1.7\n" + b"y" * 100
    result = api.call("document_documents", "updateContent", entryId=entry["id"],
                      resource={"objectType": "KalturaUploadedFileTokenResource",
                                "token": upload(api, newer, "b.pdf")})
    assert result["status"] == 2 and result["version"] == 2
    assert serve(api, "document_documents", entryId=entry["id"]).content == newer


def test_other_partners_cannot_serve(api: ApiHelper) -> None:
    entry = api.call("document", "addFromUploadedFile", documentEntry={"name": "d"},
                     uploadTokenId=upload(api, PDF, "a.pdf"))
    other_ks = api.ks(admin=True, partner=api.new_partner())
    resp = serve(api, "document", entryId=entry["id"], ks=other_ks)
    assert resp.headers.get("X-Kaltura") == "error-ENTRY_ID_NOT_FOUND"
    assert PDF not in resp.content
