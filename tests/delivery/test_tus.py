"""TUS 1.0 at /upload/tus: discovery, creation, offsets, checksums, termination; the upload
is an upload token usable like any other."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from support.api import ApiHelper

from vpaas.delivery.tus import tus_routes
from vpaas.domain import uploads
from vpaas.settings import Settings

TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}


class Tus:
    def __init__(self, api: ApiHelper) -> None:
        self.api = api
        self.client = TestClient(Starlette(routes=tus_routes(api.runtime)))
        self.auth = {"X-Kaltura-Ks": api.admin_ks}

    def create(self, length: int, name: str = "movie.mp4") -> str:
        meta = "filename " + base64.b64encode(name.encode()).decode()
        resp = self.client.post("/upload/tus", headers={
            **TUS, **self.auth, "Upload-Length": str(length), "Upload-Metadata": meta})
        assert resp.status_code == 201, resp.text
        location = resp.headers["location"]
        assert location.startswith("http://testserver/upload/tus/0_")
        return location.removeprefix("http://testserver")

    def offset(self, url: str) -> int:
        resp = self.client.head(url, headers={**TUS, **self.auth})
        assert resp.status_code == 200
        return int(resp.headers["upload-offset"])

    def patch(self, url: str, data: bytes, offset: int, **headers: str) -> int:
        resp = self.client.patch(url, content=data, headers={
            **PATCH, **self.auth, "Upload-Offset": str(offset), **headers})
        return resp.status_code


@pytest.fixture
def tus(settings: Settings) -> Iterator[Tus]:
    with ApiHelper(settings) as api:
        yield Tus(api)


def test_discovery(tus: Tus) -> None:
    resp = tus.client.options("/upload/tus")
    assert resp.status_code == 204
    assert resp.headers["tus-version"] == "1.0.0"
    assert set(resp.headers["tus-extension"].split(",")) >= {"creation", "termination",
                                                            "checksum"}
    assert int(resp.headers["tus-max-size"]) == tus.api.settings.max_upload_file_bytes
    assert "PATCH" in resp.headers["access-control-allow-methods"]


def test_upload_in_two_patches_becomes_a_full_token(tus: Tus) -> None:
    data = random.Random(4).randbytes(300_000)
    url = tus.create(len(data))
    assert tus.offset(url) == 0
    assert tus.patch(url, data[:100_000], 0) == 204
    assert tus.offset(url) == 100_000
    resp = tus.client.patch(url, content=data[100_000:], headers={
        **PATCH, **tus.auth, "Upload-Offset": "100000"})
    assert resp.status_code == 204 and resp.headers["upload-offset"] == str(len(data))
    assert resp.headers["tus-resumable"] == "1.0.0"
    token_id = url.rsplit("/", 1)[1]
    token = tus.api.call("uploadToken", "get", uploadTokenId=token_id)
    assert (token["status"], token["fileName"], token["fileSize"]) == (2, "movie.mp4",
                                                                       len(data))
    path = uploads.staged_path(tus.api.settings, tus.api.partner.id, token_id)
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert tus.offset(url) == len(data)
    assert tus.patch(url, b"x", len(data)) == 409


def test_protocol_errors(tus: Tus) -> None:
    url = tus.create(10)
    no_version = tus.client.head(url, headers=tus.auth)
    assert no_version.status_code == 412 and no_version.headers["tus-version"] == "1.0.0"
    assert tus.client.patch(url, content=b"a", headers={
        **TUS, **tus.auth, "Upload-Offset": "0", "Content-Type": "text/plain"}).status_code == 415
    assert tus.patch(url, b"abc", 5) == 409
    assert tus.patch(url, b"x" * 11, 0) == 413
    assert tus.offset(url) == 0
    assert tus.client.post("/upload/tus", headers={**TUS, **tus.auth}).status_code == 400
    assert tus.client.post("/upload/tus", headers={
        **TUS, **tus.auth, "Upload-Length": "0"}).status_code == 400
    too_big = str(tus.api.settings.max_upload_file_bytes + 1)
    assert tus.client.post("/upload/tus", headers={
        **TUS, **tus.auth, "Upload-Length": too_big}).status_code == 413
    assert tus.client.post("/upload/tus", headers={
        **TUS, **tus.auth, "Upload-Length": "5",
        "Upload-Metadata": "filename %%%"}).status_code == 400


def test_authentication(tus: Tus) -> None:
    assert tus.client.post("/upload/tus", headers={**TUS, "Upload-Length": "5"}
                           ).status_code == 401
    assert tus.client.post("/upload/tus", headers={
        **TUS, "Upload-Length": "5", "X-Kaltura-Ks": "garbage"}).status_code == 401
    resp = tus.client.post("/upload/tus", headers={
        **TUS, "Upload-Length": "5", "Authorization": f"KS {tus.api.admin_ks}"})
    assert resp.status_code == 201
    meta = "ks " + base64.b64encode(tus.api.admin_ks.encode()).decode()
    resp = tus.client.post("/upload/tus", headers={
        **TUS, "Upload-Length": "5", "Upload-Metadata": meta})
    assert resp.status_code == 201
    url = tus.create(5)
    other = tus.api.new_partner()
    stranger = {**TUS, "X-Kaltura-Ks": tus.api.ks(admin=True, partner=other)}
    assert tus.client.head(url, headers=stranger).status_code == 404
    user = {**TUS, "X-Kaltura-Ks": tus.api.ks(user="someone")}
    assert tus.client.head(url, headers=user).status_code == 404


def test_checksums(tus: Tus) -> None:
    url = tus.create(8)
    good = "sha1 " + base64.b64encode(hashlib.sha1(b"abcd").digest()).decode()
    bad = "md5 " + base64.b64encode(hashlib.md5(b"nope").digest()).decode()
    assert tus.patch(url, b"abcd", 0, **{"Upload-Checksum": good}) == 204
    assert tus.patch(url, b"efgh", 4, **{"Upload-Checksum": bad}) == 460
    assert tus.offset(url) == 4
    assert tus.patch(url, b"efgh", 4, **{"Upload-Checksum": "crc32 AAAA"}) == 400
    assert tus.patch(url, b"efgh", 4) == 204


def test_termination(tus: Tus) -> None:
    url = tus.create(5)
    tus.patch(url, b"ab", 0)
    assert tus.client.delete(url, headers={**TUS, **tus.auth}).status_code == 204
    assert tus.client.head(url, headers={**TUS, **tus.auth}).status_code == 410
    token_id = url.rsplit("/", 1)[1]
    assert not uploads.staged_path(tus.api.settings, tus.api.partner.id, token_id).exists()
    assert tus.client.delete("/upload/tus/0_nothere", headers={**TUS, **tus.auth}
                             ).status_code == 404
