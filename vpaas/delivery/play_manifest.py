"""playManifest: /p/{pid}/sp/{pid}00/playManifest/entryId/{id}/format/{fmt}/.../a.{ext}.

Formats: ``applehttp`` (HLS master playlist), ``mpegdash`` (DASH MPD), ``url`` (302 to the
progressive MP4) and ``download`` (302 to the MP4 as an attachment). Flavors are chosen by
``flavorIds``, then ``flavorParamIds``, then ``tags``; access control runs in the PLAY context
(DOWNLOAD for ``download``) and a PREVIEW action clips what is served. Media URLs in the
answers are signed (see :mod:`vpaas.delivery.raw`). Each distinct ``playSessionId`` counts
one play of the entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.delivery import manifests
from vpaas.delivery.common import (
    Caller,
    Delivery,
    DeliveryError,
    access_headers,
    int_param,
    partner_of,
    refuse,
    url_params,
)
from vpaas.delivery.raw import flavor_base, track_file_url, track_playlist_url
from vpaas.domain import playback
from vpaas.domain.access.evaluate import AccessDecision
from vpaas.domain.access.model import ContextType
from vpaas.domain.entries import EntryType
from vpaas.domain.entry_state import EntryStatus
from vpaas.media.fmp4 import TrackIndex

ALIASES = {
    "e": "entryId", "f": "format", "pt": "protocol", "fs": "flavorIds", "fi": "flavorId",
    "fp": "flavorParamId", "fps": "flavorParamIds", "t": "tags", "r": "referrer",
    "sf": "seekFrom", "ct": "clipTo", "mb": "maxBitrate", "mib": "minBitrate",
    "pb": "preferredBitrate", "si": "storageId", "ch": "cdnHost", "dc": "deliveryCode",
    "pc": "playbackContext", "ex": "expiry", "ui": "uiConfId", "entry_id": "entryId",
    "flavorParamsIds": "flavorParamIds", "flavorParamsId": "flavorParamId",
}
HLS_TYPE = "application/vnd.apple.mpegurl"
DASH_TYPE = "application/dash+xml"
NO_STORE = {"cache-control": "no-store"}
MAX_IDS = 50


@dataclass(frozen=True)
class Plan:
    """What one playManifest request serves, read from the database in a worker thread."""

    entry_id: str
    flavors: tuple[FlavorAssetRow, ...]
    clip_ms: int
    decision: AccessDecision


def _query(params: dict[str, str]) -> playback.FlavorQuery:
    ids = params.get("flavorIds") or params.get("flavorId") or ""
    params_ids = params.get("flavorParamIds") or params.get("flavorParamId") or ""
    try:
        pids = tuple(int(p) for p in params_ids.split(",") if p.strip())
    except ValueError:
        raise DeliveryError(400, f"Bad flavorParamIds {params_ids[:40]!r}") from None
    flavor_ids = tuple(p.strip() for p in ids.split(",") if p.strip())
    if len(flavor_ids) > MAX_IDS or len(pids) > MAX_IDS:
        raise DeliveryError(400, f"At most {MAX_IDS} flavors per request")
    tags = tuple(t.strip() for t in params.get("tags", "").split(",") if t.strip())
    return playback.FlavorQuery(flavor_ids, pids, tags, int_param(params, "minBitrate"),
                                int_param(params, "maxBitrate"))


def _plan(delivery: Delivery, caller: Caller, params: dict[str, str], fmt: str) -> Plan:
    entry_id = params.get("entryId", "")
    context = ContextType.DOWNLOAD if fmt == "download" else ContextType.PLAY
    with delivery.runtime.db.partner_session(caller.partner_id) as s:
        entry = s.scalars(select(EntryRow).where(EntryRow.id == entry_id)).first()
        if entry is None or entry.status == EntryStatus.DELETED:
            raise DeliveryError(404, f"Entry {entry_id[:40]} not found")
        if entry.type != EntryType.MEDIA_CLIP:
            raise DeliveryError(404, "Only media entries have play manifests")
        if entry.status != EntryStatus.READY:
            raise DeliveryError(404, f"Entry {entry.id} is not ready for playback")
        decision = playback.decide(s, entry, context, caller.who)
        if not decision.allowed:
            raise refuse(decision)
        rows = playback.ready_flavors(s, entry.id)
        chosen = playback.select_flavors(rows, fmt, _query(params), decision)
        if not chosen:
            raise DeliveryError(404, "No playable flavor matches the request")
        for row in chosen:
            s.expunge(row)
        clip = [int_param(params, "clipTo")] if params.get("clipTo") else []
        preview = decision.clip_to_ms(entry.duration_ms)
        clip += [preview] if preview else []
        plan = Plan(entry.id, tuple(chosen), min(clip) if clip else 0, decision)
        s.commit()  # keeps the partner's default access profile if it was just created
        return plan


def _count_play(delivery: Delivery, request: Request, pid: int, entry_id: str,
                params: dict[str, str]) -> None:
    session_id = params.get("playSessionId") or params.get("sessionId")
    ranged = request.headers.get("range", "")
    if not session_id and ranged and not ranged.startswith("bytes=0-"):
        return
    delivery.plays.count(pid, entry_id, session_id)


async def play_manifest(delivery: Delivery, request: Request) -> Response:
    """GET /p/{pid}/sp/{spid}/playManifest/..."""
    pid = partner_of(request)
    params, _ = url_params(request.path_params["rest"], request.url.query, ALIASES)
    fmt = params.get("format") or "url"
    if fmt not in playback.FORMATS:
        raise DeliveryError(400, f"Unsupported format {fmt[:30]!r}; use applehttp, mpegdash, "
                            "url or download")
    if not params.get("entryId"):
        raise DeliveryError(400, "playManifest needs entryId")
    caller = await run_in_threadpool(delivery.caller, request, pid, params)
    plan = await run_in_threadpool(_plan, delivery, caller, params, fmt)
    key = await delivery.key(pid)
    token = playback.sign_token
    base = delivery.base_url(request)
    signed = {r.id: flavor_base(base, pid, plan.entry_id, r.id,
                                token(key, pid, plan.entry_id, r.id,
                                      playback.new_token(plan.clip_ms)))
              for r in plan.flavors}
    if request.method == "GET":
        await run_in_threadpool(_count_play, delivery, request, pid, plan.entry_id, params)
    headers = {**NO_STORE, **access_headers(plan.decision)}
    if fmt == "applehttp":
        return Response(_hls(plan, signed), media_type=HLS_TYPE, headers=headers)
    if fmt == "mpegdash":
        return Response(_dash(plan, signed), media_type=DASH_TYPE, headers=headers)
    best = plan.flavors[-1]
    url = f"{signed[best.id]}/a.{best.file_ext or 'mp4'}"
    if fmt == "download":
        name = params.get("fileName") or params.get("file_name") or f"{plan.entry_id}"
        url = f"{signed[best.id]}/fileName/{_safe_name(name, best.file_ext or 'mp4')}"
    return RedirectResponse(url, status_code=302, headers=headers)


def _safe_name(name: str, ext: str) -> str:
    cleaned = "".join(c for c in name if c.isalnum() or c in "._-")[:120] or "download"
    return cleaned if "." in cleaned else f"{cleaned}.{ext}"


def _tracks(plan: Plan, kind: str) -> list[tuple[FlavorAssetRow, TrackIndex]]:
    out = []
    for row in plan.flavors:
        data = (row.track_index or {}).get(kind)
        if data:
            out.append((row, TrackIndex.from_dict(data)))
    return out


def _hls(plan: Plan, signed: dict[str, str]) -> str:
    videos = [manifests.rendition_from_index(row.id, index,
                                             track_playlist_url(signed[row.id], "video"))
              for row, index in _tracks(plan, "video")]
    audio_tracks = _tracks(plan, "audio")
    audio = []
    if audio_tracks:
        row, index = max(audio_tracks, key=lambda pair: pair[1].average_bitrate)
        url = track_playlist_url(signed[row.id], "audio")
        audio = [manifests.audio_rendition_from_index(f"{row.id}-audio", index, url)]
        if not videos:
            audio = [manifests.audio_rendition_from_index(
                f"{r.id}-audio", i, track_playlist_url(signed[r.id], "audio"))
                for r, i in audio_tracks]
    return manifests.hls_master(videos, audio)


def _dash(plan: Plan, signed: dict[str, str]) -> str:
    reps = {kind: [manifests.DashRepresentation(f"{row.id}-{kind}", index,
                                                track_file_url(signed[row.id], kind))
                   for row, index in _tracks(plan, kind)] for kind in ("video", "audio")}
    clip = plan.clip_ms / 1000 if plan.clip_ms else None
    return manifests.dash_mpd(reps["video"], reps["audio"], max_duration_s=clip)
