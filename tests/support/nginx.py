"""A real nginx on a free loopback port for black-box tests, from an ``http { }`` body."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MAIN_CONF = """
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
{http}
}}
"""


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited with {proc.returncode}: {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"nginx did not listen on {port}: {log.read_text()[-2000:]}")


@contextmanager
def running_nginx(tmp: Path, http: str, port: int) -> Iterator[str]:
    """nginx serving ``http`` (which listens on ``port``); its base URL until the block ends.

    Stopped by its PID. As root, workers run as root so they can read pytest's temp dirs.
    """
    if not Path(NGINX).exists():
        pytest.fail(f"nginx is not installed (looked for {NGINX}): "
                    "apt-get install -y nginx-light")
    user = "user root;" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(MAIN_CONF.format(user=user, tmp=tmp, http=http))
    log = tmp / "nginx.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_port(port, proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
