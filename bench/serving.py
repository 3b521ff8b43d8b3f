"""Serving throughput: vpaas (uvicorn, 1 worker), bare nginx (1 worker) and vpaas behind nginx.

Builds a data dir with one processed entry (real ingest + processing), starts ``vpaas``'s app
under uvicorn (uvloop + httptools) and nginx (sendfile, tcp_nopush off) on free loopback
ports, and loads both with ``wrk -t1 -c64`` for a bounded time:

- an HLS/DASH fragment: a signed serveFlavor URL with a ``Range`` of one fragment, vs nginx
  serving the same track file with the same ``Range``;
- a cached thumbnail: ``/thumbnail/.../width/320/height/180/vid_sec/2`` (rendered once), vs
  nginx serving the cached JPEG file.

Then the same two URLs through nginx in front of a second vpaas process with ``accel_redirect``
set, twice (docs/delivery.md "Behind nginx"):

- hand-off only: vpaas checks the token or access on every request and answers with
  ``X-Accel-Redirect``, nginx sends the bytes (keepalive upstream connections);
- the deployment ``vpaas nginx-conf`` prints: the same hand-off plus nginx's proxy cache for
  signed fragments and public thumbnails, so repeated requests never reach vpaas.

Prints requests/s and the ratios against bare nginx; writes bench/results/serving.json.
Needs ``nginx`` and ``wrk`` (``apt-get install -y nginx-light wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from vpaas.app import build_runtime
from vpaas.db.tables.partner import PartnerRow
from vpaas.delivery.front import FrontConfig
from vpaas.domain import entries
from vpaas.domain.partners import create_partner
from vpaas.jobs import JobRunner, RunnerOptions
from vpaas.jobs.handlers import build_handlers
from vpaas.media.tools import ffmpeg_path
from vpaas.settings import Settings, load_settings

RESULTS = Path(__file__).parent / "results" / "serving.json"
LAUNCHER = """
import sys, uvicorn
from vpaas.app import create_app
from vpaas.delivery.routes import delivery_routes
from vpaas.settings import load_settings
settings = load_settings(env={{}}, data_dir={data!r}, workers=0, accel_redirect={accel!r})
app = create_app(settings)
if not any("playManifest" in getattr(r, "path", "") for r in app.router.routes):
    app.router.routes.extend(delivery_routes(app.state.runtime))
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", loop="uvloop",
            http="httptools", access_log=False)
"""
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush off;
  keepalive_requests 1000000;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  types {{ video/mp4 mp4; image/jpeg jpg; }}
  {server}
}}
"""
BARE_SERVER = "server {{ listen 127.0.0.1:{port}; root {root}; location / {{ }} }}"
ACCEL = "/_vpaas_media/"
FRONT_SERVER = """upstream vpaas {{ server 127.0.0.1:{upstream}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location /_vpaas_media/media/ {{ internal; alias {media}/; }}
    location /_vpaas_media/thumbs/ {{ internal; alias {thumbs}/; }}
    location / {{
      proxy_pass http://vpaas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }}
  }}"""


@dataclass
class Prepared:
    """A data dir holding one processed entry."""

    settings: Settings
    partner_id: int
    entry_id: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_clip(folder: Path, seconds: int, size: str) -> Path:
    """An H.264/AAC test clip."""
    out = folder / "clip.mp4"
    subprocess.run([ffmpeg_path(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=s={size}:r=25:d={seconds}", "-f", "lavfi", "-i",
                    f"sine=f=440:d={seconds}", "-c:v", "libx264", "-preset", "veryfast",
                    "-b:v", "1500k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                    "-movflags", "+faststart", str(out)], check=True, timeout=600)
    return out


def prepare(folder: Path, seconds: int = 20, size: str = "1280x720") -> Prepared:
    """Ingest and process one clip in a fresh data dir (real job handlers, this thread)."""
    settings = load_settings(env={}, data_dir=str(folder / "data"), workers=0)
    runtime = build_runtime(settings)
    with runtime.db.system_session() as s:
        partner: PartnerRow = create_partner(s, "bench")
        s.commit()
        pid = partner.id
    clip = make_clip(folder, seconds, size)
    with runtime.db.partner_session(pid) as s:
        row = entries.new_entry(s, entries.EntryType.MEDIA_CLIP, {"name": "bench"})
        copy = folder / "upload.mp4"
        shutil.copyfile(clip, copy)
        entries.store_file(s, runtime.storage, row, copy, "clip.mp4")
        s.commit()
        eid = row.id
    runner = JobRunner(runtime.db, build_handlers(), runtime,
                       options=RunnerOptions(lease_seconds=600, backoff_base=0, backoff_max=0))
    while runner.run_next():
        pass
    runtime.db.dispose()
    return Prepared(settings, pid, eid)


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


@contextmanager
def running(cmd: list[str], port: int, log: Path) -> Iterator[None]:
    """Run a server subprocess until the block ends; stopped by its PID."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_port(port)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def vpaas_server(prepared: Prepared, tmp: Path, accel: str = "") -> Iterator[str]:
    port = free_port()
    script = tmp / "launch_vpaas.py"
    script.write_text(LAUNCHER.format(data=str(prepared.settings.data_path), port=port,
                                      accel=accel))
    with running([sys.executable, str(script)], port, tmp / "vpaas.log"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def nginx_server(tmp: Path, server: str, port: int = 0, **values: object) -> Iterator[str]:
    """nginx with ``server`` blocks: a template filled with ``values`` and a free port, or
    (``port`` given) finished text listening there."""
    block = server if port else server.format(port=(port := free_port()), **values)
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, server=block))
    with running(["nginx", "-c", str(conf), "-p", str(tmp)], port, tmp / "nginx.log"):
        yield f"http://127.0.0.1:{port}"


def front_rps(prepared: Prepared, tmp: Path, seconds: int, seg_path: str, seg_range: str,
              thumb_path: str, expected: bytes, cached: bool) -> tuple[float, float]:
    """(segment, thumbnail) requests/s through nginx in front of vpaas: hand-off only, or
    (``cached``) the configuration ``vpaas nginx-conf`` prints."""
    data = prepared.settings.data_path
    with vpaas_server(prepared, tmp, ACCEL) as base:
        upstream = base.rsplit(":", 1)[1]
        if cached:
            port = free_port()
            conf = FrontConfig(data / "media", data / "cache" / "thumbs", tmp / "front-cache",
                               listen=f"127.0.0.1:{port}", upstreams=(f"127.0.0.1:{upstream}",))
            front_cm = nginx_server(tmp, conf.render(), port=port)
        else:
            front_cm = nginx_server(tmp, FRONT_SERVER, upstream=upstream, media=data / "media",
                                    thumbs=data / "cache" / "thumbs")
        with front_cm as front:
            check = httpx.get(front + seg_path, headers={"Range": seg_range})
            if check.status_code != 206 or check.content != expected:
                raise RuntimeError(f"nginx front answered {check.status_code}, "
                                   f"{len(check.content)} B (vpaas: {len(expected)} B)")
            if "x-accel-redirect" not in httpx.get(base + thumb_path).headers:
                raise RuntimeError("vpaas did not hand the thumbnail off")
            return (wrk(front + seg_path, seconds, {"Range": seg_range}),
                    wrk(front + thumb_path, seconds, {}))


def wrk(url: str, seconds: int, headers: dict[str, str]) -> float:
    """Requests per second reported by ``wrk -t1 -c64``."""
    cmd = ["wrk", "-t1", "-c64", f"-d{seconds}s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True,
                         timeout=seconds + 30).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw error answers:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    return float(match.group(1))


def fragment_url(base: str, prepared: Prepared) -> tuple[str, str, str]:
    """(signed track URL, Range header, flavor id) of a mid-stream video fragment."""
    pid, eid = prepared.partner_id, prepared.entry_id
    mpd = httpx.get(f"{base}/p/{pid}/sp/{pid}00/playManifest/entryId/{eid}/format/mpegdash/"
                    "a.mpd").text
    url = re.findall(r"<BaseURL>([^<]+)</BaseURL>", mpd)[0]
    ranges = re.findall(r'mediaRange="(\d+)-(\d+)"', mpd.split("</Representation>")[0])
    start, end = ranges[len(ranges) // 2]
    flavor = url.split("/flavorId/", 1)[1].split("/", 1)[0]
    return url, f"bytes={start}-{end}", flavor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="load time per measurement")
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install -y nginx-light wrk")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        prepared = prepare(tmp)
        results = run(prepared, tmp, args.seconds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"load average before the run: {results['load_average']}")
    for what, row in results["measurements"].items():  # type: ignore[attr-defined]
        if "nginx_rps" not in row:
            print(f"{what:10s} vpaas {row['vpaas_rps']:9.0f} req/s")
            continue
        print(f"{what:10s} vpaas {row['vpaas_rps']:7.0f} req/s ({row['ratio']:.2f}x)   "
              f"hand-off {row['handoff_rps']:7.0f} ({row['handoff_ratio']:.2f}x)   "
              f"nginx-conf front {row['front_rps']:7.0f} ({row['front_ratio']:.2f}x)   "
              f"nginx {row['nginx_rps']:7.0f} req/s   ({row['bytes']} B)")


def run(prepared: Prepared, tmp: Path, seconds: int) -> dict[str, object]:
    """Measure both endpoints: bare vpaas, bare nginx, vpaas behind nginx; JSON-ready."""
    from vpaas.domain import asset_state

    load = os.getloadavg()
    root = tmp / "www"
    root.mkdir()
    tmp.chmod(0o755)  # nginx workers run as an unprivileged user
    out: dict[str, dict[str, object]] = {}
    floor = 0.0
    with vpaas_server(prepared, tmp) as base:
        pid, eid = prepared.partner_id, prepared.entry_id
        seg_url, seg_range, flavor = fragment_url(base, prepared)
        thumb_url = (f"{base}/p/{pid}/sp/{pid}00/thumbnail/entry_id/{eid}/width/320/height/180"
                     "/vid_sec/2")
        thumb = httpx.get(thumb_url)
        seg = httpx.get(seg_url, headers={"Range": seg_range})
        assert thumb.status_code == 200 and seg.status_code == 206, (thumb, seg)
        track = prepared.settings.data_path / "media" / asset_state.track_key(pid, eid, flavor,
                                                                               "video")
        shutil.copyfile(track, root / "seg.mp4")
        (root / "thumb.jpg").write_bytes(thumb.content)
        app_seg = wrk(seg_url, seconds, {"Range": seg_range})
        app_thumb = wrk(thumb_url, seconds, {})
        floor = wrk(f"{base}/api_v3/service/system/action/ping", seconds, {})
    with nginx_server(tmp, BARE_SERVER, root=root) as nbase:
        check = httpx.get(f"{nbase}/seg.mp4", headers={"Range": seg_range})
        if check.status_code != 206 or check.content != seg.content:
            raise RuntimeError(f"nginx answered {check.status_code}, {len(check.content)} B "
                               f"(vpaas: {len(seg.content)} B)")
        ng_seg = wrk(f"{nbase}/seg.mp4", seconds, {"Range": seg_range})
        ng_thumb = wrk(f"{nbase}/thumb.jpg", seconds, {})
    paths = (seg_url.removeprefix(base), seg_range, thumb_url.removeprefix(base), seg.content)
    ho_seg, ho_thumb = front_rps(prepared, tmp, seconds, *paths, cached=False)
    fr_seg, fr_thumb = front_rps(prepared, tmp, seconds, *paths, cached=True)
    for what, app, ho, fr, ng, size in (
            ("segment", app_seg, ho_seg, fr_seg, ng_seg, len(seg.content)),
            ("thumbnail", app_thumb, ho_thumb, fr_thumb, ng_thumb, len(thumb.content))):
        out[what] = {"vpaas_rps": round(app), "handoff_rps": round(ho), "front_rps": round(fr),
                     "nginx_rps": round(ng), "ratio": round(app / ng, 3),
                     "handoff_ratio": round(ho / ng, 3), "front_ratio": round(fr / ng, 3),
                     "bytes": size}
    out["api_ping_floor"] = {"vpaas_rps": round(floor), "note": "system.ping through the "
                             "same app and server: the per-request cost of the Python stack"}
    return {"tool": "wrk -t1 -c64", "seconds": seconds, "server": "uvicorn 1 worker",
            "nginx": "1 worker, sendfile, tcp_nopush off",
            "handoff": "nginx 1 worker -> uvicorn 1 worker (accel_redirect, keepalive 64)",
            "front": "vpaas nginx-conf: nginx 1 worker, proxy cache + accel_redirect -> "
                     "uvicorn 1 worker",
            "load_average": [round(x, 2) for x in load], "measurements": out,
            "goal": "ratio >= 0.5 (front_ratio in scale-out deployments)"}


if __name__ == "__main__":
    main()
