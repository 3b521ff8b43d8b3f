"""uploadToken over HTTP (JSON and XML), as the official clients and kaltura-uploader call it."""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.domain import uploads
from vpaas.services.upload_token import FINAL_WAIT_EXTRA
from vpaas.settings import Settings


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        helper.runtime.extras[FINAL_WAIT_EXTRA] = 0.2
        yield helper


def add(api: ApiHelper, **token: Any) -> dict[str, Any]:
    ks = token.pop("ks", api.admin_ks)
    result = api.call("uploadToken", "add", ks=ks, uploadToken={"objectType":
                                                                "KalturaUploadToken", **token})
    assert not is_error(result), result
    return result


def chunk(api: ApiHelper, token_id: str, data: bytes, ks: str | None = None,
          name: str = "/tmp/part.bin", **params: Any) -> Any:
    return api.call("uploadToken", "upload", files={"fileData": (name, data)},
                    uploadTokenId=token_id, ks=ks or api.admin_ks, **params)


def staged_sha(api: ApiHelper, token_id: str) -> str:
    path = uploads.staged_path(api.settings, api.partner.id, token_id)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_python_client_two_chunks(api: ApiHelper) -> None:
    token = add(api, fileName="clip.mp4", fileSize=10250)
    assert token["status"] == 0 and token["uploadedFileSize"] == 0
    assert token["fileName"] == "clip.mp4" and token["id"].startswith("0_")
    data = random.Random(5).randbytes(10250)
    first = chunk(api, token["id"], data[:6000], resume="False", finalChunk="False",
                  resumeAt="0")
    assert (first["status"], first["uploadedFileSize"]) == (1, 6000)
    done = chunk(api, token["id"], data[6000:], resume="True", finalChunk="True",
                 resumeAt="6000")
    assert (done["status"], done["uploadedFileSize"], done["fileSize"]) == (2, 10250, 10250)
    assert staged_sha(api, token["id"]) == hashlib.sha256(data).hexdigest()


def test_single_call_upload_takes_the_part_file_name(api: ApiHelper) -> None:
    token = add(api)
    done = chunk(api, token["id"], b"hello", name="/home/me/movie.mov")
    assert done["status"] == 2 and done["fileName"] == "movie.mov"
    assert done["fileSize"] == 5


def test_xml_answers(api: ApiHelper) -> None:
    token = add(api, fileName="a.bin")
    result = api.call("uploadToken", "get", format=2, uploadTokenId=token["id"])
    assert result.findtext("objectType") == "KalturaUploadToken"
    assert result.findtext("status") == "0" and result.findtext("fileName") == "a.bin"
    err = api.call("uploadToken", "get", format=2, uploadTokenId="0_nothere")
    assert err.findtext("error/code") == "UPLOAD_TOKEN_NOT_FOUND"


def test_kaltura_uploader_form_fields_and_query(api: ApiHelper) -> None:
    token = add(api, fileName="clip.mp4", fileSize=3072)
    url = (f"/api_v3/service/uploadtoken/action/upload?uploadTokenId={token['id']}"
           f"&ks={api.admin_ks}")
    for at in (0, 1024, 2048):
        fields = {"resume": "0" if at == 0 else "1", "resumeAt": str(at),
                  "finalChunk": "1" if at == 2048 else "0"}
        resp = api.client.post(url, data=fields, files={
            "fileData": (f"chunk_{at}", b"k" * 1024, "application/octet-stream")})
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/xml")
    got = api.call("uploadToken", "get", uploadTokenId=token["id"])
    assert (got["status"], got["uploadedFileSize"]) == (2, 3072)


def test_bad_input_errors(api: ApiHelper) -> None:
    token = add(api, fileSize=100)
    tid = token["id"]
    assert api.call("uploadToken", "upload", uploadTokenId=tid)["code"] == \
        "MISSING_MANDATORY_PARAMETER"
    assert chunk(api, "0_missing1", b"x")["code"] == "UPLOAD_TOKEN_NOT_FOUND"
    assert chunk(api, "../../etc", b"x")["code"] == "UPLOAD_TOKEN_NOT_FOUND"
    chunk(api, tid, b"a" * 40, resume=False, finalChunk=False)
    for bad in (-5, 101, 2.5):
        assert chunk(api, tid, b"x", resume=True, resumeAt=bad, finalChunk=False)["code"] == \
            "UPLOAD_TOKEN_RESUMING_INVALID_POSITION"
    mismatch = chunk(api, tid, b"b" * 10, resume=True, resumeAt=40, finalChunk=True)
    assert mismatch["code"] == "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"
    assert "does not match the expected file size 100" in mismatch["message"]
    got = api.call("uploadToken", "get", uploadTokenId=tid)
    assert (got["status"], got["uploadedFileSize"]) == (1, 50)  # nothing lost
    empty = add(api)
    assert chunk(api, empty["id"], b"")["code"] == "UPLOAD_TOKEN_FILE_IS_EMPTY"
    assert add_error(api, autoFinalize=1) == "UPLOAD_TOKEN_MISSING_FILE_SIZE"


def add_error(api: ApiHelper, **token: Any) -> str:
    return api.call("uploadToken", "add", uploadToken=token)["code"]


def test_used_token_refuses_more_chunks(api: ApiHelper) -> None:
    token = add(api)
    assert chunk(api, token["id"], b"abc")["status"] == 2
    assert chunk(api, token["id"], b"d", resume=True, resumeAt=3)["code"] == \
        "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"
    api.call("uploadToken", "delete", uploadTokenId=token["id"])
    assert api.call("uploadToken", "get", uploadTokenId=token["id"])["status"] == 5
    assert chunk(api, token["id"], b"x")["code"] == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD"


def test_partner_isolation(api: ApiHelper) -> None:
    token = add(api)
    other = api.new_partner()
    other_ks = api.ks(admin=True, partner=other)
    assert api.call("uploadToken", "get", ks=other_ks, uploadTokenId=token["id"])["code"] == \
        "UPLOAD_TOKEN_NOT_FOUND"
    assert chunk(api, token["id"], b"x", ks=other_ks)["code"] == "UPLOAD_TOKEN_NOT_FOUND"
    assert api.call("uploadToken", "delete", ks=other_ks,
                    uploadTokenId=token["id"])["code"] == "UPLOAD_TOKEN_NOT_FOUND"
    assert api.call("uploadToken", "list", ks=other_ks)["totalCount"] == 0
    assert api.call("uploadToken", "get", uploadTokenId=token["id"])["status"] == 0


def test_user_sessions_see_their_own_tokens(api: ApiHelper) -> None:
    alice, bob = api.ks(user="alice"), api.ks(user="bob")
    mine = add(api, ks=alice, fileName="a")
    add(api, ks=bob, fileName="b")
    assert mine["userId"] == "alice"
    listed = api.call("uploadToken", "list", ks=alice)
    assert [t["id"] for t in listed["objects"]] == [mine["id"]]
    assert api.call("uploadToken", "get", ks=bob, uploadTokenId=mine["id"])["code"] == \
        "UPLOAD_TOKEN_NOT_FOUND"
    assert chunk(api, mine["id"], b"x", ks=bob)["code"] == "UPLOAD_TOKEN_NOT_FOUND"
    assert chunk(api, mine["id"], b"x", ks=alice)["status"] == 2
    assert api.call("uploadToken", "list")["totalCount"] == 2  # admin sees all


def test_list_filters_and_pager(api: ApiHelper) -> None:
    ids = [add(api, fileName=f"f{i}", fileSize=10 + i)["id"] for i in range(4)]
    chunk(api, ids[0], b"x" * 10)
    res = api.call("uploadToken", "list", filter={"objectType": "KalturaUploadTokenFilter",
                                                  "statusEqual": 2})
    assert [t["id"] for t in res["objects"]] == [ids[0]]
    res = api.call("uploadToken", "list", filter={"idIn": f"{ids[1]},{ids[2]}",
                                                  "orderBy": "+createdAt"})
    assert res["totalCount"] == 2
    res = api.call("uploadToken", "list", filter={"fileNameEqual": "f3"})
    assert [t["fileSize"] for t in res["objects"]] == [13]
    page = api.call("uploadToken", "list", pager={"pageSize": 3, "pageIndex": 2})
    assert page["totalCount"] == 4 and len(page["objects"]) == 1
    api.call("uploadToken", "delete", uploadTokenId=ids[3])
    assert api.call("uploadToken", "list")["totalCount"] == 3
    assert api.call("uploadToken", "list", filter={"statusIn": "5"})["totalCount"] == 1
    assert api.call("uploadToken", "list", filter={"statusIn": "9"})["code"] == \
        "INVALID_ENUM_VALUE"


def test_parallel_chunks_over_http(api: ApiHelper) -> None:
    data = random.Random(9).randbytes(16 * 50_000)
    token = add(api, fileSize=len(data), autoFinalize=1)
    offsets = list(range(0, len(data), 50_000))
    random.Random(1).shuffle(offsets)
    results: list[Any] = []

    def send(mine: list[int]) -> None:
        for at in mine:
            results.append(chunk(api, token["id"], data[at:at + 50_000], resume=True,
                                 resumeAt=at, finalChunk=False))

    threads = [threading.Thread(target=send, args=(offsets[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if is_error(r)]
    got = api.call("uploadToken", "get", uploadTokenId=token["id"])
    assert (got["status"], got["uploadedFileSize"]) == (2, len(data))
    assert staged_sha(api, token["id"]) == hashlib.sha256(data).hexdigest()


def test_restart_then_resume(settings: Settings) -> None:
    data = random.Random(3).randbytes(30_000)
    with ApiHelper(settings) as first:
        token = add(first, fileName="big.bin", fileSize=len(data))
        chunk(first, token["id"], data[:10_000], resume=False, finalChunk=False)
        chunk(first, token["id"], data[20_000:], resume=True, resumeAt=20_000,
              finalChunk=False)
        partner = first.partner
    with ApiHelper(settings, partner_name="after restart") as second:
        ks = second.ks(admin=True, partner=partner)
        got = second.call("uploadToken", "get", ks=ks, uploadTokenId=token["id"])
        assert (got["status"], got["uploadedFileSize"]) == (1, 10_000)
        at = int(got["uploadedFileSize"])
        done = chunk(second, token["id"], data[at:20_000], ks=ks, resume=True, resumeAt=at,
                     finalChunk=False)
        assert (done["status"], done["uploadedFileSize"]) == (1, 30_000)  # no final chunk yet
        done = chunk(second, token["id"], data[20_000:], ks=ks, resume=True,
                     resumeAt=20_000, finalChunk=True)
        assert done["status"] == 2
        path = uploads.staged_path(second.settings, partner.id, token["id"])
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_multirequest_upload_part(api: ApiHelper) -> None:
    token = add(api)
    body = {"0": {"service": "uploadtoken", "action": "upload", "uploadTokenId": token["id"]},
            "1": {"service": "uploadtoken", "action": "get", "uploadTokenId": token["id"]},
            "ks": api.admin_ks, "format": 1}
    resp = api.client.post("/api_v3/service/multirequest", data={"json": json.dumps(body)},
                           files={"0:fileData": ("x.bin", b"12345")})
    first, second = resp.json()
    assert first["status"] == 2 and second["uploadedFileSize"] == 5
