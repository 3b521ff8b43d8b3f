"""Ladder benchmark: vpaas transcode_ladder vs bare ffmpeg, and time to first playable flavor.

Generates a testsrc2+sine clip, then measures in one run, on this machine:
  (a) transcode_ladder producing every H.264 rung the source allows, against bare ffmpeg
      producing the same ladder from the same source (1) with the same command line
      (wrapper overhead) and (2) with the command line a person would write (default
      threading); ratios are ours / bare;
  (b) "upload complete" -> first playable flavor for a web-playable H.264/AAC MP4 (remux)
      and for an MPEG-4 Part 2/MP3 AVI (lowest rung only), as a fraction of clip duration.

    .venv/bin/python bench/ladder.py [--duration 20] [--size 1920x1080] [--threads 2]

Writes bench/results/ladder.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from first_flavor import first_flavor

from vpaas.media.presets import (
    ACTION_REMUX,
    ACTION_TRANSCODE,
    DEFAULT_LADDER,
    FlavorPlan,
    plan_ladder,
)
from vpaas.media.probe import MediaInfo, probe
from vpaas.media.tools import ffmpeg_command, ffmpeg_path, ffmpeg_version
from vpaas.media.transcode import ladder_args, transcode_ladder

RESULTS = Path(__file__).resolve().parent / "results" / "ladder.json"


def make_sources(work: Path, duration: float, size: str) -> dict[str, Path]:
    """A web-playable H.264/AAC MP4 (4 Mbit/s) and an MPEG-4/MP3 AVI of the same picture."""
    lavfi = [
        "-f", "lavfi", "-i", f"testsrc2=s={size}:r=30:d={duration}",
        "-f", "lavfi", "-i", f"sine=f=440:sample_rate=48000:d={duration}",
    ]  # fmt: skip
    encodes = {
        "h264.mp4": ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "4000k",
                     "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
                     "-movflags", "+faststart"],
        "mpeg4.avi": ["-c:v", "mpeg4", "-q:v", "4", "-c:a", "libmp3lame", "-b:a", "128k"],
    }  # fmt: skip
    out = {}
    for name, codec_args in encodes.items():
        out[name] = work / name
        cmd = [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y", *lavfi, *codec_args,
               "-shortest", str(out[name])]  # fmt: skip
        subprocess.run(cmd, check=True)
    return out


def all_rungs(info: MediaInfo) -> list[FlavorPlan]:
    """Every rung the plan encodes (the AVI source is never remuxed)."""
    plans = plan_ladder(info, DEFAULT_LADDER)
    if any(p.action == ACTION_REMUX for p in plans):
        raise SystemExit("the ladder source must need transcoding")
    return [p for p in plans if p.action == ACTION_TRANSCODE]


def human_command(src: Path, info: MediaInfo, plans: list[FlavorPlan], out: Path) -> list[str]:
    """The ladder command line a person would write by hand (ffmpeg's default threading)."""
    n = len(plans)
    graph = f"[0:v]split={n}" + "".join(f"[s{i}]" for i in range(n)) + "".join(
        f";[s{i}]scale={p.width}:{p.height}[v{i}]" for i, p in enumerate(plans)
    )
    cmd = [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
           "-filter_complex", graph]  # fmt: skip
    gop = round(info.frame_rate * 2)
    for i, p in enumerate(plans):
        kbps = p.video_bitrate_kbps
        cmd += [
            "-map", f"[v{i}]", "-map", "0:a", "-c:v", "libx264", "-preset", "veryfast",
            "-profile:v", p.spec.video_profile, "-b:v", f"{kbps}k",
            "-maxrate", f"{kbps * 3 // 2}k", "-bufsize", f"{kbps * 2}k",
            "-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0", "-g", str(gop),
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", f"{p.audio_bitrate_kbps}k",
            "-ac", "2", "-ar", "48000", "-movflags", "+faststart", str(out / f"h{p.flavor_id}.mp4"),
        ]  # fmt: skip
    return cmd


def same_command(
    src: Path, info: MediaInfo, plans: list[FlavorPlan], out: Path, threads: int
) -> list[str]:
    """Exactly the command transcode_ladder runs, for a bare subprocess.run."""
    outputs = {p.flavor_id: out / f"s{p.flavor_id}.mp4" for p in plans}
    return ffmpeg_command(ladder_args(src, info, plans, outputs, threads), threads)


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure_ladder(src: Path, work: Path, threads: int, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` wall times; the variants take turns so drift hits all of them."""
    info = probe(src)
    plans = all_rungs(info)
    bare_dir = work / "bare"
    bare_dir.mkdir()
    same_cmd = same_command(src, info, plans, bare_dir, threads)
    hand_cmd = human_command(src, info, plans, bare_dir)
    variants = {
        "ours": lambda: transcode_ladder(src, plans, work / "ours", 7200, threads, info=info),
        "same": lambda: subprocess.run(same_cmd, check=True, stdout=subprocess.DEVNULL),
        "hand": lambda: subprocess.run(hand_cmd, check=True),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(repeat):
        order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
        for name in order:
            times[name].append(timed(variants[name]))
    ours, same, human = (min(times[n]) for n in ("ours", "same", "hand"))
    clip_s = info.duration_ms / 1000
    return {
        "rungs": [f"{p.flavor_id}:{p.width}x{p.height}@{p.video_bitrate_kbps}k" for p in plans],
        "clip_s": clip_s,
        "ours_s": round(ours, 2),
        "bare_same_cmd_s": round(same, 2),
        "bare_hand_cmd_s": round(human, 2),
        "ratio_vs_same_cmd": round(ours / same, 3),
        "ratio_vs_hand_cmd": round(ours / human, 3),
        "ours_realtime_factor": round(clip_s / ours, 3),
        "all_runs_s": {name: [round(t, 2) for t in runs] for name, runs in times.items()},
    }


def print_table(result: dict[str, Any]) -> None:
    lad = result["ladder"]
    print(f"\nladder: {len(lad['rungs'])} rungs {', '.join(lad['rungs'])}; clip {lad['clip_s']} s")
    print(f"{'variant (best of runs)':<34}{'wall s':>9}{'ours / bare':>13}")
    print(f"{'vpaas transcode_ladder':<34}{lad['ours_s']:>9.2f}{'':>13}")
    print(f"{'bare ffmpeg, same command':<34}{lad['bare_same_cmd_s']:>9.2f}"
          f"{lad['ratio_vs_same_cmd']:>13.3f}")  # fmt: skip
    print(f"{'bare ffmpeg, hand-written command':<34}{lad['bare_hand_cmd_s']:>9.2f}"
          f"{lad['ratio_vs_hand_cmd']:>13.3f}")  # fmt: skip
    print(f"\n{'first playable flavor':<28}{'path':<11}{'flavor':>7}{'wall s':>9}{'x clip':>9}")
    for name, row in result["first_flavor"].items():
        print(f"{name:<28}{row['path']:<11}{row['flavor_id']:>7}{row['wall_s']:>9.2f}"
              f"{row['fraction_of_duration']:>9.4f}")  # fmt: skip


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="vpaas ladder benchmark")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="ladder runs per variant")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vpaas-bench-") as tmp:
        work = Path(tmp)
        sources = make_sources(work, args.duration, args.size)
        result = {
            "machine": {
                "python": platform.python_version(),
                "ffmpeg": ffmpeg_version(),
                "cpus": len(os.sched_getaffinity(0)),
                "loadavg_1m_at_start": os.getloadavg()[0],
            },
            "args": vars(args) | {"out": str(args.out)},
            "ladder": measure_ladder(sources["mpeg4.avi"], work, args.threads, args.repeat),
            "first_flavor": {
                "web-playable h264/aac mp4": first_flavor(
                    sources["h264.mp4"], _fresh(work, "ff1"), args.threads, 3600
                ),
                "mpeg4/mp3 avi (transcode)": first_flavor(
                    sources["mpeg4.avi"], _fresh(work, "ff2"), args.threads, 3600
                ),
            },
        }
    result["machine"]["loadavg_1m_at_end"] = os.getloadavg()[0]
    print_table(result)
    print(f"load average (1 min) start/end: {result['machine']['loadavg_1m_at_start']:.2f} / "
          f"{result['machine']['loadavg_1m_at_end']:.2f} on {result['machine']['cpus']} cpus")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.out}")


def _fresh(work: Path, name: str) -> Path:
    path = work / name
    path.mkdir()
    return path


if __name__ == "__main__":
    main()
