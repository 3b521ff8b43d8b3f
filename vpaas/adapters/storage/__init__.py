"""Media storage: one interface (:class:`Storage`), a local-disk and an S3 backend.

Build one with :func:`open_storage` from the settings; pass it down, never keep it global.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from vpaas.adapters.storage.base import (
    InvalidKey,
    NotFound,
    ObjectStat,
    Storage,
    StorageError,
    content_disposition,
    validate_key,
    validate_prefix,
)
from vpaas.adapters.storage.local import LocalStorage
from vpaas.adapters.storage.s3 import S3Storage

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


class StorageSettings(Protocol):
    """The settings :func:`open_storage` reads (``vpaas.settings.Settings`` has them all)."""

    @property
    def storage_url(self) -> str: ...
    @property
    def data_dir(self) -> str | Path: ...
    @property
    def s3_endpoint_url(self) -> str: ...
    @property
    def s3_access_key(self) -> str: ...
    @property
    def s3_secret_key(self) -> str: ...
    @property
    def s3_region(self) -> str: ...


def open_storage(settings: StorageSettings, *, create_bucket: bool = True) -> Storage:
    """Build the storage backend named by ``settings.storage_url``.

    ``""`` means local disk at ``<data_dir>/media``; ``file:///abs/dir`` local disk elsewhere;
    ``s3://bucket/prefix`` an S3-compatible bucket reached with the ``s3_*`` settings (the
    bucket is created if missing unless ``create_bucket`` is false).
    """
    url = (settings.storage_url or "").strip()
    if not url:
        return LocalStorage(Path(settings.data_dir) / "media")
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise ValueError(f"storage_url {url!r}: use file:///absolute/path")
        return LocalStorage(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        bucket = parts.netloc
        if not _BUCKET.fullmatch(bucket):
            raise ValueError(
                f"storage_url {url!r}: bucket must be 3-63 characters of a-z 0-9 . -"
            )
        return S3Storage(
            bucket,
            parts.path.strip("/"),
            endpoint_url=settings.s3_endpoint_url or None,
            access_key=settings.s3_access_key or None,
            secret_key=settings.s3_secret_key or None,
            region=settings.s3_region or "us-east-1",
            create_bucket=create_bucket,
        )
    raise ValueError(f"storage_url {url!r}: expected '', file:///dir or s3://bucket/prefix")


__all__ = [
    "InvalidKey",
    "LocalStorage",
    "NotFound",
    "ObjectStat",
    "S3Storage",
    "Storage",
    "StorageError",
    "StorageSettings",
    "content_disposition",
    "open_storage",
    "validate_key",
    "validate_prefix",
]
