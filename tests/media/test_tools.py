"""ffmpeg location, version, and run_ffmpeg: progress, readable failures, timeouts."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from vpaas.media.tools import (
    FFMPEG_ENV,
    MediaError,
    RunControl,
    ffmpeg_path,
    ffmpeg_version,
    run_ffmpeg,
)


def test_ffmpeg_path_defaults_to_bundled_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FFMPEG_ENV, raising=False)
    path = Path(ffmpeg_path())
    assert path.is_file() and os.access(path, os.X_OK)


def test_ffmpeg_path_honours_env_and_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ffmpeg_path()
    monkeypatch.setenv(FFMPEG_ENV, real)
    assert ffmpeg_path() == real
    monkeypatch.setenv(FFMPEG_ENV, "/nonexistent/ffmpeg")
    with pytest.raises(MediaError, match="not found"):
        ffmpeg_path()
    assert ffmpeg_path(real) == real  # the argument wins over the environment


def test_ffmpeg_version() -> None:
    version = ffmpeg_version()
    assert version and version[0] in "n0123456789"


def test_run_ffmpeg_reports_progress(tmp_path: Path) -> None:
    seen: list[float] = []
    out = tmp_path / "out.mp4"
    args = ["-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2", "-c:v", "mpeg4", str(out)]
    run_ffmpeg(args, timeout=60, threads=1, progress_cb=seen.append, duration_ms=2000)
    assert out.stat().st_size > 0
    assert seen[-1] == 100.0
    assert seen == sorted(seen)
    assert all(0.0 <= p <= 100.0 for p in seen)


def test_run_ffmpeg_failure_gives_readable_reason_without_directories(tmp_path: Path) -> None:
    missing = tmp_path / "secret_dir" / "missing.mp4"
    with pytest.raises(MediaError) as err:
        run_ffmpeg(["-i", str(missing), "-f", "null", "-"], timeout=30, threads=1)
    reason = err.value.reason
    assert "No such file or directory" in reason
    assert "secret_dir" not in reason
    assert "0x" not in reason  # "[in#0 @ 0x...]" prefixes are stripped
    assert len(reason) <= 300


def test_run_ffmpeg_rejects_bad_limits() -> None:
    with pytest.raises(ValueError):
        run_ffmpeg(["-version"], timeout=10, threads=0)
    with pytest.raises(ValueError):
        run_ffmpeg(["-version"], timeout=0, threads=1)


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


def _endless(marker: str) -> list[str]:
    """Arguments of a run that never ends: -re reads an endless source in real time."""
    return [
        "-re", "-f", "lavfi", "-i", "testsrc2=s=64x64:r=10",
        "-metadata", f"title={marker}", "-f", "null", "-",
    ]  # fmt: skip


def test_run_ffmpeg_timeout_kills_the_process() -> None:
    marker = f"vpaas-timeout-{uuid.uuid4().hex}"
    args = _endless(marker)
    with pytest.raises(MediaError, match="timed out"):
        run_ffmpeg(args, timeout=1.0, threads=1)
    assert _processes_with(marker) == []


def _niceness(pid: int) -> set[int]:
    """Niceness of every thread, and of the autogroup when the kernel has autogroups."""
    values = {os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in os.listdir(f"/proc/{pid}/task")}
    autogroup = Path(f"/proc/{pid}/autogroup")
    if autogroup.exists():
        values.add(int(autogroup.read_text().split()[-1]))
    return values


def test_run_control_lowers_restores_priority_and_stops_the_run() -> None:
    marker = f"vpaas-control-{uuid.uuid4().hex}"
    args = _endless(marker)
    control = RunControl(nice=10)
    reasons: list[str] = []

    def run() -> None:
        try:
            run_ffmpeg(args, timeout=60, threads=1, control=control)
        except MediaError as exc:
            reasons.append(exc.reason)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while not (pids := _processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(pids) == 1
    assert _niceness(pids[0]) == {10}
    if os.geteuid() == 0:  # raising a priority back needs the right to
        control.restore_priority()
        assert _niceness(pids[0]) == {0}
    control.cancel()
    thread.join(10)
    assert reasons == ["ffmpeg was stopped"]
    assert _processes_with(marker) == []
