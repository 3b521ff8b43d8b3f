"""Frame grabbing on ffmpeg-generated clips and the Kaltura thumbnail image semantics."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import pytest
from PIL import Image, ImageStat

from vpaas.media.thumbnails import (
    RenderSpec,
    ThumbnailError,
    grab_frame,
    grab_frames,
    render,
    render_image,
    stripe,
    stripe_tile_size,
)

FPS = 10
RED, BLUE, GREEN, WHITE = (255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 255)


def _ffmpeg(*args: str) -> None:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run([*cmd, *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """counter.mp4: 5 s at 10 fps whose grey level encodes the frame number (1 s GOP,
    B-frames); marker.mp4: red box top-left; rotated.mp4: marker with display rotation 90."""
    d = tmp_path_factory.mktemp("thumbs")
    grey = (
        f"color=black:size=64x48:rate={FPS}:duration=5,"
        "format=yuv420p,geq=lum='20+4*N':cb=128:cr=128"
    )
    _ffmpeg("-f", "lavfi", "-i", grey, "-c:v", "libx264", "-g", "10", "-bf", "2",
            "-qp", "0", str(d / "counter.mp4"))  # fmt: skip
    marker = "color=blue:size=160x90:rate=25:duration=1,drawbox=x=0:y=0:w=40:h=30:color=red:t=fill"
    _ffmpeg("-f", "lavfi", "-i", marker, "-c:v", "libx264", "-g", "25", str(d / "marker.mp4"))
    _ffmpeg("-display_rotation", "90", "-i", str(d / "marker.mp4"), "-c", "copy",
            str(d / "rotated.mp4"))  # fmt: skip
    return {p.stem: p for p in d.glob("*.mp4")}


@pytest.fixture(scope="session")
def frame_levels(clips: dict[str, Path]) -> list[float]:
    """Mean grey of every frame, decoded sequentially (the reference for seeks)."""
    with av.open(str(clips["counter"])) as container:
        return [_grey(f.to_image()) for f in container.decode(video=0)]


def _grey(image: Image.Image) -> float:
    return ImageStat.Stat(image.convert("L")).mean[0]


def _frame_no(image: Image.Image, levels: list[float]) -> int:
    level = _grey(image)
    return min(range(len(levels)), key=lambda i: abs(levels[i] - level))


@pytest.mark.parametrize("t", [0.0, 0.05, 1.0, 1.26, 2.99, 3.5, 4.9])
def test_exact_grab_picks_the_frame_shown_at_t(
    clips: dict[str, Path], frame_levels: list[float], t: float
) -> None:
    assert len(frame_levels) == 50
    assert _frame_no(grab_frame(clips["counter"], t), frame_levels) == int(t * FPS + 1e-9)


def test_grab_beyond_duration_gives_last_frame(
    clips: dict[str, Path], frame_levels: list[float]
) -> None:
    assert _frame_no(grab_frame(clips["counter"], 60.0), frame_levels) == 49
    assert _frame_no(grab_frame(clips["counter"], -3.0), frame_levels) == 0


def test_grab_frames_any_order_and_keyframes(
    clips: dict[str, Path], frame_levels: list[float]
) -> None:
    times = [3.3, 0.4, 1.7, 1.9, 4.95]
    exact = grab_frames(clips["counter"], times)
    assert [_frame_no(i, frame_levels) for i in exact] == [33, 4, 17, 19, 49]
    keys = grab_frames(clips["counter"], times, keyframes_only=True)
    assert [_frame_no(i, frame_levels) for i in keys] == [30, 0, 10, 10, 40]
    assert _frame_no(grab_frame(clips["counter"], 2.5, exact=False), frame_levels) == 20


def test_grab_max_size_scales_in_decoder(clips: dict[str, Path]) -> None:
    assert grab_frame(clips["marker"], 0.5, max_size=(80, 80)).size == (80, 45)
    assert grab_frame(clips["marker"], 0.5, max_size=(1000, 1000)).size == (160, 90)


def _corner_with_red(image: Image.Image) -> str:
    w, h = image.size
    corners = {"tl": (2, 2), "tr": (w - 3, 2), "bl": (2, h - 3), "br": (w - 3, h - 3)}
    found = [k for k, xy in corners.items() if _is(image.convert("RGB").getpixel(xy), RED)]
    assert len(found) == 1
    return found[0]


def test_rotation_matches_ffmpeg_autorotate(clips: dict[str, Path], tmp_path: Path) -> None:
    reference = tmp_path / "ref.png"
    _ffmpeg("-i", str(clips["rotated"]), "-frames:v", "1", str(reference))
    expected = Image.open(reference)
    image = grab_frame(clips["rotated"], 0.2)
    assert image.size == expected.size == (90, 160)
    assert _corner_with_red(image) == _corner_with_red(expected) == "bl"


def test_grab_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"nope" * 100)
    with pytest.raises(ThumbnailError, match="cannot open"):
        grab_frame(bad, 1.0)
    with pytest.raises(ThumbnailError, match="finite"):
        grab_frame(bad, float("nan"))


# --- render ---------------------------------------------------------------------------


def _is(pixel: object, color: tuple[int, int, int], tol: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tol for a, b in zip(pixel[:3], color, strict=True))


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
    assert _is(out.getpixel((100, 5)), GREEN) and _is(out.getpixel((100, 194)), GREEN)
    assert _is(out.getpixel((10, 100)), RED) and _is(out.getpixel((190, 100)), BLUE)
    small = render_image(_halves((40, 30)), RenderSpec(width=100, height=100, type=2))
    assert small.size == (100, 100) and _is(small.getpixel((2, 2)), WHITE)
    assert _is(small.getpixel((35, 50)), RED)


def _top_band() -> Image.Image:
    image = Image.new("RGB", (300, 400), BLUE)
    image.paste(GREEN, (0, 0, 300, 60))
    return image


def test_type3_crops_centre_and_type4_keeps_top() -> None:
    centre = render_image(_top_band(), RenderSpec(width=200, height=100, type=3))
    top = render_image(_top_band(), RenderSpec(width=200, height=100, type=4))
    assert centre.size == top.size == (200, 100)
    assert _is(top.getpixel((100, 2)), GREEN)
    assert _is(centre.getpixel((100, 2)), BLUE)
    square = render_image(_halves(), RenderSpec(width=150, height=150, type=3))
    assert square.size == (150, 150)
    assert _is(square.getpixel((2, 75)), RED) and _is(square.getpixel((147, 75)), BLUE)


def test_type3_pads_small_sources_instead_of_upscaling() -> None:
    out = render_image(_halves((100, 50)), RenderSpec(width=200, height=200, type=3))
    assert out.size == (200, 200)
    assert _is(out.getpixel((2, 2)), WHITE) and _is(out.getpixel((60, 100)), RED)
    assert render_image(_halves(), RenderSpec(width=150, height=150, type=6)).size == (150, 150)


def test_type5_stretches_without_enlarging() -> None:
    assert _size(RenderSpec(width=100, height=200, type=5)) == (100, 200)
    assert _size(RenderSpec(width=800, height=100, type=5)) == (400, 100)


def test_source_crop_and_rel_size() -> None:
    crop = RenderSpec(width=0, height=0, src_x=200, src_y=0, src_w=200, src_h=300)
    out = render_image(_halves(), crop)
    assert out.size == (200, 300) and _is(out.getpixel((5, 5)), BLUE)
    rel = RenderSpec(width=0, height=0, src_x=100, src_w=100, rel_width=200)
    out = render_image(_halves(), rel)
    assert out.size == (200, 300) and _is(out.getpixel((5, 5)), BLUE)
    out = render_image(_halves(), RenderSpec(width=0, height=0, src_x=400, src_w=400), (800, 600))
    assert out.size == (200, 300) and _is(out.getpixel((5, 5)), BLUE)
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
    assert [_frame_no(t, frame_levels) for t in tiles] == [0, 10, 20, 30, 40]


def test_stripe_tile_limits() -> None:
    assert stripe_tile_size(None, None, 640, 360, 100) == (120, 90)
    assert stripe_tile_size(0, 0, 1920, 1080, 100) == (655, 368)
    assert stripe_tile_size(164, None, 640, 360, 100) == (164, 92)
    with pytest.raises(ThumbnailError):
        stripe([], 10, 10)
    with pytest.raises(ThumbnailError):
        stripe([_halves()], 70_000, 10)
