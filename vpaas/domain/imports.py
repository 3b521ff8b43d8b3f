"""URL import: an entry's content fetched from an http(s) URL by the ``import_url`` job.

Limits: ``settings.import_max_bytes`` (size) and ``settings.import_timeout`` (whole
download, seconds). With ``settings.import_block_private`` true (when the lead adds that
setting; off by default so tests can import from 127.0.0.1) URLs whose host resolves to a
loopback, private, link-local, multicast or reserved address are refused, on every redirect
hop. Failures leave the entry ERROR_IMPORTING with a reason a user can read.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from sqlalchemy.orm import Session

from vpaas import jobs
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries, uploads
from vpaas.domain.entry_state import EntryStatus, transition
from vpaas.registry import catalogue as E

log = logging.getLogger(__name__)

IMPORT_JOB = "import_url"
"""Job type; payload ``{"url": str, "headers": [str], "replacement": bool}``."""
MAX_URL_CHARS = 4096
MAX_HEADERS = 20
MAX_REDIRECTS = 5
CHUNK = 1024 * 1024
_FORBIDDEN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")
_DISPOSITION_NAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)


class ImportFailed(Exception):
    """A download that did not succeed; ``reason`` is shown to users as the entry's status."""

    def __init__(self, reason: str, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class Downloaded:
    """A completed download: the temporary file and what the server said about it."""

    path: Path
    filename: str | None
    size: int
    content_type: str


def check_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host, else raise ImportFailed."""
    if not isinstance(url, str) or not url.strip():
        raise ImportFailed("no URL was given")
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise ImportFailed(f"the URL is longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise ImportFailed(f"{url[:200]} is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ImportFailed(f"{url[:200]} is not an http(s) URL")
    if not parts.hostname:
        raise ImportFailed(f"{url[:200]} has no host name")
    return url


def check_address(host: str, port: int) -> None:
    """Refuse a host that resolves to a loopback, private, link-local or reserved address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ImportFailed(f"cannot resolve host {host}: {exc}", retryable=True) from None
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
                or addr.is_reserved or addr.is_unspecified):
            raise ImportFailed(f"host {host} resolves to the non-public address {addr}")


def clean_headers(lines: list[str] | None) -> dict[str, str]:
    """``["Name: value", ...]`` (KalturaUrlResource.urlHeaders) to a header dict."""
    out: dict[str, str] = {}
    for line in (lines or [])[:MAX_HEADERS]:
        name, sep, value = str(line).partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not _HEADER_NAME.fullmatch(name) or any(c in value for c in "\r\n\0"):
            raise ImportFailed(f"invalid URL header {str(line)[:100]!r}: use 'Name: value'")
        if name.lower() not in _FORBIDDEN_HEADERS:
            out[name] = value[:4096]
    return out


def attach_url(session: Session, entry: EntryRow, url: str, headers: list[str] | None = None,
               *, replacement: bool = False) -> None:
    """Validate ``url`` and enqueue its import as the entry's content (or replacement).

    The entry goes IMPORT (a replacement leaves it as it is); a URL that can never be
    imported raises IMPORT_URL_NOT_ALLOWED now.
    """
    try:
        url = check_url(url)
        clean_headers(headers)
    except ImportFailed as exc:
        raise E.IMPORT_URL_NOT_ALLOWED(str(url)[:200], exc.reason) from None
    if replacement:
        entry.pending_replacement = True
        entry.replacement_status = int(entries.ReplacementStatus.APPROVED_BUT_NOT_READY)
        entry.replacement_reason = None
    else:
        transition(entry, EntryStatus.IMPORT)
        entry.source_type = int(entries.SourceType.URL)
    jobs.enqueue(session, IMPORT_JOB, entry.partner_id, entries.OBJECT_TYPE, entry.id,
                 {"url": url, "headers": list(headers or []), "replacement": replacement})


def _filename(response: httpx.Response) -> str | None:
    match = _DISPOSITION_NAME.search(response.headers.get("content-disposition", ""))
    name = unquote(match.group(1)) if match else unquote(response.url.path.rsplit("/", 1)[-1])
    name = Path(name.replace("\\", "/")).name
    return name[:200] or None


def _save(response: httpx.Response, dest_dir: Path, max_bytes: int, deadline: float,
          timeout: float) -> Downloaded:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ImportFailed(f"the file is larger than {max_bytes} bytes ({declared} announced)")
    size = 0
    with tempfile.NamedTemporaryFile(dir=dest_dir, prefix="import-", delete=False) as out:
        path = Path(out.name)
        try:
            for chunk in response.iter_bytes(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ImportFailed(f"the file is larger than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise ImportFailed(f"the download timed out after {timeout:g} seconds",
                                       retryable=True)
                out.write(chunk)
        except BaseException:
            out.close()
            path.unlink(missing_ok=True)
            raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise ImportFailed(f"{response.url} returned an empty file")
    return Downloaded(path, _filename(response), size, response.headers.get("content-type", ""))


def download(url: str, dest_dir: Path, *, max_bytes: int, timeout: float,
             headers: dict[str, str] | None = None, block_private: bool = False) -> Downloaded:
    """Stream ``url`` to a new file in ``dest_dir``, following up to 5 checked redirects."""
    deadline = time.monotonic() + timeout
    limits = httpx.Timeout(min(timeout, 60.0))
    current = check_url(url)
    try:
        with httpx.Client(follow_redirects=False, timeout=limits) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                parts = urlsplit(current)
                if block_private:
                    check_address(parts.hostname or "", parts.port or 0)
                with client.stream("GET", current, headers=headers) as response:
                    if response.is_redirect and "location" in response.headers:
                        target = response.url.join(response.headers["location"])
                        current = check_url(str(target))
                        continue
                    if response.status_code >= 400:
                        code = response.status_code
                        raise ImportFailed(f"HTTP {code} from {current[:200]}",
                                           retryable=code >= 500 or code == 429)
                    return _save(response, dest_dir, max_bytes, deadline, timeout)
    except httpx.TimeoutException:
        raise ImportFailed(f"the download timed out after {timeout:g} seconds",
                           retryable=True) from None
    except httpx.HTTPError as exc:
        raise ImportFailed(f"could not download {url[:200]}: {exc}", retryable=True) from None
    raise ImportFailed(f"more than {MAX_REDIRECTS} redirects from {url[:200]}")


# --- jobs: import_url, store_upload -------------------------------------------------------------


def _wanted(entry: EntryRow | None, job: jobs.JobContext) -> bool:
    """Is the entry still waiting for what this job brings (not deleted, not re-fed)?"""
    if job.type == entries.STORE_UPLOAD_JOB:
        return entries.waiting_for_token(entry, str(job.payload.get("token_id") or ""))
    if entry is None or entry.status == EntryStatus.DELETED:
        return False
    if job.payload.get("replacement"):
        return bool(entry.pending_replacement) and entry.pending_token_id is None
    return entry.status == EntryStatus.IMPORT and entry.pending_token_id is None


def _load(session: Session, job: jobs.JobContext) -> EntryRow | None:
    return session.get(EntryRow, job.object_id) if job.object_id else None


def mark_failed(job: jobs.JobContext, reason: str) -> None:
    """Record a failed import on the entry (ERROR_IMPORTING, or a FAILED replacement)."""
    with job.deps.db.partner_session(job.partner_id) as session:
        entry = _load(session, job)
        if not _wanted(entry, job):
            return
        assert entry is not None
        entry.pending_token_id = None
        if job.payload.get("replacement"):
            entry.pending_replacement = False
            entry.replacement_status = int(entries.ReplacementStatus.FAILED)
            entry.replacement_reason = f"Import failed: {reason}"[:1000]
        else:
            transition(entry, EntryStatus.ERROR_IMPORTING, f"Import failed: {reason}")
        session.commit()


def import_url(job: jobs.JobContext) -> None:
    """Job handler for ``import_url``: download, then store as the entry's source.

    ``job.deps`` is the app's Runtime (settings, db, storage, queue). Network trouble and
    HTTP 5xx are retried by the runner; anything else fails the import at once.
    """
    runtime = job.deps
    settings = runtime.settings
    with runtime.db.partner_session(job.partner_id) as session:
        if not _wanted(_load(session, job), job):
            return
    work = settings.data_path / "tmp" / "imports"
    work.mkdir(parents=True, exist_ok=True)
    try:
        got = download(str(job.payload.get("url") or ""), work,
                       max_bytes=int(settings.import_max_bytes),
                       timeout=float(settings.import_timeout),
                       headers=clean_headers(job.payload.get("headers")),
                       block_private=bool(getattr(settings, "import_block_private", False)))
    except ImportFailed as exc:
        if exc.retryable and job.attempt < job.max_attempts:
            raise
        mark_failed(job, exc.reason)
        raise jobs.PermanentJobError(exc.reason) from None
    try:
        _store(runtime, job, got.path, got.filename)
    finally:
        got.path.unlink(missing_ok=True)


def store_upload(job: jobs.JobContext) -> None:
    """Job handler for ``store_upload``: the completed token's staged file into storage."""
    runtime = job.deps
    token_id = str(job.payload.get("token_id") or "")
    staged = uploads.staged_path(runtime.settings, job.partner_id, token_id)
    with runtime.db.partner_session(job.partner_id) as session:
        if not _wanted(_load(session, job), job):
            return
        token = uploads.get_token(session, token_id)
    if not staged.is_file():
        reason = "the uploaded file is no longer on the server; upload it again"
        mark_failed(job, reason)
        raise jobs.PermanentJobError(reason)
    _store(runtime, job, staged, token.file_name)


def _store(runtime: Any, job: jobs.JobContext, path: Path, filename: str | None) -> None:
    with runtime.db.partner_session(job.partner_id) as session:
        if runtime.queue is not None:
            session.info[jobs.QUEUE_INFO_KEY] = runtime.queue
        entry = _load(session, job)
        if not _wanted(entry, job):
            log.info("entry %s no longer waits for %s; dropped", job.object_id, job.type)
            return
        assert entry is not None
        entries.store_file(session, runtime.storage, entry, path, filename,
                           replacement=bool(job.payload.get("replacement")))
        session.commit()


def register_jobs(handlers: jobs.JobHandlers) -> None:
    """Register the ingest jobs: ``import_url`` and ``store_upload``.

    (``delete_entry_files`` is registered by ``vpaas.jobs.handlers.cleanup``.)
    """
    handlers.register(IMPORT_JOB, import_url, on_failed=mark_failed)
    handlers.register(entries.STORE_UPLOAD_JOB, store_upload, on_failed=mark_failed)
