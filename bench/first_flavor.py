"""Time from "upload complete" to the first playable flavor, as a fraction of clip duration.

"Upload complete" means the source file is on local disk. The measured path is what a
worker does: probe, plan, then either remux the matching rung (web-playable H.264/AAC
source) or encode only the lowest rung (any other source).

    .venv/bin/python bench/first_flavor.py SOURCE [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from vpaas.media.presets import (
    ACTION_REMUX,
    ACTION_TRANSCODE,
    DEFAULT_LADDER,
    FlavorPlan,
    plan_ladder,
)
from vpaas.media.probe import probe
from vpaas.media.transcode import flavor_filename, remux, transcode_ladder


def first_flavor(src: Path, out_dir: Path, threads: int, timeout: float) -> dict[str, Any]:
    """Produce the first playable flavor of ``src``; return the path taken and its timings."""
    start = time.perf_counter()
    info = probe(src)
    plans = plan_ladder(info, DEFAULT_LADDER)
    planned = time.perf_counter()
    remuxable = [p for p in plans if p.action == ACTION_REMUX]
    if remuxable:
        plan = remuxable[0]
        remux(src, out_dir / flavor_filename(plan.flavor_id), timeout, threads, info=info)
    else:
        plan = _lowest_transcode(plans)
        transcode_ladder(src, [plan], out_dir, timeout, threads, info=info)
    done = time.perf_counter()
    wall = done - start
    return {
        "path": plan.action,
        "flavor_id": plan.flavor_id,
        "size": f"{plan.width}x{plan.height}",
        "probe_plan_s": round(planned - start, 3),
        "wall_s": round(wall, 3),
        "clip_s": info.duration_ms / 1000,
        "fraction_of_duration": round(wall / (info.duration_ms / 1000), 4),
    }


def _lowest_transcode(plans: list[FlavorPlan]) -> FlavorPlan:
    candidates = [p for p in plans if p.action == ACTION_TRANSCODE]
    if not candidates:
        raise SystemExit("nothing to encode for this source")
    return min(candidates, key=lambda p: (p.height * p.width, p.video_bitrate_kbps))


def main() -> None:
    """CLI: measure one source and print the result as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vpaas-first-") as tmp:
        result = first_flavor(args.source, Path(tmp), args.threads, args.timeout)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
