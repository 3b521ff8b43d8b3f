"""Thumb params (``KalturaThumbParams``) as validated rendering and capture specs."""

from __future__ import annotations

import math

from vpaas.domain import thumb_assets as thumbs
from vpaas.media.thumbnails import RenderSpec, ThumbnailError, parse_color
from vpaas.objects.thumb import KalturaThumbParams
from vpaas.registry import catalogue as E

MAX_DIMENSION = 10_000


def _bounded(value: float | None, name: str, low: float, high: float) -> None:
    if value is not None and not (math.isfinite(value) and low <= value <= high):
        raise E.INVALID_PARAMETER_VALUE(value, f"thumbParams:{name}")


def render_spec(tp: KalturaThumbParams | None) -> RenderSpec:
    """Validated rendering options of thumb params (size, crop, quality, colour, format)."""
    if tp is None:
        return RenderSpec(width=0, height=0)
    for name, low, high in (("width", 0, MAX_DIMENSION), ("height", 0, MAX_DIMENSION),
                            ("quality", 0, 100), ("cropX", 0, 1e6), ("cropY", 0, 1e6),
                            ("cropWidth", 0, 1e6), ("cropHeight", 0, 1e6),
                            ("density", 0, 1200)):
        _bounded(getattr(tp, name), name, low, high)
    fmt = tp.format.value if tp.format is not None else "jpg"
    if fmt not in ("jpg", "png"):
        raise E.INVALID_PARAMETER_VALUE(fmt, "thumbParams:format (jpg or png)")
    color = (tp.backgroundColor or "ffffff").strip().lstrip("#").removeprefix("0x")
    try:
        parse_color(color)
    except ThumbnailError:
        raise E.INVALID_PARAMETER_VALUE(tp.backgroundColor, "thumbParams:backgroundColor") from None
    return RenderSpec(
        width=tp.width or 0, height=tp.height or 0, type=int(tp.cropType or 1), bgcolor=color,
        quality=tp.quality or 0, src_x=tp.cropX or 0, src_y=tp.cropY or 0,
        src_w=tp.cropWidth or 0, src_h=tp.cropHeight or 0, format=fmt,
        density=float(tp.density or 0), strip=bool(tp.stripProfiles))


def capture_spec(tp: KalturaThumbParams | None) -> thumbs.CaptureSpec:
    """What to capture and how to render it, from thumb params."""
    if tp is None:
        return thumbs.CaptureSpec()
    _bounded(tp.videoOffset, "videoOffset", 0, 1e7)
    _bounded(tp.videoOffsetInPercentage, "videoOffsetInPercentage", 0, 100)
    _bounded(tp.scaleWidth, "scaleWidth", 0, 10)
    _bounded(tp.scaleHeight, "scaleHeight", 0, 10)
    return thumbs.CaptureSpec(
        render=render_spec(tp), offset_s=tp.videoOffset,
        offset_percent=tp.videoOffsetInPercentage, scale_width=tp.scaleWidth or 0.0,
        scale_height=tp.scaleHeight or 0.0, source_params_id=tp.sourceParamsId)
