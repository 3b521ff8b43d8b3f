"""CPU priority and stopping of a running ffmpeg, from another thread.

Linux schedules by *autogroup* (one per session) when ``sched_autogroup_enabled`` is on:
CPU time is shared between sessions first, and a thread's niceness only counts inside its
session. Every ffmpeg run is its own session (so its whole process group can be killed),
so a run's priority is set on both: the niceness of its threads and the niceness of its
autogroup (``/proc/<pid>/autogroup``). Any process may set its autogroup's niceness to any
value >= 0, so restoring it needs no privilege; raising thread niceness back needs root or
``CAP_SYS_NICE``, and without autogroups and that right a run keeps its lower priority.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time

AUTOGROUP_RETRIES = 5
"""Unprivileged autogroup changes are rate-limited system-wide (one per 100 ms)."""


class RunControl:
    """Lets another thread lower and restore the CPU priority of, or stop, one ffmpeg run.

    The run starts at niceness ``nice`` (0 = unchanged) unless :meth:`restore_priority` was
    called before it started.
    """

    def __init__(self, nice: int = 0) -> None:
        self.nice = max(0, min(19, int(nice)))
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._restored = False
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancelled

    def start_nice(self) -> int:
        """Niceness the process starts with."""
        with self._lock:
            return 0 if self._restored else self.nice

    def attach(self, pid: int) -> None:
        """Called with the started process id (its session and process group id too)."""
        with self._lock:
            self._pid = pid
            restore, cancel = self._restored and self.nice > 0, self._cancelled
        if restore:
            set_priority(pid, 0)
        if cancel:
            kill_group(pid)

    def restore_priority(self) -> None:
        """Run at normal priority from now on (best effort)."""
        with self._lock:
            already, self._restored, pid = self._restored, True, self._pid
        if not already and pid is not None and self.nice > 0:
            set_priority(pid, 0)

    def cancel(self) -> None:
        """Stop the run (its process group is killed); the run then raises MediaError."""
        with self._lock:
            self._cancelled, pid = True, self._pid
        if pid is not None:
            kill_group(pid)


def lower_own_priority(nice: int) -> None:
    """In a freshly started session leader: niceness ``nice`` for it and its autogroup."""
    os.nice(nice)
    _set_autogroup_nice("self", nice)


def set_priority(pid: int, nice: int) -> None:
    """Niceness of every thread of ``pid`` and of its autogroup (best effort)."""
    for _ in range(2):  # threads started while the first pass ran inherit the old value
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            tids = [pid]
        for tid in tids:
            with contextlib.suppress(OSError):  # gone, or not allowed to raise it
                os.setpriority(os.PRIO_PROCESS, tid, nice)
    _set_autogroup_nice(str(pid), nice)


def _set_autogroup_nice(pid: str, nice: int) -> None:
    for _ in range(AUTOGROUP_RETRIES):
        try:
            with open(f"/proc/{pid}/autogroup", "w") as f:
                f.write(str(nice))
            return
        except BlockingIOError:  # EAGAIN: the rate limit
            time.sleep(0.1)
        except OSError:  # no autogroups, or the process is gone
            return


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid``, if it still exists."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
