"""Media storage on local disk, under one root directory.

Every key maps to ``root/<key>``; paths are resolved and must stay inside the root, so a symlink
pointing elsewhere is refused. Writes go to a hidden temporary file in the target directory and
are renamed into place, so readers never see a partial object.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from vpaas.adapters.storage.base import (
    DEFAULT_CHUNK,
    InvalidKey,
    NotFound,
    ObjectStat,
    StorageError,
    check_expiry,
    check_range,
    validate_folder_prefix,
    validate_key,
    validate_prefix,
)

_FILE_MODE = 0o644
_MKDIR_ATTEMPTS = 3


class LocalStorage:
    """Storage backend keeping objects as files below ``root`` (created if missing)."""

    def __init__(self, root: str | Path, *, fsync: bool = False) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    # -- paths ---------------------------------------------------------------------------------

    def _confine(self, value: str, path: Path) -> Path:
        resolved = path.resolve()
        if resolved != self.root and not resolved.is_relative_to(self.root):
            raise InvalidKey(value, "resolves outside the storage root (symlink?)")
        return resolved

    def _path(self, key: str) -> Path:
        key = validate_key(key)
        return self._confine(key, self.root / key)

    def _existing_file(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise NotFound(key)
        return path

    # -- writes --------------------------------------------------------------------------------

    def _write_atomic(self, key: str, fill: Callable[[str], int]) -> int:
        """Create a temp file next to the target, let ``fill(temp_path)`` write it, rename it."""
        target = self._path(key)
        for attempt in range(_MKDIR_ATTEMPTS):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
                break
            except FileNotFoundError:  # a concurrent delete pruned the fresh directory
                if attempt == _MKDIR_ATTEMPTS - 1:
                    raise
            except (NotADirectoryError, FileExistsError) as exc:
                raise StorageError(f"cannot store {key!r}: a parent path is a file") from exc
        os.close(fd)
        try:
            size = fill(tmp)
            os.chmod(tmp, _FILE_MODE)
            if self.fsync:
                _fsync_path(tmp)
            self._confine(key, target)
            os.replace(tmp, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, IsADirectoryError):
                raise StorageError(f"cannot store {key!r}: it is a folder of other keys") from exc
            raise
        if self.fsync:
            _fsync_path(target.parent)
        return size

    def put_file(self, key: str, src_path: str | Path, *, move: bool = False) -> int:
        """Store a copy of ``src_path`` (or rename it into place when ``move``)."""
        src = Path(src_path)
        if not src.is_file():
            raise FileNotFoundError(f"source file not found: {src}")

        def fill(tmp: str) -> int:
            if move:
                try:  # a hard link keeps the source intact until the rename succeeded
                    os.unlink(tmp)
                    os.link(src, tmp)
                    return os.stat(tmp).st_size
                except OSError:  # other filesystem: fall back to copying
                    pass
            shutil.copyfile(src, tmp)
            return os.stat(tmp).st_size

        size = self._write_atomic(key, fill)
        if move:
            with contextlib.suppress(FileNotFoundError):
                src.unlink()
        return size

    def put_bytes(self, key: str, data: bytes) -> int:
        """Store ``data`` under ``key``."""
        return self.put_stream(key, [data])

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store the concatenation of ``chunks`` under ``key``."""

        def fill(tmp: str) -> int:
            total = 0
            with open(tmp, "wb") as out:
                for piece in chunks:
                    out.write(piece)
                    total += len(piece)
            return total

        return self._write_atomic(key, fill)

    # -- reads ---------------------------------------------------------------------------------

    def open_read(self, key: str) -> BinaryIO:
        """Open the object's file for reading."""
        path = self._path(key)
        try:
            return open(path, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(key) from None

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Return bytes ``[start, end)``."""
        return b"".join(self.iter_range(key, start, end))

    def iter_range(
        self, key: str, start: int, end: int, chunk: int = DEFAULT_CHUNK
    ) -> Iterator[bytes]:
        """Yield bytes ``[start, end)`` in pieces of at most ``chunk`` bytes."""
        check_range(start, end)
        handle = self.open_read(key)
        return _iter_file(handle, start, end, max(1, chunk))

    def size(self, key: str) -> int:
        """Return the file size."""
        return self.stat(key).size

    def exists(self, key: str) -> bool:
        """Return whether the key names a regular file."""
        return self._path(key).is_file()

    def stat(self, key: str) -> ObjectStat:
        """Return size, mtime and an etag derived from mtime and size."""
        st = self._existing_file(key).stat()
        etag = f"{st.st_mtime_ns:x}-{st.st_size:x}"
        return ObjectStat(size=st.st_size, mtime=st.st_mtime, etag=etag)

    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys starting with ``prefix`` in sorted order (hidden/temp files skipped)."""
        prefix = validate_prefix(prefix)
        folder = prefix.rpartition("/")[0]
        base = self._confine(prefix, self.root / folder) if folder else self.root
        found = [key for key in _walk_files(base, folder) if key.startswith(prefix)]
        return iter(sorted(found))

    # -- deletes -------------------------------------------------------------------------------

    def delete(self, key: str) -> None:
        """Remove the file (missing is fine) and prune directories it leaves empty."""
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        except IsADirectoryError:
            return
        self._prune(path.parent)

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object under the folder ``prefix``; return how many were removed."""
        prefix = validate_folder_prefix(prefix)
        count = 0
        for key in list(self.list(prefix)):
            self.delete(key)
            count += 1
        return count

    def _prune(self, directory: Path) -> None:
        while directory != self.root and directory.is_relative_to(self.root):
            try:
                directory.rmdir()
            except OSError:  # not empty (or already gone / in use): stop here
                return
            directory = directory.parent

    # -- local access ----------------------------------------------------------------------------

    def local_path(self, key: str) -> Path | None:
        """Return the object's file path (for sendfile or ffmpeg input)."""
        return self._existing_file(key)

    def fetch_to_local(self, key: str, dest_path: str | Path) -> Path:
        """Copy the object's file to ``dest_path``."""
        dest = Path(dest_path)
        shutil.copyfile(self._existing_file(key), dest)
        return dest

    def presigned_url(
        self,
        key: str,
        expires: int,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str | None:
        """Local disk has no presigned URLs: always None (the key is still validated)."""
        validate_key(key)
        check_expiry(expires)
        return None


def _iter_file(handle: BinaryIO, start: int, end: int, chunk: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        remaining = end - start
        while remaining > 0:
            piece = handle.read(min(chunk, remaining))
            if not piece:
                return
            remaining -= len(piece)
            yield piece


def _walk_files(base: Path, folder: str) -> Iterator[str]:
    """Yield keys of regular, non-hidden files below ``base`` (no symlinks followed)."""
    try:
        with os.scandir(base) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        key = f"{folder}/{entry.name}" if folder else entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk_files(Path(entry.path), key)
        elif entry.is_file(follow_symlinks=False):
            yield key


def _fsync_path(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
