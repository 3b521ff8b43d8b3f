"""Probe a media file in-process with PyAV and reject files we cannot or must not process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import av.error

from vpaas.media.tools import MediaError

MAX_SIDE = 8192
MIN_SIDE = 16
DECODE_PACKET_LIMIT = 600
TAIL_CHECK_MIN_MS = 2500

IMAGE_CODECS = frozenset({"mjpeg", "png", "apng", "webp", "gif", "bmp", "tiff", "jpeg2000"})
PLAYABLE_PIX_FMTS = frozenset({"yuv420p", "yuvj420p"})
# Demuxers that read other files or URLs (playlists) or that "decode" plain text as video.
REFUSED_FORMATS = frozenset(
    {"hls", "concat", "dash", "sdp", "rtsp", "lavfi", "tty", "bin", "adf", "idf", "xbin"}
)
PLAYLIST_MAGIC = (b"#EXTM3U", b"ffconcat", b"[playlist]")
_BRANDS = {"qt": "mov", "m4a": "m4a", "m4v": "m4v", "m4b": "m4a"}


@dataclass(frozen=True)
class MediaInfo:
    """What we know about a media file. Bitrates are kbps (0 = unknown); rotation is clockwise."""

    container: str
    format_name: str
    size_bytes: int
    duration_ms: int
    bitrate_kbps: int
    has_video: bool
    has_audio: bool
    is_image: bool
    width: int = 0
    height: int = 0
    video_codec: str | None = None
    video_profile: str | None = None
    pix_fmt: str | None = None
    video_bitrate_kbps: int = 0
    frame_rate: float = 0.0
    rotation: int = 0
    audio_codec: str | None = None
    audio_bitrate_kbps: int = 0
    audio_sample_rate: int = 0
    audio_channels: int = 0
    video_stream_index: int | None = None
    audio_stream_index: int | None = None

    @property
    def media_type(self) -> str:
        """``"image"``, ``"video"`` or ``"audio"``."""
        if self.is_image:
            return "image"
        return "video" if self.has_video else "audio"

    @property
    def display_width(self) -> int:
        """Width once the rotation is applied."""
        return self.height if self.rotation in (90, 270) else self.width

    @property
    def display_height(self) -> int:
        """Height once the rotation is applied."""
        return self.width if self.rotation in (90, 270) else self.height

    @property
    def web_playable(self) -> bool:
        """H.264 (4:2:0) with AAC or no audio, in an MP4/MOV container."""
        return (
            self.has_video
            and not self.is_image
            and self.video_codec == "h264"
            and self.pix_fmt in PLAYABLE_PIX_FMTS
            and self.audio_codec in (None, "aac")
            and self.container in ("mp4", "mov", "m4v")
        )


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Inspect ``path`` and return its ``MediaInfo``.

    Raises ``MediaError`` for a missing or empty file, a file that is not media, a file
    with no audio or video stream, dimensions outside 16..8192 px, or content that
    cannot be decoded (corrupt or truncated).
    """
    file = Path(path)
    if not file.is_file():
        raise MediaError("file not found")
    size = file.stat().st_size
    if size == 0:
        raise MediaError("file is empty (0 bytes)")
    with file.open("rb") as fh:
        head = fh.read(64).lstrip()
    if head.startswith(PLAYLIST_MAGIC):
        raise MediaError("not a media file (playlists and concat lists are not accepted)")
    try:
        container = av.open(str(file.resolve()), options={"protocol_whitelist": "file"})
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"not a media file, or the file is corrupt ({_strerror(exc)})") from exc
    try:
        return _inspect(container, size)
    finally:
        container.close()


def _inspect(container: Any, size: int) -> MediaInfo:
    format_name = container.format.name
    if set(format_name.split(",")) & REFUSED_FORMATS:
        raise MediaError(f"not a media file (format {format_name!r} is not accepted)")
    video = _first_video(container)
    audio = container.streams.audio[0] if container.streams.audio else None
    if video is None and audio is None:
        raise MediaError("the file has no audio or video stream")
    is_image = video is not None and audio is None and _looks_like_image(video)
    rotation = 0
    if video is not None:
        _check_dimensions(video.codec_context.width, video.codec_context.height)
        rotation = _first_frame_rotation(container, video)
    else:
        _decode_first(container, audio, "audio")
    duration_ms = 0 if is_image else _duration_ms(container, video or audio)
    if not is_image and duration_ms >= TAIL_CHECK_MIN_MS:
        _check_tail(container, video or audio, duration_ms)
    fields: dict[str, Any] = {
        "container": _short_container(container),
        "format_name": format_name,
        "size_bytes": size,
        "duration_ms": duration_ms,
        "bitrate_kbps": (container.bit_rate or 0) // 1000,
        "has_video": video is not None,
        "has_audio": audio is not None,
        "is_image": is_image,
    }
    if video is not None:
        fields.update(_video_fields(video, rotation))
    if audio is not None:
        fields.update(_audio_fields(audio))
    if video is not None and not fields["video_bitrate_kbps"] and not is_image:
        estimate = fields["bitrate_kbps"] - fields.get("audio_bitrate_kbps", 0)
        fields["video_bitrate_kbps"] = max(0, estimate)
    return MediaInfo(**fields)


def _first_video(container: Any) -> Any:
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


def _looks_like_image(video: Any) -> bool:
    return video.codec_context.codec.canonical_name in IMAGE_CODECS and (video.frames or 0) <= 1


def _check_dimensions(width: int, height: int) -> None:
    if not width or not height:
        raise MediaError("the video stream has no picture size (corrupt file)")
    if max(width, height) > MAX_SIDE:
        raise MediaError(f"picture too large: {width}x{height} (max {MAX_SIDE} px per side)")
    if min(width, height) < MIN_SIDE:
        raise MediaError(f"picture too small: {width}x{height} (min {MIN_SIDE} px per side)")


def _first_frame_rotation(container: Any, video: Any) -> int:
    frame = _decode_first(container, video, "video")
    ccw = round(getattr(frame, "rotation", 0) or 0)
    if not ccw:
        tag = video.metadata.get("rotate", "0")
        return int(tag) % 360 if tag.lstrip("-").isdigit() else 0
    return (-ccw) % 360


def _decode_first(container: Any, stream: Any, kind: str) -> Any:
    """Decode and return the first frame of ``stream``; MediaError if there is none."""
    try:
        for count, packet in enumerate(container.demux(stream)):
            for frame in packet.decode():
                return frame
            if count >= DECODE_PACKET_LIMIT:
                break
    except (av.error.FFmpegError, ValueError) as exc:
        raise MediaError(
            f"cannot decode the {kind} (corrupt or truncated file: {_strerror(exc)})"
        ) from exc
    raise MediaError(f"cannot decode any {kind} frame (corrupt or truncated file)")


def _check_tail(container: Any, stream: Any, duration_ms: int) -> None:
    """Read packets near the end: a file cut short (index first, data truncated) has none."""
    target_ms = duration_ms - 1500
    try:
        container.seek(target_ms * 1000, backward=True, any_frame=True)
    except (av.error.FFmpegError, ValueError):
        return  # not seekable: nothing more to learn cheaply
    try:
        for count, packet in enumerate(container.demux(stream)):
            if packet.size > 0:
                return
            if count >= DECODE_PACKET_LIMIT:
                break
    except (av.error.FFmpegError, ValueError):
        pass
    raise MediaError("the file is truncated or corrupt: its end cannot be read")


def _duration_ms(container: Any, stream: Any) -> int:
    if container.duration:
        return max(0, int(container.duration // 1000))
    if stream.duration and stream.time_base:
        return max(0, int(stream.duration * stream.time_base * 1000))
    return 0


def _video_fields(video: Any, rotation: int) -> dict[str, Any]:
    ctx = video.codec_context
    rate = video.average_rate or video.guessed_rate
    return {
        "width": ctx.width,
        "height": ctx.height,
        "video_codec": ctx.codec.canonical_name,
        "video_profile": ctx.profile,
        "pix_fmt": ctx.pix_fmt,
        "video_bitrate_kbps": (video.bit_rate or 0) // 1000,
        "frame_rate": round(float(rate), 3) if rate else 0.0,
        "rotation": rotation,
        "video_stream_index": video.index,
    }


def _audio_fields(audio: Any) -> dict[str, Any]:
    ctx = audio.codec_context
    return {
        "audio_codec": ctx.codec.canonical_name,
        "audio_bitrate_kbps": (audio.bit_rate or ctx.bit_rate or 0) // 1000,
        "audio_sample_rate": ctx.sample_rate or 0,
        "audio_channels": ctx.layout.nb_channels if ctx.layout else 0,
        "audio_stream_index": audio.index,
    }


def _short_container(container: Any) -> str:
    names = container.format.name.split(",")
    if "mp4" in names:
        brand = container.metadata.get("major_brand", "").strip().lower()
        return _BRANDS.get(brand, "mp4")
    return names[0]


def _strerror(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(":")[0].strip() or type(exc).__name__
