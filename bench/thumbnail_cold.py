"""Cold thumbnail latency: the HTTP thumbnail endpoint vs a bare ffmpeg grab of the same frame.

Processes a 20 s 720p clip (real ingest + ladder), serves the app under uvicorn, then for a
series of distinct capture times (so nothing is cached) measures:

- ``GET /p/{pid}/thumbnail/entry_id/{id}/width/320/height/180/vid_sec/T`` end to end
  (HTTP, access check, PyAV decode from the smallest fitting rendition, resize, JPEG, disk
  cache write);
- ``ffmpeg -ss T -i <source> -frames:v 1 -s 320x180 out.jpg`` as a subprocess (the tool
  limit an implementation shelling out to ffmpeg would pay).

Prints medians and the ratio (goal <= 0.7); writes bench/results/thumbnail_cold.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from serving import prepare, vpaas_server

from vpaas.media.tools import ffmpeg_path

RESULTS = Path(__file__).parent / "results" / "thumbnail_cold.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        prepared = prepare(tmp, seconds=20, size="1280x720")
        source = next((tmp / "data" / "media").rglob("source/*.mp4"))
        times = [1.3 + i * 17.0 / args.runs for i in range(args.runs)]
        endpoint_ms, ffmpeg_ms = [], []
        with vpaas_server(prepared, tmp) as base, httpx.Client() as client:
            pid, eid = prepared.partner_id, prepared.entry_id
            prefix = f"{base}/p/{pid}/sp/{pid}00/thumbnail/entry_id/{eid}/width/320/height/180"
            client.get(f"{prefix}/vid_sec/0.5").raise_for_status()  # warm imports
            for t in times:
                start = time.perf_counter()
                resp = client.get(f"{prefix}/vid_sec/{t:.3f}")
                endpoint_ms.append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200 and resp.content[:2] == b"\xff\xd8"
                out = tmp / "ff.jpg"
                start = time.perf_counter()
                subprocess.run([ffmpeg_path(), "-loglevel", "error", "-y", "-ss", f"{t:.3f}",
                                "-i", str(source), "-frames:v", "1", "-s", "320x180",
                                str(out)], check=True)
                ffmpeg_ms.append((time.perf_counter() - start) * 1000)
    result = {"runs": args.runs, "endpoint_median_ms": round(statistics.median(endpoint_ms), 1),
              "ffmpeg_median_ms": round(statistics.median(ffmpeg_ms), 1),
              "clip": "20 s 1280x720 H.264, ladder 360p/480p/540p/720p, 2 s GOP"}
    result["ratio"] = round(result["endpoint_median_ms"] / result["ffmpeg_median_ms"], 3)
    result["goal"] = "ratio <= 0.7"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"endpoint {result['endpoint_median_ms']} ms   ffmpeg {result['ffmpeg_median_ms']} ms"
          f"   ratio {result['ratio']}")


if __name__ == "__main__":
    main()
