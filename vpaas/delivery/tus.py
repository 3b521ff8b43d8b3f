"""TUS 1.0 resumable uploads at ``/upload/tus``: core, creation, termination, checksum.

A TUS upload *is* an upload token (auto-finalized at ``Upload-Length``): once its bytes are
all in it is FULL_UPLOAD and usable like any other token (``media.addContent``). The KS comes
from ``X-Kaltura-Ks``, ``Authorization: KS <ks>`` or the ``ks`` Upload-Metadata key.

Mount: ``routes += tus_routes(runtime)``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from vpaas.api.streaming import BodyPipe
from vpaas.db.tables.upload import UploadTokenRow
from vpaas.domain import sessions, uploads
from vpaas.registry import ApiError
from vpaas.runtime import Runtime

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum"
CHECKSUMS = {"sha1": hashlib.sha1, "md5": hashlib.md5}
PREFIX = "/upload/tus"
OFFSET_TYPE = "application/offset+octet-stream"
MAX_METADATA = 8 * 1024
_STATUS_BY_CODE = {
    "UPLOAD_TOKEN_NOT_FOUND": 404, "INVALID_KS": 401, "MISSING_KS": 401,
    "PARTNER_BLOCKED": 403, "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD": 409,
    "UPLOAD_TOKEN_RESUMING_INVALID_POSITION": 409, "UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED": 410,
    "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE": 413, "UPLOAD_TOKEN_FILE_TOO_LARGE": 413,
}
CORS_PREFLIGHT = {
    "Access-Control-Allow-Methods": "POST, GET, HEAD, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Location, Tus-Resumable, "
    "Upload-Checksum, Upload-Length, Upload-Metadata, Upload-Offset, X-Kaltura-Ks, "
    "X-Requested-With",
    "Access-Control-Max-Age": "86400",
}
EXPOSE = ("Location, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, "
          "Tus-Checksum-Algorithm, Upload-Offset, Upload-Length, Upload-Metadata")


class TusError(Exception):
    """An HTTP status and a readable reason, answered as plain text."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class _ChecksumMismatch(Exception):
    pass


def tus_routes(runtime: Runtime) -> list[Route]:
    """The TUS endpoint's routes: the creation URL and one URL per upload."""
    tus = TusEndpoint(runtime)
    return [Route(PREFIX, tus.handle, methods=["OPTIONS", "POST"]),
            Route(PREFIX + "/{token_id}", tus.handle,
                  methods=["OPTIONS", "HEAD", "PATCH", "DELETE"])]


class TusEndpoint:
    """TUS requests, each mapped onto the upload token domain."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Tus-Resumable": TUS_VERSION, "Access-Control-Expose-Headers": EXPOSE,
                "Cache-Control": "no-store", **extra}

    async def handle(self, request: Request) -> Response:
        try:
            if request.method == "OPTIONS":
                return self.options()
            if request.headers.get("tus-resumable") != TUS_VERSION:
                raise TusError(412, f"Tus-Resumable: {TUS_VERSION} is required")
            token_id = request.path_params.get("token_id")
            if token_id is None:
                return await self.create(request)
            if request.method == "HEAD":
                return await self.head(request, token_id)
            if request.method == "PATCH":
                return await self.patch(request, token_id)
            return await self.terminate(request, token_id)
        except ApiError as err:
            status = _STATUS_BY_CODE.get(err.code, 400)
            return self.error(status, f"{err.code}: {err.message}")
        except TusError as err:
            return self.error(err.status, err.reason)

    def error(self, status: int, reason: str) -> Response:
        extra = {"Tus-Version": TUS_VERSION} if status == 412 else {}
        return Response(reason + "\n", status_code=status, media_type="text/plain",
                        headers=self.headers(**extra))

    def options(self) -> Response:
        return Response(status_code=204, headers=self.headers(
            **{"Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
               "Tus-Max-Size": str(self.settings.max_upload_file_bytes),
               "Tus-Checksum-Algorithm": ",".join(CHECKSUMS)}, **CORS_PREFLIGHT))

    def auth(self, request: Request, metadata: dict[str, str] | None = None
             ) -> tuple[int, uploads.Caller]:
        """The KS's partner and user; 401 without a valid user or admin KS."""
        ks = request.headers.get("x-kaltura-ks", "").strip()
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if not ks and scheme.lower() == "ks":
            ks = value.strip()
        if not ks and metadata:
            ks = metadata.get("ks", "")
        if not ks:
            raise TusError(401, "a KS is required (X-Kaltura-Ks or Authorization: KS <ks>)")
        client = request.client.host if request.client else None
        data = sessions.verify(self.runtime.db, self.runtime.partners, ks, client_ip=client)
        if data.is_widget:
            raise TusError(403, "widget sessions cannot upload")
        return data.partner_id, uploads.Caller(data.user_id, data.session_type >= 1)

    async def create(self, request: Request) -> Response:
        metadata = parse_metadata(request.headers.get("upload-metadata", ""))
        partner_id, caller = self.auth(request, metadata)
        length = _length(request.headers.get("upload-length"), self.settings)
        name = metadata.get("filename") or metadata.get("name") or ""

        def add() -> UploadTokenRow:
            with self.runtime.db.partner_session(partner_id) as s:
                row = uploads.add_token(s, self.settings, caller, name, length, 1)
                s.commit()
                return row

        row = await run_in_threadpool(add)
        return Response(status_code=201, headers=self.headers(
            Location=self.location(request, row.id)))

    def location(self, request: Request, token_id: str) -> str:
        base = self.settings.public_url.rstrip("/") or \
            f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        return f"{base}{PREFIX}/{token_id}"

    async def load(self, request: Request, token_id: str) -> tuple[int, uploads.Caller,
                                                                   UploadTokenRow]:
        partner_id, caller = self.auth(request)

        def get() -> UploadTokenRow:
            with self.runtime.db.partner_session(partner_id) as s:
                return uploads.get_token(s, token_id, caller)

        row = await run_in_threadpool(get)
        if row.status in (uploads.DELETED, uploads.TIMED_OUT):
            raise TusError(410, "this upload was terminated or expired")
        return partner_id, caller, row

    async def head(self, request: Request, token_id: str) -> Response:
        _, _, row = await self.load(request, token_id)
        offset = row.file_size if row.status in (uploads.FULL_UPLOAD, uploads.CLOSED) \
            else row.uploaded_file_size
        return Response(status_code=200, headers=self.headers(**{
            "Upload-Offset": str(offset or 0), "Upload-Length": str(row.file_size or 0)}))

    async def patch(self, request: Request, token_id: str) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != OFFSET_TYPE:
            raise TusError(415, f"Content-Type must be {OFFSET_TYPE}")
        partner_id, caller, row = await self.load(request, token_id)
        offset = _int_header(request.headers.get("upload-offset"), "Upload-Offset")
        if row.status not in uploads.OPEN or offset != row.uploaded_file_size:
            raise TusError(409, f"Upload-Offset must be {row.uploaded_file_size}")
        digest, expected = _checksum(request.headers.get("upload-checksum"))
        pipe = BodyPipe(asyncio.get_running_loop())
        source = _HashingReader(pipe, digest)

        def verify() -> None:
            if expected is not None and source.digest() != expected:
                raise _ChecksumMismatch()

        def run() -> UploadTokenRow:
            return uploads.upload_chunk(
                self.runtime.db, self.settings, partner_id, token_id, source,  # type: ignore
                uploads.Chunk(resume=True, final=False, resume_at=offset), caller,
                before_record=verify)

        task = asyncio.ensure_future(run_in_threadpool(run))
        task.add_done_callback(lambda _: pipe.abandon())
        await _pump(request, pipe)
        try:
            row = await task
        except _ChecksumMismatch:
            return self.error(460, "Checksum Mismatch")
        return Response(status_code=204, headers=self.headers(
            **{"Upload-Offset": str(row.uploaded_file_size)}))

    async def terminate(self, request: Request, token_id: str) -> Response:
        partner_id, caller = self.auth(request)

        def delete() -> None:
            with self.runtime.db.partner_session(partner_id) as s:
                uploads.delete_token(s, self.settings, token_id, caller)
                s.commit()

        await run_in_threadpool(delete)
        return Response(status_code=204, headers=self.headers())


async def _pump(request: Request, pipe: BodyPipe) -> None:
    """Feed the request body to the pipe as it arrives; a broken body fails the reader."""
    try:
        async for data in request.stream():
            await pipe.put(data)
        pipe.close()
    except ClientDisconnect:
        pipe.close(TusError(400, "the client went away during the upload"))


class _HashingReader:
    """Reads from a source, hashing what passes through."""

    def __init__(self, source: Any, digest: Any) -> None:
        self.source = source
        self.hash = digest() if digest is not None else None

    def read(self, size: int = -1) -> bytes | memoryview:
        data: bytes | memoryview = self.source.read(size)
        if self.hash is not None:
            self.hash.update(data)
        return data

    def digest(self) -> bytes | None:
        return self.hash.digest() if self.hash is not None else None


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata: key base64,key2 base64`` → a dict (400 when malformed)."""
    if len(header) > MAX_METADATA:
        raise TusError(400, "Upload-Metadata is too large")
    out: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        try:
            out[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise TusError(400, f"Upload-Metadata value of {key[:40]!r} is not base64") from None
    return out


def _int_header(value: str | None, name: str) -> int:
    if value is None or not value.strip().isdigit():
        raise TusError(400, f"{name} must be a non-negative integer")
    return int(value)


def _length(value: str | None, settings: Any) -> int:
    if value is None:
        raise TusError(400, "Upload-Length is required (deferred length is not supported)")
    length = _int_header(value, "Upload-Length")
    if length == 0:
        raise TusError(400, "empty uploads are not accepted")
    if length > settings.max_upload_file_bytes:
        raise TusError(413, f"Upload-Length exceeds {settings.max_upload_file_bytes}")
    return length


def _checksum(header: str | None) -> tuple[Any, bytes | None]:
    if not header:
        return None, None
    algo, _, value = header.strip().partition(" ")
    if algo.lower() not in CHECKSUMS:
        raise TusError(400, f"unsupported checksum algorithm {algo[:20]!r}")
    try:
        return CHECKSUMS[algo.lower()], base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise TusError(400, "Upload-Checksum value is not base64") from None
