"""Streamed uploadToken.upload: multipart parsed as it arrives, fileData written in place."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
from support.api import ApiHelper

from vpaas.api.http import ApiEndpoint
from vpaas.api.streaming import BodyPipe
from vpaas.domain import uploads
from vpaas.settings import Settings

URL = "/api_v3/service/uploadtoken/action/upload"


class Streamed:
    """The helper's runtime behind an api_v3 route that streams uploads."""

    def __init__(self, api: ApiHelper) -> None:
        self.api = api
        handler = ApiEndpoint(api.runtime).handle
        app = Starlette(routes=[Route("/api_v3/{rest:path}", handler, methods=["GET", "POST"])])
        self.client = TestClient(app)

    def token(self, **fields: Any) -> str:
        return str(self.api.call("uploadToken", "add", uploadToken=fields)["id"])

    def staged(self, token_id: str) -> bytes:
        return uploads.staged_path(self.api.settings, self.api.partner.id, token_id).read_bytes()

    def get(self, token_id: str) -> dict[str, Any]:
        return dict(self.api.call("uploadToken", "get", uploadTokenId=token_id))


@pytest.fixture
def streamed(settings: Settings) -> Iterator[Streamed]:
    with ApiHelper(settings) as api:
        yield Streamed(api)


def test_python_client_json_part_then_file(streamed: Streamed) -> None:
    tid = streamed.token(fileName="big.bin")
    data = random.Random(1).randbytes(5 * 1024 * 1024 + 123)
    params = {"uploadTokenId": tid, "resume": "False", "finalChunk": "True", "resumeAt": "0",
              "ks": streamed.api.admin_ks, "format": "1"}
    resp = streamed.client.post(URL, data={"json": json.dumps(params)},
                                files={"fileData": ("/tmp/x/part1.bin", data)})
    token = resp.json()
    assert (token["status"], token["uploadedFileSize"]) == (2, len(data))
    assert token["fileName"] == "big.bin"
    assert hashlib.sha256(streamed.staged(tid)).digest() == hashlib.sha256(data).digest()


def test_kaltura_uploader_fields_and_query_answer_xml(streamed: Streamed) -> None:
    tid = streamed.token()
    url = f"//api_v3/service/uploadtoken/action/upload?uploadTokenId={tid}" \
          f"&ks={streamed.api.admin_ks}"
    for at, final in ((0, "0"), (1024, "1")):
        resp = streamed.client.post(url.replace("//", "/", 1), data={
            "resume": "1" if at else "0", "resumeAt": str(at), "finalChunk": final},
            files={"fileData": (f"chunk_{at}", b"q" * 1024, "application/octet-stream")})
        assert resp.headers["content-type"].startswith("text/xml")
        assert "<objectType>KalturaUploadToken</objectType>" in resp.text
    assert streamed.get(tid)["status"] == 2 and streamed.staged(tid) == b"q" * 2048


def test_node_framing(streamed: Streamed) -> None:
    tid = streamed.token()
    boundary = "---------------------------0.49152894254637713"
    params = {"uploadTokenId": tid, "resume": False, "finalChunk": True, "resumeAt": 0,
              "format": 1, "ks": streamed.api.admin_ks}
    body = (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n"
            f"{json.dumps(params)}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f"name=\"fileData\"; filename=\"chunk\"\r\nContent-Type: application/octet-stream"
            f"\r\n\r\n").encode() + b"N" * 6000 + f"\r\n--{boundary}--".encode()
    resp = streamed.client.post(URL, content=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert resp.json()["status"] == 2 and streamed.staged(tid) == b"N" * 6000


def test_fields_after_the_file_are_spooled_and_applied(streamed: Streamed) -> None:
    tid = streamed.token()
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"fileData\"; "
            f"filename=\"late.bin\"\r\n\r\n").encode() + b"L" * 3000 + (
        f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"uploadTokenId\"\r\n\r\n"
        f"{tid}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"ks\"\r\n\r\n"
        f"{streamed.api.admin_ks}\r\n--{boundary}--\r\n").encode()
    resp = streamed.client.post(URL + "?format=1", content=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert resp.json()["status"] == 2 and streamed.staged(tid) == b"L" * 3000


def test_errors_drain_the_body_and_keep_data(streamed: Streamed) -> None:
    tid = streamed.token(fileSize=20)
    def send(data: bytes, **params: Any) -> Any:
        params = {"uploadTokenId": tid, "ks": streamed.api.admin_ks, "format": 1, **params}
        return streamed.client.post(URL, data={"json": json.dumps(params)},
                                    files={"fileData": ("c.bin", data)}).json()

    assert send(b"a" * 10, resume=False, finalChunk=False)["uploadedFileSize"] == 10
    assert send(b"x" * 100_000, ks="not-a-ks")["code"] == "INVALID_KS"
    assert send(b"x" * 100_000, uploadTokenId="0_nope")["code"] == "UPLOAD_TOKEN_NOT_FOUND"
    assert send(b"x" * 11, resume=True, resumeAt=10)["code"] == \
        "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"
    assert streamed.get(tid)["uploadedFileSize"] == 10
    assert send(b"b" * 10, resume=True, resumeAt=10)["status"] == 2


def test_truncated_body_records_nothing(streamed: Streamed) -> None:
    tid = streamed.token()
    params = {"uploadTokenId": tid, "ks": streamed.api.admin_ks, "format": 1,
              "resume": True, "resumeAt": 0, "finalChunk": False}
    body = (b"--zz\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n" +
            json.dumps(params).encode() + b"\r\n--zz\r\nContent-Disposition: form-data; "
            b"name=\"fileData\"; filename=\"t.bin\"\r\n\r\n" + b"T" * 5000)
    resp = streamed.client.post(URL, content=body,
                                headers={"Content-Type": "multipart/form-data; boundary=zz"})
    assert resp.json()["code"] == "INVALID_REQUEST_FORMAT"
    assert streamed.get(tid)["uploadedFileSize"] == 0


def test_other_calls_go_to_the_plain_endpoint(streamed: Streamed) -> None:
    tid = streamed.token()
    resp = streamed.client.post("/api_v3/service/uploadtoken/action/get", data={
        "uploadTokenId": tid, "ks": streamed.api.admin_ks, "format": "1"})
    assert resp.json()["id"] == tid


def test_body_pipe_backpressure_and_errors() -> None:
    async def scenario() -> tuple[bytes, int, str]:
        pipe = BodyPipe(asyncio.get_running_loop(), depth=2)
        got: list[bytes] = []
        ready = threading.Event()

        def reader() -> None:
            ready.wait()
            while piece := pipe.read(3):
                got.append(piece)

        thread = threading.Thread(target=reader)
        thread.start()
        await pipe.put(b"abcd")
        await pipe.put(b"ef")
        blocked = asyncio.ensure_future(pipe.put(b"gh"))
        await asyncio.sleep(0.05)
        waited = 0 if blocked.done() else 1  # a third piece waits for the reader
        ready.set()
        await blocked
        pipe.close()
        await asyncio.to_thread(thread.join)
        failing = BodyPipe(asyncio.get_running_loop())
        failing.close(ValueError("broken"))
        try:
            failing.read()
            message = ""
        except ValueError as exc:
            message = str(exc)
        return b"".join(got), waited, message

    data, waited, message = asyncio.run(scenario())
    assert data == b"abcdefgh" and waited == 1 and message == "broken"
