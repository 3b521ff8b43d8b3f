"""Parse Kaltura dynamic thumbnail URLs into validated :class:`ThumbParams`.

Grammar: ``/p/{pid}[/sp/{spid}]/thumbnail/name/value/...`` plus an optional query string
(path pairs win over query parameters of the same name). A trailing ``.jpg``, ``.png`` or
``.gif`` is stripped from every value; a ``!`` after width or height forces type 5.
Unknown names are ignored, as Kaltura does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from urllib.parse import parse_qsl, unquote

MAX_DIMENSION = 10_000
MAX_SLICES = 1_000
MAX_STRIPE = 65_500
MAX_SECONDS = 10_000_000.0
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HEX_RE = re.compile(r"^[0-9a-fA-F]{1,6}$")
STRIPPED_SUFFIXES = (".jpg", ".png", ".gif")
FORMATS = {
    "jpg": "jpg", "jpeg": "jpg", "png": "png", "png8": "png", "png24": "png", "png32": "png",
    "png48": "png", "png64": "png", "webp": "webp", "gif": "gif", "bmp": "bmp",
}  # fmt: skip
FALSE_WORDS = {"", "0", "false", "no", "off"}


class ThumbParamError(ValueError):
    """An invalid thumbnail URL parameter; ``reason`` is safe to show to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ThumbParams:
    """Validated parameters of one thumbnail request (defaults = Kaltura's defaults).

    ``width``/``height`` are None when not given; ``start_sec``/``end_sec`` None when no
    slicing window was given. ``type`` is already resolved (``!`` -> 5,
    ``nearest_aspect_ratio`` -> 6).
    """

    partner_id: int
    entry_id: str | None = None
    sub_partner_id: int | None = None
    widget_id: str | None = None
    upload_token_id: str | None = None
    version: int | None = None
    width: int | None = None
    height: int | None = None
    type: int = 1
    nearest_aspect_ratio: bool = False
    bgcolor: str = "ffffff"
    quality: int = 0
    src_x: float = 0.0
    src_y: float = 0.0
    src_w: float = 0.0
    src_h: float = 0.0
    rel_width: float = -1.0
    rel_height: float = -1.0
    vid_sec: float = -1.0
    vid_slice: int = -1
    vid_slices: int = -1
    start_sec: float | None = None
    end_sec: float | None = None
    density: float = 0.0
    strip: bool = False
    format: str = "jpg"
    file_name: str | None = None
    flavor_id: str | None = None
    flavor_params_id: int | None = None
    ks: str | None = None
    referrer: str | None = None

    @property
    def is_capture(self) -> bool:
        """True when a video frame must be captured (vid_sec or vid_slices given)."""
        return self.vid_slices > 0 or self.vid_sec >= 0

    @property
    def is_stripe(self) -> bool:
        """True when the answer is a horizontal sprite of ``vid_slices`` frames."""
        return self.vid_slices > 0 and self.vid_slice < 0

    def cache_key(self) -> str:
        """Stable string covering every parameter that changes the output bytes.

        Access parameters (ks, referrer) and the download name are left out.
        """
        skip = {"ks", "referrer", "file_name", "sub_partner_id"}
        parts = []
        for f in fields(self):
            if f.name not in skip:
                parts.append(f"{f.name}={_key_value(getattr(self, f.name))}")
        return "&".join(parts)


def _key_value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _int(lo: int, hi: int) -> Callable[[str, str], int]:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ThumbParamError(f"{name} must be an integer, got {raw!r}") from None
        if not lo <= value <= hi:
            raise ThumbParamError(f"{name} must be between {lo} and {hi}, got {value}")
        return value

    return parse


def _float(lo: float, hi: float) -> Callable[[str, str], float]:
    def parse(name: str, raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ThumbParamError(f"{name} must be a number, got {raw!r}") from None
        if not math.isfinite(value) or not lo <= value <= hi:
            raise ThumbParamError(f"{name} must be between {lo:g} and {hi:g}, got {raw}")
        return value

    return parse


def _ident(name: str, raw: str) -> str:
    if not ID_RE.match(raw):
        raise ThumbParamError(f"{name} is not a valid id: {raw[:80]!r}")
    return raw


def _text(name: str, raw: str) -> str:
    if len(raw) > 4096 or any(ord(c) < 32 for c in raw):
        raise ThumbParamError(f"{name} is too long or contains control characters")
    return raw


def _bgcolor(name: str, raw: str) -> str:
    value = raw[2:] if raw.lower().startswith("0x") else raw.lstrip("#")
    if not HEX_RE.match(value):
        raise ThumbParamError(f"{name} must be 1-6 hex digits, got {raw!r}")
    return f"{int(value, 16):06x}"


def _format(name: str, raw: str) -> str:
    value = FORMATS.get(raw.lower())
    if value is None:
        raise ThumbParamError(f"unsupported {name} {raw!r} (use jpg, png, webp, gif or bmp)")
    return value


def _flag(name: str, raw: str) -> bool:
    return raw.strip().lower() not in FALSE_WORDS


def _file_name(name: str, raw: str) -> str:
    if not raw or "/" in raw or "\\" in raw or raw in (".", "..") or len(raw) > 255:
        raise ThumbParamError(f"{name} must be a plain file name, got {raw[:80]!r}")
    return _text(name, raw)


def _rel(name: str, raw: str) -> float:
    value = _float(-1.0, MAX_DIMENSION)(name, raw)
    if value != -1.0 and value <= 0:
        raise ThumbParamError(f"{name} must be -1 (unset) or positive, got {raw}")
    return value


PARSERS: dict[str, Callable[[str, str], object]] = {
    "entry_id": _ident,
    "widget_id": _ident,
    "upload_token_id": _ident,
    "flavor_id": _ident,
    "version": _int(0, 10_000_000),
    "type": _int(1, 5),
    "nearest_aspect_ratio": _int(0, 1),
    "bgcolor": _bgcolor,
    "quality": _int(0, 100),
    "src_x": _float(0, MAX_DIMENSION),
    "src_y": _float(0, MAX_DIMENSION),
    "src_w": _float(0, MAX_DIMENSION),
    "src_h": _float(0, MAX_DIMENSION),
    "rel_width": _rel,
    "rel_height": _rel,
    "vid_sec": _float(-1, MAX_SECONDS),
    "vid_slice": _int(-1, MAX_SLICES),
    "vid_slices": _int(-1, MAX_SLICES),
    "start_sec": _float(0, MAX_SECONDS),
    "end_sec": _float(0, MAX_SECONDS),
    "density": _float(0, MAX_DIMENSION),
    "strip": _flag,
    "format": _format,
    "file_name": _file_name,
    "flavor_params_id": _int(0, 2**31 - 1),
    "ks": _text,
    "referrer": _text,
    "def_width": _int(0, MAX_DIMENSION),
    "def_height": _int(0, MAX_DIMENSION),
}


def parse_thumbnail_path(path: str, query: str | Mapping[str, str] = "") -> ThumbParams:
    """Parse a raw (percent-encoded) thumbnail URL path and its query string.

    Raises :class:`ThumbParamError` with a readable reason for anything invalid.
    """
    segments = [unquote(s) for s in path.strip("/").split("/")]
    partner_id, sub_partner_id, rest = _prefix(segments)
    raw = dict(parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else query)
    if len(rest) % 2:
        raise ThumbParamError(f"parameter {rest[-1][:40]!r} has no value")
    raw.update(zip(rest[::2], rest[1::2], strict=True))
    values = _parse_values(raw)
    values["partner_id"] = partner_id
    values["sub_partner_id"] = sub_partner_id
    return _finish(values)


def _prefix(segments: list[str]) -> tuple[int, int | None, list[str]]:
    if len(segments) < 3 or segments[0] != "p" or not segments[1].isdigit():
        raise ThumbParamError("thumbnail URL must start with /p/{partnerId}/")
    if len(segments[1]) > 12:
        raise ThumbParamError("partner id is too long")
    partner_id, rest, sub_partner = int(segments[1]), segments[2:], None
    if rest[0] == "sp":
        if len(rest) < 2 or not rest[1].isdigit() or len(rest[1]) > 14:
            raise ThumbParamError("sp must be followed by a numeric sub-partner id")
        sub_partner, rest = int(rest[1]), rest[2:]
    if not rest or rest[0] != "thumbnail":
        raise ThumbParamError("not a thumbnail URL: expected /thumbnail/ after the partner")
    rest = rest[1:]
    while rest and rest[-1] == "":
        rest.pop()
    return partner_id, sub_partner, rest


def _parse_values(raw: Mapping[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, given in raw.items():
        value = given
        if value.lower().endswith(STRIPPED_SUFFIXES) and name != "file_name":
            value = value[:-4]
        if name in ("width", "height"):
            if value.endswith("!"):
                values["force_stretch"] = True
                value = value[:-1]
            values[name] = _int(0, MAX_DIMENSION)(name, value)
        elif name in PARSERS:
            values[name] = PARSERS[name](name, value)
    return values


def _finish(values: dict[str, object]) -> ThumbParams:
    force = bool(values.pop("force_stretch", False))
    def_w, def_h = values.pop("def_width", None), values.pop("def_height", None)
    if "width" not in values and "height" not in values and (def_w or def_h):
        values["width"], values["height"] = def_w, def_h
    if values.get("nearest_aspect_ratio"):
        values["type"] = 6
    if force:
        values["type"] = 5
    values["nearest_aspect_ratio"] = bool(values.get("nearest_aspect_ratio", 0))
    params = ThumbParams(**values)  # type: ignore[arg-type]
    _check(params)
    return params


def _check(p: ThumbParams) -> None:
    if not (p.entry_id or p.widget_id or p.upload_token_id):
        raise ThumbParamError("entry_id is required (or widget_id / upload_token_id)")
    if p.start_sec is not None and p.end_sec is not None and p.start_sec > p.end_sec:
        raise ThumbParamError(f"start_sec {p.start_sec:g} is after end_sec {p.end_sec:g}")
    if p.vid_slices > 0:
        for name, size in (("width", p.width), ("height", p.height)):
            if size and size * p.vid_slices >= MAX_STRIPE:
                raise ThumbParamError(f"{name} x vid_slices must be below {MAX_STRIPE}")
    elif p.vid_slices == 0:
        raise ThumbParamError("vid_slices must be positive")


def capture_times(params: ThumbParams, duration_s: float) -> list[float]:
    """Seconds at which frames are captured: one per slice for a stripe, one otherwise.

    Slice *i* of N is at ``start + (end - start) / N * i`` when a start_sec/end_sec
    window is given, else at ``floor(duration_ms / N * i / 1000)`` (Kaltura's rule,
    whole seconds). ``vid_slice`` is clamped to N-1. Empty when nothing is captured.
    """
    if not math.isfinite(duration_s) or duration_s < 0:
        raise ThumbParamError(f"invalid media duration {duration_s}")
    if params.vid_slices > 0:
        n = params.vid_slices
        slices = range(n) if params.vid_slice < 0 else [min(params.vid_slice, n - 1)]
        if params.start_sec is None and params.end_sec is None:
            duration_ms = duration_s * 1000
            return [float(math.floor(duration_ms / n * i / 1000)) for i in slices]
        start = min(params.start_sec or 0.0, duration_s)
        end = min(params.end_sec if params.end_sec is not None else duration_s, duration_s)
        end = max(end, start)
        return [start + (end - start) / n * i for i in slices]
    if params.vid_sec >= 0:
        return [min(params.vid_sec, duration_s)]
    return []
