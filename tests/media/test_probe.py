"""probe(): fields for each kind of media, and readable rejection of bad files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from vpaas.media.probe import MediaInfo, probe
from vpaas.media.tools import MediaError

MakeMedia = Callable[[str, list[str]], Path]


def test_probe_h264_mp4(clip_h264: Path) -> None:
    info = probe(clip_h264)
    assert isinstance(info, MediaInfo)
    assert info.container == "mp4"
    assert 2900 <= info.duration_ms <= 3100
    assert (info.width, info.height) == (320, 240)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.frame_rate == 25.0
    assert info.rotation == 0
    assert info.has_video and info.has_audio and not info.is_image
    assert info.media_type == "video"
    assert info.web_playable
    assert info.video_bitrate_kbps > 0 and info.audio_bitrate_kbps > 0
    assert info.bitrate_kbps >= info.video_bitrate_kbps
    assert info.size_bytes == clip_h264.stat().st_size
    assert info.audio_sample_rate == 44100 and info.audio_channels == 1


def test_probe_avi_is_not_web_playable(clip_avi: Path) -> None:
    info = probe(clip_avi)
    assert info.container == "avi"
    assert (info.video_codec, info.audio_codec) == ("mpeg4", "mp3")
    assert info.media_type == "video"
    assert not info.web_playable


def test_probe_rotation(clip_rotated: Path) -> None:
    info = probe(clip_rotated)
    assert info.rotation == 90
    assert (info.width, info.height) == (320, 240)
    assert (info.display_width, info.display_height) == (240, 320)


def test_probe_audio_only_is_valid(audio_m4a: Path, audio_mp3: Path) -> None:
    for path, codec in ((audio_m4a, "aac"), (audio_mp3, "mp3")):
        info = probe(path)
        assert info.media_type == "audio"
        assert not info.has_video and info.has_audio
        assert info.audio_codec == codec
        assert 2900 <= info.duration_ms <= 3100
        assert not info.web_playable


def test_probe_image(image_png: Path) -> None:
    info = probe(image_png)
    assert info.is_image and info.media_type == "image"
    assert (info.width, info.height) == (64, 48)
    assert info.duration_ms == 0
    assert not info.web_playable


def test_animated_gif_is_video(make_media: MakeMedia) -> None:
    gif = make_media("anim.gif", ["-f", "lavfi", "-i", "testsrc2=s=64x48:r=10:d=1"])
    info = probe(gif)
    assert info.media_type == "video" and not info.is_image


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (os.urandom(20_000), "not a media file"),
        (b"just some words in a text file\n" * 50, "not a media file"),
    ],
    ids=["zero-length", "random-bytes", "text"],
)
def test_probe_rejects_non_media(tmp_path: Path, content: bytes, reason: str) -> None:
    bad = tmp_path / "upload.mp4"
    bad.write_bytes(content)
    with pytest.raises(MediaError, match=reason):
        probe(bad)


def test_probe_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="not found"):
        probe(tmp_path / "nope.mp4")


def test_probe_rejects_truncated_faststart_mp4(clip_540p: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp4"
    data = clip_540p.read_bytes()
    cut.write_bytes(data[: len(data) // 2])  # index is intact, half the media data is gone
    with pytest.raises(MediaError, match="truncated"):
        probe(cut)


def test_probe_rejects_mp4_cut_before_its_index(make_media: MakeMedia, tmp_path: Path) -> None:
    args = ["-f", "lavfi", "-i", "testsrc2=s=160x120:d=2", "-c:v", "libx264"]
    slow = make_media("moov_at_end.mp4", args)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(slow.read_bytes()[:-2000])
    with pytest.raises(MediaError, match="corrupt"):
        probe(cut)


def test_probe_rejects_undecodable_video(clip_h264: Path, tmp_path: Path) -> None:
    data = bytearray(clip_h264.read_bytes())
    mdat = data.find(b"mdat")
    data[mdat + 4 :] = bytes(len(data) - mdat - 4)  # keep the index, zero all media data
    broken = tmp_path / "zeroed.mp4"
    broken.write_bytes(bytes(data))
    with pytest.raises(MediaError, match="decode"):
        probe(broken)


def test_probe_rejects_absurd_dimensions(make_media: MakeMedia) -> None:
    tiny = make_media("tiny.png", ["-f", "lavfi", "-i", "color=s=8x8", "-frames:v", "1"])
    with pytest.raises(MediaError, match="too small: 8x8"):
        probe(tiny)
    huge = make_media("huge.png", ["-f", "lavfi", "-i", "color=s=9000x16", "-frames:v", "1"])
    with pytest.raises(MediaError, match="too large: 9000x16"):
        probe(huge)


def test_probe_minimum_size_is_accepted(make_media: MakeMedia) -> None:
    small = make_media("16.png", ["-f", "lavfi", "-i", "color=s=16x16", "-frames:v", "1"])
    assert probe(small).is_image


def test_probe_rejects_file_without_audio_or_video(tmp_path: Path) -> None:
    srt = tmp_path / "captions.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n\n")
    with pytest.raises(MediaError, match="no audio or video stream"):
        probe(srt)


def test_probe_refuses_playlists_that_point_elsewhere(tmp_path: Path, clip_h264: Path) -> None:
    playlist = tmp_path / "upload.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\n{clip_h264}\n")
    with pytest.raises(MediaError, match="not a media file"):
        probe(playlist)
    concat = tmp_path / "list.ffconcat"
    concat.write_text(f"ffconcat version 1.0\nfile {clip_h264}\n")
    with pytest.raises(MediaError, match="not a media file"):
        probe(concat)
