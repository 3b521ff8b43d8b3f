"""The dynamic thumbnail API: /p/{pid}[/sp/{spid}]/thumbnail/entry_id/{id}/name/value/...

Frames are decoded in-process (PyAV), from the smallest rendition at least as large as the
requested box (HLS/DASH video tracks have 2 s GOPs, so seeking is cheap), else the source.
Results are cached on disk under ``<data_dir>/cache/thumbs/{pid}/{entry}/`` and in memory,
keyed by every output-changing parameter and the entry's thumbnail and content versions;
answers carry an ETag (304 on If-None-Match) and Cache-Control. Behind nginx (the
``accel_redirect`` setting) the cached file is handed off with ``X-Accel-Redirect``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from vpaas.db.tables.entry import EntryRow
from vpaas.delivery.common import Caller, Delivery, DeliveryError, endpoint, refuse
from vpaas.delivery.files import accel_response, accel_target, not_modified
from vpaas.delivery.thumbnail_params import (
    ThumbParamError,
    ThumbParams,
    capture_times,
    parse_thumbnail_path,
)
from vpaas.domain import playback
from vpaas.domain.access.model import ContextType
from vpaas.domain.entries import EntryType, MediaType
from vpaas.domain.entry_state import EntryStatus
from vpaas.media import thumbnails
from vpaas.media.thumbnails import ThumbnailError

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp",
                 "gif": "image/gif", "bmp": "image/bmp"}
PUBLIC_CACHE = "public, max-age=3600"
PRIVATE_CACHE = "private, max-age=0"
AUDIO_COLOR = (40, 40, 48)
FACTS_TTL = 5.0
CACHE_FILE_MODE = 0o644


@dataclass(frozen=True)
class Source:
    """The files a thumbnail can be made from, and the facts rendering needs."""

    entry_id: str
    image_key: str | None  # image entries and the default thumbnail
    video: tuple[tuple[int, int, str], ...]  # (width, height, storage key), smallest first
    width: int
    height: int
    duration_s: float
    version: str
    private: bool
    no_capture: bool


def _video_keys(session: Any, entry: EntryRow) -> tuple[tuple[int, int, str], ...]:
    out = []
    for row in playback.ready_flavors(session, entry.id):
        key = row.video_key if row.track_index.get("video") else None
        key = key or (row.storage_key if row.width and (row.is_web or row.is_original) else None)
        if key and row.width and row.height:
            out.append((row.width, row.height, key))
    if entry.source_key and entry.width:
        out.append((entry.width or 0, entry.height or 0, entry.source_key))
    return tuple(sorted(set(out), key=lambda t: (t[0] * t[1], t[2] == entry.source_key)))


@dataclass(frozen=True)
class EntryFacts:
    """A snapshot of an entry for thumbnails: the row (detached), its rules and files."""

    entry: EntryRow
    rules: tuple[Any, ...]
    image_key: str | None
    video: tuple[tuple[int, int, str], ...]


def _entry_facts(delivery: Delivery, partner_id: int, entry_id: str) -> EntryFacts:
    with delivery.runtime.db.partner_session(partner_id) as s:
        entry = s.scalars(select(EntryRow).where(EntryRow.id == entry_id)).first()
        if entry is None or entry.status == EntryStatus.DELETED:
            raise DeliveryError(404, f"Entry {entry_id[:40]} not found")
        rules = tuple(playback.entry_rules(s, entry))
        image = entry.media_type == MediaType.IMAGE or entry.type == EntryType.DOCUMENT
        image_key = entry.source_key if image else (entry.extra or {}).get("thumbKey")
        video = () if image else _video_keys(s, entry)
        s.expunge(entry)
        s.commit()  # keeps the partner's default access profile if it was just created
        return EntryFacts(entry, rules, image_key, video)


class FactsCache:
    """Entry snapshots kept for a few seconds, so cached thumbnails need no query."""

    def __init__(self, ttl: float = FACTS_TTL, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._items: dict[tuple[int, str], tuple[float, EntryFacts]] = {}
        self._locks: dict[tuple[int, str], asyncio.Lock] = {}
        self._parsed: dict[tuple[str, str], tuple[ThumbParams, str]] = {}

    def clear(self) -> None:
        self._items.clear()

    async def get(self, delivery: Delivery, partner_id: int, entry_id: str) -> EntryFacts:
        """The entry's snapshot; one reload at a time per entry when it is stale."""
        key = (partner_id, entry_id)
        hit = self._items.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            hit = self._items.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
            try:
                facts = await run_in_threadpool(_entry_facts, delivery, partner_id, entry_id)
            finally:
                self._locks.pop(key, None)
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[key] = (time.monotonic(), facts)
            return facts

    def parsed(self, request: Request) -> tuple[ThumbParams, str]:
        """The request's parameters and their cache key (memoized per URL)."""
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        raw_path = raw_path.split("?", 1)[0]
        memo_key = (raw_path, request.url.query)
        hit = self._parsed.get(memo_key)
        if hit is not None:
            return hit
        try:
            p = parse_thumbnail_path(raw_path, request.url.query)
        except ThumbParamError as err:
            raise DeliveryError(400, f"Bad thumbnail request: {err.reason}") from None
        if len(self._parsed) >= self.size:
            self._parsed.clear()
        self._parsed[memo_key] = (p, p.cache_key())
        return self._parsed[memo_key]


def _source(facts: EntryFacts, p: ThumbParams, caller: Caller) -> Source:
    entry = facts.entry
    decision = playback.decide(None, entry, ContextType.THUMBNAIL, caller.who,
                               rules=facts.rules)
    if not decision.allowed:
        raise refuse(decision)
    if p.is_capture and decision.limit_thumbnail_capture:
        raise DeliveryError(403, "Capturing frames of this entry is not allowed")
    version = f"{entry.thumb_version}.{entry.version}.{len(facts.video)}.{entry.updated_at}"
    private = decision.has_rules
    return Source(entry.id, facts.image_key, facts.video, entry.width or 0, entry.height or 0,
                  (entry.duration_ms or 0) / 1000, version, private,
                  decision.limit_thumbnail_capture)


def _etag(params_key: str, source: Source) -> str:
    digest = hashlib.sha256(f"{source.version}|{params_key}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def _cache_path(delivery: Delivery, p: ThumbParams, etag: str) -> Path:
    return (delivery.thumb_dir / str(p.partner_id) / str(p.entry_id)
            / f"{etag.strip(chr(34))}.{p.format}")


def _local(delivery: Delivery, key: str) -> str:
    """A path or URL PyAV/Pillow can open for a stored object."""
    path = delivery.storage.local_path(key)
    if path is not None:
        return str(path)
    url = delivery.storage.presigned_url(key, 600)
    if not url:
        raise ThumbnailError("the media file cannot be read")
    return str(url)


def _pick_video(source: Source, box: tuple[int, int] | None) -> str:
    if not source.video:
        raise DeliveryError(404, "The entry has no video to capture from")
    if box is not None:
        for width, height, key in source.video:
            if width >= box[0] and height >= box[1]:
                return key
    return source.video[-1][2]


def _render(delivery: Delivery, p: ThumbParams, source: Source) -> bytes:
    size = (source.width, source.height) if source.width and source.height else None
    if p.is_stripe:
        return _render_stripe(delivery, p, source)
    if p.is_capture:
        box = _wanted_box(p, source)
        key = _pick_video(source, box)
        t = capture_times(p, source.duration_s)[0]
        image = thumbnails.grab_frame(_local(delivery, key), t, exact=True)
        return thumbnails.render(image, p, source_size=size)
    if source.image_key:
        with Image.open(_local(delivery, source.image_key)) as img:
            img.load()
            return thumbnails.render(img, p, source_size=size)
    if source.video:
        t = min(3.0, source.duration_s / 2)
        key = _pick_video(source, _wanted_box(p, source))
        image = thumbnails.grab_frame(_local(delivery, key), t, exact=True)
        return thumbnails.render(image, p, source_size=size)
    if source.duration_s > 0:
        box = thumbnails.target_box(p.width, p.height, 4, 3) or (320, 240)
        return thumbnails.encode(Image.new("RGB", box, AUDIO_COLOR), p)
    raise DeliveryError(404, "The entry has no thumbnail yet")


def _wanted_box(p: ThumbParams, source: Source) -> tuple[int, int] | None:
    if not (source.width and source.height):
        return None
    return thumbnails.target_box(p.width, p.height, source.width, source.height)


def _render_stripe(delivery: Delivery, p: ThumbParams, source: Source) -> bytes:
    src_w, src_h = source.width or 16, source.height or 9
    tile_w, tile_h = thumbnails.stripe_tile_size(p.width, p.height, src_w, src_h, p.vid_slices)
    key = _pick_video(source, (tile_w, tile_h))
    times = capture_times(p, source.duration_s)
    frames = thumbnails.grab_frames(_local(delivery, key), times, keyframes_only=True,
                                    max_size=(max(tile_w, 2), max(tile_h, 2)))
    sheet = thumbnails.stripe(frames, tile_w, tile_h)
    return thumbnails.encode(sheet, p)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, CACHE_FILE_MODE)  # mkstemp makes 0600; a front nginx must read it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _produce(delivery: Delivery, p: ThumbParams, source: Source, etag: str) -> bytes:
    path = _cache_path(delivery, p, etag)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    try:
        data = _render(delivery, p, source)
    except (ThumbnailError, ThumbParamError) as err:
        raise DeliveryError(400, f"Cannot make this thumbnail: {err}") from None
    _write_atomic(path, data)
    return data


async def _handoff(delivery: Delivery, p: ThumbParams, source: Source, etag: str,
                   media_type: str, headers: dict[str, str]) -> Response | None:
    """Let the front nginx send the disk-cached file (rendered first if missing); None when
    the cache path is not a plain path."""
    path = _cache_path(delivery, p, etag)
    relative = path.relative_to(delivery.thumb_dir).as_posix()
    target = accel_target(delivery.accel, f"thumbs/{relative}")
    if target is None:
        return None
    if not path.is_file():
        await run_in_threadpool(_produce, delivery, p, source, etag)
    return accel_response(target, media_type, headers)


async def thumbnail(delivery: Delivery, cache: FactsCache, request: Request) -> Response:
    """GET /p/{pid}[/sp/{spid}]/thumbnail/..."""
    p, params_key = cache.parsed(request)
    if not p.entry_id:
        raise DeliveryError(400, "Thumbnails by widget_id or upload_token_id are not "
                            "supported; give entry_id")
    facts = await cache.get(delivery, p.partner_id, p.entry_id)
    params = {"ks": p.ks or "", "referrer": p.referrer or ""}
    if params["ks"] or request.headers.get("x-kaltura-ks"):
        caller = await run_in_threadpool(delivery.caller, request, p.partner_id, params)
    else:
        caller = delivery.caller(request, p.partner_id, params)
    source = _source(facts, p, caller)
    etag = _etag(params_key, source)
    headers = {"etag": etag, "cache-control": PRIVATE_CACHE if source.private else PUBLIC_CACHE}
    if p.file_name:
        headers["content-disposition"] = f'inline; filename="{p.file_name}"'
    if not_modified({"if-none-match": request.headers.get("if-none-match", "")}, etag, 0) \
            and request.headers.get("if-none-match"):
        return Response(status_code=304, headers=headers)
    media_type = CONTENT_TYPES.get(p.format, "image/jpeg")
    if delivery.accel_for(request, headers["cache-control"]):
        handoff = await _handoff(delivery, p, source, etag, media_type, headers)
        if handoff is not None:
            return handoff
    cache_key = (p.partner_id, p.entry_id, etag)
    data = delivery.thumb_cache.get(cache_key)
    if data is None:
        data = await run_in_threadpool(_produce, delivery, p, source, etag)
        delivery.thumb_cache.put(cache_key, data)
    body = b"" if request.method == "HEAD" else data
    headers["content-length"] = str(len(data))
    return Response(body, media_type=media_type, headers=headers)


def bind(delivery: Delivery) -> Any:
    """The thumbnail endpoint bound to ``delivery``."""
    cache = FactsCache()
    delivery.thumb_facts = cache

    async def handler(request: Request) -> Response:
        return await thumbnail(delivery, cache, request)

    return endpoint(handler)
