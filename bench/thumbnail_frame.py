"""Cold thumbnail latency: in-process PyAV grab + render vs an ffmpeg subprocess per frame.

Generates a 30 s 1080p30 clip (2 s GOP) and its 360p rendition, then times, with a new
container / process each run, the capture of the frame at ``t`` scaled to 320x180 JPEG:
  - ffmpeg ``-ss T -i src -frames:v 1 -s 320x180 out.jpg`` (the tool limit),
  - vpaas.media.frame_grab grab_frame + thumbnails render on the 1080p source,
  - the same on the 360p rendition (what delivery does when a low rung exists),
  - keyframe-only grab on the 360p rendition (sprites).
Prints medians and ratios and writes bench/results/thumbnail_frame.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg

from vpaas.media.frame_grab import grab_frame
from vpaas.media.thumbnails import RenderSpec, render

RESULTS = Path(__file__).parent / "results" / "thumbnail_frame.json"
SPEC = RenderSpec(width=320, height=180, quality=75)


def _ffmpeg(*args: str) -> None:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run([*cmd, *args], check=True)


def make_media(folder: Path, duration: int) -> tuple[Path, Path]:
    """1080p30 source with a 2 s GOP and a 360p rendition with the same GOP."""
    src, low = folder / "src_1080p.mp4", folder / "rung_360p.mp4"
    gop = ["-g", "60", "-keyint_min", "60", "-sc_threshold", "0"]
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:duration={duration}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", *gop, str(src))  # fmt: skip
    _ffmpeg("-i", str(src), "-vf", "scale=640:360", "-c:v", "libx264", "-preset", "veryfast",
            "-b:v", "800k", *gop, str(low))  # fmt: skip
    return src, low


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``fn`` in milliseconds (one untimed warm-up of the OS cache)."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--t", type=float, default=17.3, help="capture time in seconds")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src, low = make_media(folder, args.duration)
        out = folder / "out.jpg"
        t = args.t

        def ffmpeg_cli() -> None:
            _ffmpeg("-ss", str(t), "-i", str(src), "-frames:v", "1", "-s", "320x180", str(out))

        results = {
            "ffmpeg_subprocess_1080p_ms": median_ms(ffmpeg_cli, args.runs),
            "pyav_exact_1080p_ms": median_ms(lambda: render(grab_frame(src, t), SPEC), args.runs),
            "pyav_exact_360p_ms": median_ms(lambda: render(grab_frame(low, t), SPEC), args.runs),
            "pyav_keyframe_360p_ms": median_ms(
                lambda: render(grab_frame(low, t, exact=False), SPEC), args.runs
            ),
        }
    base = results["ffmpeg_subprocess_1080p_ms"]
    ratios = {
        f"speedup_{k[:-3]}_vs_ffmpeg": round(base / v, 2)
        for k, v in results.items()
        if k.startswith("pyav")
    }
    report = {
        "clip": f"{args.duration}s 1920x1080@30 testsrc2, 2 s GOP; 640x360 rung, 2 s GOP",
        "capture_time_s": t,
        "output": "320x180 JPEG q75",
        "runs": args.runs,
        **{k: round(v, 1) for k, v in results.items()},
        **ratios,
    }
    for key, value in report.items():
        print(f"{key:42} {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
