"""Processing with the official Python client: a 10 s clip uploaded, the entry READY with the
expected flavors — with the server's in-process workers, and with Celery (Redis) dispatching to
a separate ``vpaas worker`` process.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from compat.helpers import kaltura_error, value_of
from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Plugins.Core import (
    KalturaEntryStatus,
    KalturaFlavorAssetStatus,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaSessionType,
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
)
from support.server import PartnerSecrets, VpaasServer, vpaas_executable

REDIS = "redis://127.0.0.1:6379/0"
READY = KalturaFlavorAssetStatus.READY
NOT_APPLICABLE = KalturaFlavorAssetStatus.NOT_APPLICABLE
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clip_10s(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10 s 854x480 H.264/AAC MP4 at a low bitrate (remuxed into the 480p flavor)."""
    import imageio_ffmpeg

    out = tmp_path_factory.mktemp("proc") / "clip10.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=25:duration=10",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
                    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "500k",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest",
                    "-movflags", "+faststart", str(out)], check=True, timeout=120)
    return out


class Worker:
    """``vpaas worker`` (a Celery worker, since VPAAS_QUEUE_URL is Redis), stopped by PID."""

    def __init__(self, env: dict[str, str], data_dir: Path, log: Path) -> None:
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([str(vpaas_executable()), "worker", "--concurrency", "1",
                                      "--data-dir", str(data_dir)], env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def _server_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VPAAS_")}
    if os.environ.get("VPAAS_DATABASE_URL"):
        from support.databases import fresh_database_url

        env["VPAAS_DATABASE_URL"] = fresh_database_url()
    env.update(extra)
    return env


@pytest.fixture(scope="module", params=["in-process", "celery"])
def processing_server(request: pytest.FixtureRequest,
                      tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[tuple[VpaasServer, PartnerSecrets]]:
    """A ``vpaas serve`` that processes uploads: embedded workers, or Celery + ``vpaas worker``."""
    base = tmp_path_factory.mktemp(f"proc-{request.param}")
    if request.param == "in-process":
        env = _server_env({"VPAAS_WORKERS": "2"})
    else:
        queue = f"vpaas-compat-{uuid.uuid4().hex[:8]}"
        env = _server_env({"VPAAS_WORKERS": "0", "VPAAS_QUEUE_URL": REDIS,
                           "VPAAS_CELERY_QUEUE": queue})
    worker = None
    with VpaasServer(base / "data", env=env) as server:
        partner = server.create_partner(f"proc-{secrets.token_hex(3)}")
        if request.param == "celery":
            worker = Worker(env, base / "data", base / "worker.log")
        try:
            yield server, partner
        finally:
            if worker is not None:
                worker.stop()
                from support.celery_worker import purge_broker

                purge_broker(REDIS, env["VPAAS_CELERY_QUEUE"], [])


def _client(server: VpaasServer, partner: PartnerSecrets) -> KalturaClient:
    config = KalturaConfiguration(server.url)
    config.requestTimeout = 60
    client = KalturaClient(config)
    client.setPartnerId(partner.id)
    ks = KalturaClient.generateSessionV2(partner.admin_secret, "proc", KalturaSessionType.ADMIN,
                                         partner.id, 3600, "disableentitlement")
    client.setKs(ks.decode() if isinstance(ks, bytes) else ks)
    return client


def _wait(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _upload(client: KalturaClient, path: Path) -> str:
    token = client.uploadToken.add(KalturaUploadToken(fileName=path.name,
                                                      fileSize=path.stat().st_size))
    with open(path, "rb") as fh:
        client.uploadToken.upload(token.id, fh, False, True, -1)
    entry = client.media.add(KalturaMediaEntry(name="ten seconds",
                                               mediaType=KalturaMediaType.VIDEO))
    client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token.id))
    return str(entry.id)


def test_ten_second_clip_becomes_ready_with_the_expected_flavors(
        processing_server: tuple[VpaasServer, PartnerSecrets], clip_10s: Path) -> None:
    client = _client(*processing_server)
    entry_id = _upload(client, clip_10s)
    entry = _wait(lambda: (e := client.media.get(entry_id)) and value_of(e.status) ==
                  KalturaEntryStatus.READY and e, 120, "entry READY")
    assert 9900 <= entry.msDuration <= 10100 and entry.duration == 10
    assert (entry.width, entry.height) == (854, 480)
    assert entry.thumbnailUrl.endswith("/version/1")

    def settled() -> Any:
        flavors = client.flavorAsset.getByEntryId(entry_id)
        done = all(value_of(f.status) in (READY, NOT_APPLICABLE) for f in flavors)
        return flavors if done else None

    flavors = {f.flavorParamsId: f for f in _wait(settled, 180, "every flavor settled")}
    assert sorted(flavors) == [0, 2, 3, 4, 5, 6, 7, 11]
    assert {p for p, f in flavors.items() if value_of(f.status) == READY} == {0, 2, 3}
    for above in (4, 5, 6, 7):
        assert value_of(flavors[above].status) == NOT_APPLICABLE
    assert flavors[0].isOriginal and not flavors[2].isOriginal
    assert (flavors[3].width, flavors[3].height) == (854, 480)
    assert (flavors[2].width, flavors[2].height) == (640, 360)
    web = client.flavorAsset.getWebPlayableByEntryId(entry_id)
    assert sorted(f.flavorParamsId for f in web) == [2, 3]
    assert "/serveFlavor/" in client.flavorAsset.getUrl(flavors[2].id)
    with_params = client.flavorAsset.getFlavorAssetsWithParams(entry_id)
    assert [w.flavorParams.id for w in with_params] == [0, 2, 3, 4, 5, 6, 7, 11]
    assert client.media.get(entry_id).flavorParamsIds == "0,2,3"


def test_bad_media_ends_in_error_converting(
        processing_server: tuple[VpaasServer, PartnerSecrets], tmp_path: Path) -> None:
    client = _client(*processing_server)
    bogus = tmp_path / "bogus.mp4"
    bogus.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    entry_id = _upload(client, bogus)
    entry = _wait(lambda: (e := client.media.get(entry_id)) and value_of(e.status) ==
                  KalturaEntryStatus.ERROR_CONVERTING and e, 60, "ERROR_CONVERTING")
    assert entry.id == entry_id
    assert client.system.ping() is True
    assert kaltura_error(lambda: client.flavorAsset.get("0_nosuchid")).code == \
        "FLAVOR_ASSET_ID_NOT_FOUND"
