"""Clips for frame-grab and stripe tests: a frame counter, a marker, a rotated marker."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import pytest
from PIL import Image, ImageStat

FPS = 10
RED, BLUE, GREEN, WHITE = (255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 255)


def run_ffmpeg(*args: str) -> None:
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
    run_ffmpeg("-f", "lavfi", "-i", grey, "-c:v", "libx264", "-g", "10", "-bf", "2",
            "-qp", "0", str(d / "counter.mp4"))  # fmt: skip
    marker = "color=blue:size=160x90:rate=25:duration=1,drawbox=x=0:y=0:w=40:h=30:color=red:t=fill"
    run_ffmpeg("-f", "lavfi", "-i", marker, "-c:v", "libx264", "-g", "25", str(d / "marker.mp4"))
    run_ffmpeg("-display_rotation", "90", "-i", str(d / "marker.mp4"), "-c", "copy",
            str(d / "rotated.mp4"))  # fmt: skip
    return {p.stem: p for p in d.glob("*.mp4")}


@pytest.fixture(scope="session")
def frame_levels(clips: dict[str, Path]) -> list[float]:
    """Mean grey of every frame, decoded sequentially (the reference for seeks)."""
    with av.open(str(clips["counter"])) as container:
        return [grey_level(f.to_image()) for f in container.decode(video=0)]


def grey_level(image: Image.Image) -> float:
    return ImageStat.Stat(image.convert("L")).mean[0]


def frame_number(image: Image.Image, levels: list[float]) -> int:
    level = grey_level(image)
    return min(range(len(levels)), key=lambda i: abs(levels[i] - level))

def is_near(pixel: object, color: tuple[int, int, int], tol: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tol for a, b in zip(pixel[:3], color, strict=True))
