"""The default ladder as data, and plan_ladder's decisions for each kind of source."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from vpaas.media.presets import (
    ACTION_NOT_APPLICABLE,
    ACTION_REMUX,
    ACTION_SOURCE,
    ACTION_TRANSCODE,
    DEFAULT_LADDER,
    FlavorPlan,
    plan_ladder,
)
from vpaas.media.probe import MediaInfo, probe

VIDEO_1080 = MediaInfo(
    container="mov", format_name="mov,mp4,m4a,3gp,3g2,mj2", size_bytes=1, duration_ms=60_000,
    bitrate_kbps=9000, has_video=True, has_audio=True, is_image=False, width=1920,
    height=1080, video_codec="prores", pix_fmt="yuv422p10le", video_bitrate_kbps=8800,
    frame_rate=25.0, audio_codec="pcm_s16le", audio_bitrate_kbps=1536,
    video_stream_index=0, audio_stream_index=1,
)  # fmt: skip


def _by_id(plans: list[FlavorPlan]) -> dict[int, FlavorPlan]:
    return {p.flavor_id: p for p in plans}


def test_default_ladder_matches_the_ce_ladder() -> None:
    ladder = {s.id: s for s in DEFAULT_LADDER}
    assert sorted(ladder) == [0, 2, 3, 4, 5, 6, 7, 11]
    assert ladder[0].tags == ("source",) and ladder[0].is_source
    heights = {i: (ladder[i].height, ladder[i].video_bitrate_kbps) for i in range(2, 8)}
    assert heights == {
        2: (360, 400), 3: (480, 600), 4: (540, 900), 5: (720, 1500), 6: (720, 2500),
        7: (1080, 4000),
    }  # fmt: skip
    for fid in range(2, 8):
        tags = set(ladder[fid].tags)
        assert {"web", "mbr", "dash", "applembr"} <= tags
        assert ({"iphone", "iphonenew", "ipad", "ipadnew"} <= tags) == (fid <= 5)
        assert ladder[fid].format == "mp4" and ladder[fid].video_codec == "h264"
    assert [ladder[i].audio_bitrate_kbps for i in range(2, 8)] == [64, 64, 64, 128, 128, 128]
    assert ladder[11].is_audio_only and ladder[11].tags == ("audio_only",)
    assert ladder[11].video_codec is None and ladder[11].audio_codec == "aac"
    assert ladder[2].tags_csv.startswith("mobile,web,mbr")


def test_1080p_source_gets_every_rung_transcoded() -> None:
    plans = _by_id(plan_ladder(VIDEO_1080, DEFAULT_LADDER))
    assert plans[0].action == ACTION_SOURCE
    assert all(plans[i].action == ACTION_TRANSCODE for i in range(2, 8))
    assert plans[11].action == ACTION_NOT_APPLICABLE
    assert (plans[2].width, plans[2].height) == (640, 360)
    assert (plans[3].width, plans[3].height) == (854, 480)
    assert (plans[7].width, plans[7].height) == (1920, 1080)
    assert plans[7].video_bitrate_kbps == 4000
    assert plans[2].audio_bitrate_kbps == 64 and plans[7].audio_bitrate_kbps == 128


def test_rungs_above_the_source_are_not_applicable() -> None:
    src = replace(VIDEO_1080, width=960, height=540)
    plans = _by_id(plan_ladder(src, DEFAULT_LADDER))
    assert [i for i in range(2, 8) if plans[i].action == ACTION_TRANSCODE] == [2, 3, 4]
    for fid in (5, 6, 7):
        assert plans[fid].action == ACTION_NOT_APPLICABLE
        assert "larger than the source" in plans[fid].reason


def test_source_below_lowest_rung_still_gets_one_rendition_at_source_size() -> None:
    src = replace(VIDEO_1080, width=250, height=140)
    plans = _by_id(plan_ladder(src, DEFAULT_LADDER))
    assert plans[2].action == ACTION_TRANSCODE
    assert (plans[2].width, plans[2].height) == (250, 140)
    assert all(plans[i].action == ACTION_NOT_APPLICABLE for i in range(3, 8))


def test_odd_source_sizes_give_even_outputs() -> None:
    src = replace(VIDEO_1080, width=1279, height=719)
    for plan in plan_ladder(src, DEFAULT_LADDER):
        assert plan.width % 2 == 0 and plan.height % 2 == 0


def test_portrait_source_uses_short_side() -> None:
    src = replace(VIDEO_1080, width=1920, height=1080, rotation=90)
    plans = _by_id(plan_ladder(src, DEFAULT_LADDER))
    assert (plans[2].width, plans[2].height) == (360, 640)
    assert (plans[7].width, plans[7].height) == (1080, 1920)


def test_bitrate_never_exceeds_the_source() -> None:
    src = replace(VIDEO_1080, video_bitrate_kbps=1000)
    plans = _by_id(plan_ladder(src, DEFAULT_LADDER))
    assert plans[2].video_bitrate_kbps == 400
    assert plans[7].video_bitrate_kbps == 1000


def test_web_playable_source_is_remuxed_into_its_rung(clip_360p: Path) -> None:
    info = probe(clip_360p)
    assert info.web_playable
    plans = _by_id(plan_ladder(info, DEFAULT_LADDER))
    assert plans[2].action == ACTION_REMUX
    assert (plans[2].width, plans[2].height) == (640, 360)
    assert all(plans[i].action == ACTION_NOT_APPLICABLE for i in range(3, 8))


def test_web_playable_720p_remuxes_into_closest_bitrate_and_encodes_the_rest() -> None:
    src = replace(
        VIDEO_1080, container="mp4", width=1280, height=720, video_codec="h264",
        pix_fmt="yuv420p", audio_codec="aac", video_bitrate_kbps=2400,
    )  # fmt: skip
    plans = _by_id(plan_ladder(src, DEFAULT_LADDER))
    assert plans[6].action == ACTION_REMUX
    assert [i for i in range(2, 8) if plans[i].action == ACTION_TRANSCODE] == [2, 3, 4, 5]
    assert plans[7].action == ACTION_NOT_APPLICABLE


def test_high_bitrate_or_rotated_sources_are_not_remuxed() -> None:
    playable = replace(
        VIDEO_1080, container="mp4", video_codec="h264", pix_fmt="yuv420p", audio_codec="aac",
        video_bitrate_kbps=6000,
    )  # fmt: skip
    assert _by_id(plan_ladder(playable, DEFAULT_LADDER))[7].action == ACTION_REMUX
    heavy = replace(playable, video_bitrate_kbps=20_000)
    assert _by_id(plan_ladder(heavy, DEFAULT_LADDER))[7].action == ACTION_TRANSCODE
    rotated = replace(playable, rotation=180)
    assert _by_id(plan_ladder(rotated, DEFAULT_LADDER))[7].action == ACTION_TRANSCODE


def test_non_playable_source_is_transcoded(clip_avi: Path) -> None:
    plans = _by_id(plan_ladder(probe(clip_avi), DEFAULT_LADDER))
    assert plans[2].action == ACTION_TRANSCODE
    assert (plans[2].width, plans[2].height) == (320, 240)


def test_audio_only_sources_get_only_the_audio_flavor(audio_m4a: Path, audio_mp3: Path) -> None:
    m4a = _by_id(plan_ladder(probe(audio_m4a), DEFAULT_LADDER))
    mp3 = _by_id(plan_ladder(probe(audio_mp3), DEFAULT_LADDER))
    assert m4a[11].action == ACTION_REMUX
    assert mp3[11].action == ACTION_TRANSCODE and mp3[11].audio_bitrate_kbps == 128
    for plans in (m4a, mp3):
        assert plans[0].action == ACTION_SOURCE
        assert all(plans[i].action == ACTION_NOT_APPLICABLE for i in range(2, 8))


def test_images_have_nothing_to_encode(image_png: Path) -> None:
    plans = plan_ladder(probe(image_png), DEFAULT_LADDER)
    assert {p.action for p in plans} == {ACTION_NOT_APPLICABLE}
