"""Tiny media files generated with ffmpeg once per test session (lavfi testsrc2 + sine).

Fixtures return paths inside a session temp directory; tests must not modify them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from support.thumbnail_clips import clips, frame_levels  # noqa: F401  (fixtures)

from vpaas.media.tools import ffmpeg_path

MakeMedia = Callable[[str, list[str]], Path]

H264_AAC = [
    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart",
]  # fmt: skip


def lavfi_av(seconds: float, size: str, rate: int = 25) -> list[str]:
    """Inputs for a testsrc2 picture with a 440 Hz tone, ``seconds`` long."""
    return [
        "-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d={seconds}",
        "-f", "lavfi", "-i", f"sine=f=440:sample_rate=44100:d={seconds}",
    ]  # fmt: skip


@pytest.fixture(scope="session")
def make_media(tmp_path_factory: pytest.TempPathFactory) -> MakeMedia:
    """``make_media(name, ffmpeg_args)`` runs ffmpeg once per name and returns the file."""
    root = tmp_path_factory.mktemp("media")
    exe = ffmpeg_path()

    def make(name: str, args: list[str]) -> Path:
        out = root / name
        if not out.exists():
            cmd = [exe, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args, str(out)]
            subprocess.run(cmd, check=True, timeout=120)
        return out

    return make


@pytest.fixture(scope="session")
def clip_h264(make_media: MakeMedia) -> Path:
    """3 s 320x240 H.264/AAC faststart MP4 (web-playable)."""
    return make_media("h264.mp4", [*lavfi_av(3, "320x240"), *H264_AAC, "-shortest"])


@pytest.fixture(scope="session")
def clip_360p(make_media: MakeMedia) -> Path:
    """3 s 640x360 H.264/AAC faststart MP4 at a low bitrate (remux candidate for 360p)."""
    args = [*lavfi_av(3, "640x360"), *H264_AAC, "-b:v", "300k", "-shortest"]
    return make_media("h264_360p.mp4", args)


@pytest.fixture(scope="session")
def clip_540p(make_media: MakeMedia) -> Path:
    """5 s 960x540 H.264/AAC MP4 (three rungs fit under it: 360, 480, 540)."""
    args = [*lavfi_av(5, "960x540", 30), *H264_AAC, "-b:v", "3000k", "-shortest"]
    return make_media("h264_540p.mp4", args)


@pytest.fixture(scope="session")
def clip_avi(make_media: MakeMedia) -> Path:
    """3 s 320x240 MPEG-4 Part 2 + MP3 in AVI (needs transcoding)."""
    args = [*lavfi_av(3, "320x240"), "-c:v", "mpeg4", "-c:a", "libmp3lame", "-shortest"]
    return make_media("mpeg4.avi", args)


@pytest.fixture(scope="session")
def clip_rotated(make_media: MakeMedia, clip_h264: Path) -> Path:
    """``clip_h264`` with a display matrix saying: rotate 90° clockwise for display."""
    args = ["-display_rotation:v:0", "-90", "-i", str(clip_h264), "-c", "copy"]
    return make_media("rotated.mp4", args)


@pytest.fixture(scope="session")
def audio_m4a(make_media: MakeMedia) -> Path:
    """3 s AAC in M4A, no video."""
    args = ["-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "aac", "-b:a", "96k"]
    return make_media("audio.m4a", args)


@pytest.fixture(scope="session")
def audio_mp3(make_media: MakeMedia) -> Path:
    """3 s MP3, no video."""
    return make_media("audio.mp3", ["-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "libmp3lame"])


@pytest.fixture(scope="session")
def image_png(make_media: MakeMedia) -> Path:
    """A single 64x48 PNG still."""
    args = ["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1"]
    return make_media("still.png", args)
