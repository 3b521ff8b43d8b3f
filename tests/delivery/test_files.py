"""Byte serving: ranges (206/416), validators (304), HEAD, If-Range, preview limits, cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from vpaas.delivery.files import (
    ByteCache,
    RangeNotSatisfiable,
    file_info,
    local_file_response,
    not_modified,
    parse_range,
)

DATA = bytes(range(256)) * 4000  # 1,024,000 bytes: above the inline read limit


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    path = tmp_path / "media.bin"
    path.write_bytes(DATA)
    cache = ByteCache(budget=1 << 20)

    async def serve(request: Request) -> Response:
        limit = int(request.query_params["limit"]) if "limit" in request.query_params else None
        return local_file_response(path, request.headers, "video/mp4", cache=cache,
                                   method=request.method, limit=limit)

    async def missing(request: Request) -> Response:
        return local_file_response(tmp_path / "nope", request.headers, "video/mp4")

    app = Starlette(routes=[Route("/f", serve, methods=["GET", "HEAD"]),
                            Route("/missing", missing)])
    test_client = TestClient(app)
    test_client.cache = cache  # type: ignore[attr-defined]
    return test_client


def test_parse_range() -> None:
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-9", 100) == (0, 10)
    assert parse_range("bytes=90-", 100) == (90, 100)
    assert parse_range("bytes=-5", 100) == (95, 100)
    assert parse_range("bytes=50-1000", 100) == (50, 100)
    assert parse_range("bytes=0-1,5-6", 100) is None
    assert parse_range("items=0-1", 100) is None
    assert parse_range("bytes=9-3", 100) is None
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=100-", 100)


def test_whole_range_and_unsatisfiable(client: TestClient) -> None:
    whole = client.get("/f")
    assert whole.status_code == 200 and whole.content == DATA
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-length"] == str(len(DATA))
    part = client.get("/f", headers={"Range": "bytes=1000-66535"})
    assert part.status_code == 206 and part.content == DATA[1000:66536]
    assert part.headers["content-range"] == f"bytes 1000-66535/{len(DATA)}"
    big = client.get("/f", headers={"Range": "bytes=10-"})
    assert big.status_code == 206 and big.content == DATA[10:]
    bad = client.get("/f", headers={"Range": f"bytes={len(DATA)}-"})
    assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{len(DATA)}"


def test_conditional_requests(client: TestClient) -> None:
    first = client.get("/f", headers={"Range": "bytes=0-9"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get("/f", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/f", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/f", headers={"If-Modified-Since": modified}).status_code == 304
    stale = client.get("/f", headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and len(stale.content) == len(DATA)
    fresh = client.get("/f", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206


def test_head_limit_cache_and_missing(client: TestClient) -> None:
    head = client.head("/f")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(DATA))
    limited = client.get("/f?limit=500")
    assert limited.content == DATA[:500]
    past = client.get("/f?limit=500", headers={"Range": "bytes=600-"})
    assert past.status_code == 416
    cache: ByteCache = client.cache  # type: ignore[attr-defined]
    client.get("/f", headers={"Range": "bytes=0-4095"})
    hits = cache.hits
    again = client.get("/f", headers={"Range": "bytes=0-4095"})
    assert again.content == DATA[:4096] and cache.hits == hits + 1
    missing = client.get("/missing")
    assert missing.status_code == 404 and "missing" in missing.text


def test_cache_changes_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 100)
    first = file_info(path)
    path.write_bytes(b"y" * 120)
    second = file_info(path)
    assert first is not None and second is not None and first.etag != second.etag
    assert file_info(tmp_path) is None and file_info(tmp_path / "none") is None


def test_byte_cache_budget() -> None:
    cache = ByteCache(budget=10, item_max=6)
    cache.put("a", b"12345")
    cache.put("b", b"12345")
    cache.put("c", b"123")
    assert cache.get("a") is None and cache.get("b") == b"12345" and cache.size == 8
    cache.put("big", b"1234567")
    assert cache.get("big") is None


def test_not_modified_rules() -> None:
    assert not_modified({"if-none-match": '"a", "b"'}, '"b"', 0)
    assert not_modified({"if-none-match": "*"}, '"b"', 0)
    assert not not_modified({"if-none-match": '"a"', "if-modified-since":
                             "Thu, 01 Jan 2099 00:00:00 GMT"}, '"b"', 0)
    assert not not_modified({"if-modified-since": "garbage"}, '"b"', 0)
