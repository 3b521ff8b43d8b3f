"""Pure ASGI middleware: slash collapsing and CORS on every response."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SLASHES = re.compile(r"/{2,}")

CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers",
     b"Server, Content-Length, Content-Range, Date, X-Kaltura, X-Kaltura-Session, X-Me"),
]
PREFLIGHT_HEADERS = [
    *CORS_HEADERS,
    (b"access-control-allow-headers",
     b"Origin, X-Requested-With, Content-Type, Accept, Range, Cache-Control, X-Kaltura-Ks, "
     b"Authorization, Tus-Resumable, Upload-Length, Upload-Offset, Upload-Metadata, "
     b"Upload-Checksum, Upload-Defer-Length"),
    (b"access-control-allow-methods", b"POST, GET, HEAD, OPTIONS, PATCH, DELETE"),
    (b"access-control-max-age", b"86400"),
]


class EdgeMiddleware:
    """Collapses ``//`` in paths (``//api_v3`` from clients) and adds CORS headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if "//" in path:
            scope = dict(scope, path=_SLASHES.sub("/", path))
        if scope["method"] == "OPTIONS" and not scope["path"].startswith("/upload/tus"):
            await send({"type": "http.response.start", "status": 200,
                        "headers": [*PREFLIGHT_HEADERS, (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", [])
                           if h[0].lower() not in (b"access-control-allow-origin",)]
                message = dict(message, headers=headers + CORS_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_cors)
