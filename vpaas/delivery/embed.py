"""Player embed loaders: the Kaltura web player bundle, kWidget and the iframe embed page.

- ``/p/{pid}/embedPlaykitJs/uiconf_id/{id}``: the unmodified player bundle
  (``kaltura-ovp-player.js``) followed by the uiConf's server configuration
  (``window.KalturaPlayers[id].config`` and ``window.__kalturaplayerdata``), so pages need
  no ``provider.env``. ``?autoembed=true&entry_id=..&targetId=..`` also embeds in place;
  ``?iframeembed=true&entry_id=..`` answers the iframe embed page instead.
- ``/p/{pid}/sp/{pid}00/embedIframeJs/uiconf_id/{id}/partner_id/{pid}``: our kWidget loader
  (``kWidget.embed``, ``kWidget.thumbEmbed``...), ``?iframeembed=true`` the iframe page,
  ``?autoembed=true`` the loader plus an in-place embed.
- ``/player/kaltura-ovp-player.js`` (and ``/player/{version}/...``, cached for a year): the
  bundle alone.

Unknown partners or uiConfs answer 404 with a short JavaScript (or HTML) error. Mount:
``routes += embed_routes(runtime)``.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vpaas.db.tables.ui_conf import UiConfRow
from vpaas.domain import ui_confs
from vpaas.domain.sessions import PARTNER_ACTIVE
from vpaas.registry import ApiError
from vpaas.runtime import Runtime

PLAYER_DIR = Path(__file__).resolve().parents[1] / "web" / "player"
BUNDLE_PATH = PLAYER_DIR / "node_modules/@playkit-js/kaltura-player-js/dist/kaltura-ovp-player.js"
LOADER_PATH = PLAYER_DIR / "kwidget.js"
LOADER_MARKER = "/*@VPAAS_LOADER_CONFIG@*/ null"
PLAYER_VERSION = ui_confs.PLAYER_VERSION
JS = "text/javascript; charset=utf-8"
HTML = "text/html; charset=utf-8"
EMBED_MAX_AGE = 600
BUNDLE_MAX_AGE = 3600
IMMUTABLE_MAX_AGE = 365 * 86400
GZIP_CACHE_ENTRIES = 16
MAX_FLASHVARS = 50
MAX_FLASHVAR_LENGTH = 4000
_ENTRY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_TARGET_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_:.-]{0,127}$")
_FLASHVAR = re.compile(r"^flashvars\[([A-Za-z][A-Za-z0-9_.]{0,63})\]$")
_NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,6})?$")
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                  "\u2029": "\\u2029"}


class EmbedError(Exception):
    """A request the loaders refuse: an HTTP status and a readable reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element and a JavaScript file."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return "".join(_SCRIPT_UNSAFE.get(ch, ch) for ch in text)


@dataclass(frozen=True)
class Asset:
    """File bytes with their validator."""

    body: bytes
    etag: str


class FileCache:
    """Files read once and re-read when their modification time or size changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[Path, tuple[tuple[int, int], Asset]] = {}

    def read(self, path: Path) -> Asset | None:
        """The file's bytes and ETag, or None when it does not exist."""
        try:
            st = path.stat()
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            hit = self._files.get(path)
        if hit and hit[0] == stamp:
            return hit[1]
        body = path.read_bytes()
        asset = Asset(body, hashlib.sha256(body).hexdigest()[:32])
        with self._lock:
            self._files[path] = (stamp, asset)
        return asset


class GzipCache:
    """Gzipped bodies by ETag, a few at a time (the bundle is ~2.5 MB, ~0.7 MB gzipped)."""

    def __init__(self, entries: int = GZIP_CACHE_ENTRIES) -> None:
        self.entries = entries
        self._lock = threading.Lock()
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, etag: str, body: bytes) -> bytes:
        """The gzipped ``body`` (computed once per ETag while it stays cached)."""
        with self._lock:
            hit = self._items.get(etag)
            if hit is not None:
                self._items.move_to_end(etag)
                return hit
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        with self._lock:
            self._items[etag] = packed
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
        return packed


def embed_routes(runtime: Runtime, player_dir: Path | None = None) -> list[Route]:
    """The embed loader routes (see the module docstring)."""
    ep = EmbedEndpoints(runtime, player_dir)
    get = ["GET", "HEAD"]
    return [
        Route("/p/{pid:int}/embedPlaykitJs/{rest:path}", ep.playkit_js, methods=get),
        Route("/p/{pid:int}/sp/{sp:int}/embedPlaykitJs/{rest:path}", ep.playkit_js, methods=get),
        Route("/p/{pid:int}/sp/{sp:int}/embedIframeJs/{rest:path}", ep.iframe_js, methods=get),
        Route("/p/{pid:int}/embedIframeJs/{rest:path}", ep.iframe_js, methods=get),
        Route("/player/kaltura-ovp-player.js", ep.bundle_file, methods=get),
        Route("/player/{version}/kaltura-ovp-player.js", ep.bundle_file, methods=get),
    ]


class EmbedEndpoints:
    """Handlers of the embed routes; holds the bundle and gzip caches of one app."""

    def __init__(self, runtime: Runtime, player_dir: Path | None = None) -> None:
        self.runtime = runtime
        directory = player_dir or PLAYER_DIR
        self.bundle_path = directory / BUNDLE_PATH.relative_to(PLAYER_DIR)
        self.loader_path = directory / LOADER_PATH.name
        if not self.loader_path.exists():
            self.loader_path = LOADER_PATH
        self.files = FileCache()
        self.gzipped = GzipCache()

    # --- handlers ---------------------------------------------------------------------------

    async def playkit_js(self, request: Request) -> Response:
        """embedPlaykitJs: the bundle plus the uiConf's configuration (or the iframe page)."""
        iframe = _flag(request, "iframeembed")
        try:
            pid, row = await self._ui_conf(request)
            if iframe:
                return await self._iframe_page(request, pid, row)
            bundle = self._bundle()
            tail = self._config_script(request, row)
            if _flag(request, "autoembed"):
                tail += self._autoembed_script(request, pid, row)
            body = bundle.body + b"\n" + tail.encode()
            return await self._send(request, body, JS, _etag(bundle.etag, tail), EMBED_MAX_AGE)
        except EmbedError as err:
            return _error(err, iframe)

    async def iframe_js(self, request: Request) -> Response:
        """embedIframeJs: the kWidget loader (or the iframe page, or loader + auto embed)."""
        iframe = _flag(request, "iframeembed")
        try:
            pid, row = await self._ui_conf(request)
            if iframe:
                return await self._iframe_page(request, pid, row)
            auto = self._embed_settings(request, pid, row) if _flag(request, "autoembed") else None
            body = self._loader(request, pid, row, auto).encode()
            return await self._send(request, body, JS, _etag(body.decode()), EMBED_MAX_AGE)
        except EmbedError as err:
            return _error(err, iframe)

    async def bundle_file(self, request: Request) -> Response:
        """The player bundle itself; a versioned path must name the pinned version."""
        version = request.path_params.get("version")
        try:
            if version is not None and version != PLAYER_VERSION:
                raise EmbedError(404, f"player version {version} is not served; "
                                      f"this server has {PLAYER_VERSION}")
            bundle = self._bundle()
        except EmbedError as err:
            return _error(err, False)
        max_age = IMMUTABLE_MAX_AGE if version else BUNDLE_MAX_AGE
        return await self._send(request, bundle.body, JS, bundle.etag, max_age,
                                immutable=bool(version))

    # --- pieces -----------------------------------------------------------------------------

    async def _ui_conf(self, request: Request) -> tuple[int, UiConfRow]:
        pid = int(request.path_params["pid"])
        params = _path_params(request.path_params.get("rest", ""))
        raw = params.get("uiconf_id") or request.query_params.get("uiconf_id", "")
        if not raw.isdigit() or len(raw) > 12:
            raise EmbedError(404, f"missing or invalid uiconf_id {raw[:40]!r}")
        partner = self.runtime.partners.get(pid) if self.runtime.partners else None
        if partner is None or partner.status != PARTNER_ACTIVE:
            raise EmbedError(404, f"partner {pid} not found")
        return pid, await run_in_threadpool(self._load_row, pid, int(raw))

    def _load_row(self, pid: int, ui_conf_id: int) -> UiConfRow:
        with self.runtime.db.partner_session(pid) as session:
            try:
                row = ui_confs.get(session, ui_conf_id)
            except ApiError:
                raise EmbedError(404, f"uiConf {ui_conf_id} of partner {pid} not found") from None
            session.expunge(row)
            return row

    def _bundle(self) -> Asset:
        asset = self.files.read(self.bundle_path)
        if asset is None:
            raise EmbedError(503, "the player is not installed on this server "
                                  "(run: npm ci --prefix vpaas/web/player)")
        return asset

    def _base_url(self, request: Request) -> str:
        public = (self.runtime.settings.public_url or "").rstrip("/")
        host = request.headers.get("host", request.url.netloc)
        return public or f"{request.url.scheme}://{host}"

    def _config_script(self, request: Request, row: UiConfRow) -> str:
        try:
            config = ui_confs.player_config(row, self._base_url(request))
        except ApiError as err:
            raise EmbedError(500, f"uiConf {row.id} has an unusable config: "
                                  f"{err.message}") from None
        return (";(function(){var c=" + script_json(config) + ";"
                "window.KalturaPlayers=window.KalturaPlayers||{};"
                f"window.KalturaPlayers[\"{row.id}\"]={{config:c}};"
                "window.__kalturaplayerdata=c;})();\n")

    def _autoembed_script(self, request: Request, pid: int, row: UiConfRow) -> str:
        settings = self._embed_settings(request, pid, row)
        target = settings["targetId"]
        setup = {"targetId": target, "provider": {"partnerId": pid, "uiConfId": row.id}}
        media = {"entryId": settings["entry_id"]} if settings.get("entry_id") else None
        return ("(function(){var s=document.currentScript,d=document.getElementById("
                f"{script_json(target)});if(!d){{d=document.createElement('div');"
                f"d.id={script_json(target)};d.style.cssText='width:640px;height:360px';"
                "s.parentNode.insertBefore(d,s);}"
                f"var p=KalturaPlayer.setup({script_json(setup)});"
                + (f"p.loadMedia({script_json(media)});" if media else "") + "})();\n")

    def _loader(self, request: Request, pid: int, row: UiConfRow,
                auto: dict[str, Any] | None) -> str:
        asset = self.files.read(self.loader_path)
        if asset is None:
            raise EmbedError(503, "the kWidget loader is missing from this installation")
        base = self._base_url(request)
        cfg = {"base": base, "partnerId": pid, "uiConfId": row.id,
               "bundleUrl": f"{base}/p/{pid}/embedPlaykitJs/uiconf_id/{row.id}",
               "autoEmbed": auto}
        return asset.body.decode().replace(LOADER_MARKER, script_json(cfg), 1)

    def _embed_settings(self, request: Request, pid: int, row: UiConfRow) -> dict[str, Any]:
        """kWidget.embed settings from the query (entry_id, playerId/targetId, flashvars)."""
        q = request.query_params
        settings: dict[str, Any] = {"wid": f"_{pid}", "uiconf_id": row.id,
                                    "flashvars": _flashvars(request)}
        entry_id = q.get("entry_id") or _path_params(
            request.path_params.get("rest", "")).get("entry_id", "")
        if entry_id:
            if not _ENTRY_ID.match(entry_id):
                raise EmbedError(400, f"invalid entry_id {entry_id[:70]!r}")
            settings["entry_id"] = entry_id
        target = q.get("targetId") or q.get("playerId") or f"kaltura_player_{row.id}"
        if not _TARGET_ID.match(target):
            raise EmbedError(400, f"invalid targetId/playerId {target[:70]!r}")
        settings["targetId"] = target
        return settings

    async def _iframe_page(self, request: Request, pid: int, row: UiConfRow) -> Response:
        settings = self._embed_settings(request, pid, row)
        settings["targetId"] = "player_container"
        loader = self._loader(request, pid, row, None).replace("</", "<\\/")
        title = html.escape(row.name or "Kaltura player")
        page = (
            "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{title}</title><style>html,body{{margin:0;padding:0;width:100%;"
            "height:100%;overflow:hidden;background:#000}#player_container{width:100%;"
            "height:100%}</style></head>\n<body><div id=\"player_container\"></div>\n"
            f"<script>{loader}</script>\n"
            f"<script>kWidget.embed({script_json(settings)});</script>\n</body></html>\n")
        body = page.encode()
        return await self._send(request, body, HTML, _etag(page), EMBED_MAX_AGE)

    async def _send(self, request: Request, body: bytes, media_type: str, etag: str,
                    max_age: int, immutable: bool = False) -> Response:
        cache = f"public, max-age={max_age}" + (", immutable" if immutable else "")
        headers = {"ETag": f'"{etag}"', "Cache-Control": cache, "Vary": "Accept-Encoding",
                   "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
        if _etag_matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower() and len(body) > 1024:
            body = await run_in_threadpool(self.gzipped.get, etag, body)
            headers["Content-Encoding"] = "gzip"
        return Response(body, media_type=media_type, headers=headers)


# --- helpers ------------------------------------------------------------------------------


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").strip().lower() in ("1", "true", "yes")


def _path_params(rest: str) -> dict[str, str]:
    """``uiconf_id/5/partner_id/7`` → ``{"uiconf_id": "5", "partner_id": "7"}``."""
    parts = [p for p in rest.split("/") if p]
    return {parts[i]: parts[i + 1] for i in range(0, len(parts) - 1, 2)}


def _flashvars(request: Request) -> dict[str, Any]:
    """``flashvars[name]=value`` query parameters (booleans and numbers typed)."""
    out: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        match = _FLASHVAR.match(key)
        if not match:
            continue
        if len(out) >= MAX_FLASHVARS or len(value) > MAX_FLASHVAR_LENGTH:
            raise EmbedError(400, f"too many or too long flashvars (at most {MAX_FLASHVARS} "
                                  f"of {MAX_FLASHVAR_LENGTH} characters)")
        out[match.group(1)] = _typed(value)
    return out


def _typed(value: str) -> Any:
    low = value.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if _NUMBER.match(value.strip()):
        return float(value) if "." in value else int(value)
    if value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, dict) else value
    return value


def _etag(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return etag in tags or "*" in tags


def _error(err: EmbedError, as_html: bool) -> Response:
    headers = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}
    if as_html:
        page = ("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Player error"
                f"</title></head><body><p>{html.escape(err.reason)}</p></body></html>\n")
        return Response(page, status_code=err.status, media_type=HTML, headers=headers)
    body = f"/* vpaas: {err.reason.replace('*/', '* /')} */\n" \
           f"if (window.console) console.error({script_json('vpaas: ' + err.reason)});\n"
    return Response(body, status_code=err.status, media_type=JS, headers=headers)
