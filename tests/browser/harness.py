"""Browser test harness: the player site, an in-memory page server, a recording page."""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from playwright.sync_api import Page
from support.server import VpaasServer


@dataclass
class PlayerSite:
    """The running server and what was made on it for the player tests."""

    server: VpaasServer
    partner_id: int
    admin_secret: str
    entry_id: str
    ui_conf_id: int

    @property
    def url(self) -> str:
        return self.server.url


class PagesHTTPServer(ThreadingHTTPServer):
    pages: dict[str, str]


class PageHandler(BaseHTTPRequestHandler):
    server: PagesHTTPServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = self.server.pages.get(self.path.split("?")[0])
        data = (body or "not found").encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@dataclass
class PageServer:
    """Serves HTML pages from memory on its own port (another origin than the server)."""

    url: str
    httpd: PagesHTTPServer = field(repr=False)

    def add(self, name: str, html: str) -> str:
        """Publish ``html`` at ``/<name>``; returns its URL."""
        self.httpd.pages["/" + name] = html
        return f"{self.url}/{name}"


@dataclass
class Request:
    """One request the page made, as seen by the browser."""

    method: str
    url: str
    status: int | None
    content_type: str
    failure: str = ""


class RecordingPage:
    """A Playwright page plus the requests and console errors it produced."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[Request] = []
        self.console: list[str] = []
        page.on("requestfinished", self._finished)
        page.on("requestfailed", lambda r: self.requests.append(
            Request(r.method, r.url, None, "", r.failure or "failed")))
        page.on("console", lambda m: self.console.append(f"[{m.type}] {m.text}"[:500]))
        page.on("pageerror", lambda e: self.console.append(f"[pageerror] {e}"[:500]))

    def _finished(self, request: Any) -> None:
        response = request.response()
        self.requests.append(Request(
            request.method, request.url, response.status if response else None,
            (response.headers.get("content-type", "") if response else "")))

    def to(self, origin: str) -> list[Request]:
        """The requests that went to ``origin``."""
        return [r for r in self.requests if r.url.startswith(origin + "/")]

    def summary(self) -> str:
        lines = [f"{r.method} {r.status or r.failure} {r.content_type} {r.url[:160]}"
                 for r in self.requests]
        return "\n".join([*lines[-80:], "-- console --", *self.console[-30:]])
