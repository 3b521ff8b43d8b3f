"""HLS and DASH manifests for byte-range addressed fragmented MP4 files (pure, no I/O).

Every flavor is packaged as one video-only and one audio-only fMP4 file; a
:class:`~vpaas.media.fmp4.TrackIndex` gives the byte range and time of each fragment.
The playlists reference those files with byte ranges, so no segment files exist on disk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from vpaas.media.fmp4 import Fragment, TrackIndex

DASH_NS = "urn:mpeg:dash:schema:mpd:2011"
DASH_PROFILE = "urn:mpeg:dash:profile:isoff-main:2011"
CHANNEL_SCHEME = "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"
EPSILON = 1e-6


@dataclass(frozen=True)
class HlsRendition:
    """One video variant of an HLS master playlist.

    ``bandwidth`` and ``average_bandwidth`` are the video track's own bits per second;
    :func:`hls_master` adds the audio group's bandwidth. ``codecs`` is the video codec
    (RFC 6381, e.g. ``avc1.64001f``); the audio codec is appended from the audio group.
    """

    id: str
    bandwidth: int
    width: int
    height: int
    codecs: str
    url: str
    average_bandwidth: int | None = None
    frame_rate: float | None = None


@dataclass(frozen=True)
class HlsAudioRendition:
    """One audio track of the master playlist's ``EXT-X-MEDIA`` audio group."""

    id: str
    url: str
    codecs: str
    bandwidth: int
    name: str = "Default"
    language: str | None = None
    channels: int | None = None
    default: bool = True


@dataclass(frozen=True)
class DashRepresentation:
    """One fMP4 file of a DASH adaptation set: its index and the URL its bytes live at."""

    id: str
    index: TrackIndex
    url: str
    bandwidth: int | None = None


def rendition_from_index(rid: str, index: TrackIndex, url: str) -> HlsRendition:
    """Build an :class:`HlsRendition` from a video track's index."""
    return HlsRendition(
        id=rid,
        bandwidth=index.peak_bitrate,
        average_bandwidth=index.average_bitrate,
        width=index.width,
        height=index.height,
        codecs=index.codec,
        url=url,
        frame_rate=index.frame_rate,
    )


def audio_rendition_from_index(
    rid: str, index: TrackIndex, url: str, *, name: str = "Default", default: bool = True
) -> HlsAudioRendition:
    """Build an :class:`HlsAudioRendition` from an audio track's index."""
    language = index.language if index.language != "und" else None
    return HlsAudioRendition(
        id=rid,
        url=url,
        codecs=index.codec,
        bandwidth=index.peak_bitrate,
        name=name,
        language=language,
        channels=index.channels or None,
        default=default,
    )


def _quoted(value: str, what: str) -> str:
    if any(c in value for c in '"\r\n'):
        raise ValueError(f"{what} may not contain quotes or line breaks: {value!r}")
    return f'"{value}"'


def _uri(value: str) -> str:
    if not value or any(c in value for c in "\r\n") or value.startswith("#"):
        raise ValueError(f"invalid playlist URI {value!r}")
    return value


def hls_master(
    renditions: Sequence[HlsRendition],
    audio: Sequence[HlsAudioRendition] = (),
    *,
    audio_group: str = "audio",
) -> str:
    """HLS master playlist (VERSION 7): one STREAM-INF per video rendition, one audio group.

    With no video renditions (audio-only entry) each audio track becomes a variant itself.
    """
    if not renditions and not audio:
        raise ValueError("an HLS master playlist needs at least one rendition")
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    if not renditions:
        for track in audio:
            lines.append(
                f"#EXT-X-STREAM-INF:BANDWIDTH={track.bandwidth},"
                f"CODECS={_quoted(track.codecs, 'codecs')}"
            )
            lines.append(_uri(track.url))
        return "\n".join(lines) + "\n"
    for track in audio:
        lines.append(_media_line(track, audio_group))
    audio_peak = max((t.bandwidth for t in audio), default=0)
    audio_codec = audio[0].codecs if audio else None
    for rendition in sorted(renditions, key=lambda r: r.bandwidth):
        lines.append(_stream_inf(rendition, audio_peak, audio_codec, audio_group))
        lines.append(_uri(rendition.url))
    return "\n".join(lines) + "\n"


def _media_line(track: HlsAudioRendition, group: str) -> str:
    attrs = [
        "TYPE=AUDIO",
        f"GROUP-ID={_quoted(group, 'group id')}",
        f"NAME={_quoted(track.name, 'name')}",
    ]
    if track.language:
        attrs.append(f"LANGUAGE={_quoted(track.language, 'language')}")
    attrs.append(f"DEFAULT={'YES' if track.default else 'NO'}")
    attrs.append(f"AUTOSELECT={'YES' if track.default else 'NO'}")
    if track.channels:
        attrs.append(f'CHANNELS="{track.channels}"')
    attrs.append(f"URI={_quoted(_uri(track.url), 'URI')}")
    return "#EXT-X-MEDIA:" + ",".join(attrs)


def _stream_inf(r: HlsRendition, audio_bw: int, audio_codec: str | None, group: str) -> str:
    codecs = r.codecs if audio_codec is None else f"{r.codecs},{audio_codec}"
    attrs = [f"BANDWIDTH={r.bandwidth + audio_bw}"]
    if r.average_bandwidth is not None:
        attrs.append(f"AVERAGE-BANDWIDTH={r.average_bandwidth + audio_bw}")
    attrs.append(f"CODECS={_quoted(codecs, 'codecs')}")
    if r.width and r.height:
        attrs.append(f"RESOLUTION={r.width}x{r.height}")
    if r.frame_rate:
        attrs.append(f"FRAME-RATE={r.frame_rate:.3f}")
    if audio_codec is not None:
        attrs.append(f"AUDIO={_quoted(group, 'group id')}")
    return "#EXT-X-STREAM-INF:" + ",".join(attrs)


def clip_fragments(index: TrackIndex, max_duration_s: float | None) -> list[Fragment]:
    """Fragments that start before ``max_duration_s`` (all when None).

    Fragments are never cut, so a clipped stream may run up to one fragment (one GOP)
    past the limit; at least one fragment is always kept.
    """
    fragments = list(index.fragments)
    if max_duration_s is None:
        return fragments
    if max_duration_s <= 0 or math.isnan(max_duration_s):
        raise ValueError(f"preview length must be positive, got {max_duration_s}")
    origin = fragments[0].start_time_s if fragments else 0.0
    kept = [f for f in fragments if f.start_time_s - origin < max_duration_s - EPSILON]
    return kept or fragments[:1]


def hls_media_playlist(
    index: TrackIndex, media_url: str, *, max_duration_s: float | None = None
) -> str:
    """VOD media playlist addressing ``media_url`` by byte ranges (EXT-X-MAP + BYTERANGE).

    ``max_duration_s`` clips the playlist to a preview: see :func:`clip_fragments`.
    """
    fragments = clip_fragments(index, max_duration_s)
    if not fragments:
        raise ValueError("track has no fragments")
    target = max(1, math.ceil(max(f.duration_s for f in fragments) - EPSILON))
    init_offset, init_length = index.init_range
    url = _uri(media_url)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        f'#EXT-X-MAP:URI={_quoted(url, "URI")},BYTERANGE="{init_length}@{init_offset}"',
    ]
    for fragment in fragments:
        lines.append(f"#EXTINF:{fragment.duration_s:.6f},")
        lines.append(f"#EXT-X-BYTERANGE:{fragment.length}@{fragment.offset}")
        lines.append(url)
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def _iso_duration(seconds: float) -> str:
    return f"PT{seconds:.3f}S"


def dash_mpd(
    video: Sequence[DashRepresentation],
    audio: Sequence[DashRepresentation] = (),
    *,
    max_duration_s: float | None = None,
    min_buffer_s: float = 2.0,
) -> str:
    """Static DASH MPD (isoff-main): SegmentList with byte-range SegmentURLs per file.

    One video AdaptationSet holding every video rendition and one audio AdaptationSet.
    ``max_duration_s`` clips to a preview, as for HLS.
    """
    if not video and not audio:
        raise ValueError("a DASH manifest needs at least one representation")
    clipped = {id(r): clip_fragments(r.index, max_duration_s) for r in (*video, *audio)}
    duration = max(sum(f.duration_s for f in frs) for frs in clipped.values())
    nsmap = {None: DASH_NS}
    mpd = etree.Element(f"{{{DASH_NS}}}MPD", nsmap=nsmap)  # type: ignore[dict-item]
    mpd.set("type", "static")
    mpd.set("profiles", DASH_PROFILE)
    mpd.set("mediaPresentationDuration", _iso_duration(duration))
    mpd.set("minBufferTime", _iso_duration(min_buffer_s))
    period = etree.SubElement(mpd, f"{{{DASH_NS}}}Period", id="0", start="PT0S")
    for kind, reps in (("video", video), ("audio", audio)):
        if reps:
            _adaptation_set(period, kind, reps, clipped)
    body: bytes = etree.tostring(mpd, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return body.decode("utf-8")


def _adaptation_set(
    period: etree._Element,
    kind: str,
    reps: Sequence[DashRepresentation],
    clipped: dict[int, list[Fragment]],
) -> None:
    aset = etree.SubElement(period, f"{{{DASH_NS}}}AdaptationSet")
    aset.set("id", "0" if kind == "video" else "1")
    aset.set("contentType", kind)
    aset.set("mimeType", f"{kind}/mp4")
    aset.set("segmentAlignment", "true")
    aset.set("startWithSAP", "1")
    if kind == "audio" and reps[0].index.language != "und":
        aset.set("lang", reps[0].index.language)
    ordered = sorted(reps, key=lambda r: r.bandwidth or r.index.peak_bitrate)
    for rep in ordered:
        _representation(aset, kind, rep, clipped[id(rep)])


def _representation(
    aset: etree._Element, kind: str, rep: DashRepresentation, fragments: list[Fragment]
) -> None:
    index = rep.index
    node = etree.SubElement(aset, f"{{{DASH_NS}}}Representation")
    node.set("id", rep.id)
    node.set("bandwidth", str(rep.bandwidth or index.peak_bitrate))
    node.set("codecs", index.codec)
    if kind == "video":
        node.set("width", str(index.width))
        node.set("height", str(index.height))
        if index.frame_rate:
            node.set("frameRate", _frame_rate_attr(index.frame_rate))
    else:
        node.set("audioSamplingRate", str(index.sample_rate))
        if index.channels:
            channels = etree.SubElement(node, f"{{{DASH_NS}}}AudioChannelConfiguration")
            channels.set("schemeIdUri", CHANNEL_SCHEME)
            channels.set("value", str(index.channels))
    etree.SubElement(node, f"{{{DASH_NS}}}BaseURL").text = rep.url
    _segment_list(node, index, fragments)


def _segment_list(node: etree._Element, index: TrackIndex, fragments: list[Fragment]) -> None:
    ts = index.timescale
    seglist = etree.SubElement(node, f"{{{DASH_NS}}}SegmentList")
    seglist.set("timescale", str(ts))
    seglist.set("presentationTimeOffset", str(round(fragments[0].start_time_s * ts)))
    init_offset, init_length = index.init_range
    init = etree.SubElement(seglist, f"{{{DASH_NS}}}Initialization")
    init.set("range", f"{init_offset}-{init_offset + init_length - 1}")
    timeline = etree.SubElement(seglist, f"{{{DASH_NS}}}SegmentTimeline")
    for fragment in fragments:
        entry = etree.SubElement(timeline, f"{{{DASH_NS}}}S")
        entry.set("t", str(round(fragment.start_time_s * ts)))
        entry.set("d", str(round(fragment.duration_s * ts)))
    for fragment in fragments:
        url = etree.SubElement(seglist, f"{{{DASH_NS}}}SegmentURL")
        url.set("mediaRange", f"{fragment.offset}-{fragment.offset + fragment.length - 1}")


def _frame_rate_attr(rate: float) -> str:
    for base in (24, 25, 30, 48, 50, 60):
        if abs(rate - base * 1000 / 1001) < 0.01:
            return f"{base * 1000}/1001"
    return str(round(rate)) if abs(rate - round(rate)) < 0.001 else f"{round(rate * 1000)}/1000"
