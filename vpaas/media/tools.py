"""Locate and run the ffmpeg binary: time and thread limits, progress, readable failures."""

from __future__ import annotations

import ctypes
import os
import re
import selectors
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from vpaas.media.run_control import RunControl, lower_own_priority

FFMPEG_ENV = "VPAAS_FFMPEG"
PR_SET_PDEATHSIG = 1
STDERR_TAIL_LINES = 40
REASON_MAX_CHARS = 300
_TAG_PREFIX = re.compile(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*")

ProgressCallback = Callable[[float], None]


class MediaError(Exception):
    """A media operation failed; ``reason`` is short and readable by an end user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ffmpeg_path(override: str | os.PathLike[str] | None = None) -> str:
    """Return the ffmpeg executable: ``override``, else ``$VPAAS_FFMPEG``, else imageio-ffmpeg's."""
    chosen = override if override is not None else os.environ.get(FFMPEG_ENV)
    if chosen:
        path = Path(chosen)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise MediaError(f"ffmpeg not found or not executable: {path}")
        return str(path)
    import imageio_ffmpeg

    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise MediaError(f"no ffmpeg binary available: {exc}") from exc


def ffmpeg_version(ffmpeg: str | None = None) -> str:
    """Return the ffmpeg version string, e.g. ``"n9.0.2"``."""
    exe = ffmpeg_path(ffmpeg)
    try:
        out = subprocess.run(
            [exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaError(f"cannot run ffmpeg: {exc}") from exc
    match = re.match(r"ffmpeg version (\S+)", out.stdout)
    if out.returncode != 0 or match is None:
        raise MediaError("cannot determine the ffmpeg version")
    return match.group(1)


def run_ffmpeg(
    args: Sequence[str],
    timeout: float,
    threads: int,
    progress_cb: ProgressCallback | None = None,
    *,
    duration_ms: int | None = None,
    ffmpeg: str | None = None,
    control: RunControl | None = None,
) -> None:
    """Run ffmpeg with ``args`` (everything after the executable's global options).

    ``threads`` caps decoder threads (set before every ``-i``) and filter-graph threads;
    callers put ``-threads`` on their outputs for encoders. The whole process group is
    killed once ``timeout`` seconds have passed. ``progress_cb`` receives a percentage
    (0-100) when ``duration_ms`` is known, and 100.0 on success. ``control`` lets another
    thread change the run's priority or stop it. Raises ``MediaError`` with the tail of
    ffmpeg's error output when it fails, times out or is cancelled.
    """
    if threads < 1:
        raise ValueError("threads must be >= 1")
    if timeout <= 0:
        raise ValueError("timeout must be > 0")
    cmd = ffmpeg_command(args, threads, ffmpeg)
    nice = control.start_nice() if control is not None else 0
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: _in_child(nice),
    )
    if control is not None:
        control.attach(proc.pid)
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    on_progress = _progress_parser(progress_cb, duration_ms)
    try:
        finished = _pump(proc, time.monotonic() + timeout, on_progress, tail)
    finally:
        if proc.poll() is None:
            _kill_group(proc)
    if not finished:
        raise MediaError(f"ffmpeg timed out after {timeout:g} s and was stopped")
    if control is not None and control.cancelled:
        raise MediaError("ffmpeg was stopped")
    if proc.returncode != 0:
        raise MediaError(_reason(tail, args, proc.returncode))
    if progress_cb is not None:
        progress_cb(100.0)


def ffmpeg_command(args: Sequence[str], threads: int, ffmpeg: str | None = None) -> list[str]:
    """The full command line ``run_ffmpeg`` executes for ``args``."""
    return [ffmpeg_path(ffmpeg), *_global_args(threads), *_with_input_threads(args, threads)]


def _global_args(threads: int) -> list[str]:
    return [
        "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats",
        "-progress", "pipe:1",
        "-filter_threads", str(threads), "-filter_complex_threads", str(threads),
    ]


def _with_input_threads(args: Sequence[str], threads: int) -> list[str]:
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "-i" and (i < 2 or args[i - 2] != "-threads"):
            out += ["-threads", str(threads)]
        out.append(arg)
    return out


def _pump(
    proc: subprocess.Popen[bytes],
    deadline: float,
    on_progress: Callable[[str], None],
    tail: deque[str],
) -> bool:
    """Read both pipes until EOF or the deadline; return False on timeout."""
    assert proc.stdout is not None and proc.stderr is not None
    buffers = {proc.stdout.fileno(): b"", proc.stderr.fileno(): b""}
    err_fd = proc.stderr.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        sel.register(proc.stderr, selectors.EVENT_READ)
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            for key, _ in sel.select(timeout=remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    chunk = b"\n"
                *lines, buffers[key.fd] = (buffers[key.fd] + chunk).split(b"\n")
                sink = tail.append if key.fd == err_fd else on_progress
                for line in lines:
                    sink(line[:1000].decode("utf-8", "replace").strip())
    try:
        proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return False
    return True


def _in_child(nice: int) -> None:
    """In the child: lower the priority, and get SIGKILL when the worker dies (Linux only)."""
    if nice:
        lower_own_priority(nice)
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _progress_parser(
    progress_cb: ProgressCallback | None, duration_ms: int | None
) -> Callable[[str], None]:
    state = {"out_us": 0}

    def on_line(line: str) -> None:
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            state["out_us"] = max(0, int(value))
        elif key == "progress" and progress_cb is not None and duration_ms:
            progress_cb(min(100.0, state["out_us"] / (duration_ms * 10.0)))

    return on_line


def _reason(tail: deque[str], args: Sequence[str], returncode: int) -> str:
    lines: list[str] = []
    for raw in tail:
        line = _TAG_PREFIX.sub("", raw).strip()
        if line and line not in lines:
            lines.append(line)
    text = "; ".join(lines[-3:]) or f"ffmpeg exited with status {returncode}"
    for arg in args:
        if os.sep in arg and arg in text:
            text = text.replace(arg, Path(arg).name)
    if len(text) > REASON_MAX_CHARS:
        text = "…" + text[-(REASON_MAX_CHARS - 1) :]
    return text
