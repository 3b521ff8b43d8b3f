"""Split a flavor MP4 into single-track fragmented MP4 (CMAF) files by stream copy.

The video file is cut into one fragment per keyframe (every 2 s for our flavors); the
audio file into fragments of about the same duration. Each file starts with ftyp+moov
(the init segment), then a global sidx, then moof+mdat pairs: HLS addresses it with
EXT-X-MAP + EXT-X-BYTERANGE, DASH with SegmentBase (sidx) or SegmentList byte ranges.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import av.error

from vpaas.media.tools import MediaError, run_ffmpeg

FRAG_FLAGS = "+frag_keyframe+empty_moov+delay_moov+default_base_moof+cmaf+global_sidx"
AUDIO_FRAGMENT_US = 2_000_000
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class PackagedTrack:
    """One single-track fragmented MP4 and what a manifest needs to announce it.

    ``bandwidth`` is the peak fragment bitrate when the file could be indexed (else the
    average); ``index`` is the ``vpaas.media.fmp4.TrackIndex`` (None if unavailable).
    """

    kind: str
    path: Path
    codec: str
    bandwidth: int
    average_bandwidth: int
    duration_ms: int
    width: int = 0
    height: int = 0
    frame_rate: float = 0.0
    sample_rate: int = 0
    channels: int = 0
    index: Any = None


@dataclass(frozen=True)
class PackagedTracks:
    """The video track and, when the flavor has sound, the audio track."""

    video: PackagedTrack | None
    audio: PackagedTrack | None

    @property
    def tracks(self) -> list[PackagedTrack]:
        """The tracks present, video first."""
        return [t for t in (self.video, self.audio) if t is not None]

    @property
    def codecs(self) -> str:
        """RFC 6381 CODECS attribute for the pair, e.g. ``"avc1.64001f,mp4a.40.2"``."""
        return ",".join(t.codec for t in self.tracks)

    @property
    def bandwidth(self) -> int:
        """Peak bits per second of the tracks played together (HLS BANDWIDTH)."""
        return sum(t.bandwidth for t in self.tracks)


def package_flavor(
    flavor_mp4: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    timeout: float = 600.0,
    threads: int = 1,
    *,
    ffmpeg: str | None = None,
) -> PackagedTracks:
    """Write ``<stem>.video.mp4`` and ``<stem>.audio.m4a`` (if audio) into ``out_dir``.

    Stream copy only (no re-encode), one ffmpeg process for both files.
    """
    src = Path(flavor_mp4)
    streams = _stream_facts(src)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    targets = track_targets(src, out, streams)
    partials = {k: p.with_name(p.name + ".partial") for k, p in targets.items()}
    args = ["-f", "mov", "-i", str(src.resolve())]
    for kind, partial in partials.items():
        args += [*_track_args(kind, streams[kind]["index"]), str(partial)]
    try:
        run_ffmpeg(args, timeout, threads, ffmpeg=ffmpeg)
        for kind, partial in partials.items():
            partial.replace(targets[kind])
    finally:
        for partial in partials.values():
            partial.unlink(missing_ok=True)
    return _tracks(targets, streams)


def describe_packaged(flavor_mp4: str | os.PathLike[str],
                      targets: dict[str, Path]) -> PackagedTracks:
    """The tracks an encoder already wrote next to ``flavor_mp4`` (see
    :func:`fragmented_muxer_options`), described like :func:`package_flavor` does."""
    streams = _stream_facts(Path(flavor_mp4))
    missing = [kind for kind in streams if kind not in targets or not targets[kind].is_file()]
    if missing:
        raise MediaError(f"the packaged {missing[0]} track is missing")
    return _tracks({k: targets[k] for k in streams}, streams)


def _tracks(targets: dict[str, Path], streams: dict[str, dict[str, Any]]) -> PackagedTracks:
    tracks = {k: _describe(k, p, streams[k]) for k, p in targets.items()}
    return PackagedTracks(video=tracks.get("video"), audio=tracks.get("audio"))


_EXT = {"video": "mp4", "audio": "m4a"}


def track_targets(flavor_mp4: Path, out_dir: Path, kinds: Iterable[str]) -> dict[str, Path]:
    """``{kind: <out_dir>/<stem>.video.mp4 | <stem>.audio.m4a}`` for the ``kinds`` wanted."""
    stem = _UNSAFE.sub("_", flavor_mp4.stem)[:80] or "flavor"
    wanted = set(kinds)
    return {kind: out_dir / f"{stem}.{kind}.{ext}" for kind, ext in _EXT.items() if kind in wanted}


def fragmented_muxer_options(kind: str) -> dict[str, str]:
    """MP4 muxer options of a single-track fragmented (CMAF) file of ``kind``."""
    options = {"movflags": FRAG_FLAGS}
    if kind == "audio":
        options["frag_duration"] = str(AUDIO_FRAGMENT_US)
    return options


def _track_args(kind: str, index: int) -> list[str]:
    args = ["-map", f"0:{index}", "-c", "copy", "-map_metadata", "-1"]
    for name, value in fragmented_muxer_options(kind).items():
        args += [f"-{name}", value]
    return [*args, "-f", "mp4"]


def _stream_facts(src: Path) -> dict[str, dict[str, Any]]:
    """First video and audio stream of a flavor MP4: index, codec string, size, rate."""
    if not src.is_file():
        raise MediaError("flavor file not found")
    try:
        with av.open(str(src), format="mov") as container:
            facts = _facts_from(container)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"cannot read the flavor MP4: {exc}") from exc
    if not facts:
        raise MediaError("the flavor has no audio or video stream to package")
    return facts


def _facts_from(container: Any) -> dict[str, dict[str, Any]]:
    facts: dict[str, dict[str, Any]] = {}
    duration_ms = int((container.duration or 0) // 1000)
    if container.streams.video:
        video = container.streams.video[0]
        rate = video.average_rate or video.guessed_rate
        facts["video"] = {
            "index": video.index, "codec": video_codec_string(video), "duration_ms": duration_ms,
            "width": video.codec_context.width, "height": video.codec_context.height,
            "frame_rate": round(float(rate), 3) if rate else 0.0,
        }
    if container.streams.audio:
        audio = container.streams.audio[0]
        ctx = audio.codec_context
        facts["audio"] = {
            "index": audio.index, "codec": audio_codec_string(audio), "duration_ms": duration_ms,
            "sample_rate": ctx.sample_rate or 0,
            "channels": ctx.layout.nb_channels if ctx.layout else 0,
        }
    return facts


def video_codec_string(stream: Any) -> str:
    """RFC 6381 codec of a PyAV video stream; ``avc1.PPCCLL`` from the avcC record."""
    name = stream.codec_context.codec.canonical_name
    extradata = stream.codec_context.extradata or b""
    if name == "h264" and len(extradata) >= 4 and extradata[0] == 1:
        return f"avc1.{extradata[1]:02x}{extradata[2]:02x}{extradata[3]:02x}"
    return {"h264": "avc1", "hevc": "hvc1", "vp9": "vp09", "av1": "av01"}.get(name, name)


def audio_codec_string(stream: Any) -> str:
    """RFC 6381 codec of a PyAV audio stream; ``mp4a.40.<AOT>`` for AAC."""
    name = stream.codec_context.codec.canonical_name
    extradata = stream.codec_context.extradata or b""
    if name == "aac":
        aot = extradata[0] >> 3 if extradata else 2
        if aot == 31 and len(extradata) >= 2:
            aot = 32 + (((extradata[0] & 0x07) << 3) | (extradata[1] >> 5))
        return f"mp4a.40.{aot}"
    return {"mp3": "mp4a.40.34", "opus": "opus", "flac": "flac", "ac3": "ac-3"}.get(name, name)


def _describe(kind: str, path: Path, facts: dict[str, Any]) -> PackagedTrack:
    index = _index_or_none(path)
    duration_ms = facts["duration_ms"]
    if index is not None and index.duration_s > 0:
        duration_ms = round(index.duration_s * 1000)
        average, peak = index.average_bitrate, index.peak_bitrate
    else:
        average = int(path.stat().st_size * 8000 / duration_ms) if duration_ms else 0
        peak = average
    return PackagedTrack(
        kind=kind, path=path, codec=index.codec if index is not None else facts["codec"],
        bandwidth=max(peak, average), average_bandwidth=average, duration_ms=duration_ms,
        width=facts.get("width", 0), height=facts.get("height", 0),
        frame_rate=facts.get("frame_rate", 0.0), sample_rate=facts.get("sample_rate", 0),
        channels=facts.get("channels", 0), index=index,
    )


def _index_or_none(path: Path) -> Any:
    """``vpaas.media.fmp4.index_fmp4(path)`` when that module is present, else None."""
    try:
        from vpaas.media.fmp4 import index_fmp4
    except ImportError:
        return None
    try:
        return index_fmp4(path)
    except ValueError as exc:
        raise MediaError(f"packaged track is not a valid fragmented MP4: {exc}") from exc
