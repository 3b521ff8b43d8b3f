"""fmp4 indexing against fragmented MP4 files produced by ffmpeg at test time."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import pytest

from vpaas.media.fmp4 import Fmp4Error, TrackIndex, index_fmp4

CMAF = "+frag_keyframe+empty_moov+default_base_moof+cmaf"


def _ffmpeg(*args: str) -> None:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run([*cmd, *args], check=True, timeout=120)


@pytest.fixture(scope="session")
def fmp4_clip(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 5 s 320x180 25 fps H.264 + AAC clip (2 s GOP), packaged like package.py does."""
    d = tmp_path_factory.mktemp("fmp4")
    src = d / "src.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=5",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=5:sample_rate=48000",
        "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-keyint_min", "50",
        "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k", "-ac", "2", str(src),
    )  # fmt: skip
    files = {"src": src}
    packaged = CMAF + "+delay_moov+global_sidx"
    for name, stream, flags in (("video", "0:v", CMAF), ("audio", "0:a", CMAF),
                                ("sidx", "0:v", packaged), ("sidx_audio", "0:a", packaged)):
        out = d / f"{name}.mp4"
        extra = ["-frag_duration", "2000000"] if "audio" in name else []
        _ffmpeg("-i", str(src), "-map", stream, "-c", "copy", *extra, "-movflags", flags, str(out))
        files[name] = out
    return files


def _box_type(path: Path, offset: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset + 4)
        return f.read(4)


def _assert_tiles_file(index: TrackIndex, path: Path) -> None:
    assert index.init_range[0] == 0
    assert _box_type(path, 0) == b"ftyp"
    position = index.init_range[1]
    for fragment in index.fragments:
        assert fragment.offset == position
        assert _box_type(path, fragment.offset) == b"moof"
        position += fragment.length
    trailing = index.file_size - position
    assert trailing == 0 or _box_type(path, position) == b"mfra"
    assert index.file_size == path.stat().st_size


def test_video_index_covers_file_and_times(fmp4_clip: dict[str, Path]) -> None:
    index = index_fmp4(fmp4_clip["video"])
    assert index.kind == "video"
    assert (index.width, index.height) == (320, 180)
    assert index.frame_rate == 25.0
    _assert_tiles_file(index, fmp4_clip["video"])
    assert [round(f.duration_s, 3) for f in index.fragments] == [2.0, 2.0, 1.0]
    assert index.duration_s == pytest.approx(5.0, abs=0.05)
    for before, after in zip(index.fragments, index.fragments[1:], strict=False):
        assert after.start_time_s == pytest.approx(before.end_time_s)


def test_video_codec_string_matches_stream(fmp4_clip: dict[str, Path]) -> None:
    index = index_fmp4(fmp4_clip["video"])
    with av.open(str(fmp4_clip["video"])) as container:
        ctx = container.streams.video[0].codec_context
        assert ctx.profile == "High"
        assert index.codec == f"avc1.6400{ctx.level:02x}"


def test_audio_index(fmp4_clip: dict[str, Path]) -> None:
    index = index_fmp4(fmp4_clip["audio"])
    assert index.kind == "audio"
    assert index.codec == "mp4a.40.2"
    assert (index.sample_rate, index.channels) == (48000, 2)
    assert index.timescale == 48000
    _assert_tiles_file(index, fmp4_clip["audio"])
    assert len(index.fragments) >= 3
    assert index.duration_s == pytest.approx(5.0, abs=0.1)
    assert 40_000 < index.average_bitrate <= index.peak_bitrate < 150_000


def test_sidx_and_moof_walk_agree(fmp4_clip: dict[str, Path]) -> None:
    from_sidx = index_fmp4(fmp4_clip["sidx"])
    from_moofs = index_fmp4(fmp4_clip["sidx"], use_sidx=False)
    assert from_sidx.index_range is not None
    assert _box_type(fmp4_clip["sidx"], from_sidx.index_range[0]) == b"sidx"
    assert from_sidx.init_range == from_moofs.init_range
    assert from_sidx.fragments == from_moofs.fragments
    assert from_sidx.frame_rate == 25.0


def test_sidx_audio_uses_presentation_times(fmp4_clip: dict[str, Path]) -> None:
    from_sidx = index_fmp4(fmp4_clip["sidx_audio"])
    from_moofs = index_fmp4(fmp4_clip["sidx_audio"], use_sidx=False)
    ranges = [(f.offset, f.length) for f in from_sidx.fragments]
    assert ranges == [(f.offset, f.length) for f in from_moofs.fragments]
    # sidx times follow the edit list (AAC priming removed), moof times are decode times
    assert from_sidx.duration_s == pytest.approx(from_moofs.duration_s, abs=0.05)


def test_json_round_trip(fmp4_clip: dict[str, Path]) -> None:
    index = index_fmp4(fmp4_clip["video"])
    restored = TrackIndex.from_dict(json.loads(json.dumps(index.to_dict())))
    assert restored == index
    assert restored.duration_s == index.duration_s


def test_rejects_non_fragmented_and_multi_track(fmp4_clip: dict[str, Path]) -> None:
    with pytest.raises(Fmp4Error, match="exactly one track"):
        index_fmp4(fmp4_clip["src"])


def test_rejects_progressive_single_track(fmp4_clip: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "prog.mp4"
    _ffmpeg("-i", str(fmp4_clip["src"]), "-map", "0:v", "-c", "copy", str(out))
    with pytest.raises(Fmp4Error, match="not fragmented"):
        index_fmp4(out)


def test_rejects_garbage_and_truncated(fmp4_clip: dict[str, Path], tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"this is not an mp4 file at all" * 10)
    with pytest.raises(Fmp4Error):
        index_fmp4(garbage)
    truncated = tmp_path / "truncated.mp4"
    data = fmp4_clip["video"].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(Fmp4Error, match="invalid size"):
        index_fmp4(truncated)
