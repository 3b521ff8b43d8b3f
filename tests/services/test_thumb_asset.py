"""thumbAsset through the API: generate from a real clip, upload, default, serve, delete."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from support.api import ApiHelper, is_error

from vpaas.db.tables.entry import EntryRow
from vpaas.media.tools import ffmpeg_path
from vpaas.settings import Settings


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """3 s 320x180 H.264: green for 1 s, then magenta."""
    out = tmp_path_factory.mktemp("ta") / "clip.mp4"
    graph = ("color=c=lime:s=320x180:r=25:d=1[a];color=c=magenta:s=320x180:r=25:d=2[b];"
             "[a][b]concat=n=2:v=1:a=0[v]")
    subprocess.run([ffmpeg_path(), "-loglevel", "error", "-y", "-filter_complex", graph,
                    "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                    "-pix_fmt", "yuv420p", str(out)], check=True, timeout=60)
    return out.read_bytes()


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def _png(size: tuple[int, int] = (64, 48), color: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def _upload(api: ApiHelper, name: str, data: bytes) -> str:
    token = api.call("uploadToken", "add", uploadToken={"fileName": name})
    api.call("uploadToken", "upload", files={"fileData": (name, data)},
             uploadTokenId=token["id"])
    return str(token["id"])


def _video_entry(api: ApiHelper, clip: bytes) -> str:
    token = _upload(api, "clip.mp4", clip)
    entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": "v",
                                            "mediaType": 1})
    api.call("media", "addContent", entryId=entry["id"], resource={
        "objectType": "KalturaUploadedFileTokenResource", "token": token})
    return str(entry["id"])


def _image(resp: Any) -> Image.Image:
    assert resp.status_code == 200, resp.text
    return Image.open(io.BytesIO(resp.content))


def _get(api: ApiHelper, url: str) -> Any:
    return api.client.get(url.replace("http://testserver", ""))


def test_generate_a_frame_at_a_time_with_a_size(api: ApiHelper, clip: bytes) -> None:
    eid = _video_entry(api, clip)
    thumb = api.call("thumbAsset", "generate", entryId=eid, thumbParams={
        "objectType": "KalturaThumbParams", "videoOffset": 2.0, "width": 120, "height": 68,
        "cropType": 3})
    assert not is_error(thumb), thumb
    assert (thumb["status"], thumb["width"], thumb["height"], thumb["fileExt"]) == (2, 120, 68,
                                                                                    "jpg")
    image = _image(_get(api, api.call("thumbAsset", "getUrl", id=thumb["id"])))
    assert image.size == (120, 68)
    r, g, b = image.convert("RGB").getpixel((60, 34))
    assert r > 200 and b > 200 and g < 60  # magenta: the frame at 2 s, not the green start
    early = api.call("thumbAsset", "generate", entryId=eid, thumbParams={
        "objectType": "KalturaThumbParams", "videoOffset": 0.2, "format": "png"})
    assert (early["width"], early["height"], early["fileExt"]) == (320, 180, "png")
    bad = api.call("thumbAsset", "generate", entryId=eid, thumbParams={
        "objectType": "KalturaThumbParams", "width": 50_000})
    assert is_error(bad, "INVALID_PARAMETER_VALUE")


def test_set_as_default_changes_the_entry_thumbnail(api: ApiHelper, clip: bytes) -> None:
    eid = _video_entry(api, clip)
    before = api.call("baseEntry", "get", entryId=eid)["thumbnailUrl"]
    thumb = api.call("thumbAsset", "addFromImage", entryId=eid,
                     files={"fileData": ("t.png", _png(color="red"))})
    assert thumb["width"] == 64 and thumb["fileExt"] == "png"
    assert api.call("thumbAsset", "setAsDefault", thumbAssetId=thumb["id"]) is None
    after = api.call("baseEntry", "get", entryId=eid)["thumbnailUrl"]
    assert after != before and after.endswith("/version/1")
    with api.runtime.db.partner_session(api.partner.id) as s:
        entry = s.get(EntryRow, eid)
        assert entry is not None
        key = entry.extra["thumbKey"]
    stored = Image.open(api.runtime.storage.local_path(key))
    assert stored.getpixel((5, 5)) == (255, 0, 0)
    by_entry = api.client.get(f"/api_v3/service/thumbasset/action/serveByEntryId"
                              f"?entryId={eid}&partnerId={api.partner.id}")
    assert _image(by_entry).size == (64, 48)
    refused = api.call("thumbAsset", "delete", thumbAssetId=thumb["id"])
    assert is_error(refused, "THUMB_ASSET_IS_DEFAULT")


def test_set_content_validates_images(api: ApiHelper) -> None:
    entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": "i",
                                            "mediaType": 2})
    asset = api.call("thumbAsset", "add", entryId=entry["id"], thumbAsset={
        "objectType": "KalturaThumbAsset", "tags": "poster"})
    assert asset["status"] == 0 and asset["tags"] == "poster"
    fake = _upload(api, "photo.jpg", b"<html>not an image</html>")
    bad = api.call("thumbAsset", "setContent", id=asset["id"], contentResource={
        "objectType": "KalturaUploadedFileTokenResource", "token": fake})
    assert is_error(bad, "THUMB_ASSET_INVALID_IMAGE")
    assert "not a recognisable image" in bad["message"]
    good = _upload(api, "photo.jpg", _png((300, 200)))  # a PNG named .jpg
    done = api.call("thumbAsset", "setContent", id=asset["id"], contentResource={
        "objectType": "KalturaUploadedFileTokenResource", "token": good})
    assert (done["status"], done["fileExt"], done["width"], done["height"]) == (2, "png", 300,
                                                                                200)
    served = api.client.get(f"/api_v3/service/thumbasset/action/serve?thumbAssetId="
                            f"{asset['id']}&partnerId={api.partner.id}"
                            "&thumbParams[width]=150&thumbParams[objectType]=KalturaThumbParams")
    resized = _image(served)
    assert resized.size == (150, 100) and resized.format == "JPEG"
    missing = api.call("thumbAsset", "addFromUrl", entryId=entry["id"],
                       url="http://127.0.0.1:9/none.jpg")
    assert is_error(missing, "THUMB_ASSET_DOWNLOAD_FAILED")


def test_list_get_and_delete_json_and_xml(api: ApiHelper) -> None:
    entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": "i",
                                            "mediaType": 1})
    eid = entry["id"]
    ids = [api.call("thumbAsset", "addFromImage", entryId=eid,
                    files={"fileData": ("t.png", _png())})["id"] for _ in range(3)]
    listed = api.call("thumbAsset", "list", filter={"objectType": "KalturaThumbAssetFilter",
                                                    "entryIdEqual": eid, "statusEqual": 2},
                      pager={"objectType": "KalturaFilterPager", "pageSize": 2})
    assert listed["totalCount"] == 3 and len(listed["objects"]) == 2
    xml = api.call("thumbAsset", "get", format=2, thumbAssetId=ids[0])
    assert xml.findtext("objectType") == "KalturaThumbAsset" and xml.findtext("width") == "64"
    xml_list = api.call("thumbAsset", "list", format=2, filter={
        "objectType": "KalturaThumbAssetFilter", "idIn": ",".join(ids[:2])})
    assert xml_list.findtext("totalCount") == "2"
    assert api.call("thumbAsset", "delete", thumbAssetId=ids[0]) is None
    assert is_error(api.call("thumbAsset", "get", thumbAssetId=ids[0]),
                    "THUMB_ASSET_ID_NOT_FOUND")
    assert {t["id"] for t in api.call("thumbAsset", "getByEntryId", entryId=eid)} == set(ids[1:])
    stranger = api.ks(admin=True, partner=api.new_partner())
    assert is_error(api.call("thumbAsset", "get", ks=stranger, thumbAssetId=ids[1]),
                    "THUMB_ASSET_ID_NOT_FOUND")
