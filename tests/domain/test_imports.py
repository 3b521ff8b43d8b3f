"""URL import: checks, limits, redirects and failures against a real local HTTP server."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from vpaas.domain.imports import (
    ImportFailed,
    check_address,
    check_url,
    clean_headers,
    download,
)

BODY = b"0123456789" * 1000


class Handler(BaseHTTPRequestHandler):
    """/ok, /named, /redirect, /loop, /slow, /huge, /empty, /headers, /boom; else 404."""

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        if route in ("/ok", "/named"):
            self.send_response(200)
            if route == "/named":
                self.send_header("Content-Disposition", 'attachment; filename="talk.webm"')
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif route in ("/redirect", "/loop"):
            self.send_response(302)
            self.send_header("Location", "/ok" if route == "/redirect" else "/loop")
            self.end_headers()
        elif route == "/slow":
            time.sleep(2.5)
            self.send_response(200)
            self.end_headers()
        elif route == "/huge":
            self.send_response(200)
            self.end_headers()  # no Content-Length: the limit must apply while streaming
            self.wfile.write(BODY * 3)
        elif route == "/empty":
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif route == "/headers":
            body = (self.headers.get("X-Token") or "").encode()
            self.send_response(200 if body == b"secret" else 403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif route == "/boom":
            self.send_error(503)
        else:
            self.send_error(404)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(url: str, dest: Path, **kw: Any) -> Any:
    kw.setdefault("max_bytes", 10**6)
    kw.setdefault("timeout", 10.0)
    return download(url, dest, **kw)


@pytest.mark.parametrize("url,reason", [
    ("file:///etc/passwd", "not an http(s) URL"),
    ("ftp://example.com/a.mp4", "not an http(s) URL"),
    ("http:///nohost", "no host name"),
    ("http://host:99999/x", "not a valid URL"),
    ("", "no URL"),
])
def test_check_url_refuses(url: str, reason: str) -> None:
    with pytest.raises(ImportFailed, match=re.escape(reason)):
        check_url(url)


def test_private_addresses_can_be_refused() -> None:
    with pytest.raises(ImportFailed, match=r"non-public address 127\.0\.0\.1"):
        check_address("127.0.0.1", 80)
    with pytest.raises(ImportFailed, match="non-public"):
        check_address("169.254.169.254", 80)


def test_headers_are_validated() -> None:
    assert clean_headers(["X-Token: a b", "Host: evil"]) == {"X-Token": "a b"}
    for bad in (["no colon"], ["X-A: b\r\nInjected: 1"], ["Bad Name: v"]):
        with pytest.raises(ImportFailed, match="invalid URL header"):
            clean_headers(bad)


def test_download_streams_to_a_file(web: str, tmp_path: Path) -> None:
    got = fetch(f"{web}/ok", tmp_path)
    assert got.path.read_bytes() == BODY and got.size == len(BODY)
    assert got.filename == "ok" and got.path.parent == tmp_path
    named = fetch(f"{web}/named", tmp_path)
    assert named.filename == "talk.webm"


def test_redirects_are_followed_but_bounded(web: str, tmp_path: Path) -> None:
    assert fetch(f"{web}/redirect", tmp_path).path.read_bytes() == BODY
    with pytest.raises(ImportFailed, match="more than 5 redirects"):
        fetch(f"{web}/loop", tmp_path)


def test_headers_are_sent(web: str, tmp_path: Path) -> None:
    assert fetch(f"{web}/headers", tmp_path, headers={"X-Token": "secret"}).size == 6


@pytest.mark.parametrize("route,kw,reason,retryable", [
    ("/missing", {}, "HTTP 404 from http://127.0.0.1", False),
    ("/boom", {}, "HTTP 503", True),
    ("/ok", {"max_bytes": 100}, "larger than 100 bytes", False),
    ("/huge", {"max_bytes": 15000}, "larger than 15000 bytes", False),
    ("/empty", {}, "empty file", False),
    ("/slow", {"timeout": 0.5}, "timed out after 0.5 seconds", True),
])
def test_failures_have_readable_reasons(web: str, tmp_path: Path, route: str,
                                        kw: dict[str, Any], reason: str,
                                        retryable: bool) -> None:
    with pytest.raises(ImportFailed, match=reason) as info:
        fetch(f"{web}{route}", tmp_path, **kw)
    assert info.value.retryable is retryable
    assert list(tmp_path.iterdir()) == []


def test_block_private_applies_to_the_server(web: str, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="non-public address"):
        fetch(f"{web}/ok", tmp_path, block_private=True)


def test_connection_refused_is_retryable(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="could not download") as info:
        fetch("http://127.0.0.1:9/none", tmp_path, timeout=2.0)
    assert info.value.retryable
