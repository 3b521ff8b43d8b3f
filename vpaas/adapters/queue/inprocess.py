"""Embedded queue: dispatching wakes the worker threads of this process."""

from __future__ import annotations

import threading


class InProcessQueue:
    """Wake-up tokens for worker threads polling the job table in this process.

    Each dispatch leaves one token; a thread that finds a token returns from :meth:`wait`
    at once, so a dispatch made while every thread is busy is not missed. Delayed dispatches
    leave no token: the threads' short poll interval picks those jobs up when they are due.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._tokens = 0
        self._closed = False

    def dispatch(self, job_id: int, delay: float = 0.0) -> None:
        """Wake one waiting worker thread (no-op for delayed jobs)."""
        if delay > 0:
            return
        with self._cond:
            self._tokens += 1
            self._cond.notify()

    def wait(self, timeout: float) -> bool:
        """Block until a dispatch or :meth:`wake_all`, at most ``timeout`` seconds."""
        with self._cond:
            if self._tokens == 0 and not self._closed:
                self._cond.wait(timeout)
            if self._tokens > 0:
                self._tokens -= 1
                return True
            return self._closed

    def wake_all(self) -> None:
        """Wake every waiting thread once."""
        with self._cond:
            self._cond.notify_all()

    def close(self) -> None:
        """Wake everyone; subsequent waits return immediately."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
