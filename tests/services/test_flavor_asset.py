"""flavorAsset through the API, with the embedded workers processing a real upload."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.jobs import WorkerPool
from vpaas.jobs.handlers import build_handlers
from vpaas.media.tools import ffmpeg_path
from vpaas.settings import Settings

READY, NOT_APPLICABLE, DELETED_ENTRY = 2, 4, "3"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """2 s 640x360 H.264/AAC MP4 at a low bitrate (remuxed into the 360p flavor)."""
    out = tmp_path_factory.mktemp("fa") / "clip.mp4"
    subprocess.run([ffmpeg_path(), "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=2",
                    "-f", "lavfi", "-i", "sine=f=440:d=2", "-c:v", "libx264", "-preset",
                    "ultrafast", "-b:v", "300k", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", "-movflags", "+faststart", str(out)], check=True, timeout=60)
    return out.read_bytes()


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    """The API in-process, with two worker threads started once the partner exists."""
    with ApiHelper(settings) as helper:
        rt = helper.runtime
        pool = WorkerPool(rt.db, build_handlers(), rt, 2, queue=rt.queue)
        pool.start()
        try:
            yield helper
        finally:
            pool.stop()


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def ingest(api: ApiHelper, data: bytes) -> str:
    token = api.call("uploadToken", "add", uploadToken={"fileName": "clip.mp4"})
    api.call("uploadToken", "upload", files={"fileData": ("clip.mp4", data)},
             uploadTokenId=token["id"])
    entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": "c",
                                            "mediaType": 1})
    api.call("media", "addContent", entryId=entry["id"], resource={
        "objectType": "KalturaUploadedFileTokenResource", "token": token["id"]})
    wait_for(lambda: api.call("baseEntry", "get", entryId=entry["id"])["status"] in (2, "2"),
             "entry READY")
    return str(entry["id"])


def test_flavors_of_a_processed_entry(api: ApiHelper, clip: bytes) -> None:
    eid = ingest(api, clip)
    flavors = api.call("flavorAsset", "getByEntryId", entryId=eid)
    by_params = {f["flavorParamsId"]: f for f in flavors}
    assert sorted(by_params) == [0, 2, 3, 4, 5, 6, 7, 11]
    assert by_params[0]["isOriginal"] is True and by_params[0]["status"] == READY
    web = by_params[2]
    assert (web["status"], web["progress"], web["width"], web["height"]) == (READY, 100, 640,
                                                                              360)
    assert web["isWeb"] is True and web["videoCodecId"] == "avc1" and web["sizeInBytes"] > 0
    assert by_params[7]["status"] == NOT_APPLICABLE and by_params[7]["description"]
    playable = api.call("flavorAsset", "getWebPlayableByEntryId", entryId=eid)
    assert [f["id"] for f in playable] == [web["id"]]
    with_params = api.call("flavorAsset", "getFlavorAssetsWithParams", entryId=eid)
    assert [w["flavorParams"]["id"] for w in with_params] == [0, 2, 3, 4, 5, 6, 7, 11]
    assert with_params[1]["flavorAsset"]["id"] == web["id"]
    url = api.call("flavorAsset", "getUrl", id=web["id"])
    assert f"/serveFlavor/entryId/{eid}/" in url and f"/flavorId/{web['id']}/" in url
    assert is_error(api.call("flavorAsset", "getUrl", id=by_params[7]["id"]),
                    "FLAVOR_ASSET_IS_NOT_READY")
    listed = api.call("flavorAsset", "list", filter={
        "objectType": "KalturaFlavorAssetFilter", "entryIdEqual": eid, "statusEqual": READY})
    assert {f["flavorParamsId"] for f in listed["objects"]} == {0, 2}
    entry = api.call("media", "get", entryId=eid)
    assert entry["flavorParamsIds"] == "0,2" and entry["msDuration"] == 2000
    assert entry["width"] == 640 and entry["thumbnailUrl"].endswith("/version/1")


def test_reconvert_and_delete(api: ApiHelper, clip: bytes) -> None:
    eid = ingest(api, clip)
    storage = api.runtime.storage
    web = next(f for f in api.call("flavorAsset", "getByEntryId", entryId=eid)
               if f["flavorParamsId"] == 2)
    assert api.call("flavorAsset", "reconvert", id=web["id"]) is None
    wait_for(lambda: api.call("flavorAsset", "get", id=web["id"])["status"] == READY
             and storage.exists(f"p/{api.partner.id}/entry/{eid}/flavor/{web['id']}.mp4"),
             "reconverted flavor")
    api.call("flavorAsset", "delete", id=web["id"])
    assert is_error(api.call("flavorAsset", "get", id=web["id"]), "FLAVOR_ASSET_ID_NOT_FOUND")
    prefix = f"p/{api.partner.id}/entry/{eid}/flavor/"
    wait_for(lambda: not list(storage.list(prefix)), "flavor files removed")
    assert is_error(api.call("flavorAsset", "get", id="0_nosuch"), "FLAVOR_ASSET_ID_NOT_FOUND")


def test_entry_delete_removes_every_file(api: ApiHelper, clip: bytes) -> None:
    eid = ingest(api, clip)
    storage = api.runtime.storage
    prefix = f"p/{api.partner.id}/entry/{eid}/"
    assert len(list(storage.list(prefix))) == 5   # source, mp4, 2 tracks, thumbnail
    api.call("media", "delete", entryId=eid)
    wait_for(lambda: not list(storage.list(prefix)), "entry files removed")
    assert is_error(api.call("flavorAsset", "getByEntryId", entryId=eid), "ENTRY_ID_NOT_FOUND")


def test_other_partner_cannot_see_flavors(api: ApiHelper, clip: bytes, tmp_path: Path) -> None:
    eid = ingest(api, clip)
    flavor = api.call("flavorAsset", "getByEntryId", entryId=eid)[0]
    other_ks = api.ks(admin=True, partner=api.new_partner())
    assert is_error(api.call("flavorAsset", "get", id=flavor["id"], ks=other_ks),
                    "FLAVOR_ASSET_ID_NOT_FOUND")
    listed = api.call("flavorAsset", "list", ks=other_ks)
    assert listed["totalCount"] == 0
