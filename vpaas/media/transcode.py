"""Encode a planned ladder in one ffmpeg process, and remux web-playable sources."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from vpaas.media.package import fragmented_muxer_options, track_targets
from vpaas.media.presets import ACTION_TRANSCODE, FlavorPlan, FlavorSpec
from vpaas.media.probe import MediaInfo, probe
from vpaas.media.tools import MediaError, ProgressCallback, RunControl, run_ffmpeg

X264_PRESET = "veryfast"
PARTIAL_SUFFIX = ".partial"


def flavor_filename(flavor_id: int) -> str:
    """File name of a flavor's MP4 inside an output directory."""
    return f"flavor_{int(flavor_id)}.mp4"


def transcode_ladder(
    src: str | os.PathLike[str],
    plans: Sequence[FlavorPlan],
    out_dir: str | os.PathLike[str],
    timeout: float,
    threads: int,
    progress_cb: ProgressCallback | None = None,
    *,
    info: MediaInfo | None = None,
    ffmpeg: str | None = None,
    control: RunControl | None = None,
    packaged: bool = False,
) -> dict[int, Path]:
    """Encode every ``transcode`` plan of ``plans`` from ``src`` in ONE ffmpeg process.

    The source is decoded once and split; every rendition gets keyframes forced at the
    same instants (every ``gop_seconds``), so segments line up across renditions. Other
    actions are ignored. Returns ``{flavor_id: path}`` of progressive (faststart) MP4s in
    ``out_dir``; nothing is left behind on failure. ``control``: see :func:`run_ffmpeg`.
    With ``packaged`` the same run also writes each flavor's single-track fragmented MP4s
    next to it (:func:`packaged_targets`), so no separate packaging pass is needed.
    """
    todo = [p for p in plans if p.action == ACTION_TRANSCODE]
    if not todo:
        return {}
    info = info or probe(src)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    targets = {p.flavor_id: out / flavor_filename(p.flavor_id) for p in todo}
    tracks = {p.flavor_id: packaged_targets(targets[p.flavor_id], p, info)
              for p in todo} if packaged else {}
    finals = [*targets.values(), *(t for by_kind in tracks.values() for t in by_kind.values())]
    partials = {path: path.with_name(path.name + PARTIAL_SUFFIX) for path in finals}
    args = ladder_args(Path(src), info, todo, {f: partials[p] for f, p in targets.items()},
                       threads, {f: {k: partials[p] for k, p in by_kind.items()}
                                 for f, by_kind in tracks.items()})
    try:
        run_ffmpeg(args, timeout, threads, progress_cb, duration_ms=info.duration_ms,
                   ffmpeg=ffmpeg, control=control)
        for final, partial in partials.items():
            partial.replace(final)
    finally:
        for partial in partials.values():
            partial.unlink(missing_ok=True)
    return targets


def packaged_targets(flavor_mp4: Path, plan: FlavorPlan, info: MediaInfo) -> dict[str, Path]:
    """The single-track files ``transcode_ladder(packaged=True)`` writes for ``plan``."""
    kinds = [k for k, present in (("video", not plan.spec.is_audio_only and info.has_video),
                                  ("audio", info.has_audio and bool(plan.spec.audio_codec)))
             if present]
    return track_targets(flavor_mp4, flavor_mp4.parent, kinds)


def ladder_args(
    src: Path,
    info: MediaInfo,
    plans: Sequence[FlavorPlan],
    outputs: dict[int, Path],
    threads: int,
    tracks: dict[int, dict[str, Path]] | None = None,
) -> list[str]:
    """The ffmpeg arguments (after global options) that encode ``plans`` into ``outputs``
    (and, for the flavors in ``tracks``, into their single-track fragmented MP4s too)."""
    if not info.has_video and not info.has_audio:
        raise MediaError("the source has no audio or video to encode")
    video_plans = [p for p in plans if not p.spec.is_audio_only]
    if video_plans and not info.has_video:
        raise MediaError("cannot make a video flavor from a source without video")
    args = [*input_args(src, info)]
    if video_plans:
        args += ["-filter_complex", _filter_graph(info, video_plans)]
    per_output = max(1, threads // max(1, len(plans)))
    for plan in plans:
        label = f"[v{video_plans.index(plan)}]" if plan in video_plans else None
        args += _output_args(info, plan, label, per_output)
        if tracks and plan.flavor_id in tracks:
            args += _tee(outputs[plan.flavor_id], tracks[plan.flavor_id])
        else:
            args += ["-movflags", "+faststart", "-f", "mp4", str(outputs[plan.flavor_id])]
    return args


def _tee(mp4: Path, tracks: dict[str, Path]) -> list[str]:
    """One encode, muxed three ways: the progressive MP4 and one fragmented file per track.

    Encoders only make global headers (avcC, AudioSpecificConfig) when their muxer asks,
    which the tee muxer cannot do for its slaves, so they are asked for here.
    """
    slaves = [f"[f=mp4:movflags=+faststart]{_tee_escape(mp4)}"]
    for kind, path in tracks.items():
        options = {"f": "mp4", **fragmented_muxer_options(kind), "select": kind[0]}
        spec = ":".join(f"{k}={v}" for k, v in options.items())
        slaves.append(f"[{spec}]{_tee_escape(path)}")
    return ["-flags:v", "+global_header", "-flags:a", "+global_header",
            "-f", "tee", "|".join(slaves)]


def _tee_escape(path: Path) -> str:
    return re.sub(r"([\\|\[\]])", r"\\\1", str(path))


def input_args(src: Path, info: MediaInfo) -> list[str]:
    """``-f <demuxer> -i <abs path>``: ffmpeg reads the file with the demuxer probe() accepted."""
    demuxer = info.format_name.split(",")[0]
    return ["-f", demuxer, "-i", str(src.resolve())]


def _filter_graph(info: MediaInfo, plans: Sequence[FlavorPlan]) -> str:
    n = len(plans)
    parts = [f"[0:{info.video_stream_index}]split={n}" + "".join(f"[s{i}]" for i in range(n))]
    for i, plan in enumerate(plans):
        parts.append(
            f"[s{i}]scale={plan.width}:{plan.height}:flags=bicubic,setsar=1,format=yuv420p[v{i}]"
        )
    return ";".join(parts)


def _output_args(
    info: MediaInfo, plan: FlavorPlan, label: str | None, threads: int
) -> list[str]:
    spec = plan.spec
    args: list[str] = []
    if label is not None:
        kbps = plan.video_bitrate_kbps or spec.video_bitrate_kbps
        args += [
            "-map", label, "-c:v", "libx264", "-preset", X264_PRESET,
            "-profile:v", spec.video_profile, "-b:v", f"{kbps}k",
            "-maxrate", f"{kbps * 3 // 2}k", "-bufsize", f"{kbps * 2}k",
            "-force_key_frames", f"expr:gte(t,n_forced*{spec.gop_seconds:g})",
            "-forced-idr", "1", "-sc_threshold", "0", "-g", str(_gop_frames(info, spec)),
        ]
    else:
        args += ["-vn"]
    if info.has_audio and spec.audio_codec:
        a_kbps = plan.audio_bitrate_kbps or spec.audio_bitrate_kbps
        args += [
            "-map", f"0:{info.audio_stream_index}", "-c:a", "aac", "-b:a", f"{a_kbps}k",
            "-ac", str(spec.audio_channels), "-ar", str(spec.audio_sample_rate),
        ]
    else:
        args += ["-an"]
    args += [
        "-sn", "-dn", "-map_metadata", "-1", "-threads", str(threads),
    ]
    return args


def _gop_frames(info: MediaInfo, spec: FlavorSpec) -> int:
    fps = info.frame_rate if 0 < info.frame_rate <= 240 else 30.0
    return max(1, round(fps * spec.gop_seconds))


def remux(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    timeout: float = 600.0,
    threads: int = 1,
    *,
    info: MediaInfo | None = None,
    ffmpeg: str | None = None,
) -> Path:
    """Copy the first video and audio streams of ``src`` into a faststart MP4 at ``dst``."""
    info = info or probe(src)
    if not info.has_video and not info.has_audio:
        raise MediaError("the source has no audio or video to remux")
    target = Path(dst)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    args = input_args(Path(src), info)
    for index in (info.video_stream_index, info.audio_stream_index):
        if index is not None:
            args += ["-map", f"0:{index}"]
    args += ["-c", "copy", "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4"]
    args.append(str(partial))
    try:
        run_ffmpeg(args, timeout, threads, duration_ms=info.duration_ms, ffmpeg=ffmpeg)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
