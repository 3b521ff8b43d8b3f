"""What every /p/{pid}/... delivery endpoint shares: URL parameters, KS, caches, errors."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from vpaas.delivery.files import ByteCache, PathCache, accel_prefix, plain_error
from vpaas.domain import playback, sessions
from vpaas.domain.access.context import decode_referrer
from vpaas.domain.playback import DeliveryKeys, PlayCounter, Requester
from vpaas.registry import ApiError
from vpaas.runtime import Runtime

if TYPE_CHECKING:
    from vpaas.api.ks import KsData

log = logging.getLogger(__name__)
MAX_PATH_CHARS = 8192
MAX_SEGMENTS = 80
MEDIA_CACHE_BYTES = 64 * 1024 * 1024
THUMB_CACHE_BYTES = 32 * 1024 * 1024
SIGNED_MAX_AGE = 86400
PRIVATE_MEDIA_CACHE = "private, max-age=3600"
FRONT_CACHE_HEADER = "x-vpaas-front-cache"
Handler = Callable[[Request], Awaitable[Response]]


class DeliveryError(Exception):
    """An HTTP error answer with a short readable reason."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None
                 ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return plain_error(self.status, self.message, self.headers)


def endpoint(fn: Handler) -> Handler:
    """Turn :class:`DeliveryError` (and unexpected failures) into short text answers."""

    @functools.wraps(fn)
    async def wrapper(request: Request) -> Response:
        try:
            return await fn(request)
        except DeliveryError as err:
            return err.response()
        except Exception:
            log.exception("delivery request failed: %s", request.url.path)
            return plain_error(500, "Internal error (see the server log)")

    return wrapper


def url_params(rest: str, query: str, aliases: Mapping[str, str] | None = None
               ) -> tuple[dict[str, str], str | None]:
    """``name/value/...`` path pairs (plus the query string; the path wins) and a trailing
    file name (an odd last segment), with short parameter names expanded."""
    if len(rest) > MAX_PATH_CHARS:
        raise DeliveryError(414, "URL too long")
    segments = [unquote(s) for s in rest.strip("/").split("/") if s]
    if len(segments) > MAX_SEGMENTS:
        raise DeliveryError(400, "Too many URL parameters")
    file_name = segments.pop() if len(segments) % 2 else None
    params = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
    params.update(zip(segments[::2], segments[1::2], strict=True))
    if aliases:
        params = {aliases.get(k, k): v for k, v in params.items()}
    return params, file_name


def int_param(params: Mapping[str, str], name: str, default: int = 0, lo: int = 0,
              hi: int = 2**31 - 1) -> int:
    """An integer URL parameter, or 400 naming it."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(float(raw))
    except ValueError:
        raise DeliveryError(400, f"Bad value for {name}: {raw[:40]!r}") from None
    if not lo <= value <= hi:
        raise DeliveryError(400, f"{name} must be between {lo} and {hi}")
    return value


@dataclass(frozen=True)
class Caller:
    """The partner and requester of one delivery request."""

    partner_id: int
    who: Requester
    ks_text: str = ""


class Delivery:
    """Per-app delivery state: the runtime, URL-signing keys, play counter and caches.

    ``accel`` is the normalized ``accel_redirect`` prefix ('' when vpaas sends bytes itself).
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.keys = DeliveryKeys(self._secret)
        self.plays = PlayCounter(runtime.db)
        self.media_cache = ByteCache(MEDIA_CACHE_BYTES)
        self.thumb_cache = ByteCache(THUMB_CACHE_BYTES, item_max=4 * 1024 * 1024)
        self.paths = PathCache()
        self.accel = accel_prefix(runtime.settings.accel_redirect)
        self.thumb_facts: Any = None  # set by vpaas.delivery.thumbnail.bind

    @property
    def storage(self) -> Any:
        return self.runtime.storage

    def accel_for(self, request: Request, cache_control: str) -> str:
        """The accel prefix for one answer. A caching front proxy (``X-Vpaas-Front-Cache``)
        gets the bytes of public answers, to store them (nginx does not cache X-Accel-Redirect
        answers); private ones are still handed off."""
        if cache_control.startswith("public") and request.headers.get(FRONT_CACHE_HEADER):
            return ""
        return self.accel

    @property
    def thumb_dir(self) -> Path:
        return self.runtime.settings.data_path / "cache" / "thumbs"

    def _secret(self, partner_id: int) -> str | None:
        row = self.runtime.partners.get(partner_id) if self.runtime.partners else None
        if row is None or row.status != sessions.PARTNER_ACTIVE:
            return None
        return str(row.admin_secret)

    async def key(self, partner_id: int) -> bytes:
        """The partner's URL-signing key (404 for an unknown or blocked partner)."""
        fresh, key = self.keys.cached(partner_id)
        if not fresh:
            key = await run_in_threadpool(self.keys.get, partner_id)
        if key is None:
            raise DeliveryError(404, f"Unknown partner {partner_id}")
        return key

    def base_url(self, request: Request) -> str:
        """Absolute URL prefix clients reach this server at."""
        public = str(self.runtime.settings.public_url or "").rstrip("/")
        if public:
            return public
        host = request.headers.get("host") or request.url.netloc
        return f"{request.url.scheme}://{host}"

    def caller(self, request: Request, partner_id: int, params: Mapping[str, str]) -> Caller:
        """Verify the KS (path, query or ``X-Kaltura-Ks``); 403 for an invalid one."""
        ks_text = params.get("ks") or request.headers.get("x-kaltura-ks") or ""
        forwarded = request.headers.get("x-forwarded-for", "")
        ip = forwarded.split(",")[0].strip() or (request.client.host if request.client else "")
        ks: KsData | None = None
        if ks_text:
            try:
                ks = sessions.verify(self.runtime.db, self.runtime.partners, ks_text, ip)
            except ApiError as err:
                raise DeliveryError(403, f"Invalid KS: {err.message}") from None
            if ks.partner_id != partner_id:
                ks = None
        referrer = decode_referrer(params.get("referrer")) or request.headers.get("referer", "")
        who = Requester(client_ip=ip, user_agent=request.headers.get("user-agent", ""),
                        referrer=referrer, ks=ks, headers=request.headers)
        return Caller(partner_id, who, ks_text if ks else "")


def partner_of(request: Request) -> int:
    """The ``{pid}`` path parameter."""
    return int(request.path_params["pid"])


def signed_cache_control(expiry: int, max_age: int = SIGNED_MAX_AGE,
                         now: float | None = None) -> str:
    """Shared caches may keep a signed answer, but never past its token's expiry."""
    left = int(expiry - (time.time() if now is None else now))
    return f"public, max-age={max(0, min(max_age, left))}"


def access_cache_control(decision: playback.AccessDecision, public: str) -> str:
    """``public`` unless access-control rules apply (the answer then depends on who asks)."""
    return PRIVATE_MEDIA_CACHE if decision.has_rules else public


def access_headers(decision: playback.AccessDecision) -> dict[str, str]:
    """``X-Kaltura: access-control: ...`` with the firing rules' messages."""
    if not decision.rule_messages:
        return {}
    text = "; ".join(m.replace("\n", " ") for m in decision.rule_messages)[:500]
    return {"x-kaltura": "access-control: " + text.encode("latin-1", "replace").decode("latin-1")}


def refuse(decision: playback.AccessDecision) -> DeliveryError:
    """The 403 answer of a refused access-control decision."""
    return DeliveryError(403, f"Access denied: {decision.reason}", access_headers(decision))
