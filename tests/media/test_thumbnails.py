"""The Kaltura thumbnail image semantics: sizes, padding, crops, encoding, stripes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from support.thumbnail_clips import BLUE, GREEN, RED, WHITE, frame_number, is_near

from vpaas.media.frame_grab import grab_frames
from vpaas.media.thumbnails import (
    RenderSpec,
    ThumbnailError,
    render,
    render_image,
    stripe,
    stripe_tile_size,
)


def _halves(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Left half red, right half blue."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def _size(spec: RenderSpec, image: Image.Image | None = None) -> tuple[int, int]:
    return render_image(image or _halves(), spec).size


def test_type1_sizes_never_upscale() -> None:
    assert _size(RenderSpec()) == (120, 90)
    assert _size(RenderSpec(width=200, height=200)) == (200, 150)
    assert _size(RenderSpec(width=100)) == (100, 75)
    assert _size(RenderSpec(height=60)) == (80, 60)
    assert _size(RenderSpec(width=0, height=0)) == (400, 300)
    assert _size(RenderSpec(width=800, height=800)) == (400, 300)


def test_type2_pads_with_bgcolor() -> None:
    out = render_image(_halves(), RenderSpec(width=200, height=200, type=2, bgcolor="00ff00"))
    assert out.size == (200, 200)
    assert is_near(out.getpixel((100, 5)), GREEN) and is_near(out.getpixel((100, 194)), GREEN)
    assert is_near(out.getpixel((10, 100)), RED) and is_near(out.getpixel((190, 100)), BLUE)
    small = render_image(_halves((40, 30)), RenderSpec(width=100, height=100, type=2))
    assert small.size == (100, 100) and is_near(small.getpixel((2, 2)), WHITE)
    assert is_near(small.getpixel((35, 50)), RED)


def _top_band() -> Image.Image:
    image = Image.new("RGB", (300, 400), BLUE)
    image.paste(GREEN, (0, 0, 300, 60))
    return image


def test_type3_crops_centre_and_type4_keeps_top() -> None:
    centre = render_image(_top_band(), RenderSpec(width=200, height=100, type=3))
    top = render_image(_top_band(), RenderSpec(width=200, height=100, type=4))
    assert centre.size == top.size == (200, 100)
    assert is_near(top.getpixel((100, 2)), GREEN)
    assert is_near(centre.getpixel((100, 2)), BLUE)
    square = render_image(_halves(), RenderSpec(width=150, height=150, type=3))
    assert square.size == (150, 150)
    assert is_near(square.getpixel((2, 75)), RED) and is_near(square.getpixel((147, 75)), BLUE)


def test_type3_pads_small_sources_instead_of_upscaling() -> None:
    out = render_image(_halves((100, 50)), RenderSpec(width=200, height=200, type=3))
    assert out.size == (200, 200)
    assert is_near(out.getpixel((2, 2)), WHITE) and is_near(out.getpixel((60, 100)), RED)
    assert render_image(_halves(), RenderSpec(width=150, height=150, type=6)).size == (150, 150)


def test_type5_stretches_without_enlarging() -> None:
    assert _size(RenderSpec(width=100, height=200, type=5)) == (100, 200)
    assert _size(RenderSpec(width=800, height=100, type=5)) == (400, 100)


def test_source_crop_and_rel_size() -> None:
    crop = RenderSpec(width=0, height=0, src_x=200, src_y=0, src_w=200, src_h=300)
    out = render_image(_halves(), crop)
    assert out.size == (200, 300) and is_near(out.getpixel((5, 5)), BLUE)
    rel = RenderSpec(width=0, height=0, src_x=100, src_w=100, rel_width=200)
    out = render_image(_halves(), rel)
    assert out.size == (200, 300) and is_near(out.getpixel((5, 5)), BLUE)
    out = render_image(_halves(), RenderSpec(width=0, height=0, src_x=400, src_w=400), (800, 600))
    assert out.size == (200, 300) and is_near(out.getpixel((5, 5)), BLUE)
    with pytest.raises(ThumbnailError, match="outside"):
        render_image(_halves(), RenderSpec(src_x=500))


def test_encode_formats_quality_density_strip() -> None:
    image = _halves()
    jpeg = render(image, RenderSpec(width=200, height=150))
    assert jpeg[:3] == b"\xff\xd8\xff"
    assert render(image, RenderSpec(format="png"))[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(image, RenderSpec(format="webp"))[8:12] == b"WEBP"
    noisy = Image.effect_noise((200, 150), 60).convert("RGB")
    low = render(noisy, RenderSpec(width=0, height=0, quality=10))
    high = render(noisy, RenderSpec(width=0, height=0, quality=95))
    assert len(low) < len(high)
    dpi = Image.open(io.BytesIO(render(image, RenderSpec(density=300)))).info["dpi"]
    assert tuple(round(v) for v in dpi) == (300, 300)
    image.info["icc_profile"] = b"fake-icc-profile-bytes"
    kept = Image.open(io.BytesIO(render(image, RenderSpec(format="png"))))
    stripped = Image.open(io.BytesIO(render(image, RenderSpec(format="png", strip=True))))
    assert kept.info.get("icc_profile") == b"fake-icc-profile-bytes"
    assert "icc_profile" not in stripped.info
    with pytest.raises(ThumbnailError, match="bgcolor"):
        render(image, RenderSpec(bgcolor="zz"))
    with pytest.raises(ThumbnailError, match="format"):
        render(image, RenderSpec(format="tiff"))


def test_stripe_tiles_frames_in_order(clips: dict[str, Path], frame_levels: list[float]) -> None:
    frames = grab_frames(clips["counter"], [0.0, 1.0, 2.0, 3.0, 4.0], keyframes_only=True)
    tile_w, tile_h = stripe_tile_size(32, None, 64, 48, 5)
    assert (tile_w, tile_h) == (32, 24)
    sheet = stripe(frames, tile_w, tile_h)
    assert sheet.size == (160, 24)
    tiles = [sheet.crop((i * 32, 0, (i + 1) * 32, 24)).resize((64, 48)) for i in range(5)]
    assert [frame_number(t, frame_levels) for t in tiles] == [0, 10, 20, 30, 40]


def test_stripe_tile_limits() -> None:
    assert stripe_tile_size(None, None, 640, 360, 100) == (120, 90)
    assert stripe_tile_size(0, 0, 1920, 1080, 100) == (655, 368)
    assert stripe_tile_size(164, None, 640, 360, 100) == (164, 92)
    with pytest.raises(ThumbnailError):
        stripe([], 10, 10)
    with pytest.raises(ThumbnailError):
        stripe([_halves()], 70_000, 10)
