"""In-process frame grabbing (PyAV) and the image operations of Kaltura's thumbnail API.

``grab_frame``/``grab_frames`` (from :mod:`vpaas.media.frame_grab`) decode frames without
spawning ffmpeg; ``render`` turns an image into the bytes a thumbnail URL asks for (size,
crop type, padding, format, quality, density); ``stripe`` stitches frames into the
horizontal sprite used by ``vid_slices``. Every resize only scales down: a small source is
never enlarged (padding fills the box where a type asks for a fixed box).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from vpaas.media.frame_grab import ThumbnailError, fit_inside
from vpaas.media.frame_grab import grab_frame as grab_frame  # the toolkit's public API
from vpaas.media.frame_grab import grab_frames as grab_frames

DEFAULT_SIZE = (120, 90)
DEFAULT_JPEG_QUALITY = 75
MAX_OUTPUT_PIXELS = 40_000_000
MAX_STRIPE_WIDTH = 65_500
FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "bmp": "BMP"}


class RenderParams(Protocol):
    """The thumbnail parameters :func:`render` reads (``ThumbParams`` satisfies this)."""

    @property
    def width(self) -> int | None: ...
    @property
    def height(self) -> int | None: ...
    @property
    def type(self) -> int: ...
    @property
    def bgcolor(self) -> str: ...
    @property
    def quality(self) -> int: ...
    @property
    def src_x(self) -> float: ...
    @property
    def src_y(self) -> float: ...
    @property
    def src_w(self) -> float: ...
    @property
    def src_h(self) -> float: ...
    @property
    def rel_width(self) -> float: ...
    @property
    def rel_height(self) -> float: ...
    @property
    def format(self) -> str: ...
    @property
    def density(self) -> float: ...
    @property
    def strip(self) -> bool: ...


@dataclass(frozen=True)
class RenderSpec:
    """A plain :class:`RenderParams`; ``None`` width/height means "not given"."""

    width: int | None = None
    height: int | None = None
    type: int = 1
    bgcolor: str = "ffffff"
    quality: int = 0
    src_x: float = 0.0
    src_y: float = 0.0
    src_w: float = 0.0
    src_h: float = 0.0
    rel_width: float = -1.0
    rel_height: float = -1.0
    format: str = "jpg"
    density: float = 0.0
    strip: bool = False


def parse_color(value: str) -> tuple[int, int, int]:
    """``ff0000`` / ``f00`` style hex (1-6 digits, left-padded with zeros) to RGB."""
    if not 1 <= len(value) <= 6 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise ThumbnailError(f"bgcolor must be 1-6 hex digits, got {value!r}")
    number = int(value, 16)
    return (number >> 16) & 0xFF, (number >> 8) & 0xFF, number & 0xFF


def target_box(
    width: int | None, height: int | None, src_w: int, src_h: int
) -> tuple[int, int] | None:
    """Requested box: both missing -> 120x90, one -> derived from aspect, both 0 -> None."""
    if width is None and height is None:
        return DEFAULT_SIZE
    w, h = width or 0, height or 0
    if w == 0 and h == 0:
        return None
    if w == 0:
        w = max(1, round(h * src_w / src_h))
    elif h == 0:
        h = max(1, round(w * src_h / src_w))
    if w * h > MAX_OUTPUT_PIXELS:
        raise ThumbnailError(f"requested {w}x{h} exceeds {MAX_OUTPUT_PIXELS} pixels")
    return w, h


def source_crop(
    image: Image.Image, params: RenderParams, source_size: tuple[int, int] | None = None
) -> Image.Image:
    """Apply src_x/src_y/src_w/src_h, given in source (or rel_width/rel_height) pixels."""
    if not (params.src_x or params.src_y or params.src_w or params.src_h):
        return image
    space_w, space_h = (float(v) for v in (source_size or image.size))
    if params.rel_width > 0:
        space_w = params.rel_width
    if params.rel_height > 0:
        space_h = params.rel_height
    fx, fy = image.width / space_w, image.height / space_h
    left, top = params.src_x * fx, params.src_y * fy
    right = left + params.src_w * fx if params.src_w > 0 else image.width
    bottom = top + params.src_h * fy if params.src_h > 0 else image.height
    right, bottom = min(right, image.width), min(bottom, image.height)
    box = (round(left), round(top), round(right), round(bottom))
    if box[0] >= box[2] or box[1] >= box[3]:
        size = f"{image.width}x{image.height}"
        raise ThumbnailError(f"crop rectangle {box} lies outside the {size} image")
    return image.crop(box)


def render_image(
    image: Image.Image, params: RenderParams, source_size: tuple[int, int] | None = None
) -> Image.Image:
    """Crop and resize ``image`` per the thumbnail parameters (no encoding).

    Types: 1 fit inside the box keeping aspect; 2 fit and pad to the box with bgcolor;
    3 cover the box and crop the centre; 4 the same with top gravity; 5 stretch to the
    box; 6 (nearest_aspect_ratio) as 3. Nothing is ever enlarged: where the scaled image
    is smaller than a fixed box (types 2, 3, 4, 6) it is padded with bgcolor.
    """
    background = parse_color(params.bgcolor)
    image = source_crop(_rgb(image, params.format), params, source_size)
    box = target_box(params.width, params.height, image.width, image.height)
    if box is None:
        return image
    box_w, box_h = box
    if params.type == 5:
        return _resize(image, (min(box_w, image.width), min(box_h, image.height)))
    if params.type == 1:
        return _resize(image, fit_inside(image.width, image.height, box_w, box_h))
    if params.type == 2:
        fitted = _resize(image, fit_inside(image.width, image.height, box_w, box_h))
        return _pad(fitted, box, background)
    if params.type in (3, 4, 6):
        return _cover(image, box, background, top=params.type == 4)
    raise ThumbnailError(f"unknown thumbnail type {params.type}")


def _rgb(image: Image.Image, fmt: str) -> Image.Image:
    keep_alpha = fmt.lower() in ("png", "webp") and image.mode in ("RGBA", "LA")
    if keep_alpha:
        return image.convert("RGBA")
    return image if image.mode == "RGB" else image.convert("RGB")


def _resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _pad(image: Image.Image, box: tuple[int, int], color: tuple[int, int, int]) -> Image.Image:
    if image.size == box:
        return image
    canvas = Image.new(image.mode, box, color if image.mode == "RGB" else (*color, 255))
    canvas.paste(image, ((box[0] - image.width) // 2, (box[1] - image.height) // 2))
    return canvas


def _cover(
    image: Image.Image, box: tuple[int, int], color: tuple[int, int, int], *, top: bool
) -> Image.Image:
    box_w, box_h = box
    scale = min(max(box_w / image.width, box_h / image.height), 1.0)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    scaled = _resize(image, size)
    crop_w, crop_h = min(box_w, scaled.width), min(box_h, scaled.height)
    left = (scaled.width - crop_w) // 2
    upper = 0 if top else (scaled.height - crop_h) // 2
    cropped = scaled.crop((left, upper, left + crop_w, upper + crop_h))
    return _pad(cropped, box, color)


def encode(
    image: Image.Image, params: RenderParams, *, metadata: dict[str, bytes] | None = None
) -> bytes:
    """Encode to ``params.format`` with quality and density.

    ``metadata`` (icc_profile, exif) is written only when ``params.strip`` is false.
    """
    fmt = FORMATS.get(params.format.lower())
    if fmt is None:
        raise ThumbnailError(f"unsupported output format {params.format!r}")
    options: dict[str, object] = {}
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = params.quality or DEFAULT_JPEG_QUALITY
    if params.density > 0 and fmt in ("JPEG", "PNG"):
        options["dpi"] = (params.density, params.density)
    if metadata and not params.strip:
        options.update({k: v for k, v in metadata.items() if k in ("icc_profile", "exif")})
    if params.strip and image.info:
        image = image.copy()
        image.info = {}
    if fmt in ("JPEG", "BMP") and image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def render(
    image: Image.Image, params: RenderParams, *, source_size: tuple[int, int] | None = None
) -> bytes:
    """Crop, resize and encode ``image`` per Kaltura thumbnail semantics (see render_image).

    ``source_size`` is the original media size when ``image`` was captured from a smaller
    rendition, so that src_* coordinates keep meaning original pixels.
    """
    metadata = {k: v for k, v in image.info.items() if k in ("icc_profile", "exif")}
    return encode(render_image(image, params, source_size), params, metadata=metadata)


def stripe_tile_size(
    width: int | None, height: int | None, src_w: int, src_h: int, slices: int
) -> tuple[int, int]:
    """Tile size of a vid_slices sprite: the usual box rules, original size when both are 0,
    each tile capped at floor(65500 / slices) pixels."""
    if slices <= 0:
        raise ThumbnailError(f"vid_slices must be positive, got {slices}")
    box = target_box(width, height, src_w, src_h) or (src_w, src_h)
    cap = MAX_STRIPE_WIDTH // slices
    if cap < 1:
        raise ThumbnailError(f"{slices} slices do not fit in a {MAX_STRIPE_WIDTH} px stripe")
    tile_w, tile_h = box
    if tile_w > cap:
        tile_w, tile_h = cap, max(1, round(tile_h * cap / tile_w))
    return tile_w, min(tile_h, cap)


def stripe(frames: Sequence[Image.Image], width: int, height: int) -> Image.Image:
    """Horizontal sprite of ``len(frames)`` tiles, each exactly ``width`` x ``height``.

    Frames of another size are resized to the tile (the caller picks a tile with the
    video's aspect ratio, see :func:`stripe_tile_size`).
    """
    if not frames:
        raise ThumbnailError("a stripe needs at least one frame")
    if width <= 0 or height <= 0 or width * len(frames) > MAX_STRIPE_WIDTH:
        raise ThumbnailError(f"invalid stripe geometry {len(frames)} x {width}x{height}")
    if width * len(frames) * height > MAX_OUTPUT_PIXELS:
        raise ThumbnailError("stripe exceeds the output pixel limit")
    sheet = Image.new("RGB", (width * len(frames), height))
    for i, frame in enumerate(frames):
        tile = frame.convert("RGB") if frame.mode != "RGB" else frame
        if tile.size != (width, height):
            tile = tile.resize((width, height), Image.Resampling.BICUBIC, reducing_gap=2.0)
        sheet.paste(tile, (i * width, 0))
    return sheet
