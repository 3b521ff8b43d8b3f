"""Upload benchmark: chunked uploadToken.upload against a real server vs raw disk writes.

In one run, on this machine:
  1. raw disk: write the same number of bytes to the data directory's disk in 1 MiB writes,
     fsync at the end (what a dd with conv=fsync does);
  2. start ``vpaas serve`` (temp data dir), create an upload token and send
     the file in chunks over loopback with httpx, multipart exactly as the Python client does
     (a ``json`` field, then ``fileData``), one chunk after the other on one connection;
     report MB/s, the ratio to raw disk, and the server's peak RSS (``/proc/<pid>/status``);
     check the staged file's sha256 against the source.

``vpaas serve`` streams ``uploadToken.upload`` bodies straight to the staging file.

    .venv/bin/python bench/upload.py [--size 2G] [--chunk 32M]

Writes bench/results/upload.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "upload.json"
MB = 1_000_000
WRITE_PIECE = 1 << 20


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def make_source(path: Path, size: int) -> str:
    """A file of pseudo-random bytes (incompressible) and its sha256."""
    digest = hashlib.sha256()
    block = os.urandom(64 << 20)
    with open(path, "wb") as fh:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            fh.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def raw_disk_write(directory: Path, size: int) -> float:
    """Seconds to write ``size`` bytes in 1 MiB writes and fsync, like ``dd conv=fsync``."""
    path = directory / "raw-disk.bin"
    block = os.urandom(WRITE_PIECE)
    started = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        left = size
        while left:
            left -= os.write(fd, block[: min(left, WRITE_PIECE)])
        os.fsync(fd)
    finally:
        os.close(fd)
    elapsed = time.perf_counter() - started
    path.unlink()
    return elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_partner(data_dir: Path) -> tuple[int, str]:
    """Create the data dir's first partner before the server starts; return (id, admin KS)."""
    from vpaas.app import build_runtime
    from vpaas.domain import sessions
    from vpaas.domain.partners import create_partner
    from vpaas.settings import load_settings

    runtime = build_runtime(load_settings(env={}, data_dir=str(data_dir)))
    with runtime.db.system_session() as s:
        partner = create_partner(s, "bench")
        s.commit()
    ks = sessions.issue(partner, sessions.ADMIN, "bench", 86400, "", 86400)
    runtime.db.dispose()
    return partner.id, ks


class RssPoller(threading.Thread):
    """Samples VmRSS of a process; VmHWM is read at the end."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = 0
        self.stop = threading.Event()

    def status(self) -> dict[str, int]:
        out: dict[str, int] = {}
        with open(f"/proc/{self.pid}/status") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0]) * 1024
        return out

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak_rss = max(self.peak_rss, self.status().get("VmRSS", 0))
            except OSError:
                return
            self.stop.wait(0.05)


def start_server(mode: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VPAAS_DATA_DIR": str(data_dir), "VPAAS_PORT": str(port),
           "VPAAS_HOST": "127.0.0.1", "VPAAS_WORKERS": "0", "VPAAS_LOG_LEVEL": "warning",
           "TMPDIR": str(data_dir)}
    cmd = [str(ROOT / ".venv" / "bin" / "vpaas"), "serve"]  # it streams uploads to disk
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/api_v3/service/system/action/ping"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def upload(base: str, ks: str, source: Path, size: int, chunk: int) -> tuple[float, Any]:
    """Send the file in chunks like the Python client; seconds and the final token."""
    api = f"{base}/api_v3/service"
    with httpx.Client(timeout=600) as client:
        token = client.post(f"{api}/uploadtoken/action/add", json={
            "ks": ks, "format": 1, "uploadToken": {"objectType": "KalturaUploadToken",
                                                   "fileName": source.name,
                                                   "fileSize": size}}).json()
        result: Any = None
        started = time.perf_counter()
        with open(source, "rb") as fh:
            for at in range(0, size, chunk):
                data = fh.read(chunk)
                params = {"clientTag": "bench", "format": "1", "uploadTokenId": token["id"],
                          "resume": "False" if at == 0 else "True",
                          "finalChunk": "True" if at + len(data) >= size else "False",
                          "resumeAt": str(at), "ks": ks}
                resp = client.post(f"{api}/uploadtoken/action/upload",
                                   data={"json": json.dumps(params)},
                                   files={"fileData": (f"/tmp/{source.name}.part", data,
                                                       "application/octet-stream")})
                result = resp.json()
                if result.get("objectType") != "KalturaUploadToken":
                    raise RuntimeError(f"upload failed at {at}: {result}")
        return time.perf_counter() - started, result


def run_mode(mode: str, work: Path, source: Path, size: int, chunk: int,
             source_sha: str) -> dict[str, Any]:
    data_dir = work / f"data-{mode}"
    partner_id, ks = prepare_partner(data_dir)
    port = free_port()
    proc = start_server(mode, data_dir, port)
    poller = RssPoller(proc.pid)
    try:
        idle_rss = poller.status()["VmRSS"]
        poller.start()
        seconds, token = upload(f"http://127.0.0.1:{port}", ks, source, size, chunk)
        poller.stop.set()
        poller.join()
        hwm = poller.status()["VmHWM"]
    finally:
        stop_server(proc)
    staged = data_dir / "uploads" / str(partner_id) / token["id"]
    sha = hashlib.sha256()
    with open(staged, "rb") as fh:
        while piece := fh.read(8 << 20):
            sha.update(piece)
    return {"mode": mode, "seconds": round(seconds, 3), "mb_per_s": round(size / seconds / MB, 1),
            "token_status": token["status"], "sha256_ok": sha.hexdigest() == source_sha,
            "server_idle_rss_mb": round(idle_rss / MB, 1),
            "server_peak_rss_mb": round(max(hwm, poller.peak_rss) / MB, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="2G", help="file size, e.g. 2G, 256M")
    parser.add_argument("--chunk", default="32M", help="chunk size")
    parser.add_argument("--modes", default="serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size, chunk = parse_size(args.size), parse_size(args.chunk)
    with tempfile.TemporaryDirectory(prefix="vpaas-bench-upload-", dir="/tmp") as tmp:
        work = Path(tmp)
        source = work / "source.bin"
        source_sha = make_source(source, size)
        raw_seconds = raw_disk_write(work, size)
        raw = size / raw_seconds / MB
        print(f"raw disk write+fsync: {raw:.0f} MB/s ({size / MB:.0f} MB)")
        runs = []
        for mode in args.modes.split(","):
            run = run_mode(mode.strip(), work, source, size, chunk, source_sha)
            run["ratio_vs_raw_disk"] = round(run["mb_per_s"] / raw, 3)
            runs.append(run)
            print(f"{run['mode']:>6}: {run['mb_per_s']:.0f} MB/s = {run['ratio_vs_raw_disk']:.2f}x "
                  f"raw disk; server RSS idle {run['server_idle_rss_mb']} MB, peak "
                  f"{run['server_peak_rss_mb']} MB; sha256 ok: {run['sha256_ok']}")
    report = {"size_bytes": size, "chunk_bytes": chunk, "raw_disk_mb_per_s": round(raw, 1),
              "runs": runs, "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                        "platform": platform.platform()},
              "goal": "ratio >= 0.8 and peak RSS < 150 MB"}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
