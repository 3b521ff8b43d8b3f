"""A real ``vpaas serve`` subprocess for black-box tests (compat suite, end-to-end checks).

The server listens on 127.0.0.1 on a free port, keeps its data in the directory it is given and
inherits the test session's environment, so ``VPAAS_DATABASE_URL`` (PostgreSQL pass) and the
other ``VPAAS_*`` settings reach it unchanged; explicit ``env`` overrides win. It is ready once
``/api_v3/service/system/action/ping`` answers ``true``, and is stopped by its own PID (SIGTERM,
then SIGKILL after a grace period).

Typical use (session-scoped fixture)::

    with VpaasServer(tmp / "data", env={"VPAAS_WORKERS": "0"}) as server:
        partner = server.create_partner("compat")
        ... server.url, partner.id, partner.admin_secret ...
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

STARTUP_TIMEOUT = 60.0
STOP_GRACE = 5.0
CLI_TIMEOUT = 60.0
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PartnerSecrets:
    """A partner created through ``vpaas partner create --json``."""

    id: int
    name: str
    admin_secret: str
    secret: str


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the server binds it right after)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def vpaas_executable(repo: Path = REPO) -> Path:
    """The ``vpaas`` console script of the repository's venv (or next to this interpreter)."""
    for candidate in (repo / ".venv" / "bin" / "vpaas", Path(sys.executable).parent / "vpaas"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"no vpaas executable in {repo / '.venv/bin'} or next to "
                            f"{sys.executable}; run `pip install -e .` first")


class VpaasServer:
    """One ``vpaas serve`` process with its own data directory; see the module docstring."""

    def __init__(self, data_dir: Path, *, env: Mapping[str, str] | None = None,
                 host: str = "127.0.0.1", port: int | None = None,
                 log_path: Path | None = None, repo: Path = REPO) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        self.log_path = log_path or self.data_dir.with_name(self.data_dir.name + "-server.log")
        self.env = {**os.environ, **(env or {})}
        self.executable = vpaas_executable(repo)
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> VpaasServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def start(self, timeout: float = STARTUP_TIMEOUT) -> VpaasServer:
        """Start the server and wait until it answers ping; raise with its log if it does not."""
        if self.process is not None:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [str(self.executable), "serve", "--host", self.host, "--port", str(self.port),
               "--data-dir", str(self.data_dir)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=self.env)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        ping = f"{self.url}/api_v3/service/system/action/ping?format=1"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"vpaas serve exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                if httpx.get(ping, timeout=2.0).text.strip() == "true":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"vpaas serve did not answer ping within {timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def create_partner(self, name: str, email: str | None = None) -> PartnerSecrets:
        """Create a partner with ``vpaas partner create --json`` against this data dir."""
        cmd = [str(self.executable), "partner", "create", "--name", name, "--json",
               "--data-dir", str(self.data_dir)]
        if email:
            cmd += ["--email", email]
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"`vpaas partner create` failed ({done.returncode}):\n"
                               f"{done.stdout}\n{done.stderr}")
        out = json.loads(done.stdout.strip().splitlines()[-1])
        return PartnerSecrets(id=int(out["id"]), name=str(out.get("name", name)),
                              admin_secret=str(out["adminSecret"]), secret=str(out["secret"]))

    def stop(self) -> None:
        """Stop the server by its PID: SIGTERM, then SIGKILL after :data:`STOP_GRACE`."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_GRACE)

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the server's combined stdout/stderr."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])
