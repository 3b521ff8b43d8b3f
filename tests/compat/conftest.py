"""Compat suite: a real ``vpaas serve`` (once per session) driven by the official Kaltura clients.

Fixtures: ``compat_server`` (the running server), ``partner`` / ``other_partner`` (created with
``vpaas partner create``), ``make_client`` (the official Python client, unmodified),
``node`` (runs a script of tests/compat/node with the official Node client and returns the JSON
it prints; ``npm ci`` is run first when node_modules is missing), ``tiny_clip`` (a small MP4 made
by ffmpeg), ``require_ingest`` / ``require_media`` (skip until the server declares the
uploadToken / media service, so the ingest tests turn on by themselves).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Plugins.Core import KalturaSessionType
from support.databases import fresh_database_url
from support.server import PartnerSecrets, VpaasServer

NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT = 120.0
NPM_TIMEOUT = 300.0
REQUEST_TIMEOUT = 30


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives a running server: mark it ``compat``."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.compat)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
        item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing compat test shows the tail of the server's log next to its traceback."""
    report = yield
    server = getattr(item, "funcargs", {}).get("compat_server")
    if report.failed and isinstance(server, VpaasServer):
        report.sections.append(("vpaas serve log (last lines)", server.log_tail(40)))
    return report


def _server_env() -> dict[str, str]:
    env = {"VPAAS_WORKERS": os.environ.get("VPAAS_WORKERS", "0")}
    if not os.environ.get("VPAAS_DATABASE_URL"):
        url = fresh_database_url()          # "" in the SQLite pass: the data dir holds it
        if url:
            env["VPAAS_DATABASE_URL"] = url
    return env


@pytest.fixture(scope="session")
def compat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VpaasServer]:
    """One server for the whole session, with a fresh data dir (and database)."""
    base = tmp_path_factory.mktemp("compat")
    with VpaasServer(base / "data", env=_server_env()) as server:
        yield server


@pytest.fixture(scope="session")
def partner(compat_server: VpaasServer) -> PartnerSecrets:
    return compat_server.create_partner(f"compat-{secrets.token_hex(4)}")


@pytest.fixture(scope="session")
def other_partner(compat_server: VpaasServer) -> PartnerSecrets:
    return compat_server.create_partner(f"compat-other-{secrets.token_hex(4)}")


@pytest.fixture
def make_client(compat_server: VpaasServer,
                partner: PartnerSecrets) -> Callable[..., KalturaClient]:
    """``make_client(ks=None, partner_id=None)``: a fresh official Python client (XML)."""

    def make(ks: str | bytes | None = None, partner_id: int | None = None) -> KalturaClient:
        config = KalturaConfiguration(compat_server.url)
        config.requestTimeout = REQUEST_TIMEOUT
        client = KalturaClient(config)
        client.setPartnerId(partner.id if partner_id is None else partner_id)
        if ks:
            client.setKs(ks.decode() if isinstance(ks, bytes) else ks)
        return client

    return make


@pytest.fixture(scope="session")
def admin_ks(partner: PartnerSecrets) -> str:
    """A local KS v2 (Python client's generator), ADMIN, one hour."""
    ks = KalturaClient.generateSessionV2(partner.admin_secret, "compat-admin",
                                         KalturaSessionType.ADMIN, partner.id, 3600,
                                         "disableentitlement")
    return ks.decode() if isinstance(ks, bytes) else ks


def _ensure_node_modules() -> None:
    if (NODE_DIR / "node_modules" / "kaltura-client" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH; the compat suite needs Node.js 18+ and npm")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                          capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False)
    if done.returncode != 0:
        pytest.fail(f"npm ci in {NODE_DIR} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def node(compat_server: VpaasServer) -> Callable[..., dict[str, Any]]:
    """``node(script, partner, **extra)``: run ``node/<script>`` and return its JSON output."""
    node_bin = shutil.which("node")
    if node_bin is None:
        pytest.fail("node is not on PATH; the compat suite needs Node.js 18+")
    _ensure_node_modules()

    def run(script: str, who: PartnerSecrets, **extra: Any) -> dict[str, Any]:
        payload = {"url": compat_server.url, "partnerId": who.id,
                   "adminSecret": who.admin_secret, "secret": who.secret, **extra}
        done = subprocess.run([node_bin, script, json.dumps(payload)], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=NODE_TIMEOUT,
                              check=False)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            pytest.fail(f"node {script} exited {done.returncode}:\n{done.stdout}\n"
                        f"{done.stderr}")
        result: dict[str, Any] = json.loads(lines[-1])
        return result

    return run


@pytest.fixture(scope="session")
def service_declared(compat_server: VpaasServer, admin_ks: str) -> Callable[[str], bool]:
    """``service_declared(name)``: False while ``name.get`` answers SERVICE_DOES_NOT_EXISTS."""
    known: dict[str, bool] = {}

    def declared(service: str) -> bool:
        if service not in known:
            answer = httpx.post(f"{compat_server.url}/api_v3/service/{service}/action/get",
                                json={"format": 1, "ks": admin_ks},
                                timeout=REQUEST_TIMEOUT).json()
            known[service] = not (isinstance(answer, dict)
                                  and answer.get("code") == "SERVICE_DOES_NOT_EXISTS")
        return known[service]

    return declared


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1 s, 96x64 H.264/AAC MP4 (~18 KB) made by ffmpeg once per session."""
    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10:duration=1",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "32k", "-shortest", "-movflags", "+faststart",
                    str(path)], check=True, capture_output=True, timeout=60)
    return path


@pytest.fixture
def require_ingest(service_declared: Callable[[str], bool]) -> None:
    """Skip the test until the server declares the uploadToken service."""
    if not service_declared("uploadtoken"):
        pytest.skip("ingest service not declared yet (uploadToken → SERVICE_DOES_NOT_EXISTS)")


@pytest.fixture
def require_media(require_ingest: None, service_declared: Callable[[str], bool]) -> None:
    """Skip the test until the server declares the media service (and uploadToken)."""
    if not service_declared("media"):
        pytest.skip("media service not declared yet (media → SERVICE_DOES_NOT_EXISTS)")
