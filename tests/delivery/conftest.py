"""Fragmented MP4 ladder (two video renditions + audio) generated once per session."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

CMAF = "+frag_keyframe+empty_moov+default_base_moof+cmaf"


def _ffmpeg(*args: str) -> None:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run([*cmd, *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files v360.mp4, v180.mp4 (video-only fMP4, 2 s GOP, 5 s, 25 fps) and audio.mp4."""
    d = tmp_path_factory.mktemp("ladder")
    for height, rate in ((360, "400k"), (180, "150k")):
        _ffmpeg(
            "-f", "lavfi", "-i", f"testsrc2=size={height * 16 // 9}x{height}:rate=25:duration=5",
            "-c:v", "libx264", "-preset", "veryfast", "-b:v", rate, "-g", "50",
            "-keyint_min", "50", "-sc_threshold", "0", "-movflags", CMAF, str(d / f"v{height}.mp4"),
        )  # fmt: skip
    _ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=440:duration=5:sample_rate=48000", "-c:a", "aac",
        "-b:a", "64k", "-ac", "2", "-frag_duration", "2000000", "-movflags", CMAF,
        str(d / "audio.mp4"),
    )  # fmt: skip
    return {p.stem: p for p in d.glob("*.mp4")}
