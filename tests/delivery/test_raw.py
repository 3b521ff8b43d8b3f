"""raw, download, unsigned serveFlavor (flavorAsset.getUrl) and S3 presigned redirects."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
from playback_helpers import Played, local, played_app, start_played
from support.seaweed import SeaweedS3

from vpaas.domain import asset_state


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    yield from played_app(tmp_path_factory)



def source_bytes(p: Played, entry_id: str) -> bytes:
    key = p.entry_row(entry_id).source_key
    assert key
    return p.api.runtime.storage.read_range(key, 0, 1 << 30)


def test_raw_serves_the_source(played: Played) -> None:
    entry = played.api.call("baseEntry", "get", entryId=played.clip_id)
    resp = played.get(local(entry["downloadUrl"]))
    assert resp.status_code == 200 and resp.content == source_bytes(played, played.clip_id)
    assert resp.headers["content-type"] == "video/mp4"
    forced = played.get(played.path(f"raw/entry_id/{played.clip_id}/direct_serve/1"
                                    "/forceproxy/true/clip.mp4"))
    assert forced.status_code == 200 and forced.content == resp.content
    named = played.get(played.path(f"raw/entry_id/{played.clip_id}/file_name/my clip.mp4"))
    assert named.headers["content-disposition"].startswith("attachment;")
    ranged = played.get(local(entry["downloadUrl"]), headers={"Range": "bytes=-10"})
    assert ranged.status_code == 206 and ranged.content == resp.content[-10:]
    image = played.get(played.path(f"raw/entry_id/{played.image_id}"))
    assert Image.open(io.BytesIO(image.content)).size == (160, 120)


def test_get_url_and_download_urls_work(played: Played) -> None:
    flavors = played.api.call("flavorAsset", "getByEntryId", entryId=played.clip_id)
    web = next(f for f in flavors if f["flavorParamsId"] == 2)
    url = played.api.call("flavorAsset", "getUrl", id=web["id"])
    got = played.get(local(url), params={"ks": played.api.admin_ks})
    assert got.status_code == 200 and got.content[4:8] == b"ftyp"
    assert len(got.content) == web["sizeInBytes"]
    download = played.get(played.path(f"download/entry_id/{played.clip_id}/flavor/{web['id']}"))
    assert download.status_code == 200 and download.content == got.content
    assert download.headers["content-disposition"].startswith("attachment;")
    head = played.api.client.head(local(url))
    assert head.status_code == 200 and head.headers["content-length"] == str(len(got.content))


def test_errors_and_download_access(played: Played) -> None:
    assert played.get(played.path("raw/entry_id/0_nothere")).status_code == 404
    assert played.get(played.path("raw/version/1")).status_code == 400
    assert played.get(played.path(f"download/entry_id/{played.clip_id}/flavor/0_no")
                      ).status_code == 404
    try:
        played.set_rules(played.clip_id, [{"actions": [{"type": "1"}], "contexts": [2]}])
        assert played.get(played.path(f"raw/entry_id/{played.clip_id}")).status_code == 403
        user_ks = played.api.ks(privileges=f"download:{played.clip_id}")
        allowed = played.get(played.path(f"raw/entry_id/{played.clip_id}/ks/{user_ks}"))
        assert allowed.status_code == 200
    finally:
        played.set_rules(played.clip_id, None)


@pytest.fixture(scope="module")
def played_s3(tmp_path_factory: pytest.TempPathFactory, seaweed_s3: SeaweedS3
              ) -> Iterator[Played]:
    prefix = f"delivery{id(tmp_path_factory) % 100000}"
    result = start_played(tmp_path_factory.mktemp("s3played"),
                          **seaweed_s3.settings_overrides(prefix=prefix))
    yield result
    result.api.close()


def test_s3_media_is_served_by_presigned_redirects(played_s3: Played) -> None:
    p = played_s3
    mpd = p.get(p.path(f"playManifest/entryId/{p.clip_id}/format/mpegdash/a.mpd"))
    assert mpd.status_code == 200
    base = mpd.text.split("<BaseURL>", 1)[1].split("</BaseURL>", 1)[0]
    redirect = p.get(local(base), headers={"Range": "bytes=0-99"})
    assert redirect.status_code == 302
    location = redirect.headers["location"]
    assert "X-Amz-Signature" in location
    flavor_id = base.split("/flavorId/", 1)[1].split("/", 1)[0]
    key = asset_state.track_key(p.pid, p.clip_id, flavor_id, "video")
    with httpx.Client() as client:
        part = client.get(location, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.content == p.api.runtime.storage.read_range(key, 0, 100)
    url = p.get(p.path(f"playManifest/entryId/{p.clip_id}/format/url/a.mp4"))
    mp4 = p.get(local(url.headers["location"]))
    assert mp4.status_code == 302 and "X-Amz-Signature" in mp4.headers["location"]
    thumb = p.get(p.path(f"thumbnail/entry_id/{p.clip_id}/vid_sec/1/width/64"))
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.content)).width == 64
