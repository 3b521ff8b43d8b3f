"""package_flavor: stream-copied single-track fragmented MP4 files for HLS/DASH."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import av
import pytest

from vpaas.media.package import PackagedTracks, describe_packaged, package_flavor
from vpaas.media.presets import DEFAULT_LADDER, plan_ladder
from vpaas.media.probe import probe
from vpaas.media.tools import MediaError
from vpaas.media.transcode import transcode_ladder


def top_level_boxes(path: Path) -> list[bytes]:
    data, pos, boxes = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        boxes.append(data[pos + 4 : pos + 8])
        pos += size if size else len(data)
    return boxes


def packet_sizes(path: Path, kind: str) -> list[int]:
    with av.open(str(path)) as container:
        stream = getattr(container.streams, kind)[0]
        return [p.size for p in container.demux(stream) if p.size]


@pytest.fixture(scope="module")
def flavor_mp4(clip_540p: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our 540p flavor (flavor 4) of the 5 s clip: 2 s GOP, AAC 64k."""
    plans = [p for p in plan_ladder(probe(clip_540p), DEFAULT_LADDER) if p.flavor_id == 4]
    return transcode_ladder(clip_540p, plans, tmp_path_factory.mktemp("flavor"), 120, 2)[4]


@pytest.fixture(scope="module")
def packaged(flavor_mp4: Path, tmp_path_factory: pytest.TempPathFactory) -> PackagedTracks:
    return package_flavor(flavor_mp4, tmp_path_factory.mktemp("packaged"), timeout=60)


def test_package_writes_one_video_and_one_audio_track(packaged: PackagedTracks) -> None:
    assert packaged.video is not None and packaged.audio is not None
    assert packaged.video.path.name == "flavor_4.video.mp4"
    assert packaged.audio.path.name == "flavor_4.audio.m4a"
    for track in packaged.tracks:
        with av.open(str(track.path)) as container:
            assert len(container.streams) == 1
            assert container.streams[0].type == track.kind
            frames = sum(1 for _ in container.decode(container.streams[0]))
        assert frames > 0


def test_tracks_are_fragmented_with_init_and_sidx(packaged: PackagedTracks) -> None:
    for track in packaged.tracks:
        boxes = top_level_boxes(track.path)
        assert boxes[:2] == [b"ftyp", b"moov"]
        assert boxes[2] == b"sidx"
        assert boxes.count(b"moof") == boxes.count(b"mdat") >= 3


def test_video_fragments_start_at_each_keyframe(packaged: PackagedTracks) -> None:
    video = packaged.video
    assert video is not None
    assert video.path.read_bytes().count(b"moof") >= 3
    if importlib.util.find_spec("vpaas.media.fmp4") is not None:
        assert video.index is not None
        starts = [round(f.start_time_s, 3) for f in video.index.fragments]
        assert starts == [0.0, 2.0, 4.0]


def test_package_is_a_stream_copy(flavor_mp4: Path, packaged: PackagedTracks) -> None:
    assert packaged.video is not None and packaged.audio is not None
    assert packet_sizes(packaged.video.path, "video") == packet_sizes(flavor_mp4, "video")
    assert packet_sizes(packaged.audio.path, "audio") == packet_sizes(flavor_mp4, "audio")


def test_codec_strings_and_bandwidth(packaged: PackagedTracks) -> None:
    video, audio = packaged.video, packaged.audio
    assert video is not None and audio is not None
    assert video.codec.startswith("avc1.4d")  # Main profile for flavor 4
    assert len(video.codec) == len("avc1.4d401f")
    assert audio.codec == "mp4a.40.2"
    assert packaged.codecs == f"{video.codec},{audio.codec}"
    assert (video.width, video.height) == (960, 540)
    assert audio.sample_rate == 48000 and audio.channels == 2
    assert video.bandwidth >= video.average_bandwidth > 0
    assert packaged.bandwidth == video.bandwidth + audio.bandwidth
    assert 4900 <= video.duration_ms <= 5100


def test_video_only_flavor_has_no_audio_track(make_media: Any, tmp_path: Path) -> None:
    args = ["-f", "lavfi", "-i", "testsrc2=s=160x120:d=2", "-c:v", "libx264", "-g", "25"]
    silent = make_media("silent.mp4", args)
    result = package_flavor(silent, tmp_path)
    assert result.audio is None and result.video is not None
    assert [p.name for p in tmp_path.iterdir()] == ["silent.video.mp4"]


def test_package_rejects_missing_or_bad_input(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="not found"):
        package_flavor(tmp_path / "nope.mp4", tmp_path)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 1000)
    with pytest.raises(MediaError):
        package_flavor(junk, tmp_path / "out")


def test_describe_packaged_needs_every_track(flavor_mp4: Path, tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    with pytest.raises(MediaError, match="video track is missing"):
        describe_packaged(flavor_mp4, {"video": video})
    video.write_bytes(b"")
    with pytest.raises(MediaError, match="audio track is missing"):
        describe_packaged(flavor_mp4, {"video": video})
