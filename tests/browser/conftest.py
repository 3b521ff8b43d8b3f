"""Browser tests: the real Kaltura web player in Debian's headless Chromium against a real server.

Session fixtures: ``player_site`` (a ``vpaas serve`` with one worker, a partner, a 6 s clip
uploaded with the official Python client and READY, a uiConf), ``pages`` (a page server on a
*different* local port, so every player request is cross-origin), ``browser`` (Chromium at
/usr/bin/chromium driven by Playwright; no browser is ever downloaded). ``page`` is a fresh
browser context per test that records every request it makes (``page.requests``).
"""

from __future__ import annotations

import secrets
import subprocess
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from browser.harness import PageHandler, PageServer, PagesHTTPServer, PlayerSite, RecordingPage
from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Plugins.Core import (
    KalturaEntryStatus,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaSessionType,
    KalturaUiConf,
    KalturaUiConfObjType,
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
)
from playwright.sync_api import Browser, sync_playwright
from support.databases import fresh_database_url
from support.server import VpaasServer, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage",
                 "--autoplay-policy=no-user-gesture-required"]
READY_TIMEOUT = 240.0
CLIP_SECONDS = 6


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here runs a browser against a running server: mark it ``slow``."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing browser test shows the requests the page made and the server's log tail."""
    report = yield
    if report.failed and call.when == "call":
        page = getattr(item, "funcargs", {}).get("page")
        site = getattr(item, "funcargs", {}).get("player_site")
        if isinstance(page, RecordingPage):
            report.sections.append(("browser requests", page.summary()))
        if isinstance(site, PlayerSite):
            report.sections.append(("vpaas serve log (last lines)", site.server.log_tail(40)))
    return report


def _make_clip(path: Path) -> Path:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
                    "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={CLIP_SECONDS}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={CLIP_SECONDS}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "600k",
                    "-pix_fmt", "yuv420p", "-g", "50", "-c:a", "aac", "-b:a", "96k",
                    "-shortest", "-movflags", "+faststart", str(path)],
                   check=True, timeout=120)
    return path


def _server_env() -> dict[str, str]:
    env = {"VPAAS_WORKERS": "1"}
    url = fresh_database_url()  # "" in the SQLite pass: the data dir holds the database
    if url:
        env["VPAAS_DATABASE_URL"] = url
    return env


def _client(site_url: str, partner_id: int, admin_secret: str) -> KalturaClient:
    config = KalturaConfiguration(site_url)
    config.requestTimeout = 60
    client = KalturaClient(config)
    client.setPartnerId(partner_id)
    ks = client.generateSessionV2(admin_secret, "player-tests", KalturaSessionType.ADMIN,
                                  partner_id, 7200, "disableentitlement")
    client.setKs(ks.decode() if isinstance(ks, bytes) else ks)
    return client


def _upload(client: KalturaClient, clip: Path) -> str:
    token = client.uploadToken.add(KalturaUploadToken(fileName=clip.name,
                                                      fileSize=clip.stat().st_size))
    with open(clip, "rb") as fh:
        client.uploadToken.upload(token.id, fh)
    entry = client.media.add(KalturaMediaEntry(name="player test clip",
                                               mediaType=KalturaMediaType.VIDEO))
    client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token.id))
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        status = client.media.get(entry.id).status.getValue()
        if status == KalturaEntryStatus.READY:
            return str(entry.id)
        if status in (KalturaEntryStatus.ERROR_CONVERTING, KalturaEntryStatus.ERROR_IMPORTING):
            pytest.fail(f"entry {entry.id} failed processing (status {status})")
        time.sleep(0.5)
    pytest.fail(f"entry {entry.id} not READY within {READY_TIMEOUT:.0f} s")


@pytest.fixture(scope="session")
def player_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlayerSite]:
    """A server with workers, a READY 6 s 640x360 H.264/AAC entry and a player uiConf."""
    base = tmp_path_factory.mktemp("player")
    clip = _make_clip(base / "clip.mp4")
    with VpaasServer(base / "data", env=_server_env()) as server:
        partner = server.create_partner(f"player-{secrets.token_hex(4)}")
        client = _client(server.url, partner.id, partner.admin_secret)
        entry_id = _upload(client, clip)
        conf = client.uiConf.add(KalturaUiConf(
            name="Test player", objType=KalturaUiConfObjType.PLAYER,
            config='{"log": {"level": "WARN"}}'))
        yield PlayerSite(server, partner.id, partner.admin_secret, entry_id, int(conf.id))


@pytest.fixture(scope="session")
def pages() -> Iterator[PageServer]:
    port = free_port()
    httpd = PagesHTTPServer(("127.0.0.1", port), PageHandler)
    httpd.pages = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield PageServer(f"http://127.0.0.1:{port}", httpd)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (never a downloaded one), headless."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/bootstrap.sh test)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[RecordingPage]:
    context = browser.new_context(viewport={"width": 800, "height": 450})
    try:
        yield RecordingPage(context.new_page())
    finally:
        context.close()
