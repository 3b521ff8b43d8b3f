"""Frame grabbing on ffmpeg-generated clips: exact and keyframe seeks, scaling, rotation, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from support.thumbnail_clips import FPS, RED, frame_number, is_near, run_ffmpeg

from vpaas.media.frame_grab import ThumbnailError, grab_frame, grab_frames


@pytest.mark.parametrize("t", [0.0, 0.05, 1.0, 1.26, 2.99, 3.5, 4.9])
def test_exact_grab_picks_the_frame_shown_at_t(
    clips: dict[str, Path], frame_levels: list[float], t: float
) -> None:
    assert len(frame_levels) == 50
    assert frame_number(grab_frame(clips["counter"], t), frame_levels) == int(t * FPS + 1e-9)


def test_grab_beyond_duration_gives_last_frame(
    clips: dict[str, Path], frame_levels: list[float]
) -> None:
    assert frame_number(grab_frame(clips["counter"], 60.0), frame_levels) == 49
    assert frame_number(grab_frame(clips["counter"], -3.0), frame_levels) == 0


def test_grab_frames_any_order_and_keyframes(
    clips: dict[str, Path], frame_levels: list[float]
) -> None:
    times = [3.3, 0.4, 1.7, 1.9, 4.95]
    exact = grab_frames(clips["counter"], times)
    assert [frame_number(i, frame_levels) for i in exact] == [33, 4, 17, 19, 49]
    keys = grab_frames(clips["counter"], times, keyframes_only=True)
    assert [frame_number(i, frame_levels) for i in keys] == [30, 0, 10, 10, 40]
    assert frame_number(grab_frame(clips["counter"], 2.5, exact=False), frame_levels) == 20


def test_grab_max_size_scales_in_decoder(clips: dict[str, Path]) -> None:
    assert grab_frame(clips["marker"], 0.5, max_size=(80, 80)).size == (80, 45)
    assert grab_frame(clips["marker"], 0.5, max_size=(1000, 1000)).size == (160, 90)


def _corner_with_red(image: Image.Image) -> str:
    w, h = image.size
    corners = {"tl": (2, 2), "tr": (w - 3, 2), "bl": (2, h - 3), "br": (w - 3, h - 3)}
    found = [k for k, xy in corners.items() if is_near(image.convert("RGB").getpixel(xy), RED)]
    assert len(found) == 1
    return found[0]


def test_rotation_matches_ffmpeg_autorotate(clips: dict[str, Path], tmp_path: Path) -> None:
    reference = tmp_path / "ref.png"
    run_ffmpeg("-i", str(clips["rotated"]), "-frames:v", "1", str(reference))
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
