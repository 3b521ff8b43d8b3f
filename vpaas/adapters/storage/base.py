"""The media storage interface every backend implements, its errors and key rules.

Keys are relative POSIX strings such as ``p/101/entry/0_abc/flavor_2.mp4``. Both backends accept
exactly the same keys, so a key that works on local disk also works on S3 and vice versa.

Byte ranges are half-open, like Python slices: ``read_range(key, 0, 10)`` returns bytes 0..9.
An ``end`` past the end of the object is clamped; a ``start`` at or past the end yields nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable
from urllib.parse import quote

MAX_KEY_LENGTH = 512
MAX_SEGMENT_LENGTH = 255
DEFAULT_CHUNK = 1024 * 1024
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
MAX_FILENAME_LENGTH = 200

_KEY_CHARS = re.compile(r"[A-Za-z0-9._/-]*")


class StorageError(Exception):
    """A storage operation failed (backend unreachable, access denied, conflicting paths...)."""


class NotFound(StorageError):
    """The key does not name a stored object."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no stored object with key {key!r}")
        self.key = key


class InvalidKey(StorageError, ValueError):
    """The key (or prefix) breaks the key rules; the message says which rule."""

    def __init__(self, key: object, reason: str) -> None:
        super().__init__(f"invalid storage key {key!r}: {reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class ObjectStat:
    """Size in bytes, modification time (seconds since the epoch) and an opaque entity tag."""

    size: int
    mtime: float
    etag: str


def _check_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidKey(value, f"{what} must be a string")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidKey(value[:40] + "...", f"longer than {MAX_KEY_LENGTH} characters")
    if "\\" in value:
        raise InvalidKey(value, "backslashes are not allowed")
    if value.startswith("/"):
        raise InvalidKey(value, f"{what} must be relative (no leading '/')")
    if not _KEY_CHARS.fullmatch(value):
        raise InvalidKey(value, "only letters, digits and . _ - / are allowed")
    return value


def _check_segment(value: str, segment: str) -> None:
    if not segment:
        raise InvalidKey(value, "empty path segment ('//' or trailing '/')")
    if segment.startswith("."):
        raise InvalidKey(value, f"segment {segment!r} starts with '.' ('..' and hidden names)")
    if len(segment) > MAX_SEGMENT_LENGTH:
        raise InvalidKey(value, f"a segment is longer than {MAX_SEGMENT_LENGTH} characters")


def validate_key(key: object) -> str:
    """Return ``key`` if it is a valid object key, else raise :class:`InvalidKey`."""
    text = _check_text(key, "key")
    if not text:
        raise InvalidKey(key, "key is empty")
    for segment in text.split("/"):
        _check_segment(text, segment)
    return text


def validate_prefix(prefix: object) -> str:
    """Return ``prefix`` if it is a valid listing prefix ("" lists everything).

    A prefix is a plain string prefix of keys (S3 semantics): ``"p/1/a"`` matches ``"p/1/ab/x"``.
    """
    text = _check_text(prefix, "prefix")
    if not text:
        return text
    *folders, last = text.split("/")
    for segment in folders:
        _check_segment(text, segment)
    if last:
        _check_segment(text, last)
    return text


def validate_folder_prefix(prefix: object) -> str:
    """Return ``prefix`` if it is a non-empty folder-style prefix ending in ``/``."""
    text = validate_prefix(prefix)
    if not text.endswith("/"):
        raise InvalidKey(prefix, "delete_prefix needs a folder prefix ending in '/'")
    return text


def content_disposition(filename: str) -> str:
    """Return an ``attachment`` Content-Disposition value for a user-supplied file name.

    Quotes, slashes and control characters are dropped; non-ASCII names are carried in the
    RFC 6266 ``filename*`` parameter with an ASCII fallback.
    """
    cleaned = "".join(ch for ch in filename if ch.isprintable() and ch not in '"\\/;')
    cleaned = cleaned.strip()[:MAX_FILENAME_LENGTH] or "download"
    fallback = cleaned.encode("ascii", "ignore").decode().strip() or "download"
    encoded = quote(cleaned, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def check_range(start: int, end: int) -> None:
    """Raise ``ValueError`` unless ``0 <= start <= end``."""
    if start < 0 or end < start:
        raise ValueError(f"invalid byte range [{start}, {end}): need 0 <= start <= end")


def check_expiry(expires: int) -> None:
    """Raise ``ValueError`` unless a presigned URL lifetime is between 1 s and 7 days."""
    if not 1 <= expires <= MAX_PRESIGN_SECONDS:
        raise ValueError(f"presigned URL lifetime must be 1..{MAX_PRESIGN_SECONDS} s")


@runtime_checkable
class Storage(Protocol):
    """Media storage: a flat namespace of immutable-ish objects addressed by keys."""

    def put_file(self, key: str, src_path: str | Path, *, move: bool = False) -> int:
        """Store the file at ``src_path`` under ``key``; return its size.

        With ``move=True`` the source file is consumed (renamed when possible, else removed after
        the copy), which avoids a copy for large uploads on local disk.
        """
        ...

    def put_bytes(self, key: str, data: bytes) -> int:
        """Store ``data`` under ``key``; return its size."""
        ...

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store the concatenation of ``chunks`` under ``key``; return the total size."""
        ...

    def open_read(self, key: str) -> BinaryIO:
        """Open the object for streaming reads; raises :class:`NotFound` immediately."""
        ...

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Return bytes ``[start, end)`` of the object (``end`` clamped to its size)."""
        ...

    def iter_range(
        self, key: str, start: int, end: int, chunk: int = DEFAULT_CHUNK
    ) -> Iterator[bytes]:
        """Yield bytes ``[start, end)`` in pieces of at most ``chunk`` bytes.

        :class:`NotFound` is raised by the call itself, before any iteration.
        """
        ...

    def size(self, key: str) -> int:
        """Return the object's size in bytes."""
        ...

    def exists(self, key: str) -> bool:
        """Return whether an object is stored under ``key``."""
        ...

    def stat(self, key: str) -> ObjectStat:
        """Return size, modification time and entity tag of the object."""
        ...

    def delete(self, key: str) -> None:
        """Delete the object; deleting a missing key is not an error."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under the folder ``prefix`` (must end in '/'); return the count."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys starting with ``prefix``; the order is unspecified (S3 servers differ)."""
        ...

    def local_path(self, key: str) -> Path | None:
        """Return the object's file path on local disk, or None if the backend is remote."""
        ...

    def fetch_to_local(self, key: str, dest_path: str | Path) -> Path:
        """Copy the object to the local file ``dest_path`` (for processing); return that path."""
        ...

    def presigned_url(
        self,
        key: str,
        expires: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str | None:
        """Return a time-limited direct download URL, or None if the backend has none."""
        ...
