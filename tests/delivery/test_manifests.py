"""HLS and DASH manifests built from real fMP4 indexes; HLS is also played back by ffmpeg."""

from __future__ import annotations

import math
import re
from pathlib import Path

import av
import pytest
from lxml import etree

from vpaas.delivery.manifests import (
    DashRepresentation,
    HlsRendition,
    audio_rendition_from_index,
    dash_mpd,
    hls_master,
    hls_media_playlist,
    rendition_from_index,
)
from vpaas.media.fmp4 import TrackIndex, index_fmp4

NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}


@pytest.fixture(scope="module")
def indexes(ladder: dict[str, Path]) -> dict[str, TrackIndex]:
    return {name: index_fmp4(path) for name, path in ladder.items()}


def _attrs(line: str) -> dict[str, str]:
    body = line.split(":", 1)[1]
    return {k: v.strip('"') for k, v in re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', body)}


def _write_hls(indexes: dict[str, TrackIndex], ladder: dict[str, Path], **kw: float) -> Path:
    folder = ladder["audio"].parent
    for name, index in indexes.items():
        text = hls_media_playlist(index, f"{name}.mp4", **kw)  # type: ignore[arg-type]
        (folder / f"{name}.m3u8").write_text(text)
    master = hls_master(
        [rendition_from_index(n, indexes[n], f"{n}.m3u8") for n in ("v360", "v180")],
        [audio_rendition_from_index("audio", indexes["audio"], "audio.m3u8")],
    )
    (folder / "master.m3u8").write_text(master)
    return folder / "master.m3u8"


def test_master_playlist_attributes(indexes: dict[str, TrackIndex]) -> None:
    audio = audio_rendition_from_index("a", indexes["audio"], "https://h/a.m3u8")
    text = hls_master(
        [rendition_from_index(n, indexes[n], f"https://h/{n}.m3u8") for n in ("v360", "v180")],
        [audio],
    )
    lines = text.splitlines()
    assert lines[:3] == ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    media = _attrs(next(x for x in lines if x.startswith("#EXT-X-MEDIA:")))
    assert media["TYPE"] == "AUDIO" and media["GROUP-ID"] == "audio"
    assert media["URI"] == "https://h/a.m3u8" and media["CHANNELS"] == "2"
    infs = [i for i, x in enumerate(lines) if x.startswith("#EXT-X-STREAM-INF:")]
    assert [lines[i + 1] for i in infs] == ["https://h/v180.m3u8", "https://h/v360.m3u8"]
    low = _attrs(lines[infs[0]])
    v180 = indexes["v180"]
    assert int(low["BANDWIDTH"]) == v180.peak_bitrate + audio.bandwidth
    assert int(low["AVERAGE-BANDWIDTH"]) == v180.average_bitrate + audio.bandwidth
    assert low["RESOLUTION"] == "320x180"
    assert low["CODECS"] == f"{v180.codec},mp4a.40.2"
    assert low["AUDIO"] == "audio" and low["FRAME-RATE"] == "25.000"


def test_media_playlist_byte_ranges_match_index(indexes: dict[str, TrackIndex]) -> None:
    index = indexes["v360"]
    lines = hls_media_playlist(index, "v360.mp4").splitlines()
    assert f'#EXT-X-MAP:URI="v360.mp4",BYTERANGE="{index.init_range[1]}@0"' in lines
    ranges = [x.split(":")[1] for x in lines if x.startswith("#EXT-X-BYTERANGE:")]
    assert ranges == [f"{f.length}@{f.offset}" for f in index.fragments]
    extinf = [float(x[8:-1]) for x in lines if x.startswith("#EXTINF:")]
    assert sum(extinf) == pytest.approx(index.duration_s)
    target = int(next(x for x in lines if x.startswith("#EXT-X-TARGETDURATION:")).split(":")[1])
    assert target >= max(round(d) for d in extinf) and target == math.ceil(max(extinf))
    assert lines[-1] == "#EXT-X-ENDLIST" and "#EXT-X-PLAYLIST-TYPE:VOD" in lines


def test_preview_clip_stops_after_limit(indexes: dict[str, TrackIndex]) -> None:
    index = indexes["v360"]
    lines = hls_media_playlist(index, "v.mp4", max_duration_s=3.0).splitlines()
    assert sum(x.startswith("#EXTINF:") for x in lines) == 2
    assert lines[-1] == "#EXT-X-ENDLIST"
    one = hls_media_playlist(index, "v.mp4", max_duration_s=0.5)
    assert one.count("#EXTINF:") == 1
    with pytest.raises(ValueError):
        hls_media_playlist(index, "v.mp4", max_duration_s=0)


def test_hls_plays_back_in_ffmpeg(indexes: dict[str, TrackIndex], ladder: dict[str, Path]) -> None:
    master = _write_hls(indexes, ladder)
    with av.open(str(master)) as container:
        assert {s.type for s in container.streams} == {"video", "audio"}
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 125


def test_hls_preview_plays_back_clipped(
    indexes: dict[str, TrackIndex], ladder: dict[str, Path]
) -> None:
    master = _write_hls(indexes, ladder, max_duration_s=3.0)
    with av.open(str(master)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 100


def test_audio_only_master(indexes: dict[str, TrackIndex]) -> None:
    audio = audio_rendition_from_index("a", indexes["audio"], "a.m3u8")
    lines = hls_master([], [audio]).splitlines()
    assert _attrs(lines[3])["CODECS"] == "mp4a.40.2" and lines[4] == "a.m3u8"


def test_bad_uris_are_rejected() -> None:
    video = HlsRendition("v", 1000, 320, 180, "avc1.64000d", "v.m3u8")
    with pytest.raises(ValueError, match="invalid playlist URI"):
        hls_master([video], [audio_rendition_from_index("a", _fake_audio(), "a\n.m3u8")])
    with pytest.raises(ValueError, match="quotes"):
        hls_media_playlist(_fake_audio(), 'a".mp4')
    with pytest.raises(ValueError):
        hls_master([])


def _fake_audio() -> TrackIndex:
    return TrackIndex.from_dict({
        "kind": "audio", "codec": "mp4a.40.2", "timescale": 48000, "init_range": [0, 10],
        "file_size": 30, "fragments": [[10, 20, 0.0, 1.0]],
    })  # fmt: skip


def _ranges(value: str) -> tuple[int, int]:
    first, last = value.split("-")
    return int(first), int(last)


def test_dash_mpd_structure_and_ranges(
    indexes: dict[str, TrackIndex], ladder: dict[str, Path]
) -> None:
    video = [DashRepresentation(n, indexes[n], f"media/{n}.mp4?a=1&b=2") for n in ("v360", "v180")]
    audio = [DashRepresentation("audio", indexes["audio"], "media/audio.mp4")]
    root = etree.fromstring(dash_mpd(video, audio).encode())
    assert root.get("type") == "static" and "isoff-main" in root.get("profiles", "")
    duration = float(root.get("mediaPresentationDuration", "")[2:-1])
    assert duration == pytest.approx(indexes["audio"].duration_s, abs=0.01)
    assert root.get("minBufferTime") == "PT2.000S"
    sets = root.findall("d:Period/d:AdaptationSet", NS)
    assert [s.get("contentType") for s in sets] == ["video", "audio"]
    reps = sets[0].findall("d:Representation", NS)
    assert [r.get("id") for r in reps] == ["v180", "v360"]
    for rep in [*reps, *sets[1].findall("d:Representation", NS)]:
        _check_representation(rep, indexes[rep.get("id", "")], ladder[rep.get("id", "")])
    assert reps[0].findtext("d:BaseURL", namespaces=NS) == "media/v180.mp4?a=1&b=2"
    assert sets[1].find("d:Representation/d:AudioChannelConfiguration", NS).get("value") == "2"


def _check_representation(rep: etree._Element, index: TrackIndex, path: Path) -> None:
    assert rep.get("codecs") == index.codec
    assert int(rep.get("bandwidth", "0")) == index.peak_bitrate
    seglist = rep.find("d:SegmentList", NS)
    timescale = int(seglist.get("timescale"))
    data = path.read_bytes()
    init_first, init_last = _ranges(seglist.find("d:Initialization", NS).get("range"))
    assert data[init_first + 4 : init_first + 8] == b"ftyp"
    assert init_last + 1 == index.fragments[0].offset
    urls = seglist.findall("d:SegmentURL", NS)
    timeline = seglist.findall("d:SegmentTimeline/d:S", NS)
    assert len(urls) == len(timeline) == len(index.fragments)
    for url, entry, fragment in zip(urls, timeline, index.fragments, strict=True):
        first, last = _ranges(url.get("mediaRange"))
        assert (first, last - first + 1) == (fragment.offset, fragment.length)
        assert data[first + 4 : first + 8] == b"moof"
        assert int(entry.get("d")) == round(fragment.duration_s * timescale)
        assert int(entry.get("t")) == round(fragment.start_time_s * timescale)


def test_dash_preview_duration(indexes: dict[str, TrackIndex]) -> None:
    video = [DashRepresentation("v", indexes["v360"], "v.mp4")]
    root = etree.fromstring(dash_mpd(video, max_duration_s=2.0).encode())
    assert root.get("mediaPresentationDuration") == "PT2.000S"
    assert len(root.findall(".//d:SegmentURL", NS)) == 1
