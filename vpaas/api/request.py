"""Decode an api_v3 HTTP request into raw parameters and uploaded files.

Sources merge as Kaltura merges them (lowest priority first): body, files, query string,
path pairs (``/service/media/action/get/entryId/0_x``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request

from vpaas.api.params import merge, nest
from vpaas.registry import catalogue as E
from vpaas.registry.declare import UploadedFile

_SLASHES = re.compile(r"/{2,}")
MAX_FORM_FIELDS = 5000
MAX_FILES = 100


@dataclass
class RawRequest:
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)


def path_params(path: str) -> dict[str, Any]:
    """``/api_v3/[index.php/]service/x/action/y/k/v`` → ``{"service": "x", ...}``."""
    path = _SLASHES.sub("/", path)
    marker = "/api_v3" if "/api_v3" in path else "/api/"
    _, _, tail = path.partition(marker)
    segments = [s for s in tail.split("/") if s]
    if segments and segments[0] == "index.php":
        segments = segments[1:]
    out: dict[str, Any] = {}
    for i in range(0, len(segments) - 1, 2):
        out[segments[i]] = segments[i + 1]
    if len(segments) % 2 == 1 and segments[-1].lower() == "multirequest":
        out["service"] = "multirequest"
    return out


async def decode(request: Request, max_body: int) -> RawRequest:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    files: dict[str, UploadedFile] = {}
    if content_type == "multipart/form-data":
        body, files = await _multipart(request)
    elif request.method in ("POST", "PUT"):
        raw = await _read_limited(request, max_body)
        body = _body(content_type, raw)
    else:
        body = {}
    query = nest(parse_qsl(request.url.query, keep_blank_values=True))
    params = merge(merge(body, query), path_params(request.url.path))
    return RawRequest(params, files)


async def _read_limited(request: Request, max_body: int) -> bytes:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_body:
        raise E.REQUEST_TOO_LARGE(max_body)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise E.REQUEST_TOO_LARGE(max_body)
        chunks.append(chunk)
    return b"".join(chunks)


def _body(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    text = raw.decode("utf-8", errors="replace")
    stripped = text.strip()
    if content_type == "application/json" or (stripped.startswith("{") and
                                              stripped.endswith("}")):
        return json_object(stripped)
    return nest(parse_qsl(text, keep_blank_values=True))


def json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise E.INVALID_REQUEST_FORMAT(f"invalid JSON ({exc.msg})") from None
    except ValueError:
        raise E.INVALID_REQUEST_FORMAT("invalid JSON") from None
    if not isinstance(value, dict):
        raise E.INVALID_REQUEST_FORMAT("the JSON body must be an object")
    return value


async def _multipart(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    try:
        form = await request.form(max_files=MAX_FILES, max_fields=MAX_FORM_FIELDS)
    except Exception as exc:
        raise E.INVALID_REQUEST_FORMAT(f"malformed multipart body ({exc})") from None
    pairs: list[tuple[str, Any]] = []
    body: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            name = (value.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
            files[key] = UploadedFile(name, value.file, value.size,
                                      value.content_type or "application/octet-stream")
        elif key == "json":
            body = merge(body, json_object(value))
        else:
            pairs.append((key, value))
    return merge(nest(pairs), body), files
