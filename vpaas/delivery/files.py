"""Fast byte serving for media: Range (206/416), conditional GETs, a hot-range cache.

Starlette's ``FileResponse`` pays several thread hops per request (open, stat, read, close),
which caps it near 1,000 small responses per second on one worker. Here a request costs one
``os.stat`` plus, for a cache miss, one ``os.pread``: small ranges (HLS/DASH fragments,
thumbnails) are read inline and kept in a byte-budgeted LRU keyed by file identity and range,
larger bodies are streamed in chunks from a worker thread. When the ASGI server offers the
``http.response.pathsend`` extension (zero-copy sendfile, e.g. granian) whole-file answers
use it. Remote (S3) objects are answered with a presigned 302 redirect, so the bytes never
pass through the app; without presigning they are streamed. Behind nginx (the
``accel_redirect`` setting), local files are handed off: an empty 200 with
``X-Accel-Redirect`` names the file under nginx's internal location and nginx sends the bytes
(sendfile, Range, conditional GETs).
"""

from __future__ import annotations

import os
import re
import stat as stat_module
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from vpaas.adapters.storage import NotFound, content_disposition

INLINE_READ_MAX = 512 * 1024
CACHE_ITEM_MAX = 2 * 1024 * 1024
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
STREAM_CHUNK = 1024 * 1024
PRESIGN_SECONDS = 3600
MEDIA_CACHE_CONTROL = "public, max-age=86400"
ACCEL_SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,254}")
ACCEL_PATH_MAX = 1024


class ByteCache:
    """Least-recently-used cache of byte strings with a total size budget (thread-safe)."""

    def __init__(self, budget: int = DEFAULT_CACHE_BYTES, item_max: int = CACHE_ITEM_MAX) -> None:
        self.budget = budget
        self.item_max = item_max
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Any, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return data

    def put(self, key: Any, data: bytes) -> None:
        if len(data) > self.item_max or len(data) > self.budget:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self._items[key] = data
            self.size += len(data)
            while self.size > self.budget:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


class PathCache:
    """Storage key -> local file path (resolving a key costs a realpath: ~10 syscalls)."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._paths: dict[str, str | None] = {}

    def resolve(self, storage: Any, key: str) -> str | None:
        """The local path of ``key`` (None for remote storage); NotFound when missing."""
        try:
            return self._paths[key]
        except KeyError:
            pass
        path = storage.local_path(key)
        if len(self._paths) >= self.size:
            self._paths.clear()
        self._paths[key] = None if path is None else str(path)
        return self._paths[key]

    def forget(self, key: str) -> None:
        self._paths.pop(key, None)


@dataclass(frozen=True)
class FileInfo:
    """Identity of a local file: size, modification time (ns) and inode."""

    path: str
    size: int
    mtime_ns: int
    inode: int

    @property
    def etag(self) -> str:
        return f'"{self.inode:x}-{self.mtime_ns:x}-{self.size:x}"'

    @property
    def last_modified(self) -> str:
        return formatdate(self.mtime_ns / 1e9, usegmt=True)


def file_info(path: str | os.PathLike[str]) -> FileInfo | None:
    """Stat a regular file; None when it does not exist or is not a file."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat_module.S_ISREG(st.st_mode):
        return None
    return FileInfo(os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ino)


class RangeNotSatisfiable(Exception):
    """The Range header asks for nothing inside the file."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Half-open ``(start, end)`` of a single ``bytes=`` range; None means the whole file.

    Multi-range and malformed headers are ignored (whole file), as RFC 9110 allows.
    Raises :class:`RangeNotSatisfiable` for a range starting past the end.
    """
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, sep, last = header[6:].strip().partition("-")
    if not sep:
        return None
    try:
        if not first:
            suffix = int(last)
            if suffix <= 0:
                raise RangeNotSatisfiable()
            return max(0, size - suffix), size
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return None
    if start < 0 or (last and end <= start):
        return None
    if start >= size:
        raise RangeNotSatisfiable()
    return start, min(end, size)


def not_modified(headers: Mapping[str, str], etag: str, mtime_s: float) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins over If-Modified-Since."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            return int(mtime_s) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
    return False


def _pread(path: str, start: int, length: int) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.pread(fd, length, start)
    finally:
        os.close(fd)


def _chunks(path: str, start: int, end: int) -> Any:
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = end - start
        while remaining > 0:
            data = handle.read(min(STREAM_CHUNK, remaining))
            if not data:
                return
            remaining -= len(data)
            yield data


def media_headers(info: FileInfo, cache_control: str, headers: Mapping[str, str] | None,
                  filename: str | None) -> dict[str, str]:
    """Validators, caching and disposition headers of a local file's answer."""
    extra = {"accept-ranges": "bytes", "etag": info.etag, "last-modified": info.last_modified,
             "cache-control": cache_control, **dict(headers or {})}
    if filename:
        extra["content-disposition"] = content_disposition(filename)
    return extra


def accel_prefix(value: str) -> str:
    """The ``accel_redirect`` setting as ``/internal/prefix/`` ('' when unset).

    Raises ValueError for anything but a plain absolute path (safe URI characters)."""
    text = (value or "").strip()
    if not text:
        return ""
    inner = text.strip("/")
    if not text.startswith("/") or accel_target("/", inner) is None:
        raise ValueError(f"accel_redirect {text[:80]!r}: expected an absolute path of plain "
                         "segments such as /_vpaas_media/")
    return f"/{inner}/"


def accel_target(prefix: str, relative: str) -> str | None:
    """``prefix + relative`` when ``relative`` is a plain relative path (unreserved URI
    characters only, no empty, dot or hidden segments); None when it is not (or no prefix):
    the caller then sends the bytes itself."""
    if not prefix or len(relative) > ACCEL_PATH_MAX:
        return None
    if not all(ACCEL_SEGMENT.fullmatch(part) for part in relative.split("/")):
        return None
    return prefix + relative


def accel_response(target: str, media_type: str, headers: Mapping[str, str]) -> Response:
    """An empty 200 telling the front nginx to send ``target`` itself (X-Accel-Redirect);
    nginx answers Range (206/416), conditional requests (304) and HEAD from the file."""
    return Response(b"", media_type=media_type,
                    headers={**dict(headers), "x-accel-redirect": target})


class LocalFileResponse(Response):
    """A local file (or a byte range of it) with validators and an optional hot cache.

    ``limit`` caps the bytes that may be read (a preview): the file looks that long.
    """

    def __init__(self, info: FileInfo, request_headers: Mapping[str, str], *,
                 media_type: str, cache: ByteCache | None = None,
                 headers: Mapping[str, str] | None = None, method: str = "GET",
                 limit: int | None = None, filename: str | None = None,
                 cache_control: str = MEDIA_CACHE_CONTROL) -> None:
        self.info = info
        self.cache = cache
        self.method = method
        self.size = min(info.size, limit) if limit is not None else info.size
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.body = b""
        self.span: tuple[int, int] | None = (0, self.size)
        extra = media_headers(info, cache_control, headers, filename)
        self._decide(request_headers, extra)
        self.init_headers(extra)
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        length = 0 if self.span is None else self.span[1] - self.span[0]
        self.raw_headers.append((b"content-length", str(length).encode()))

    def _decide(self, request_headers: Mapping[str, str], extra: dict[str, str]) -> None:
        if not_modified(request_headers, self.info.etag, self.info.mtime_ns / 1e9):
            self.status_code, self.span = 304, None
            return
        ranged = request_headers.get("range")
        if_range = request_headers.get("if-range")
        if ranged and if_range and if_range not in (self.info.etag, self.info.last_modified):
            ranged = None
        try:
            span = parse_range(ranged, self.size)
        except RangeNotSatisfiable:
            self.status_code, self.span = 416, None
            extra["content-range"] = f"bytes */{self.size}"
            return
        if span is not None:
            self.status_code, self.span = 206, span
            extra["content-range"] = f"bytes {span[0]}-{span[1] - 1}/{self.size}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        if self.span is None or self.method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        start, end = self.span
        whole = start == 0 and end == self.info.size
        if whole and "http.response.pathsend" in scope.get("extensions", {}):
            await send({"type": "http.response.pathsend", "path": self.info.path})
            return
        if end - start <= INLINE_READ_MAX:
            await send({"type": "http.response.body", "body": await self._small(start, end)})
            return
        await self._stream(send, start, end)

    async def _small(self, start: int, end: int) -> bytes:
        info = self.info
        key = (info.path, info.inode, info.mtime_ns, info.size, start, end)
        data = self.cache.get(key) if self.cache is not None else None
        if data is None:
            data = _pread(info.path, start, end - start)
            if self.cache is not None and len(data) == end - start:
                self.cache.put(key, data)
        return data

    async def _stream(self, send: Send, start: int, end: int) -> None:
        async for chunk in _aiter(_chunks(self.info.path, start, end)):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


async def _aiter(chunks: Any) -> AsyncIterator[bytes]:
    async for chunk in iterate_in_threadpool(chunks):
        yield chunk


def plain_error(status: int, message: str, headers: Mapping[str, str] | None = None
                ) -> Response:
    """A short text error (never a stack trace); errors are not cached."""
    merged = {"cache-control": "no-store", **dict(headers or {})}
    return Response(message.rstrip() + "\n", status_code=status, media_type="text/plain",
                    headers=merged)


async def serve_stored(storage: Any, key: str, request_headers: Mapping[str, str], *,
                       media_type: str, cache: ByteCache | None = None, method: str = "GET",
                       headers: Mapping[str, str] | None = None, limit: int | None = None,
                       filename: str | None = None,
                       cache_control: str = MEDIA_CACHE_CONTROL,
                       paths: PathCache | None = None, accel: str = "") -> Response:
    """Serve a stored object: local files directly, remote ones by presigned redirect.

    Remote objects are redirected only without ``limit`` (a presigned URL cannot cap the
    bytes); capped or unsignable remote objects are streamed through the app. With ``accel``
    (an :func:`accel_prefix`), uncapped local files are handed to the front nginx as
    ``{accel}media/{key}``.
    """
    try:
        path = paths.resolve(storage, key) if paths is not None else storage.local_path(key)
    except NotFound:
        return plain_error(404, "Not found: the file is missing")
    if path is not None:
        info = file_info(path)
        if info is None:
            if paths is not None:
                paths.forget(key)
            return plain_error(404, "Not found: the file is missing")
        target = accel_target(accel, f"media/{key}") if limit is None else None
        if target is not None:
            return accel_response(target, media_type,
                                  media_headers(info, cache_control, headers, filename))
        return LocalFileResponse(info, request_headers, media_type=media_type, cache=cache,
                                 headers=headers, method=method, limit=limit,
                                 filename=filename, cache_control=cache_control)
    if limit is None:
        url = await run_in_threadpool(storage.presigned_url, key, PRESIGN_SECONDS, filename,
                                      media_type)
        if url:
            return Response(status_code=302, headers={"location": url,
                                                      "cache-control": "private, max-age=60",
                                                      **dict(headers or {})})
    return await stream_remote(storage, key, request_headers, media_type=media_type,
                               method=method, headers=headers, limit=limit, filename=filename)


async def stream_remote(storage: Any, key: str, request_headers: Mapping[str, str], *,
                        media_type: str, method: str = "GET",
                        headers: Mapping[str, str] | None = None, limit: int | None = None,
                        filename: str | None = None) -> Response:
    """Stream a remote object (with Range) through the app."""
    from starlette.responses import StreamingResponse

    try:
        st = await run_in_threadpool(storage.stat, key)
    except NotFound:
        return plain_error(404, "Not found: the file is missing")
    size = min(st.size, limit) if limit is not None else st.size
    extra = {"accept-ranges": "bytes", "etag": st.etag, **dict(headers or {})}
    if filename:
        extra["content-disposition"] = content_disposition(filename)
    if not_modified(request_headers, st.etag, st.mtime):
        return Response(status_code=304, headers=extra)
    try:
        span = parse_range(request_headers.get("range"), size)
    except RangeNotSatisfiable:
        return plain_error(416, "Range not satisfiable", {"content-range": f"bytes */{size}"})
    status, (start, end) = (206, span) if span else (200, (0, size))
    if span:
        extra["content-range"] = f"bytes {start}-{end - 1}/{size}"
    extra["content-length"] = str(end - start)
    if method == "HEAD":
        return Response(status_code=status, headers=extra, media_type=media_type)
    chunks = storage.iter_range(key, start, end)
    return StreamingResponse(iterate_in_threadpool(chunks), status_code=status,
                             headers=extra, media_type=media_type)


def local_file_response(path: Path, request_headers: Mapping[str, str], media_type: str,
                        **options: Any) -> Response:
    """Serve a local file by path (404 text when missing)."""
    info = file_info(path)
    if info is None:
        return plain_error(404, "Not found: the file is missing")
    return LocalFileResponse(info, request_headers, media_type=media_type, **options)
