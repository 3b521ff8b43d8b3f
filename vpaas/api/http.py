"""Starlette endpoints for /api_v3: decode, dispatch (in a worker thread), encode."""

from __future__ import annotations

import gzip
import random
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from vpaas.api import request as request_decoding
from vpaas.api.dispatch import Dispatcher
from vpaas.api.multirequest import run_multirequest
from vpaas.api.serialize import FORMAT_JSON, FORMAT_JSONP, JsonEncoder, XmlEncoder
from vpaas.api.streaming import stream_upload
from vpaas.context import RequestInfo
from vpaas.registry import ApiError, ServeFile
from vpaas.runtime import Runtime

GZIP_MIN_BYTES = 1024
_CALLBACK_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$")


def request_info(request: Request, request_id: str) -> RequestInfo:
    forwarded = request.headers.get("x-forwarded-for", "")
    client = request.client.host if request.client else ""
    base = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    return RequestInfo(
        client_ip=forwarded.split(",")[0].strip() or client,
        base_url=base,
        user_agent=request.headers.get("user-agent", ""),
        referrer=request.headers.get("referer", ""),
        request_id=request_id,
        path=request.url.path,
    )


class ApiEndpoint:
    """The single api_v3 endpoint; every service and action goes through it."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.dispatcher = Dispatcher(runtime)
        self.xml = XmlEncoder(runtime.registry)
        self.json = JsonEncoder(runtime.registry)

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        request_id = f"{random.getrandbits(64):016x}"  # correlates logs; not a secret
        info = request_info(request, request_id)
        streamed = await stream_upload(request, self.dispatcher, info)
        if streamed is not None:
            fmt, callback = _format(streamed.params)
            return self.encode(request, streamed.result, fmt, callback, started, request_id)
        fmt, callback = _format(dict(parse_qsl(request.url.query)))
        try:
            raw = await request_decoding.decode(
                request, self.runtime.settings.max_request_body_bytes)
            fmt, callback = _format(raw.params)
            if str(raw.params.get("service", "")).lower() == "multirequest":
                result: Any = await run_in_threadpool(
                    run_multirequest, self.dispatcher, raw.params, raw.files, info)
            elif self.dispatcher.runs_inline(raw.params, raw.files):
                result = self.dispatcher.run(raw.params, raw.files, info)
            else:
                result = await run_in_threadpool(self.dispatcher.run, raw.params, raw.files,
                                                 info)
        except ApiError as err:
            result = err
        if isinstance(result, ServeFile):
            return serve_file(result)
        return self.encode(request, result, fmt, callback, started, request_id)

    def encode(self, request: Request, result: Any, fmt: int, callback: str,
               started: float, request_id: str) -> Response:
        headers = {"X-Kaltura-Session": f"{request_id}, {int(time.time())}",
                   "X-Me": request.url.hostname or ""}
        if isinstance(result, ApiError):
            headers["X-Kaltura"] = f"error-{result.code}"
        if fmt in (FORMAT_JSON, FORMAT_JSONP):
            body = self.json.document(result)
            media_type = "application/json"
            if fmt == FORMAT_JSONP and callback:
                body, media_type = f"{callback}({body});", "application/javascript"
        else:
            body = self.xml.document(result, time.perf_counter() - started)
            media_type = "text/xml"
        data = body.encode("utf-8")
        if len(data) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
            data = gzip.compress(data, compresslevel=1)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        return Response(data, media_type=media_type, headers=headers)


def _format(params: dict[str, Any]) -> tuple[int, str]:
    try:
        fmt = int(str(params.get("format") or 2))
    except ValueError:
        fmt = 2
    callback = str(params.get("callback") or "")
    if not set(callback) <= _CALLBACK_CHARS or len(callback) > 100:
        callback = ""
    return fmt, callback


def serve_file(result: ServeFile) -> Response:
    """Answer a file-returning action: a redirect, a local file (Range aware) or a stream."""
    if result.redirect:
        return RedirectResponse(result.redirect, status_code=302)
    if result.path is not None:
        return FileResponse(result.path, media_type=result.content_type,
                            filename=result.filename)
    headers = {"Content-Length": str(result.size)} if result.size is not None else {}
    return StreamingResponse(result.stream or iter(()), media_type=result.content_type,
                             headers=headers)
