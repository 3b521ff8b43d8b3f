"""The nginx front (``vpaas nginx-conf``): cache policy of delivery answers, the rendered
configuration, and a real nginx with that configuration in front of a real ``vpaas serve``
answering hot fragments and thumbnails from its cache."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from playback_helpers import Played, fragment, local, start_played
from support.nginx import MAIN_CONF, NGINX, running_nginx
from support.server import VpaasServer, free_port

from vpaas.cli import main as cli
from vpaas.delivery.common import FRONT_CACHE_HEADER, signed_cache_control
from vpaas.delivery.front import FrontConfig
from vpaas.domain import asset_state

PREFIX = "/_vpaas_media/"
GOOD = "https://good.example/page"
# block unless the page is on good.example: allowed with that Referer, but rules apply
REFERRER_RULES = [{"actions": [{"type": "1"}], "conditions": [
    {"type": "4", "values": ["good.example"], "not": True}]}]


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    result = start_played(tmp_path_factory.mktemp("front"), accel_redirect=PREFIX)
    result.set_rules(result.image_id, REFERRER_RULES)
    yield result
    result.api.close()




def config(played: Played, tmp: Path, port: int, upstream: int) -> FrontConfig:
    data = played.api.settings.data_path
    return FrontConfig(media_root=data / "media", thumbs_root=played.delivery.thumb_dir,
                       cache_dir=tmp / "cache", listen=f"127.0.0.1:{port}",
                       upstreams=(f"127.0.0.1:{upstream}",), cache_size="100m")


def test_signed_answers_are_cacheable_until_their_token_expires() -> None:
    assert signed_cache_control(1_000_100, now=1_000_000) == "public, max-age=100"
    assert signed_cache_control(1_000_000 + 10 ** 6, now=1_000_000) == "public, max-age=86400"
    assert signed_cache_control(999_000, now=1_000_000) == "public, max-age=0"
    assert signed_cache_control(1_000_100, 30, now=1_000_000) == "public, max-age=30"


def test_access_controlled_answers_are_private(played: Played) -> None:
    image_raw = played.get(played.path(f"raw/entry_id/{played.image_id}"),
                           headers={"Referer": GOOD})
    clip_raw = played.get(played.path(f"raw/entry_id/{played.clip_id}"))
    thumb = played.get(played.path(f"thumbnail/entry_id/{played.image_id}/width/40"),
                       headers={"Referer": GOOD})
    assert image_raw.status_code == 200 and thumb.status_code == 200
    assert image_raw.headers["cache-control"].startswith("private")
    assert thumb.headers["cache-control"].startswith("private")
    assert clip_raw.headers["cache-control"] == "public, max-age=86400"
    flavors = played.api.call("flavorAsset", "getByEntryId", entryId=played.image_id)
    unsigned = played.get(played.path(f"serveFlavor/entryId/{played.image_id}"
                                      f"/flavorId/{flavors[0]['id']}"), headers={"Referer": GOOD})
    assert unsigned.headers["cache-control"].startswith("private")


def test_a_caching_front_gets_public_bytes_and_private_handoffs(played: Played) -> None:
    url, ranged, _ = fragment(played.get, "", played)
    front = {FRONT_CACHE_HEADER: "1"}
    seg = played.get(local(url), headers={**front, "Range": ranged})
    assert seg.status_code == 206 and "x-accel-redirect" not in seg.headers
    plain = played.get(local(url), headers={"Range": ranged})
    assert plain.headers["x-accel-redirect"].startswith(f"{PREFIX}media/")
    public = played.get(played.path(f"thumbnail/entry_id/{played.clip_id}/width/48"),
                        headers=front)
    assert public.content[:3] == b"\xff\xd8\xff" and "x-accel-redirect" not in public.headers
    private = played.get(played.path(f"thumbnail/entry_id/{played.image_id}/width/48"),
                         headers={**front, "Referer": GOOD})
    assert private.content == b"" and private.headers["x-accel-redirect"].startswith(
        f"{PREFIX}thumbs/")


def test_the_config_refuses_values_nginx_would_misread(tmp_path: Path) -> None:
    good = FrontConfig(tmp_path / "media", tmp_path / "thumbs", tmp_path / "cache")
    assert "proxy_cache vpaas_media;" in good.render()
    bad = [{"listen": "80; evil"}, {"upstreams": ()}, {"upstreams": ("a b:1",)},
           {"cache_size": "10g; x"}, {"prefix": "/a/../b/"}, {"prefix": ""},
           {"media_root": Path("relative")}, {"thumbs_root": tmp_path / "a;b"},
           {"cache_dir": tmp_path / "a b"}]
    for change in bad:
        values = {**good.__dict__, **change}
        with pytest.raises(ValueError):
            FrontConfig(**values).render()


def test_the_cli_prints_a_config_nginx_accepts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["nginx-conf", "--data-dir", str(data), "--listen",
                                      f"127.0.0.1:{free_port()}", "--upstream", "127.0.0.1:8081",
                                      "--upstream", "127.0.0.1:8082", "--cache-size", "1g"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert f"alias {data.resolve()}/media/;" in text
    assert f"alias {data.resolve()}/cache/thumbs/;" in text
    assert "server 127.0.0.1:8081;" in text and "server 127.0.0.1:8082;" in text
    assert f"proxy_cache_path {data.resolve()}/cache/nginx " in text
    conf = tmp_path / "nginx.conf"
    conf.write_text(MAIN_CONF.format(user="", tmp=tmp_path, http=text))
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    refused = CliRunner().invoke(cli, ["nginx-conf", "--data-dir", str(data), "--listen", "x;"])
    assert refused.exit_code == 2 and "listen" in refused.output


def test_real_nginx_answers_hot_media_from_its_cache(played: Played, tmp_path: Path) -> None:
    settings = played.api.settings
    env = {"VPAAS_ACCEL_REDIRECT": PREFIX, "VPAAS_WORKERS": "0", "VPAAS_STORAGE_URL": "",
           "VPAAS_DATABASE_URL": str(settings.database_url or "")}
    played.delivery.thumb_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    thumb = f"/p/{played.pid}/thumbnail/entry_id/{played.clip_id}/width/80/height/45"
    private_thumb = f"/p/{played.pid}/thumbnail/entry_id/{played.image_id}/width/80"
    with VpaasServer(settings.data_path, env=env, log_path=tmp_path / "vpaas.log") as server:
        http = config(played, tmp_path, port, server.port).render()
        with running_nginx(tmp_path, http, port) as base, httpx.Client(timeout=30) as client:
            url, ranged, flavor = fragment(client.get, base, played)
            cold = client.get(url, headers={"Range": ranged})
            warm = client.get(url, headers={"Range": ranged})
            thumbs = [client.get(base + thumb) for _ in range(2)]
            privates = [client.get(base + private_thumb, headers={"Referer": GOOD})
                        for _ in range(2)]
            raw = client.get(f"{base}/p/{played.pid}/raw/entry_id/{played.clip_id}")
            image = played.api.call("flavorAsset", "getByEntryId", entryId=played.image_id)[0]
            private_file = (f"{base}/p/{played.pid}/sp/{played.pid}00/serveFlavor/entryId/"
                            f"{played.image_id}/flavorId/{image['id']}")
            private_ranges = [client.get(private_file, headers={"Referer": GOOD,
                                                                "Range": "bytes=10-19"})
                              for _ in range(2)]
            server.stop()
            time.sleep(0.2)
            offline = client.get(url, headers={"Range": ranged})
            offline_thumb = client.get(base + thumb)
            offline_api = client.get(f"{base}/api_v3/service/system/action/ping")
    data = (settings.data_path / "media" /
            asset_state.track_key(played.pid, played.clip_id, flavor, "video")).read_bytes()
    start, end = (int(n) for n in ranged[6:].split("-"))
    for answer, status in ((cold, "MISS"), (warm, "HIT"), (offline, "HIT")):
        assert answer.status_code == 206, answer.text[:200]
        assert answer.content == data[start:end + 1]
        assert answer.headers["content-range"] == f"bytes {start}-{end}/{len(data)}"
        assert answer.headers["x-cache-status"] == status
    assert [t.headers["x-cache-status"] for t in thumbs] == ["MISS", "HIT"]
    assert thumbs[1].content == thumbs[0].content and thumbs[0].content[:3] == b"\xff\xd8\xff"
    assert offline_thumb.status_code == 200 and offline_thumb.content == thumbs[0].content
    # private: never stored, handed off by vpaas (nginx's internal location answers)
    assert all("x-cache-status" not in t.headers for t in privates)
    assert all(t.headers["cache-control"] == "private, max-age=0" for t in privates)
    assert all(t.status_code == 200 and t.content[:3] == b"\xff\xd8\xff" for t in privates)
    # a private file in the cached location: never stored, nginx still answers the Range
    image_bytes = played.flavor_file(image["id"]).read_bytes()
    for answer in private_ranges:
        assert answer.status_code == 206 and answer.content == image_bytes[10:20]
        assert answer.headers["cache-control"].startswith("private")
        assert "x-cache-status" not in answer.headers
    source = played.entry_row(played.clip_id).source_key
    assert raw.content == (settings.data_path / "media" / source).read_bytes()
    assert "x-accel-redirect" not in raw.headers and "x-cache-status" not in raw.headers
    assert offline_api.status_code == 502  # only cached media outlives the app
