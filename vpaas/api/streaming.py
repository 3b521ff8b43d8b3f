"""Streamed ``uploadToken.upload``: the ``fileData`` part goes straight to its staging file.

``request.form()`` spools a file part to a temporary file that the action then copies: every
byte is written twice. Here the multipart body is parsed as it arrives (python-multipart's
low-level parser). The text fields (or the ``json`` field) and the query string come first
in every official client, so when ``fileData`` starts the call is dispatched in a worker
thread as usual, with a :class:`BodyPipe` as the file: the action reads the part while it
arrives, at most a few MiB in flight. Text fields after a streamed file part are ignored;
when ``uploadTokenId`` is not known yet at the file part, the part is spooled (to the data
directory) and the call dispatched at the end of the body, with every field.

``ApiEndpoint.handle`` calls :func:`stream_upload` first; it declines everything else.
"""

from __future__ import annotations

import asyncio
import queue
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request

from vpaas.api.dispatch import Dispatcher
from vpaas.api.params import merge, nest
from vpaas.api.request import MAX_FORM_FIELDS, json_object, path_params
from vpaas.context import RequestInfo
from vpaas.registry import ApiError
from vpaas.registry import catalogue as E
from vpaas.registry.declare import UploadedFile

PIPE_PIECE = 1 << 20  # spool/TUS: bytes gathered before a hand-off
PIPE_DEPTH = 16  # pieces in flight (each one received buffer, <= 256 KiB from uvicorn)
MAX_HEADER_BYTES = 16 * 1024
FILE_PART = "fileData"
_EOF = None
Buffer = bytes | memoryview


class BodyPipe:
    """A blocking file-like reader (worker thread) fed by the event loop, with backpressure."""

    def __init__(self, loop: asyncio.AbstractEventLoop, depth: int = PIPE_DEPTH) -> None:
        self._loop = loop
        self._items: queue.SimpleQueue[Buffer | BaseException | None] = queue.SimpleQueue()
        self._credits = asyncio.Semaphore(depth)
        self._depth = depth
        self._rest = memoryview(b"")
        self._done = False
        self.abandoned = False

    async def put(self, data: Buffer) -> None:
        """Hand bytes (not copied) to the reader; waits while ``depth`` pieces are unread."""
        if self.abandoned or not data:
            return
        await self._credits.acquire()
        if not self.abandoned:
            self._items.put(data)

    def close(self, error: BaseException | None = None) -> None:
        """End of data, or an error the reader raises instead of returning the rest."""
        self._items.put(error if error is not None else _EOF)

    def abandon(self) -> None:
        """The reader is gone: drop whatever comes next, never block the producer."""
        self.abandoned = True
        for _ in range(self._depth + 1):
            self._credits.release()

    def read(self, size: int = -1) -> memoryview:
        """Up to ``size`` bytes (fewer when a piece ends) as a view; empty at the end."""
        if not self._rest:
            if self._done:
                return memoryview(b"")
            item = self._items.get()
            if isinstance(item, BaseException):
                self._done = True
                raise item
            if item is _EOF:
                self._done = True
                return memoryview(b"")
            self._loop.call_soon_threadsafe(self._credits.release)
            self._rest = memoryview(item)
        n = len(self._rest) if size is None or size < 0 else size
        out, self._rest = self._rest[:n], self._rest[n:]
        return out


@dataclass
class StreamedCall:
    """The outcome of a streamed call: its merged parameters and result (or ApiError)."""

    params: dict[str, Any]
    result: Any


def is_streamable(request: Request) -> bool:
    """A multipart POST whose path or query names ``uploadToken.upload``."""
    if request.method != "POST":
        return False
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        return False
    where = merge(dict(parse_qsl(request.url.query)), path_params(request.url.path))
    return (str(where.get("service", "")).lower() == "uploadtoken"
            and str(where.get("action", "")).lower() == "upload")


async def stream_upload(request: Request, dispatcher: Dispatcher,
                        info: RequestInfo) -> StreamedCall | None:
    """Run a streamable upload call; ``None`` (body untouched) if the request is not one."""
    if not is_streamable(request):
        return None
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not boundary:
        return StreamedCall({}, E.INVALID_REQUEST_FORMAT("multipart body without boundary"))
    call = _Call(request, dispatcher, info, asyncio.get_running_loop())
    parser = MultipartParser(boundary, call.callbacks())  # type: ignore[arg-type]
    try:
        async for data in request.stream():
            parser.write(data)
            await call.flush()
        parser.finalize()
        await call.flush()
        call.finish()
    except ClientDisconnect:
        call.fail(E.INVALID_REQUEST_FORMAT("the client went away during the upload"))
    except ApiError as err:
        call.fail(err)
    except Exception as exc:  # malformed multipart framing
        call.fail(E.INVALID_REQUEST_FORMAT(f"malformed multipart body ({exc})"))
    return await call.outcome()


@dataclass
class _Part:
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    name: str = ""
    filename: str | None = None
    text: bytearray = field(default_factory=bytearray)


class _Call:
    """Parser callbacks plus the dispatched call they feed."""

    def __init__(self, request: Request, dispatcher: Dispatcher, info: RequestInfo,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.request, self.dispatcher, self.info, self.loop = request, dispatcher, info, loop
        self.max_text = dispatcher.runtime.settings.max_request_body_bytes
        self.fields: list[tuple[str, str]] = []
        self.body: dict[str, Any] = {}
        self.part = _Part()
        self.field = b""
        self.text_bytes = 0
        self.pending: list[Buffer] = []
        self.file_open = False
        self.file_seen = False
        self.pipe: BodyPipe | None = None
        self.spool: Any = None
        self.filename = ""
        self.task: asyncio.Future[Any] | None = None
        self.error: ApiError | None = None

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {"on_part_begin": self._part_begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished, "on_part_data": self._data,
                "on_part_end": self._part_end}

    def _part_begin(self) -> None:
        self.part = _Part()
        if len(self.fields) > MAX_FORM_FIELDS:
            raise E.INVALID_REQUEST_FORMAT("too many multipart fields")

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        if not self.part.headers or self.field:
            self.part.headers.append((self.field.lower(), b""))
            self.field = b""
        name, value = self.part.headers[-1]
        value += data[start:end]
        if len(value) > MAX_HEADER_BYTES:
            raise E.INVALID_REQUEST_FORMAT("multipart header too large")
        self.part.headers[-1] = (name, value)

    def _header_end(self) -> None:
        self.field = b""

    def _headers_finished(self) -> None:
        for name, value in self.part.headers:
            if name == b"content-disposition":
                _, opts = parse_options_header(value)
                self.part.name = opts.get(b"name", b"").decode("utf-8", "replace")
                raw = opts.get(b"filename")
                self.part.filename = None if raw is None else raw.decode("utf-8", "replace")
        if self.part.name == FILE_PART and self.part.filename is not None and \
                not self.file_seen:
            self.file_seen = self.file_open = True
            self.filename = self.part.filename.replace("\\", "/").rsplit("/", 1)[-1]

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.file_open:
            self.pending.append(memoryview(data)[start:end] if isinstance(data, bytes)
                                else bytes(data[start:end]))
        elif self.part.filename is None and self.pipe is None:
            self.text_bytes += end - start
            if self.text_bytes > self.max_text:
                raise E.REQUEST_TOO_LARGE(self.max_text)
            self.part.text += data[start:end]

    def _part_end(self) -> None:
        if self.file_open:
            self.file_open = False
        elif self.part.filename is None and self.pipe is None:
            value = self.part.text.decode("utf-8", "replace")
            if self.part.name == "json":
                self.body = merge(self.body, json_object(value))
            else:
                self.fields.append((self.part.name, value))

    def params(self) -> dict[str, Any]:
        query = nest(parse_qsl(self.request.url.query, keep_blank_values=True))
        body = merge(nest(self.fields), self.body)
        return merge(merge(body, query), path_params(self.request.url.path))

    async def flush(self) -> None:
        """Start the call at the file part, then hand it what arrived (backpressure)."""
        if self.file_seen and self.pipe is None and self.spool is None:
            self._start()
        pieces, self.pending = self.pending, []
        if self.pipe is not None:
            for piece in pieces:
                await self.pipe.put(piece)
        elif self.spool is not None and pieces:
            await run_in_threadpool(self.spool.write, b"".join(pieces))

    def _start(self) -> None:
        params = self.params()
        if not params.get("uploadTokenId"):
            spool_dir = self.dispatcher.runtime.settings.data_path / "uploads"
            spool_dir.mkdir(parents=True, exist_ok=True)
            self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed in outcome)
                max_size=PIPE_PIECE, dir=str(spool_dir))
            return
        self.pipe = BodyPipe(self.loop)
        self.task = self._dispatch(params, self.pipe)
        self.task.add_done_callback(lambda _: self.pipe.abandon() if self.pipe else None)

    def _dispatch(self, params: dict[str, Any], file: Any) -> asyncio.Future[Any]:
        files = {FILE_PART: UploadedFile(self.filename, file)}
        return asyncio.ensure_future(
            run_in_threadpool(self.dispatcher.run, params, files, self.info))

    def finish(self) -> None:
        if self.file_open:
            raise E.INVALID_REQUEST_FORMAT("the multipart body ended inside the file part")
        if self.pipe is not None:
            self.pipe.close()
        elif self.spool is not None:
            self.spool.seek(0)
            self.task = self._dispatch(self.params(), self.spool)
        else:
            self.task = asyncio.ensure_future(
                run_in_threadpool(self.dispatcher.run, self.params(), {}, self.info))

    def fail(self, error: ApiError) -> None:
        self.error = error
        if self.pipe is not None:
            self.pipe.close(error)

    async def outcome(self) -> StreamedCall:
        result: Any = self.error
        if self.task is not None:
            try:
                result = await self.task
            except ApiError as err:
                result = err
            if self.error is not None:
                result = self.error
        if self.spool is not None:
            self.spool.close()
        try:
            params = self.params()
        except ApiError:
            params = {}
        return StreamedCall(params, result)
