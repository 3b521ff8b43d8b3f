"""Embed loaders: embedPlaykitJs (bundle + server config), embedIframeJs (kWidget), iframe page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient
from support.api import ApiHelper

from vpaas.api.middleware import EdgeMiddleware
from vpaas.db.tables.ui_conf import UiConfRow
from vpaas.delivery.embed import BUNDLE_PATH, LOADER_PATH, PLAYER_VERSION, embed_routes
from vpaas.settings import Settings

FAKE_BUNDLE = "/* fake player */ window.KalturaPlayer = {VERSION: 'fake'};\n" + "//" * 2000


class Embed:
    """The API (to make uiConfs) and an app serving the embed routes over a player dir."""

    def __init__(self, api: ApiHelper, player_dir: Path | None) -> None:
        self.api = api
        app = Starlette(routes=embed_routes(api.runtime, player_dir),
                        middleware=[Middleware(EdgeMiddleware)])
        self.client = TestClient(app, base_url="http://media.example:8080")
        self.pid = api.partner.id

    def ui_conf(self, config: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        body = {"objectType": "KalturaUiConf", "name": "Player", "objType": 1,
                "config": json.dumps(config or {}), **fields}
        return self.api.call("uiConf", "add", uiConf=body)  # type: ignore[no-any-return]

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)


def _player_dir(tmp: Path) -> Path:
    bundle = tmp / BUNDLE_PATH.relative_to(LOADER_PATH.parent)
    bundle.parent.mkdir(parents=True)
    bundle.write_text(FAKE_BUNDLE)
    return tmp


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        UiConfRow.__table__.create(helper.runtime.db.engine, checkfirst=True)  # type: ignore[attr-defined]
        yield helper


@pytest.fixture
def embed(api: ApiHelper, tmp_path: Path) -> Embed:
    return Embed(api, _player_dir(tmp_path / "player"))


def _server_config(js: str, ui_conf_id: int) -> dict[str, Any]:
    match = re.search(r";\(function\(\)\{var c=(\{.*?\});window\.KalturaPlayers=", js)
    assert match, js[-600:]
    assert f'window.KalturaPlayers["{ui_conf_id}"]={{config:c}}' in js
    assert "window.__kalturaplayerdata=c" in js
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_playkit_js_is_the_bundle_plus_the_ui_conf_config(embed: Embed) -> None:
    conf = embed.ui_conf({"playback": {"autoplay": True}, "provider": {"env": {
        "cdnUrl": "https://cdn.example"}}})
    resp = embed.get(f"/p/{embed.pid}/embedPlaykitJs/uiconf_id/{conf['id']}")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/javascript")
    assert resp.headers["access-control-allow-origin"] == "*"
    assert resp.text.startswith(FAKE_BUNDLE)
    config = _server_config(resp.text, conf["id"])
    assert config["provider"]["partnerId"] == embed.pid
    assert config["provider"]["uiConfId"] == conf["id"]
    assert config["provider"]["env"] == {
        "serviceUrl": "http://media.example:8080/api_v3", "analyticsServiceUrl":
        "http://media.example:8080", "cdnUrl": "https://cdn.example"}
    assert config["playback"] == {"autoplay": True}


def test_public_url_setting_wins_over_the_host_header(api: ApiHelper, tmp_path: Path) -> None:
    api.runtime.settings = api.runtime.settings.replace(public_url="https://video.example/")
    embed = Embed(api, _player_dir(tmp_path / "player"))
    conf = embed.ui_conf()
    js = embed.get(f"/p/{embed.pid}/sp/{embed.pid}00/embedPlaykitJs/uiconf_id/{conf['id']}").text
    env = _server_config(js, conf["id"])["provider"]["env"]
    assert env["serviceUrl"] == "https://video.example/api_v3"
    assert env["cdnUrl"] == "https://video.example"


def test_caching_headers_etag_and_gzip(embed: Embed) -> None:
    conf = embed.ui_conf()
    path = f"/p/{embed.pid}/embedPlaykitJs/uiconf_id/{conf['id']}"
    first = embed.get(path, headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    assert int(first.headers["content-length"]) < len(first.text) / 4  # sent compressed
    assert first.headers["cache-control"] == "public, max-age=600"
    etag = first.headers["etag"]
    assert embed.get(path, headers={"If-None-Match": etag}).status_code == 304
    plain = embed.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == first.text
    embed.api.call("uiConf", "update", id=conf["id"], uiConf={
        "objectType": "KalturaUiConf", "config": '{"ui": {"locale": "de"}}'})
    changed = embed.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert _server_config(changed.text, conf["id"])["ui"] == {"locale": "de"}


def test_bundle_file_is_served_with_long_caching(embed: Embed) -> None:
    plain = embed.get("/player/kaltura-ovp-player.js")
    assert plain.status_code == 200 and plain.text == FAKE_BUNDLE
    assert plain.headers["cache-control"] == "public, max-age=3600" and plain.headers["etag"]
    versioned = embed.get(f"/player/{PLAYER_VERSION}/kaltura-ovp-player.js")
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    wrong = embed.get("/player/1.0.0/kaltura-ovp-player.js")
    assert wrong.status_code == 404 and "3.17.95" in wrong.text


@pytest.mark.parametrize("path", [
    "/p/{pid}/embedPlaykitJs/uiconf_id/999999",
    "/p/{pid}/sp/{pid}00/embedIframeJs/uiconf_id/999999/partner_id/{pid}",
    "/p/{pid}/embedPlaykitJs/uiconf_id/abc",
    "/p/{pid}/embedPlaykitJs/nothing",
    "/p/4242/embedPlaykitJs/uiconf_id/{ui}",
])
def test_unknown_ui_conf_or_partner_is_a_clean_js_404(embed: Embed, path: str) -> None:
    conf = embed.ui_conf()
    resp = embed.get(path.format(pid=embed.pid, ui=conf["id"]))
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/javascript")
    assert resp.text.startswith("/* vpaas: ") and "console.error(" in resp.text
    assert "Traceback" not in resp.text and len(resp.text) < 500


def test_other_partners_ui_conf_is_not_found(embed: Embed) -> None:
    other = embed.api.new_partner("other")
    theirs = embed.api.call("uiConf", "add", ks=embed.api.ks(admin=True, partner=other),
                            uiConf={"objectType": "KalturaUiConf", "name": "theirs"})
    assert embed.get(f"/p/{embed.pid}/embedPlaykitJs/uiconf_id/{theirs['id']}").status_code \
        == 404
    assert embed.get(f"/p/{other.id}/embedPlaykitJs/uiconf_id/{theirs['id']}").status_code \
        == 200


def test_missing_player_install_is_a_clear_503(api: ApiHelper, tmp_path: Path) -> None:
    embed = Embed(api, tmp_path / "empty")
    conf = embed.ui_conf()
    resp = embed.get(f"/p/{embed.pid}/embedPlaykitJs/uiconf_id/{conf['id']}")
    assert resp.status_code == 503 and "npm ci --prefix vpaas/web/player" in resp.text


def test_iframe_js_is_the_kwidget_loader(embed: Embed) -> None:
    conf = embed.ui_conf()
    pid = embed.pid
    resp = embed.get(f"/p/{pid}/sp/{pid}00/embedIframeJs/uiconf_id/{conf['id']}/partner_id/{pid}")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/javascript")
    assert resp.headers["etag"] and resp.headers["cache-control"] == "public, max-age=600"
    js = resp.text
    assert "/*@VPAAS_LOADER_CONFIG@*/" not in js
    cfg = json.loads(re.search(r"\}\)\((\{.*\})\);\s*$", js).group(1))  # type: ignore[union-attr]
    assert cfg == {"base": "http://media.example:8080", "partnerId": pid, "uiConfId": conf["id"],
                   "bundleUrl": f"http://media.example:8080/p/{pid}/embedPlaykitJs/uiconf_id/"
                                f"{conf['id']}", "autoEmbed": None}
    for api_name in ("embed:", "thumbEmbed:", "getPlayer:", "destroy:", "addReadyCallback:",
                     "getKalturaThumbUrl:"):
        assert api_name in js


def test_autoembed_passes_validated_settings(embed: Embed) -> None:
    conf = embed.ui_conf()
    pid = embed.pid
    base = f"/p/{pid}/sp/{pid}00/embedIframeJs/uiconf_id/{conf['id']}/partner_id/{pid}"
    js = embed.get(base, params={"autoembed": "true", "entry_id": "0_abc123",
                                 "playerId": "kp1", "flashvars[autoPlay]": "true",
                                 "flashvars[startTime]": "2.5"}).text
    cfg = json.loads(re.search(r"\}\)\((\{.*\})\);\s*$", js).group(1))  # type: ignore[union-attr]
    assert cfg["autoEmbed"] == {"wid": f"_{pid}", "uiconf_id": conf["id"], "entry_id": "0_abc123",
                                "targetId": "kp1",
                                "flashvars": {"autoPlay": True, "startTime": 2.5}}
    bad = embed.get(base, params={"autoembed": "true", "entry_id": "</script><b>"})
    assert bad.status_code == 400 and "invalid entry_id" in bad.text
    playkit = embed.get(f"/p/{pid}/embedPlaykitJs/uiconf_id/{conf['id']}",
                        params={"autoembed": "true", "entry_id": "0_abc123", "targetId": "t1"})
    assert 'KalturaPlayer.setup({"targetId":"t1"' in playkit.text
    assert 'p.loadMedia({"entryId":"0_abc123"})' in playkit.text


@pytest.mark.parametrize("form", ["iframe_js", "playkit_js"])
def test_iframe_embed_page(embed: Embed, form: str) -> None:
    conf = embed.ui_conf(name="Site <player>")
    pid = embed.pid
    path = (f"/p/{pid}/sp/{pid}00/embedIframeJs/uiconf_id/{conf['id']}/partner_id/{pid}"
            if form == "iframe_js" else f"/p/{pid}/embedPlaykitJs/uiconf_id/{conf['id']}")
    resp = embed.get(path, params={"iframeembed": "true", "entry_id": "0_abc123",
                                   "flashvars[ks]": "djJ8MTIzfA==", "flashvars[autoMute]": "1"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    page = resp.text
    assert "<title>Site &lt;player&gt;</title>" in page
    assert '<div id="player_container"></div>' in page
    assert "window.kWidget = createKWidget()" in page
    call = re.search(r"kWidget\.embed\((\{.*\})\);</script>", page)
    assert call, page[-400:]
    assert json.loads(call.group(1)) == {
        "wid": f"_{pid}", "uiconf_id": conf["id"], "entry_id": "0_abc123",
        "targetId": "player_container", "flashvars": {"ks": "djJ8MTIzfA==", "autoMute": 1}}
    assert page.count("</script>") == 2  # the inlined loader cannot close its element early


def test_iframe_errors_are_html(embed: Embed) -> None:
    pid = embed.pid
    resp = embed.get(f"/p/{pid}/embedPlaykitJs/uiconf_id/31337",
                     params={"iframeembed": "true", "entry_id": "0_x"})
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("text/html")
    assert "uiConf 31337" in resp.text and "Traceback" not in resp.text
    conf = embed.ui_conf()
    long = embed.get(f"/p/{pid}/embedPlaykitJs/uiconf_id/{conf['id']}",
                     params={"iframeembed": "true", "flashvars[x]": "a" * 5000})
    assert long.status_code == 400 and "flashvars" in long.text


def test_the_installed_player_bundle_is_served(api: ApiHelper) -> None:
    """The real ``npm ci`` install (vpaas/web/player): KalturaPlayer 3.17.95, OVP build."""
    embed = Embed(api, None)
    conf = embed.ui_conf()
    resp = embed.get(f"/p/{embed.pid}/embedPlaykitJs/uiconf_id/{conf['id']}")
    assert resp.status_code == 200, resp.text[:300]
    assert len(resp.content) > 1_000_000 and '"3.17.95"' in resp.text[:3_000_000]
    assert _server_config(resp.text, conf["id"])["provider"]["partnerId"] == embed.pid
