"""Handing media bytes to a front nginx (``accel_redirect``): X-Accel-Redirect answers for
segments, raw/download files and cached thumbnails, the fallbacks, and one real nginx in front
of a real ``vpaas serve``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playback_helpers import Played, fragment, local, start_played
from support.nginx import running_nginx
from support.server import VpaasServer, free_port

from vpaas.delivery.files import accel_prefix, accel_target
from vpaas.domain import asset_state

PREFIX = "/_vpaas_media/"
NGINX_SERVER = """
  sendfile on;
  tcp_nopush off;
  server {{
    listen 127.0.0.1:{port};
    location {prefix}media/ {{ internal; alias {media}/; }}
    location {prefix}thumbs/ {{ internal; alias {thumbs}/; }}
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }}
  }}
"""


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    result = start_played(tmp_path_factory.mktemp("accel"), accel_redirect=PREFIX)
    yield result
    result.api.close()




def media_root(p: Played) -> Path:
    return p.api.settings.data_path / "media"


def test_prefix_and_target_are_confined() -> None:
    assert accel_prefix("") == "" and accel_prefix("  ") == ""
    assert accel_prefix("/_vpaas_media") == accel_prefix("/_vpaas_media/") == PREFIX
    for bad in ("_vpaas_media/", "/a/../b/", "/a b/", "/a/%2e%2e/", "/a?x=1/"):
        with pytest.raises(ValueError, match="accel_redirect"):
            accel_prefix(bad)
    assert accel_target(PREFIX, "media/p/1/a.mp4") == "/_vpaas_media/media/p/1/a.mp4"
    for bad in ("media/../x", "media/.hidden", "media//x", "media/a b", "media/a\r\nX: 1",
                "media/%2e%2e/x", "media/x/", "m" * 2000):
        assert accel_target(PREFIX, bad) is None
    assert accel_target("", "media/x") is None


def test_segments_are_handed_off_without_a_body(played: Played) -> None:
    url, ranged, flavor = fragment(played.get, "", played)
    resp = played.get(local(url), headers={"Range": ranged})
    key = asset_state.track_key(played.pid, played.clip_id, flavor, "video")
    assert resp.status_code == 200 and resp.content == b""
    assert resp.headers["x-accel-redirect"] == f"{PREFIX}media/{key}"
    assert (media_root(played) / key).is_file()
    assert resp.headers["content-type"] == "video/mp4"
    assert resp.headers["cache-control"] == "public, max-age=86400"
    assert resp.headers["etag"].startswith('"') and "content-range" not in resp.headers
    head = played.api.client.head(local(url))
    assert head.status_code == 200 and head.headers["x-accel-redirect"] == f"{PREFIX}media/{key}"
    bad = played.get(local(url.replace("/tk/", "/tk/0")), headers={"Range": ranged})
    assert bad.status_code == 403 and "x-accel-redirect" not in bad.headers


def test_raw_and_download_are_handed_off(played: Played) -> None:
    source_key = played.entry_row(played.clip_id).source_key
    raw = played.get(played.path(f"raw/entry_id/{played.clip_id}/file_name/my clip.mp4"))
    assert raw.status_code == 200 and raw.content == b""
    assert raw.headers["x-accel-redirect"] == f"{PREFIX}media/{source_key}"
    assert raw.headers["content-disposition"].startswith("attachment;")
    assert raw.headers["content-type"] == "video/mp4"
    flavors = played.api.call("flavorAsset", "getByEntryId", entryId=played.clip_id)
    web = next(f for f in flavors if f["flavorParamsId"] == 2)
    download = played.get(played.path(f"download/entry_id/{played.clip_id}/flavor/{web['id']}"))
    target = download.headers["x-accel-redirect"]
    assert download.content == b"" and target.startswith(f"{PREFIX}media/")
    stored = media_root(played) / target.removeprefix(f"{PREFIX}media/")
    assert stored.stat().st_size == web["sizeInBytes"]
    refused = played.get(played.path("raw/entry_id/0_nosuchentry"))
    assert refused.status_code == 404 and "x-accel-redirect" not in refused.headers


def test_thumbnails_are_rendered_then_handed_off(played: Played) -> None:
    path = played.path(f"thumbnail/entry_id/{played.clip_id}/width/96/height/54/vid_sec/1")
    cold = played.get(path)
    etag = cold.headers["etag"]
    target = f"{PREFIX}thumbs/{played.pid}/{played.clip_id}/{etag.strip(chr(34))}.jpg"
    assert cold.status_code == 200 and cold.content == b""
    assert cold.headers["x-accel-redirect"] == target
    assert cold.headers["content-type"] == "image/jpeg"
    assert cold.headers["cache-control"] == "public, max-age=3600"
    cached = played.delivery.thumb_dir / target.removeprefix(f"{PREFIX}thumbs/")
    assert cached.read_bytes()[:3] == b"\xff\xd8\xff"
    assert cached.stat().st_mode & 0o044 == 0o044  # nginx's worker user reads it
    warm = played.get(path)
    assert warm.headers["x-accel-redirect"] == target and warm.headers["etag"] == etag
    revalidated = played.get(path, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and "x-accel-redirect" not in revalidated.headers


def test_without_the_setting_or_with_a_preview_the_app_sends_bytes(played: Played) -> None:
    url, ranged, flavor = fragment(played.get, "", played)
    key = asset_state.track_key(played.pid, played.clip_id, flavor, "video")
    data = (media_root(played) / key).read_bytes()
    start, end = (int(n) for n in ranged[6:].split("-"))
    played.delivery.accel = ""
    try:
        resp = played.get(local(url), headers={"Range": ranged})
        thumb = played.get(played.path(f"thumbnail/entry_id/{played.clip_id}/width/64"))
    finally:
        played.delivery.accel = PREFIX
    assert resp.status_code == 206 and resp.content == data[start:end + 1]
    assert "x-accel-redirect" not in resp.headers
    assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"
    try:  # a preview caps the bytes, which nginx cannot do: the app serves them
        played.set_rules(played.clip_id, [{"actions": [{"type": "2", "limit": 1}]}])
        master = played.get(played.path(f"playManifest/entryId/{played.clip_id}"
                                         "/format/applehttp/a.m3u8")).text
        variant = next(v for v in master.splitlines() if v.startswith("http"))
        capped = played.get(local(variant).replace("index.m3u8", "seg.mp4"))
    finally:
        played.set_rules(played.clip_id, None)
    assert capped.status_code == 200 and "x-accel-redirect" not in capped.headers
    assert 0 < len(capped.content) < (media_root(played) / key).stat().st_size


@contextmanager
def nginx_front(tmp: Path, media: Path, thumbs: Path, upstream: int) -> Iterator[str]:
    """nginx serving the internal locations and proxying the rest to ``upstream``."""
    port = free_port()
    http = NGINX_SERVER.format(port=port, prefix=PREFIX, media=media, thumbs=thumbs,
                               upstream=upstream)
    with running_nginx(tmp, http, port) as base:
        yield base


def test_real_nginx_sends_the_bytes(played: Played, tmp_path: Path) -> None:
    settings = played.api.settings
    env = {"VPAAS_ACCEL_REDIRECT": PREFIX, "VPAAS_WORKERS": "0", "VPAAS_STORAGE_URL": "",
           "VPAAS_DATABASE_URL": str(settings.database_url or "")}
    thumbs = played.delivery.thumb_dir
    thumbs.mkdir(parents=True, exist_ok=True)
    with (VpaasServer(settings.data_path, env=env, log_path=tmp_path / "vpaas.log") as server,
          nginx_front(tmp_path, media_root(played), thumbs, server.port) as base,
          httpx.Client(timeout=30) as client):
        url, ranged, flavor = fragment(client.get, base, played)
        assert url.startswith(base)
        seg = client.get(url, headers={"Range": ranged})
        thumb = client.get(f"{base}/p/{played.pid}/thumbnail/entry_id/{played.clip_id}"
                           "/width/80/height/45")
        direct = httpx.get(f"{base}{PREFIX}media/x")
        upstream = client.get(url.replace(base, server.url), headers={"Range": ranged})
    key = asset_state.track_key(played.pid, played.clip_id, flavor, "video")
    data = (media_root(played) / key).read_bytes()
    start, end = (int(n) for n in ranged[6:].split("-"))
    assert seg.status_code == 206, (seg.status_code, seg.text[:200])
    assert seg.content == data[start:end + 1]
    assert seg.headers["content-range"] == f"bytes {start}-{end}/{len(data)}"
    assert seg.headers["content-type"] == "video/mp4"
    assert "x-accel-redirect" not in seg.headers
    stat = (media_root(played) / key).stat()  # nginx's validator, not the app's inode-mtime-size
    assert seg.headers["etag"] == f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    assert upstream.headers["x-accel-redirect"] == f"{PREFIX}media/{key}"
    assert upstream.status_code == 200 and upstream.content == b""
    assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"
    assert thumb.headers["cache-control"] == "public, max-age=3600"
    assert direct.status_code == 404  # the internal location is not reachable from outside
