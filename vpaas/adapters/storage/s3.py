"""Media storage in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO...) through boto3.

Path-style addressing and SigV4 are used so self-hosted servers work; large files and streams
go up as multipart uploads; reads use ranged GETs.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from vpaas.adapters.storage.base import (
    DEFAULT_CHUNK,
    NotFound,
    ObjectStat,
    StorageError,
    check_expiry,
    check_range,
    content_disposition,
    validate_folder_prefix,
    validate_key,
    validate_prefix,
)

MULTIPART_CHUNK = 8 * 1024 * 1024
_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
MAX_PAGE = 1000  # also the most keys one DeleteObjects request may carry


class S3Storage:
    """Storage backend keeping objects in ``bucket`` under the key prefix ``prefix``."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str = "us-east-1",
        create_bucket: bool = False,
        multipart_threshold: int = MULTIPART_CHUNK,
        multipart_chunksize: int = MULTIPART_CHUNK,
        page_size: int = MAX_PAGE,
    ) -> None:
        if not bucket:
            raise ValueError("S3 storage needs a bucket name")
        prefix = prefix.strip("/")
        self.bucket = bucket
        self.prefix = validate_key(prefix) if prefix else ""
        self.region = region or "us-east-1"
        self._base = f"{self.prefix}/" if self.prefix else ""
        self._page_size = max(1, min(page_size, MAX_PAGE))
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url or None,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            region_name=self.region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=4,
        )
        if create_bucket:
            self.ensure_bucket()

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _key(self, key: str) -> str:
        return self._base + validate_key(key)

    def ensure_bucket(self) -> None:
        """Create the bucket unless it already exists."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise _error(exc, self.bucket, "check bucket") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 check bucket {self.bucket!r} failed: {exc}") from exc
        params: dict[str, Any] = {"Bucket": self.bucket}
        if self.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self._client.create_bucket(**params)
        except ClientError as exc:
            if _code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise _error(exc, self.bucket, "create bucket") from exc

    # -- writes --------------------------------------------------------------------------------

    def put_file(self, key: str, src_path: str | Path, *, move: bool = False) -> int:
        """Upload the file (multipart above the threshold); remove it afterwards when ``move``."""
        full = self._key(key)
        src = Path(src_path)
        if not src.is_file():
            raise FileNotFoundError(f"source file not found: {src}")
        size = src.stat().st_size
        with _translate(key, "upload"):
            self._client.upload_file(str(src), self.bucket, full, Config=self._transfer)
        if move:
            with contextlib.suppress(FileNotFoundError):
                src.unlink()
        return size

    def put_bytes(self, key: str, data: bytes) -> int:
        """Upload ``data`` in one PUT."""
        full = self._key(key)
        with _translate(key, "put"):
            self._client.put_object(Bucket=self.bucket, Key=full, Body=data)
        return len(data)

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> int:
        """Upload the concatenated chunks, as a multipart upload once past the threshold."""
        full = self._key(key)
        raw = _ChunkReader(chunks)
        with _translate(key, "upload"):
            self._client.upload_fileobj(
                io.BufferedReader(raw, DEFAULT_CHUNK), self.bucket, full, Config=self._transfer
            )
        return raw.total

    # -- reads ---------------------------------------------------------------------------------

    def _get(self, key: str, byte_range: str | None = None) -> Any:
        params = {"Bucket": self.bucket, "Key": self._key(key)}
        if byte_range:
            params["Range"] = byte_range
        with _translate(key, "get"):
            return self._client.get_object(**params)["Body"]

    def open_read(self, key: str) -> BinaryIO:
        """Start a GET and return its body as a buffered binary stream."""
        return io.BufferedReader(_BodyReader(self._get(key)), DEFAULT_CHUNK)

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Return bytes ``[start, end)`` with one ranged GET."""
        return b"".join(self.iter_range(key, start, end))

    def iter_range(
        self, key: str, start: int, end: int, chunk: int = DEFAULT_CHUNK
    ) -> Iterator[bytes]:
        """Yield bytes ``[start, end)`` of a ranged GET in pieces of at most ``chunk`` bytes."""
        check_range(start, end)
        if start == end:
            self.stat(key)
            return iter(())
        try:
            body = self._get(key, f"bytes={start}-{end - 1}")
        except StorageError as exc:
            if isinstance(exc.__cause__, ClientError) and _code(exc.__cause__) == "InvalidRange":
                return iter(())  # start is at or past the end of the object
            raise
        return _iter_body(body, max(1, chunk))

    def stat(self, key: str) -> ObjectStat:
        """HEAD the object."""
        full = self._key(key)
        with _translate(key, "stat"):
            head = self._client.head_object(Bucket=self.bucket, Key=full)
        return ObjectStat(
            size=int(head["ContentLength"]),
            mtime=head["LastModified"].timestamp(),
            etag=str(head.get("ETag", "")).strip('"'),
        )

    def size(self, key: str) -> int:
        """Return the object's size."""
        return self.stat(key).size

    def exists(self, key: str) -> bool:
        """Return whether the object exists (one HEAD)."""
        try:
            self.stat(key)
        except NotFound:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys starting with ``prefix`` (paginated ListObjectsV2)."""
        full = self._base + validate_prefix(prefix)
        return self._list_full(full)

    def _list_full(self, full_prefix: str) -> Iterator[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket,
            Prefix=full_prefix,
            PaginationConfig={"PageSize": self._page_size},
        )
        with _translate(full_prefix, "list"):
            for page in pages:
                for item in page.get("Contents", ()):
                    name = item["Key"]
                    if not name.endswith("/"):
                        yield name[len(self._base) :]

    # -- deletes -------------------------------------------------------------------------------

    def delete(self, key: str) -> None:
        """Delete the object (missing is fine)."""
        full = self._key(key)
        try:
            with _translate(key, "delete"):
                self._client.delete_object(Bucket=self.bucket, Key=full)
        except NotFound:
            pass

    def delete_prefix(self, prefix: str) -> int:
        """Delete everything under the folder ``prefix`` with batched DeleteObjects calls."""
        full = self._base + validate_folder_prefix(prefix)
        batch: list[str] = []
        count = 0
        for key in self._list_full(full):
            batch.append(self._base + key)
            if len(batch) == self._page_size:
                count += self._delete_batch(prefix, batch)
                batch = []
        if batch:
            count += self._delete_batch(prefix, batch)
        return count

    def _delete_batch(self, prefix: str, names: Iterable[str]) -> int:
        objects = [{"Key": name} for name in names]
        with _translate(prefix, "delete"):
            reply = self._client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
            )
        errors = reply.get("Errors") or []
        if errors:
            first = errors[0]
            raise StorageError(
                f"S3 delete under {prefix!r}: {len(errors)} object(s) not deleted, e.g. "
                f"{first.get('Key')!r}: {first.get('Code')} {first.get('Message')}"
            )
        return len(objects)

    # -- local access ----------------------------------------------------------------------------

    def local_path(self, key: str) -> Path | None:
        """Objects in S3 have no local path: always None."""
        validate_key(key)
        return None

    def fetch_to_local(self, key: str, dest_path: str | Path) -> Path:
        """Download the object (parallel ranged GETs for large ones) to ``dest_path``."""
        full = self._key(key)
        dest = Path(dest_path)
        with _translate(key, "download"):
            self._client.download_file(self.bucket, full, os.fspath(dest), Config=self._transfer)
        return dest

    def presigned_url(
        self,
        key: str,
        expires: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str | None:
        """Return a SigV4 presigned GET URL valid for ``expires`` seconds."""
        check_expiry(expires)
        params: dict[str, str] = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        if content_type:
            params["ResponseContentType"] = content_type
        with _translate(key, "presign"):
            url = self._client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=int(expires)
            )
        return str(url)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _error(exc: ClientError, key: str, action: str) -> StorageError:
    code = _code(exc)
    if code in _MISSING_CODES:
        return NotFound(key)
    message = exc.response.get("Error", {}).get("Message", "") or str(exc)
    return StorageError(f"S3 {action} {key!r} failed: {code or 'error'}: {message}")


@contextlib.contextmanager
def _translate(key: str, action: str) -> Iterator[None]:
    """Turn boto3/botocore exceptions into :class:`StorageError` / :class:`NotFound`."""
    try:
        yield
    except ClientError as exc:
        raise _error(exc, key, action) from exc
    except (BotoCoreError, Boto3Error) as exc:
        raise StorageError(f"S3 {action} {key!r} failed: {exc}") from exc


class _ChunkReader(io.RawIOBase):
    """A read-only, non-seekable file over an iterable of byte chunks."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = memoryview(b"")
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            piece = next(self._chunks, None)
            if piece is None:
                return 0
            self._pending = memoryview(piece)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.total += size
        return size


class _BodyReader(io.RawIOBase):
    """A read-only file over a botocore streaming body (closing it releases the connection)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with _translate("<stream>", "read"):
            data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def _iter_body(body: Any, chunk: int) -> Iterator[bytes]:
    try:
        with _translate("<stream>", "read"):
            yield from body.iter_chunks(chunk)
    finally:
        body.close()

