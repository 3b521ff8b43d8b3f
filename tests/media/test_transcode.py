"""transcode_ladder (one process, aligned keyframes, real MP4 flavors) and remux."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import pytest

import vpaas.media.transcode as transcode_module
from vpaas.media.fmp4 import index_fmp4
from vpaas.media.package import describe_packaged, package_flavor
from vpaas.media.presets import (
    ACTION_TRANSCODE,
    DEFAULT_LADDER,
    FlavorPlan,
    plan_ladder,
)
from vpaas.media.probe import probe
from vpaas.media.tools import MediaError
from vpaas.media.transcode import packaged_targets, remux, transcode_ladder


def keyframe_times(path: Path) -> list[float]:
    """Presentation times (s, 3 decimals) of the video keyframes of ``path``."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sorted(
            round(float(p.pts * stream.time_base), 3)
            for p in container.demux(stream)
            if p.is_keyframe and p.pts is not None
        )


def top_level_boxes(path: Path) -> list[bytes]:
    data, pos, boxes = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        boxes.append(data[pos + 4 : pos + 8])
        pos += size if size else len(data)
    return boxes


class RunSpy:
    """Counts calls to the real run_ffmpeg and keeps their arguments."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[list[str]] = []

    def __call__(self, args: list[str], *rest: Any, **kwargs: Any) -> None:
        self.calls.append(list(args))
        self.real(args, *rest, **kwargs)


@pytest.fixture(scope="module")
def ladder_540p(clip_540p: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("ladder")
    plans = plan_ladder(probe(clip_540p), DEFAULT_LADDER)
    spy = RunSpy(transcode_module.run_ffmpeg)
    progress: list[float] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(transcode_module, "run_ffmpeg", spy)
        outputs = transcode_ladder(clip_540p, plans, out, 120, 2, progress.append)
    return {"outputs": outputs, "calls": spy.calls, "progress": progress, "out": out}


def test_ladder_encodes_every_rung_in_one_process(ladder_540p: dict[str, Any]) -> None:
    outputs = ladder_540p["outputs"]
    assert sorted(outputs) == [2, 3, 4]
    assert len(ladder_540p["calls"]) == 1
    assert any("split=3" in arg for arg in ladder_540p["calls"][0])
    assert ladder_540p["progress"][-1] == 100.0
    assert sorted(p.name for p in ladder_540p["out"].iterdir()) == [
        "flavor_2.mp4", "flavor_3.mp4", "flavor_4.mp4",
    ]  # fmt: skip


def test_ladder_outputs_are_progressive_h264_aac_mp4(ladder_540p: dict[str, Any]) -> None:
    expected = {2: (640, 360, "Constrained Baseline"), 3: (854, 480, "Constrained Baseline"),
                4: (960, 540, "Main")}  # fmt: skip
    for fid, path in ladder_540p["outputs"].items():
        info = probe(path)
        assert info.web_playable and info.container == "mp4"
        assert (info.width, info.height, info.video_profile) == expected[fid]
        assert info.pix_fmt == "yuv420p"
        assert info.audio_codec == "aac" and info.audio_sample_rate == 48000
        assert 4900 <= info.duration_ms <= 5100
        boxes = top_level_boxes(path)
        assert boxes.index(b"moov") < boxes.index(b"mdat")  # faststart


def test_ladder_keyframes_are_aligned_every_two_seconds(ladder_540p: dict[str, Any]) -> None:
    times = {fid: keyframe_times(path) for fid, path in ladder_540p["outputs"].items()}
    assert times[2] == [0.0, 2.0, 4.0]
    assert times[2] == times[3] == times[4]


def test_ladder_handles_rotation(clip_rotated: Path, tmp_path: Path) -> None:
    plans = plan_ladder(probe(clip_rotated), DEFAULT_LADDER)
    plan = next(p for p in plans if p.flavor_id == 2)
    assert plan.action == ACTION_TRANSCODE and (plan.width, plan.height) == (240, 320)
    out = transcode_ladder(clip_rotated, plans, tmp_path, 60, 1)
    info = probe(out[2])
    assert (info.width, info.height, info.rotation) == (240, 320, 0)


def test_ladder_transcodes_non_web_source(clip_avi: Path, tmp_path: Path) -> None:
    out = transcode_ladder(clip_avi, plan_ladder(probe(clip_avi), DEFAULT_LADDER), tmp_path, 60, 1)
    info = probe(out[2])
    assert info.web_playable and (info.width, info.height) == (320, 240)


def test_audio_only_source_makes_aac_flavor(audio_mp3: Path, tmp_path: Path) -> None:
    out = transcode_ladder(audio_mp3, plan_ladder(probe(audio_mp3), DEFAULT_LADDER), tmp_path,
                           60, 1)  # fmt: skip
    assert list(out) == [11]
    info = probe(out[11])
    assert info.media_type == "audio" and info.audio_codec == "aac"
    assert info.container in ("mp4", "m4a")


def test_nothing_to_transcode_returns_empty(image_png: Path, tmp_path: Path) -> None:
    assert transcode_ladder(image_png, plan_ladder(probe(image_png), DEFAULT_LADDER),
                            tmp_path, 60, 1) == {}  # fmt: skip


def test_ladder_timeout_leaves_no_files(clip_540p: Path, tmp_path: Path) -> None:
    plans = plan_ladder(probe(clip_540p), DEFAULT_LADDER)
    with pytest.raises(MediaError, match="timed out"):
        transcode_ladder(clip_540p, plans, tmp_path, 0.05, 1)
    assert list(tmp_path.iterdir()) == []


def test_ladder_failure_is_readable_and_cleans_up(clip_h264: Path, tmp_path: Path) -> None:
    spec = next(s for s in DEFAULT_LADDER if s.id == 2)
    bad = FlavorPlan(spec, ACTION_TRANSCODE, width=320, height=240, video_bitrate_kbps=400)
    broken = tmp_path / "broken.mp4"
    data = bytearray(clip_h264.read_bytes())
    mdat = data.find(b"mdat")
    data[mdat + 4 :] = bytes(len(data) - mdat - 4)
    broken.write_bytes(bytes(data))
    out_dir = tmp_path / "out"
    with pytest.raises(MediaError) as err:
        transcode_ladder(broken, [bad], out_dir, 60, 1, info=probe(clip_h264))
    assert err.value.reason
    assert list(out_dir.iterdir()) == []


def test_packaged_ladder_writes_the_tracks_packaging_would(
        clip_540p: Path, tmp_path: Path) -> None:
    info = probe(clip_540p)
    plans = [p for p in plan_ladder(info, DEFAULT_LADDER) if p.flavor_id in (2, 3)]
    out = transcode_ladder(clip_540p, plans, tmp_path / "out", 120, 2, info=info, packaged=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "flavor_2.audio.m4a", "flavor_2.mp4", "flavor_2.video.mp4",
        "flavor_3.audio.m4a", "flavor_3.mp4", "flavor_3.video.mp4",
    ]  # fmt: skip
    for plan in plans:
        mp4 = out[plan.flavor_id]
        assert probe(mp4).web_playable
        assert top_level_boxes(mp4).index(b"moov") < top_level_boxes(mp4).index(b"mdat")
        direct = describe_packaged(mp4, packaged_targets(mp4, plan, info))
        copied = package_flavor(mp4, tmp_path / f"copy-{plan.flavor_id}")
        assert direct.codecs == copied.codecs
        for a, b in zip(direct.tracks, copied.tracks, strict=True):
            assert (a.kind, a.width, a.height, a.duration_ms) == (b.kind, b.width, b.height,
                                                                b.duration_ms)
            assert _fragment_bytes(a.path) == _fragment_bytes(b.path)  # the same media


def _fragment_bytes(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return [data[f.offset : f.offset + f.length] for f in index_fmp4(path).fragments]


def test_packaged_ladder_failure_leaves_no_files(clip_540p: Path, tmp_path: Path) -> None:
    plans = plan_ladder(probe(clip_540p), DEFAULT_LADDER)
    with pytest.raises(MediaError, match="timed out"):
        transcode_ladder(clip_540p, plans, tmp_path, 0.05, 1, packaged=True)
    assert list(tmp_path.iterdir()) == []


def test_remux_copies_streams_into_faststart_mp4(clip_360p: Path, tmp_path: Path) -> None:
    dst = remux(clip_360p, tmp_path / "flavor_2.mp4", timeout=60)
    src_info, dst_info = probe(clip_360p), probe(dst)
    assert dst_info.web_playable
    assert (dst_info.width, dst_info.height) == (src_info.width, src_info.height)
    assert keyframe_times(dst) == keyframe_times(clip_360p)
    with av.open(str(clip_360p)) as a, av.open(str(dst)) as b:
        sizes_a = [p.size for p in a.demux(a.streams.video[0]) if p.size]
        sizes_b = [p.size for p in b.demux(b.streams.video[0]) if p.size]
    assert sizes_a == sizes_b  # stream copy, not a re-encode
    boxes = top_level_boxes(dst)
    assert boxes.index(b"moov") < boxes.index(b"mdat")


def test_remux_m4a_audio(audio_m4a: Path, tmp_path: Path) -> None:
    dst = remux(audio_m4a, tmp_path / "flavor_11.mp4", timeout=60)
    assert probe(dst).audio_codec == "aac"
