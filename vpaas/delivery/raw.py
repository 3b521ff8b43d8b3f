"""Media bytes: serveFlavor (signed fMP4 tracks, media playlists, progressive MP4), raw, download.

Signed URLs (made by playManifest) look like::

    /p/{pid}/sp/{pid}00/serveFlavor/entryId/{e}/flavorId/{f}/tk/{token}/track/video/index.m3u8
    /p/{pid}/sp/{pid}00/serveFlavor/entryId/{e}/flavorId/{f}/tk/{token}/track/video/seg.mp4
    /p/{pid}/sp/{pid}00/serveFlavor/entryId/{e}/flavorId/{f}/tk/{token}/a.mp4

Track files are found from the ids alone (their storage keys derive from them), so a fragment
request costs an HMAC check, a stat and (on a cache miss) one read. Unsigned serveFlavor URLs
(flavorAsset.getUrl) and raw/download URLs check the KS and access control (DOWNLOAD).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.delivery import manifests
from vpaas.delivery.common import (
    Caller,
    Delivery,
    DeliveryError,
    access_cache_control,
    endpoint,
    partner_of,
    refuse,
    signed_cache_control,
    url_params,
)
from vpaas.delivery.files import MEDIA_CACHE_CONTROL, serve_stored
from vpaas.domain import asset_state, playback
from vpaas.domain.access.model import ContextType
from vpaas.domain.asset_state import FlavorAssetStatus
from vpaas.domain.entries import EntryType
from vpaas.domain.entry_state import EntryStatus
from vpaas.media.fmp4 import TrackIndex

TRACK_FILES = {"video": ("seg.mp4", "video/mp4"), "audio": ("seg.m4a", "audio/mp4")}
HLS_TYPE = "application/vnd.apple.mpegurl"
PLAYLIST_MAX_AGE = 3600


def flavor_base(base_url: str, partner_id: int, entry_id: str, flavor_id: str,
                token: str) -> str:
    """Absolute signed serveFlavor prefix of one flavor (no trailing slash)."""
    return (f"{base_url}/p/{partner_id}/sp/{partner_id}00/serveFlavor/entryId/{entry_id}"
            f"/flavorId/{flavor_id}/tk/{token}")


def track_playlist_url(base: str, kind: str) -> str:
    """URL of a track's HLS media playlist under a signed flavor prefix."""
    return f"{base}/track/{kind}/index.m3u8"


def track_file_url(base: str, kind: str) -> str:
    """URL of a track's fMP4 file under a signed flavor prefix."""
    return f"{base}/track/{kind}/{TRACK_FILES[kind][0]}"


@dataclass(frozen=True)
class FlavorFacts:
    """What serving a flavor needs from its row (read in a worker thread)."""

    storage_key: str | None
    file_ext: str
    track_index: dict[str, Any]
    duration_ms: int
    size_bytes: int


def _flavor_facts(delivery: Delivery, partner_id: int, entry_id: str,
                  flavor_id: str) -> FlavorFacts:
    with delivery.runtime.db.partner_session(partner_id) as s:
        row = s.scalars(select(FlavorAssetRow).where(
            FlavorAssetRow.id == flavor_id, FlavorAssetRow.entry_id == entry_id)).first()
        if row is None or row.status != FlavorAssetStatus.READY:
            raise DeliveryError(404, "Flavor not found or not ready")
        return FlavorFacts(row.storage_key, row.file_ext or "mp4", dict(row.track_index or {}),
                           int(row.duration_ms or 0), int(row.size_bytes or 0))


def _clip_limit(index: TrackIndex, clip_ms: int) -> int | None:
    """Bytes of a track file a preview may read: up to the end of its last fragment."""
    if clip_ms <= 0:
        return None
    fragments = manifests.clip_fragments(index, clip_ms / 1000)
    last = fragments[-1]
    return last.offset + last.length


async def serve_flavor(delivery: Delivery, request: Request) -> Response:
    """GET /p/{pid}/sp/{spid}/serveFlavor/... (signed or unsigned)."""
    pid = partner_of(request)
    params, file_name = url_params(request.path_params["rest"], request.url.query)
    entry_id, flavor_id = params.get("entryId", ""), params.get("flavorId", "")
    if not entry_id or not flavor_id:
        raise DeliveryError(400, "serveFlavor needs entryId and flavorId")
    if "tk" not in params:
        return await _serve_unsigned(delivery, request, pid, params, entry_id, flavor_id)
    key = await delivery.key(pid)
    token = playback.check_token(key, params["tk"], pid, entry_id, flavor_id)
    if token is None:
        raise DeliveryError(403, "Invalid or expired media URL; request the manifest again")
    kind = params.get("track")
    if kind is None:
        return await _serve_progressive(delivery, request, pid, entry_id, flavor_id, token,
                                        params.get("fileName"))
    if kind not in TRACK_FILES:
        raise DeliveryError(400, f"Unknown track {kind[:20]!r}")
    if file_name == "index.m3u8":
        return await _media_playlist(delivery, pid, entry_id, flavor_id, kind, token)
    limit = None
    if token.clip_ms:
        facts = await run_in_threadpool(_flavor_facts, delivery, pid, entry_id, flavor_id)
        limit = _clip_limit(TrackIndex.from_dict(facts.track_index[kind]), token.clip_ms)
    storage_key = asset_state.track_key(pid, entry_id, flavor_id, kind)
    return await serve_stored(delivery.storage, storage_key, request.headers,
                              media_type=TRACK_FILES[kind][1], cache=delivery.media_cache,
                              method=request.method, limit=limit, paths=delivery.paths,
                              **_caching(delivery, request, signed_cache_control(token.expiry)))


async def _media_playlist(delivery: Delivery, pid: int, entry_id: str, flavor_id: str,
                          kind: str, token: playback.DeliveryToken) -> Response:
    facts = await run_in_threadpool(_flavor_facts, delivery, pid, entry_id, flavor_id)
    data = facts.track_index.get(kind)
    if not data:
        raise DeliveryError(404, f"The flavor has no {kind} track")
    index = TrackIndex.from_dict(data)
    clip_s = token.clip_ms / 1000 if token.clip_ms else None
    text = manifests.hls_media_playlist(index, TRACK_FILES[kind][0], max_duration_s=clip_s)
    cache_control = signed_cache_control(token.expiry, PLAYLIST_MAX_AGE)
    return Response(text, media_type=HLS_TYPE, headers={"cache-control": cache_control})


async def _serve_progressive(delivery: Delivery, request: Request, pid: int, entry_id: str,
                             flavor_id: str, token: playback.DeliveryToken,
                             file_name: str | None) -> Response:
    facts = await run_in_threadpool(_flavor_facts, delivery, pid, entry_id, flavor_id)
    if not facts.storage_key:
        raise DeliveryError(404, "The flavor has no file")
    limit, clip_ms = None, token.clip_ms
    if clip_ms and facts.duration_ms and clip_ms < facts.duration_ms:
        limit = max(1, facts.size_bytes * clip_ms // facts.duration_ms)
    media_type = mimetypes.guess_type(f"a.{facts.file_ext}")[0] or "video/mp4"
    return await serve_stored(delivery.storage, facts.storage_key, request.headers,
                              media_type=media_type, method=request.method, limit=limit,
                              filename=file_name,
                              **_caching(delivery, request, signed_cache_control(token.expiry)))


# --- access-checked downloads ------------------------------------------------------------------


def _entry_for_download(delivery: Delivery, caller: Caller,
                        entry_id: str) -> tuple[EntryRow, str]:
    """The entry (detached) and the Cache-Control its answer may carry; 404/403 refusals."""
    with delivery.runtime.db.partner_session(caller.partner_id) as s:
        entry = s.scalars(select(EntryRow).where(EntryRow.id == entry_id)).first()
        if entry is None or entry.status == EntryStatus.DELETED:
            raise DeliveryError(404, f"Entry {entry_id[:40]} not found")
        decision = playback.decide(s, entry, ContextType.DOWNLOAD, caller.who)
        if not decision.allowed:
            raise refuse(decision)
        s.expunge(entry)
        s.commit()  # keeps the partner's default access profile if it was just created
        return entry, access_cache_control(decision, MEDIA_CACHE_CONTROL)


def _download_flavor(delivery: Delivery, caller: Caller, entry_id: str,
                     flavor_id: str) -> tuple[EntryRow, str, FlavorFacts]:
    entry, cache_control = _entry_for_download(delivery, caller, entry_id)
    return entry, cache_control, _flavor_facts(delivery, caller.partner_id, entry_id, flavor_id)


async def _serve_unsigned(delivery: Delivery, request: Request, pid: int,
                          params: dict[str, str], entry_id: str, flavor_id: str) -> Response:
    caller = await run_in_threadpool(delivery.caller, request, pid, params)
    _, cache_control, facts = await run_in_threadpool(_download_flavor, delivery, caller,
                                                      entry_id, flavor_id)
    if not facts.storage_key:
        raise DeliveryError(404, "The flavor has no file")
    media_type = mimetypes.guess_type(f"a.{facts.file_ext}")[0] or "video/mp4"
    return await serve_stored(delivery.storage, facts.storage_key, request.headers,
                              media_type=media_type, method=request.method,
                              filename=params.get("fileName"),
                              **_caching(delivery, request, cache_control))


async def download(delivery: Delivery, request: Request) -> Response:
    """GET /p/{pid}/sp/{spid}/download/entry_id/{e}/flavor/{f}[/ks/..]: one flavor's file."""
    pid = partner_of(request)
    params, _ = url_params(request.path_params["rest"], request.url.query)
    entry_id, flavor_id = params.get("entry_id", ""), params.get("flavor", "")
    if not entry_id or not flavor_id:
        raise DeliveryError(400, "download needs entry_id and flavor")
    caller = await run_in_threadpool(delivery.caller, request, pid, params)
    entry, cache_control, facts = await run_in_threadpool(_download_flavor, delivery, caller,
                                                          entry_id, flavor_id)
    if not facts.storage_key:
        raise DeliveryError(404, "The flavor has no file")
    name = params.get("file_name") or f"{entry.name or entry.id}.{facts.file_ext}"
    return await serve_stored(delivery.storage, facts.storage_key, request.headers,
                              media_type=mimetypes.guess_type(name)[0] or "video/mp4",
                              method=request.method, filename=name,
                              **_caching(delivery, request, cache_control))


async def raw(delivery: Delivery, request: Request) -> Response:
    """GET /p/{pid}/sp/{spid}/raw/entry_id/{id}/...: the entry's original file."""
    pid = partner_of(request)
    params, _ = url_params(request.path_params["rest"], request.url.query)
    entry_id = params.get("entry_id") or params.get("entryId") or ""
    if not entry_id:
        raise DeliveryError(400, "raw needs entry_id")
    caller = await run_in_threadpool(delivery.caller, request, pid, params)
    entry, cache_control = await run_in_threadpool(_entry_for_download, delivery, caller,
                                                   entry_id)
    if entry.type == EntryType.DATA:
        return Response(entry.data_content or "", media_type="text/plain",
                        headers={"cache-control": cache_control})
    if not entry.source_key:
        raise DeliveryError(404, "The entry has no file yet")
    ext = entry.source_ext or entry.source_key.rsplit(".", 1)[-1]
    name = params.get("file_name") or params.get("relocate") or _download_name(entry, ext)
    attachment = params.get("type") == "download" or "file_name" in params
    media_type = mimetypes.guess_type(f"a.{ext}")[0] or "application/octet-stream"
    return await serve_stored(delivery.storage, entry.source_key, request.headers,
                              media_type=media_type, method=request.method,
                              filename=name if attachment else None,
                              **_caching(delivery, request, cache_control))


def _caching(delivery: Delivery, request: Request, cache_control: str) -> dict[str, str]:
    """``serve_stored`` options of an answer with this Cache-Control."""
    return {"cache_control": cache_control, "accel": delivery.accel_for(request, cache_control)}


def _download_name(entry: EntryRow, ext: str) -> str:
    base = (entry.name or entry.id).strip() or entry.id
    return base if base.lower().endswith("." + ext.lower()) else f"{base}.{ext}"


def bind(delivery: Delivery) -> dict[str, Any]:
    """The endpoints of this module bound to ``delivery``."""
    return {name: endpoint(_bound(fn, delivery)) for name, fn in
            (("serveFlavor", serve_flavor), ("download", download), ("raw", raw))}


def _bound(fn: Any, delivery: Delivery) -> Any:
    async def handler(request: Request) -> Response:
        return await fn(delivery, request)

    handler.__name__ = fn.__name__
    return handler
