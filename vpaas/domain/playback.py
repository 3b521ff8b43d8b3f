"""Playback rules: which flavors play, what access control allows, signed media URLs, plays.

Used by baseEntry.getPlaybackContext and by the delivery endpoints (playManifest, serveFlavor,
raw, thumbnail). Media byte URLs handed out by playManifest carry a :class:`DeliveryToken`
(an HMAC keyed by the partner's secret) so that segment requests are served without a
database query or a second access-control check; the token also carries a preview limit.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.domain.access import profiles
from vpaas.domain.access.context import AccessContext
from vpaas.domain.access.evaluate import AccessDecision, AccessMessage, evaluate
from vpaas.domain.access.model import ActionType, ContextType, Rule
from vpaas.domain.asset_state import FlavorAssetStatus
from vpaas.domain.entries import EntryType, MediaType
from vpaas.domain.entry_state import EntryStatus

if TYPE_CHECKING:
    from vpaas.api.ks import KsData

ADAPTIVE_FORMATS = ("applehttp", "mpegdash")
FORMATS = ("applehttp", "mpegdash", "url", "download")
DELIVERY_PROFILE_IDS = {"applehttp": 1001, "mpegdash": 1002, "url": 1003}
MANIFEST_EXT = {"applehttp": "m3u8", "mpegdash": "mpd"}
TOKEN_LIFETIME = 24 * 3600
TOKEN_BUCKET = 3600
MODERATION_BLOCKED = (1, 3)  # PENDING_MODERATION, REJECTED
MODERATION_MESSAGE = AccessMessage("ENTRY_MODERATION_ERROR",
                                   "Access to this entry is restricted due to moderation")
NOT_READY_MESSAGE = AccessMessage("ENTRY_NOT_READY", "The entry is not ready for playback")
MAX_SESSION_ID = 128


@dataclass(frozen=True)
class Requester:
    """Who asks for media: what access-control rules see of the request."""

    client_ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    ks: KsData | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return bool(self.ks and self.ks.is_admin)


# --- access ------------------------------------------------------------------------------------


def entry_rules(session: Session, entry: EntryRow) -> list[Rule]:
    """The access-control rules of the entry's profile (the partner default when unset)."""
    return profiles.profile_for_entry(session, entry)


def moderation_blocks(entry: EntryRow, who: Requester) -> bool:
    """Pending or rejected entries play only for admins, the owner or ``sview`` sessions."""
    if entry.moderation_status not in MODERATION_BLOCKED or who.is_admin:
        return False
    ks = who.ks
    if ks is not None and ks.partner_id == entry.partner_id:
        if ks.user_id and ks.user_id == entry.user_id:
            return False
        if ks.privileges.allows_entry("sview", entry.id):
            return False
    return True


def decide(session: Session | None, entry: EntryRow, context: ContextType, who: Requester,
           rules: Sequence[Rule] | None = None) -> AccessDecision:
    """Access-control decision for ``entry`` in ``context`` (rules, scheduling, moderation).

    ``rules`` are the entry's rules when already loaded (then ``session`` may be None).
    """
    if rules is None:
        if session is None:
            raise ValueError("decide needs a session or the entry's rules")
        rules = entry_rules(session, entry)
    if not rules and entry.start_date is None and entry.end_date is None:
        decision = _open_decision(context)
    else:
        ctx = AccessContext(partner_id=entry.partner_id, entry_id=entry.id, context=context,
                            start_date=entry.start_date, end_date=entry.end_date,
                            referrer=who.referrer, client_ip=who.client_ip,
                            user_agent=who.user_agent, ks=who.ks, headers=who.headers)
        decision = evaluate(rules, ctx)
    if context != ContextType.THUMBNAIL and moderation_blocks(entry, who):
        return _with_block(decision, MODERATION_MESSAGE, "moderation")
    return decision


@functools.cache
def _open_decision(context: ContextType) -> AccessDecision:
    """The decision for an entry without rules or schedule (the same for every request)."""
    return evaluate([], AccessContext(partner_id=0, entry_id="", context=context))


def _with_block(decision: AccessDecision, message: AccessMessage, why: str) -> AccessDecision:
    from dataclasses import replace

    from vpaas.domain.access.model import Action

    return replace(decision, allowed=False, blocked=True, reason=f"blocked: {why}",
                   actions=(*decision.actions, Action(ActionType.BLOCK)),
                   messages=(*decision.messages, message))


# --- flavors -----------------------------------------------------------------------------------


def ready_flavors(session: Session, entry_id: str) -> list[FlavorAssetRow]:
    """READY flavors of the entry's current content, lowest bitrate first."""
    rows = session.scalars(select(FlavorAssetRow).where(
        FlavorAssetRow.entry_id == entry_id, FlavorAssetRow.replacing.is_(False),
        FlavorAssetRow.status == int(FlavorAssetStatus.READY)))
    return sorted(rows, key=lambda r: (r.bitrate or 0, r.height or 0, r.id))


def has_tracks(row: FlavorAssetRow) -> bool:
    """True when the flavor is packaged as fMP4 tracks (HLS/DASH playable)."""
    return bool(row.track_index) and bool(row.video_key or row.audio_key)


def _csv(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _tag_match(row: FlavorAssetRow, tags: Iterable[str]) -> bool:
    have = set(_csv(row.tags))
    return any(t in have for t in tags)


@dataclass(frozen=True)
class FlavorQuery:
    """playManifest's flavor selection: ids, then params ids, then tags (first given wins)."""

    flavor_ids: tuple[str, ...] = ()
    flavor_params_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    min_bitrate: int = 0
    max_bitrate: int = 0


def select_flavors(rows: Sequence[FlavorAssetRow], fmt: str, query: FlavorQuery,
                   decision: AccessDecision | None = None) -> list[FlavorAssetRow]:
    """The flavors a playManifest request of format ``fmt`` serves (best last).

    Adaptive formats need packaged tracks; progressive formats need the MP4 file. The
    source is served only when asked for by id or params id (or when nothing else exists
    for a download). LIMIT_FLAVORS actions of ``decision`` apply.
    """
    usable = [r for r in rows if (has_tracks(r) if fmt in ADAPTIVE_FORMATS else r.storage_key)]
    if decision is not None:
        usable = [r for r in usable if decision.flavor_params_allowed(r.flavor_params_id)]
    if query.flavor_ids:
        wanted = set(query.flavor_ids)
        chosen = [r for r in usable if r.id in wanted]
    elif query.flavor_params_ids:
        wanted_params = set(query.flavor_params_ids)
        chosen = [r for r in usable if r.flavor_params_id in wanted_params]
    else:
        web = [r for r in usable if not r.is_original]
        if query.tags and "all" not in query.tags:
            web = [r for r in web if _tag_match(r, query.tags)]
        chosen = web or ([r for r in usable if r.is_original and r.is_web]
                         if fmt != "download" else [r for r in usable if r.is_original])
    if query.min_bitrate:
        chosen = [r for r in chosen if (r.bitrate or 0) >= query.min_bitrate] or chosen[-1:]
    if query.max_bitrate:
        chosen = [r for r in chosen if (r.bitrate or 0) <= query.max_bitrate] or chosen[:1]
    return chosen


def playable(entry: EntryRow) -> bool:
    """True when the entry is a READY audio/video clip."""
    return (entry.type == EntryType.MEDIA_CLIP and entry.status == EntryStatus.READY
            and entry.media_type != MediaType.IMAGE)


# --- the playback context ----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One playback source: a format, its flavors and the playManifest URL."""

    format: str
    delivery_profile_id: int
    flavor_ids: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class PlaybackContext:
    """What getPlaybackContext answers, before it becomes API objects."""

    sources: tuple[Source, ...]
    flavors: tuple[FlavorAssetRow, ...]
    decision: AccessDecision
    messages: tuple[AccessMessage, ...]


def manifest_url(base_url: str, entry: EntryRow, fmt: str, protocol: str,
                 flavor_ids: Sequence[str], ks: str | None = None) -> str:
    """The playManifest URL of ``entry`` in format ``fmt`` for the given flavors."""
    pid = entry.partner_id
    path = (f"/p/{pid}/sp/{pid}00/playManifest/entryId/{entry.id}/protocol/{protocol}"
            f"/format/{fmt}")
    if flavor_ids:
        path += "/flavorIds/" + ",".join(flavor_ids)
    if ks:
        path += f"/ks/{ks}"
    return base_url.rstrip("/") + path + "/a." + MANIFEST_EXT.get(fmt, "mp4")


def build_context(session: Session, entry: EntryRow, who: Requester, base_url: str, *,
                  flavor_tags: str | None = None, streamer_type: str | None = None
                  ) -> PlaybackContext:
    """Sources, flavors, access decision and messages of a playback context."""
    decision = decide(session, entry, ContextType.PLAY, who)
    messages = decision.messages
    if not decision.allowed or not playable(entry):
        if decision.allowed and entry.status != EntryStatus.READY:
            messages = (*messages, NOT_READY_MESSAGE)
        return PlaybackContext((), (), decision, messages)
    rows = ready_flavors(session, entry.id)
    tags = tuple(t for t in _csv(flavor_tags) if t != "all")
    web = [r for r in select_flavors(rows, "url", FlavorQuery(tags=tags), decision)]
    sources = []
    protocol = "https" if base_url.startswith("https:") else "http"
    wanted = [streamer_type] if streamer_type in DELIVERY_PROFILE_IDS else list(
        DELIVERY_PROFILE_IDS)
    for fmt in wanted:
        chosen = web if fmt == "url" else select_flavors(rows, fmt, FlavorQuery(tags=tags),
                                                          decision)
        ids = tuple(r.id for r in chosen)
        if ids:
            sources.append(Source(fmt, DELIVERY_PROFILE_IDS[fmt], ids,
                                  manifest_url(base_url, entry, fmt, protocol, ids)))
    return PlaybackContext(tuple(sources), tuple(web), decision, messages)


# --- signed media URLs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryToken:
    """Grant to fetch one flavor's files until ``expiry``; ``clip_ms`` > 0 limits playback."""

    expiry: int
    clip_ms: int = 0


def _payload(partner_id: int, entry_id: str, flavor_id: str, token: DeliveryToken) -> bytes:
    return f"{partner_id}:{entry_id}:{flavor_id}:{token.expiry}:{token.clip_ms}".encode()


def sign_token(key: bytes, partner_id: int, entry_id: str, flavor_id: str,
               token: DeliveryToken) -> str:
    """The URL form ``{expiry hex}.{clip_ms}.{mac}`` of a token."""
    mac = hmac.new(key, _payload(partner_id, entry_id, flavor_id, token), hashlib.sha256)
    sig = base64.urlsafe_b64encode(mac.digest()[:16]).rstrip(b"=").decode()
    return f"{token.expiry:x}.{token.clip_ms}.{sig}"


def check_token(key: bytes, text: str, partner_id: int, entry_id: str, flavor_id: str,
                now: float | None = None) -> DeliveryToken | None:
    """The token if ``text`` is a valid, unexpired signature for this flavor, else None."""
    parts = text.split(".")
    if len(parts) != 3 or len(text) > 80:
        return None
    try:
        token = DeliveryToken(int(parts[0], 16), int(parts[1]))
    except ValueError:
        return None
    if token.expiry < (time.time() if now is None else now) or token.clip_ms < 0:
        return None
    expected = sign_token(key, partner_id, entry_id, flavor_id, token)
    return token if hmac.compare_digest(expected, text) else None


def new_token(clip_ms: int = 0, now: float | None = None) -> DeliveryToken:
    """A token valid for at least a day; the expiry is rounded so URLs stay cacheable."""
    t = int(time.time() if now is None else now)
    return DeliveryToken((t + TOKEN_LIFETIME) // TOKEN_BUCKET * TOKEN_BUCKET + TOKEN_BUCKET,
                         max(0, int(clip_ms)))


def delivery_key(admin_secret: str) -> bytes:
    """The partner's URL-signing key, derived from its (first) admin secret."""
    secret = admin_secret.split(",")[0].strip().encode()
    return hmac.new(secret, b"vpaas-delivery-v1", hashlib.sha256).digest()


class DeliveryKeys:
    """Partner signing keys, cached for ``ttl`` seconds (loaded through ``load``)."""

    def __init__(self, load: Callable[[int], str | None], ttl: float = 60.0) -> None:
        self._load = load
        self._ttl = ttl
        self._lock = threading.Lock()
        self._keys: dict[int, tuple[float, bytes | None]] = {}

    def cached(self, partner_id: int) -> tuple[bool, bytes | None]:
        """``(fresh, key)`` from the cache without loading."""
        hit = self._keys.get(partner_id)
        if hit is None or time.monotonic() - hit[0] > self._ttl:
            return False, None
        return True, hit[1]

    def get(self, partner_id: int) -> bytes | None:
        """The key of a partner (None for an unknown partner); may query the database."""
        fresh, key = self.cached(partner_id)
        if fresh:
            return key
        secret = self._load(partner_id)
        key = delivery_key(secret) if secret else None
        with self._lock:
            self._keys[partner_id] = (time.monotonic(), key)
        return key


# --- plays ---------------------------------------------------------------------------------------


class PlayCounter:
    """Counts a play per distinct playSessionId and entry (until analytics exist).

    Sessions already counted are remembered in a bounded in-memory set, so a player that
    fetches the manifest again (or a progressive player's range requests) counts once.
    """

    def __init__(self, db: Database, remember: int = 100_000) -> None:
        self.db = db
        self.remember = remember
        self._seen: OrderedDict[tuple[int, str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, partner_id: int, entry_id: str, session_id: str) -> bool:
        """Record the session; True the first time it is seen for this entry."""
        key = (partner_id, entry_id, session_id[:MAX_SESSION_ID])
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return False
            self._seen[key] = None
            while len(self._seen) > self.remember:
                self._seen.popitem(last=False)
        return True

    def count(self, partner_id: int, entry_id: str, session_id: str | None) -> bool:
        """Count a play (``plays + 1``, ``lastPlayedAt``); False when already counted."""
        if session_id and not self.first_time(partner_id, entry_id, session_id):
            return False
        with self.db.partner_session(partner_id) as s:
            s.execute(update(EntryRow).where(EntryRow.id == entry_id).values(
                plays=EntryRow.plays + 1, last_played_at=int(time.time())))
            s.commit()
        return True


def rows_by_id(rows: Iterable[FlavorAssetRow]) -> dict[str, FlavorAssetRow]:
    """Flavor rows keyed by id."""
    return {r.id: r for r in rows}


def action_fields(decision: AccessDecision) -> list[dict[str, Any]]:
    """The decision's actions as plain dicts for API objects (type as a number)."""
    out: list[dict[str, Any]] = []
    for action in decision.actions:
        item: dict[str, Any] = {"type": int(action.type.value)}
        if action.type == ActionType.PREVIEW:
            item["limit"] = action.limit
        if action.type == ActionType.LIMIT_FLAVORS:
            item["flavorParamsIds"] = ",".join(str(i) for i in action.flavor_params_ids)
            item["isBlockedList"] = action.is_blocked_list
        out.append(item)
    return out
