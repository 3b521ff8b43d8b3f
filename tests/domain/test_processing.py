"""Processing end to end in this thread: real ffmpeg, real database and local storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from processing_helpers import MakeMedia, Pipeline, lavfi_av
from sqlalchemy import select

from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.db.tables.job import JobRow
from vpaas.domain import entries
from vpaas.domain.asset_state import FlavorAssetStatus as S
from vpaas.domain.entry_state import EntryStatus


def _assets(p: Pipeline, entry_id: str) -> dict[int, FlavorAssetRow]:
    with p.db.partner_session(p.partner_id) as s:
        rows = s.scalars(select(FlavorAssetRow).where(FlavorAssetRow.entry_id == entry_id,
                                                      FlavorAssetRow.status != int(S.DELETED)))
        return {r.flavor_params_id: r for r in rows}


def _referenced_keys(p: Pipeline, entry_id: str) -> set[str]:
    entry = p.entry(entry_id)
    keys = {entry.source_key, (entry.extra or {}).get("thumbKey")}
    for a in _assets(p, entry_id).values():
        keys |= {a.storage_key, a.video_key, a.audio_key}
    return {k for k in keys if k}


def _stored(p: Pipeline, entry_id: str) -> set[str]:
    return set(p.storage.list(entries.entry_prefix(p.partner_id, entry_id)))


def test_web_playable_source_is_remuxed_and_entry_ready(
        pipeline: Pipeline, clip_360p: Path, tmp_path: Path) -> None:
    eid = pipeline.ingest(clip_360p, tmp_path)
    assert pipeline.entry(eid).status == EntryStatus.PRECONVERT
    pipeline.run_jobs()
    entry = pipeline.entry(eid)
    assert entry.status == EntryStatus.READY
    assert (entry.duration_ms, entry.width, entry.height) == (3000, 640, 360)
    assert entry.thumb_version == 1 and pipeline.storage.exists(entry.extra["thumbKey"])
    assets = _assets(pipeline, eid)
    assert assets[0].is_original and assets[0].status == S.READY
    assert assets[2].status == S.READY and assets[2].progress == 100
    assert (assets[2].width, assets[2].height) == (640, 360)
    assert assets[2].codecs.startswith("avc1.") and assets[2].codecs.endswith("mp4a.40.2")
    assert assets[2].track_index["video"]["fragments"]
    for fid in (3, 4, 5, 6, 7):
        assert assets[fid].status == S.NOT_APPLICABLE
        assert "larger than the source" in assets[fid].error_description
    assert entry.extra["flavorParamsIds"] == "0,2"
    assert _stored(pipeline, eid) == _referenced_keys(pipeline, eid)
    work = pipeline.runtime.settings.data_path / "work"
    assert not work.exists() or not any(work.iterdir())


def _ladder_source(make_media: MakeMedia) -> Path:
    return make_media("c540.avi", [*lavfi_av(2, "960x540"), "-c:v", "mpeg4", "-c:a",
                                   "libmp3lame", "-shortest"])


def _job_types(p: Pipeline) -> list[str]:
    with p.db.system_session() as s:
        return [j.type for j in s.scalars(select(JobRow).order_by(JobRow.id))]


def test_ladder_source_gets_first_flavor_and_the_rest_in_one_job(
        pipeline: Pipeline, make_media: MakeMedia, tmp_path: Path) -> None:
    eid = pipeline.ingest(_ladder_source(make_media), tmp_path)
    assert pipeline.run_jobs() == 1
    assert pipeline.entry(eid).status == EntryStatus.READY
    assets = _assets(pipeline, eid)
    assert [assets[f].status for f in (2, 3, 4)] == [S.READY] * 3
    assert (assets[4].width, assets[4].height) == (960, 540)
    assert (assets[3].width, assets[3].height) == (854, 480)
    assert (assets[2].width, assets[2].height) == (640, 360)
    assert assets[5].status == S.NOT_APPLICABLE
    assert _job_types(pipeline) == ["process_entry"]
    assert pipeline.entry(eid).extra["flavorParamsIds"] == "0,2,3,4"
    assert _stored(pipeline, eid) == _referenced_keys(pipeline, eid)
    work = pipeline.runtime.settings.data_path / "work"
    assert not work.exists() or not any(work.iterdir())


def test_retry_after_the_first_flavor_hands_the_rest_to_a_ladder_job(
        pipeline: Pipeline, make_media: MakeMedia, tmp_path: Path) -> None:
    eid = pipeline.ingest(_ladder_source(make_media), tmp_path)
    pipeline.run_jobs()
    first = _assets(pipeline, eid)[2]
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        # what a worker that died during the ladder leaves: the rest still CONVERTING
        for asset in s.scalars(select(FlavorAssetRow).where(
                FlavorAssetRow.entry_id == eid, FlavorAssetRow.flavor_params_id.in_([3, 4]))):
            asset.status = int(S.CONVERTING)
        entry = entries.get_entry(s, eid)
        entries.enqueue_processing(s, entry, str(entry.source_key), replacement=False)
        s.commit()
    assert pipeline.run_jobs() == 2
    assert _job_types(pipeline) == ["process_entry", "process_entry", "convert_ladder"]
    assets = _assets(pipeline, eid)
    assert assets[2].id == first.id and assets[2].storage_key == first.storage_key
    assert [assets[f].status for f in (2, 3, 4)] == [S.READY] * 3
    assert pipeline.entry(eid).status == EntryStatus.READY
    assert _stored(pipeline, eid) == _referenced_keys(pipeline, eid)


def test_audio_only_source_gets_an_aac_flavor(
        pipeline: Pipeline, audio_mp3: Path, tmp_path: Path) -> None:
    eid = pipeline.ingest(audio_mp3, tmp_path)
    pipeline.run_jobs()
    entry = pipeline.entry(eid)
    assert entry.status == EntryStatus.READY
    assert entry.media_type == entries.MediaType.AUDIO and entry.thumb_version == 0
    assets = _assets(pipeline, eid)
    assert assets[11].status == S.READY and assets[11].codecs == "mp4a.40.2"
    assert assets[11].video_key is None and assets[11].audio_key
    assert assets[2].status == S.NOT_APPLICABLE


def test_image_is_ready_with_its_size_and_no_transcoding(
        pipeline: Pipeline, image_png: Path, tmp_path: Path) -> None:
    eid = pipeline.ingest(image_png, tmp_path)
    pipeline.run_jobs()
    entry = pipeline.entry(eid)
    assert entry.status == EntryStatus.READY
    assert (entry.width, entry.height, entry.media_type) == (64, 48, entries.MediaType.IMAGE)
    assert list(_assets(pipeline, eid)) == [0]


def _truncated(make_media: MakeMedia, clip: Path, tmp: Path) -> Path:
    data = clip.read_bytes()
    out = tmp / "truncated.mp4"
    out.write_bytes(data[: len(data) // 2])
    return out


@pytest.mark.parametrize("case", ["empty", "truncated", "text", "huge", "no_video_stream"])
def test_bad_media_ends_in_error_converting_with_a_reason(
        pipeline: Pipeline, make_media: MakeMedia, clip_360p: Path, tmp_path: Path,
        case: str) -> None:
    if case == "empty":
        src, expected = tmp_path / "empty.mp4", "empty"
        src.write_bytes(b"")
    elif case == "truncated":
        src, expected = _truncated(make_media, clip_360p, tmp_path), "truncated"
    elif case == "text":
        src, expected = tmp_path / "notes.mp4", "not a media file"
        src.write_text("this is not a video\n" * 50)
    elif case == "huge":
        src = make_media("huge.mkv", ["-f", "lavfi", "-i", "color=s=8200x64:d=0.1",
                                      "-c:v", "ffv1"])
        expected = "too large"
    else:
        srt = tmp_path / "only.srt"
        srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
        src, expected = make_media("subs.mkv", ["-i", str(srt), "-c:s", "srt"]), "no audio"
    eid = pipeline.ingest(src, tmp_path, name=case)
    pipeline.run_jobs()
    entry = pipeline.entry(eid)
    assert entry.status == EntryStatus.ERROR_CONVERTING
    assert entry.status_reason and expected in entry.status_reason
    with pipeline.db.system_session() as s:
        job = s.scalars(select(JobRow)).one()
    assert job.status == "failed" and job.attempts == 1


def test_deleted_entry_is_not_processed(pipeline: Pipeline, clip_360p: Path,
                                        tmp_path: Path) -> None:
    eid = pipeline.ingest(clip_360p, tmp_path)
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        entries.delete_entry(s, entries.get_entry(s, eid))
        s.commit()
    pipeline.run_jobs()
    assert _assets(pipeline, eid) == {}
    assert _stored(pipeline, eid) == set()


def test_replacement_swaps_in_new_flavors_and_removes_the_old(
        pipeline: Pipeline, clip_360p: Path, make_media: MakeMedia, tmp_path: Path) -> None:
    eid = pipeline.ingest(clip_360p, tmp_path)
    pipeline.run_jobs()
    old_keys = _stored(pipeline, eid)
    new_src = make_media("repl.avi", [*lavfi_av(2, "854x480"), "-c:v", "mpeg4", "-c:a",
                                      "libmp3lame", "-shortest"])
    copy = tmp_path / "repl.avi"
    copy.write_bytes(new_src.read_bytes())
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        row = entries.get_entry(s, eid)
        entries.store_file(s, pipeline.storage, row, copy, "repl.avi", replacement=True)
        s.commit()
    assert pipeline.run_jobs(limit=1) == 1
    entry = pipeline.entry(eid)
    assert entry.status == EntryStatus.READY and entry.replacement_status == 0
    assert (entry.width, entry.height) == (854, 480)
    assert entry.duration_ms is not None and 1900 <= entry.duration_ms <= 2100
    assert entry.source_key and entry.source_key.endswith(".avi")
    pipeline.run_jobs()
    assets = _assets(pipeline, eid)
    assert assets[3].status == S.READY and (assets[3].width, assets[3].height) == (854, 480)
    assert not old_keys & _stored(pipeline, eid)
    assert _stored(pipeline, eid) == _referenced_keys(pipeline, eid)


def test_failed_replacement_keeps_the_current_content(
        pipeline: Pipeline, clip_360p: Path, tmp_path: Path) -> None:
    eid = pipeline.ingest(clip_360p, tmp_path)
    pipeline.run_jobs()
    before = _stored(pipeline, eid)
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video at all\n" * 20)
    with pipeline.db.partner_session(pipeline.partner_id) as s:
        entries.store_file(s, pipeline.storage, entries.get_entry(s, eid), bad, "bad.mp4",
                           replacement=True)
        s.commit()
    pipeline.run_jobs()
    entry = pipeline.entry(eid)
    assert entry.status == EntryStatus.READY
    assert entry.replacement_status == entries.ReplacementStatus.FAILED
    assert entry.replacement_reason and "not a media file" in entry.replacement_reason
    assert _stored(pipeline, eid) == before
