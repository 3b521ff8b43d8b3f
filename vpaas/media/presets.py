"""Flavor params as data (the CE ladder we encode) and the per-source ladder plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vpaas.media.probe import MediaInfo

ACTION_SOURCE = "source"
ACTION_TRANSCODE = "transcode"
ACTION_REMUX = "remux"
ACTION_NOT_APPLICABLE = "not_applicable"

# A web-playable source is remuxed into its rung only if its video bitrate is at most
# this multiple of the rung's: a 20 Mbit/s camera file is not a 1.5 Mbit/s web flavor.
REMUX_MAX_BITRATE_FACTOR = 2.0
SIZE_TOLERANCE = 0.02
MIN_VIDEO_KBPS = 64


@dataclass(frozen=True)
class FlavorSpec:
    """One flavorParams entry. ``height`` is the rendition's short side; 0 width = derive."""

    id: int
    name: str
    tags: tuple[str, ...]
    format: str = "mp4"
    width: int = 0
    height: int = 0
    video_codec: str | None = "h264"
    video_profile: str = "high"
    video_bitrate_kbps: int = 0
    audio_codec: str | None = "aac"
    audio_bitrate_kbps: int = 128
    audio_channels: int = 2
    audio_sample_rate: int = 48000
    gop_seconds: float = 2.0
    is_audio_only: bool = False
    is_source: bool = False

    @property
    def tags_csv(self) -> str:
        """Tags the way Kaltura's API returns them."""
        return ",".join(self.tags)


@dataclass(frozen=True)
class FlavorPlan:
    """What to do for one spec and one source: action, output size and bitrates."""

    spec: FlavorSpec
    action: str
    reason: str = ""
    width: int = 0
    height: int = 0
    video_bitrate_kbps: int = 0
    audio_bitrate_kbps: int = 0

    @property
    def flavor_id(self) -> int:
        """The flavorParams id this plan is for."""
        return self.spec.id


_SMALL_TAGS = ("mobile", "web", "mbr", "iphone", "iphonenew", "ipad", "ipadnew", "dash", "applembr")
_HD_TAGS = ("web", "mbr", "dash", "applembr")


def _h264(fid: int, name: str, height: int, kbps: int, profile: str, audio: int) -> FlavorSpec:
    tags = _SMALL_TAGS if fid <= 5 else _HD_TAGS
    return FlavorSpec(
        id=fid, name=name, tags=tags, height=height, video_profile=profile,
        video_bitrate_kbps=kbps, audio_bitrate_kbps=audio,
    )


DEFAULT_LADDER: tuple[FlavorSpec, ...] = (
    FlavorSpec(
        id=0, name="Source", tags=("source",), format="", video_codec=None, audio_codec=None,
        is_source=True,
    ),
    _h264(2, "Basic/Small - WEB/MBL (H264/400)", 360, 400, "baseline", 64),
    _h264(3, "Basic/Small - WEB/MBL (H264/600)", 480, 600, "baseline", 64),
    _h264(4, "SD/Small - WEB/MBL (H264/900)", 540, 900, "main", 64),
    _h264(5, "SD/Large - WEB/MBL (H264/1500)", 720, 1500, "main", 128),
    _h264(6, "HD/720 - WEB (H264/2500)", 720, 2500, "high", 128),
    _h264(7, "HD/1080 - WEB (H264/4000)", 1080, 4000, "high", 128),
    FlavorSpec(
        id=11, name="Audio only (AAC/128)", tags=("audio_only",), format="mp4",
        video_codec=None, audio_bitrate_kbps=128, is_audio_only=True,
    ),
)


def plan_ladder(info: MediaInfo, specs: Sequence[FlavorSpec]) -> list[FlavorPlan]:
    """Decide, for each spec, whether to transcode, remux or skip it for this source.

    Never upscales; when the source is smaller than every video rung, the lowest rung is
    produced at the source size so one playable rendition always exists. A web-playable
    H.264/AAC source whose size matches its closest rung is remuxed into that rung.
    """
    if info.is_image:
        return [_skip(s, "image entries have no flavors to encode") for s in specs]
    if not info.has_video:
        return [_plan_for_audio_source(info, s) for s in specs]
    video_specs = [s for s in specs if _is_video_rung(s)]
    fallback = min(video_specs, key=lambda s: (s.height, s.video_bitrate_kbps), default=None)
    remux_id = _remux_candidate(info, video_specs, fallback)
    plans = []
    for spec in specs:
        if spec.is_source:
            plans.append(FlavorPlan(spec, ACTION_SOURCE, "the uploaded file itself"))
        elif spec.is_audio_only:
            plans.append(_skip(spec, "the source has video; its flavors carry the audio"))
        elif not _is_video_rung(spec):
            plans.append(_skip(spec, f"unsupported video codec {spec.video_codec!r}"))
        else:
            plans.append(_plan_video(info, spec, spec is fallback, spec.id == remux_id))
    return plans


def _is_video_rung(spec: FlavorSpec) -> bool:
    return not spec.is_source and not spec.is_audio_only and spec.video_codec == "h264"


def _skip(spec: FlavorSpec, reason: str) -> FlavorPlan:
    return FlavorPlan(spec, ACTION_NOT_APPLICABLE, reason)


def _plan_for_audio_source(info: MediaInfo, spec: FlavorSpec) -> FlavorPlan:
    if spec.is_source:
        return FlavorPlan(spec, ACTION_SOURCE, "the uploaded file itself")
    if not spec.is_audio_only:
        return _skip(spec, "the source has no video")
    kbps = spec.audio_bitrate_kbps
    if info.audio_codec == "aac" and info.container in ("mp4", "m4a", "mov"):
        return FlavorPlan(spec, ACTION_REMUX, "source is AAC in MP4", audio_bitrate_kbps=kbps)
    return FlavorPlan(spec, ACTION_TRANSCODE, "", audio_bitrate_kbps=kbps)


def _plan_video(info: MediaInfo, spec: FlavorSpec, lowest: bool, remux: bool) -> FlavorPlan:
    short = min(info.display_width, info.display_height)
    audio_kbps = spec.audio_bitrate_kbps if info.has_audio else 0
    if remux:
        return FlavorPlan(
            spec, ACTION_REMUX, "source is web-playable at this size",
            info.display_width, info.display_height, info.video_bitrate_kbps,
            info.audio_bitrate_kbps,
        )
    if spec.height > short * (1 + SIZE_TOLERANCE) and not lowest:
        return _skip(spec, f"rendition ({spec.height}p) is larger than the source ({short}p)")
    width, height = output_size(info.display_width, info.display_height, spec)
    kbps = spec.video_bitrate_kbps
    if info.video_bitrate_kbps:
        kbps = max(MIN_VIDEO_KBPS, min(kbps, info.video_bitrate_kbps))
    reason = "source smaller than the lowest rendition" if spec.height > short else ""
    return FlavorPlan(spec, ACTION_TRANSCODE, reason, width, height, kbps, audio_kbps)


def _remux_candidate(
    info: MediaInfo, video_specs: list[FlavorSpec], fallback: FlavorSpec | None
) -> int | None:
    """Id of the rung the source can be remuxed into, if any."""
    if not video_specs or not info.web_playable or info.rotation:
        return None
    if info.display_width % 2 or info.display_height % 2:
        return None
    short = min(info.display_width, info.display_height)
    src_kbps = info.video_bitrate_kbps
    closest = min(
        video_specs,
        key=lambda s: (abs(s.height - short), abs(s.video_bitrate_kbps - src_kbps)),
    )
    size_matches = abs(closest.height - short) <= closest.height * SIZE_TOLERANCE
    if not size_matches and not (closest is fallback and short < closest.height):
        return None
    if src_kbps and src_kbps > closest.video_bitrate_kbps * REMUX_MAX_BITRATE_FACTOR:
        return None
    return closest.id


def output_size(src_width: int, src_height: int, spec: FlavorSpec) -> tuple[int, int]:
    """Even output dimensions: short side = ``spec.height`` (never above the source's)."""
    short, long_ = min(src_width, src_height), max(src_width, src_height)
    scale = min(1.0, spec.height / short) if spec.height else 1.0
    if spec.width:
        scale = min(scale, spec.width / long_)
    width = max(2, round(src_width * scale / 2) * 2)
    height = max(2, round(src_height * scale / 2) * 2)
    return width, height
