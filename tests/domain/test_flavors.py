"""Flavor params → specs, profiles → plans, and when an entry counts as ready."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from processing_helpers import Pipeline

from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorParamsRow
from vpaas.domain import flavors
from vpaas.domain.asset_state import FlavorAssetStatus as S
from vpaas.domain.entry_state import EntryStatus
from vpaas.domain.flavors import EntryPlan, ReadyBehavior
from vpaas.domain.processing_state import entry_assets
from vpaas.media.presets import ACTION_REMUX, ACTION_TRANSCODE, DEFAULT_LADDER, FlavorPlan
from vpaas.registry.errors import ApiError


def _row(**values: object) -> FlavorParamsRow:
    base: dict[str, object] = dict(id=1000, partner_id=7, name="x", tags="", format="mp4",
                                   video_codec="", audio_codec="", width=0, height=0,
                                   video_bitrate=0, audio_bitrate=0, audio_channels=0,
                                   audio_sample_rate=0, gop_size=2, is_gop_in_sec=True)
    base.update(values)
    return FlavorParamsRow(**base)


def test_kaltura_codec_names_map_to_profiles_and_kinds() -> None:
    spec = flavors.spec_from_row(_row(video_codec="h264b", height=360, video_bitrate=400,
                                      audio_codec="aac", audio_bitrate=64, tags="web,mbr"))
    assert (spec.video_codec, spec.video_profile, spec.height) == ("h264", "baseline", 360)
    assert spec.tags == ("web", "mbr") and not spec.is_audio_only
    audio = flavors.spec_from_row(_row(audio_codec="mp3", audio_bitrate=96))
    assert audio.is_audio_only and audio.video_codec is None and audio.audio_codec == "aac"
    webm = flavors.spec_from_row(_row(video_codec="vp8", format="webm"))
    assert webm.video_codec == "vp8"
    assert flavors.spec_from_row(_row(id=0, tags="source")).is_source


def test_system_rows_round_trip_to_the_default_ladder(pipeline: Pipeline) -> None:
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        rows = flavors.list_params(s, pipeline.partner_id)
        specs = [flavors.spec_from_row(r) for r in rows]
        assert specs[1:] == list(DEFAULT_LADDER[1:]) and specs[0].is_source
        with pytest.raises(ApiError) as err:
            flavors.own_params(s, pipeline.partner_id, 7)
        assert err.value.code == "FLAVOR_PARAMS_ID_NOT_FOUND"


def _plan(fid: int, action: str, w: int = 0, h: int = 0, kbps: int = 0) -> FlavorPlan:
    spec = next(s for s in DEFAULT_LADDER if s.id == fid)
    return FlavorPlan(spec, action, "", w, h, kbps)


def test_first_playable_prefers_a_remux_then_the_cheapest_encode() -> None:
    plans = (_plan(0, "source"), _plan(3, ACTION_TRANSCODE, 854, 480, 600),
             _plan(2, ACTION_TRANSCODE, 640, 360, 400), _plan(5, ACTION_REMUX, 1280, 720))
    plan = EntryPlan(plans, frozenset())
    first = plan.first_playable()
    assert first is not None and first.flavor_id == 5
    assert [p.flavor_id for p in plan.rest()] == [3, 2]
    no_remux = EntryPlan(plans[:3], frozenset())
    first = no_remux.first_playable()
    assert first is not None and first.flavor_id == 2
    assert [p.flavor_id for p in no_remux.rest()] == [3]


def _asset(fid: int, status: S, original: bool = False) -> SimpleNamespace:
    return SimpleNamespace(flavor_params_id=fid, status=int(status), is_original=original)


def test_readiness_waits_only_for_required_flavors() -> None:
    source = _asset(0, S.READY, True)
    first = [source, _asset(2, S.READY), _asset(3, S.QUEUED), _asset(7, S.NOT_APPLICABLE)]
    assert flavors.readiness(first, frozenset()) == "ready"
    assert flavors.readiness(first, frozenset({3})) == "waiting"
    assert flavors.readiness(first, frozenset({7})) == "ready"
    failed = [source, _asset(2, S.READY), _asset(3, S.ERROR)]
    assert flavors.readiness(failed, frozenset({3})) == "failed"
    nothing = [source, _asset(2, S.ERROR), _asset(3, S.NOT_APPLICABLE)]
    assert flavors.readiness(nothing, frozenset()) == "failed"
    assert flavors.readiness([source, _asset(2, S.CONVERTING)], frozenset()) == "waiting"


def test_entry_with_a_required_flavor_is_ready_once_the_ladder_made_it(
        pipeline: Pipeline, make_media, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from processing_helpers import lavfi_av

    src = make_media("req.avi", [*lavfi_av(2, "960x540"), "-c:v", "mpeg4", "-c:a",
                                 "libmp3lame", "-shortest"])
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        profile = flavors.default_profile(s, pipeline.partner_id)
        for link in flavors.profile_links(s, profile.id):
            if link.flavor_params_id == 4:
                link.ready_behavior = int(ReadyBehavior.REQUIRED)
        s.commit()
    eid = pipeline.ingest(src, tmp_path)
    assert pipeline.run_jobs() == 1  # the first flavor alone leaves it PRECONVERT (readiness)
    assert pipeline.entry(eid).status == EntryStatus.READY
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        assets = {a.flavor_params_id: a for a in entry_assets(s, eid)}
    assert assets[4].status == S.READY


def test_entry_conversion_profile_picks_the_flavors(pipeline: Pipeline, clip_avi: Path,
                                                    tmp_path: Path) -> None:
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        flavors.default_profile(s, pipeline.partner_id)
        from vpaas.db.tables.flavor import ConversionProfileRow

        small = ConversionProfileRow(name="small", status=2, type=1, is_default=False, extra={})
        s.add(small)
        s.flush()
        flavors.set_profile_params(s, small, [0, 3])
        s.commit()
        profile_id = small.id
    eid = pipeline.ingest(clip_avi, tmp_path, conversion_profile_id=profile_id)
    pipeline.run_jobs()
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        entry = s.get(EntryRow, eid)
        assert entry is not None and entry.status == EntryStatus.READY
        assert entry.extra["flavorParamsIds"] == "0,3"
