"""The real Kaltura web player (kaltura-player-js 3.17.95, unmodified) plays an uploaded entry.

Every page comes from another origin than the server and loads the player only through the
server's embed loaders: ``embedPlaykitJs`` (no ``provider.env`` on the page) or the legacy
``embedIframeJs`` kWidget snippet from the getting-started guide, or the iframe embed page.
Playback counts when ``<video>.currentTime`` reaches :data:`MIN_PLAYED` seconds.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from browser.harness import PageServer, PlayerSite, RecordingPage

MIN_PLAYED = 2.0
PLAY_TIMEOUT = 60.0
SEED_HOST = "https://cdnapisec.kaltura.com"
SEED_PARTNER = "811441"
SEED_UICONF = "35015842"
SEED_ENTRY = "0_4kwzg46z"
SEED_SNIPPET = """
      <!-- Outer div defines maximum space the player can take -->
      <div style="width: 100%;display: inline-block;position: relative;">
        <!--  inner pusher div defines aspect ratio: in this case 16:9 ~ 56.25% -->
        <div id="dummy" style="margin-top: 56.25%;"></div>
        <!--  the player embed target, set to take up available absolute space   -->
        <script src="https://cdnapisec.kaltura.com/p/811441/sp/81144100/embedIframeJs/uiconf_id/35015842/partner_id/811441" style="margin: 0px 0px 0px 0px;"></script>
        <div id="kaltura_player_1461185766" style="position:absolute;top:0;left:0;left: 0;right: 0;bottom:0;border:none;"></div>
      </div>
      <script>
        kWidget.embed({
          "targetId": "kaltura_player_1461185766",
          "wid": "_811441",
          "uiconf_id": 35015842,
          "flashvars": {
            "streamerType": "auto"
          },
          "entry_id": "0_4kwzg46z"
        });
      </script>
"""  # noqa: E501 - verbatim from the getting-started guide
MIME = {"hls": "application/x-mpegurl", "dash": "application/dash+xml",
        "progressive": "video/mp4"}
MANIFEST_FORMAT = {"hls": "applehttp", "dash": "mpegdash", "progressive": "url"}


def _html(body: str) -> str:
    return ("<!doctype html><html><head><meta charset=\"utf-8\"><title>player test</title>"
            f"</head><body style=\"margin:0;background:#222\">{body}</body></html>")


def _playkit_page(site: PlayerSite, stream: str, autoplay: bool = True) -> str:
    setup = {"targetId": "player",
             "provider": {"partnerId": site.partner_id, "uiConfId": site.ui_conf_id},
             "playback": {"autoplay": autoplay, "muted": True, "preload": "auto",
                          "streamPriority": [{"engine": "html5", "format": stream}]}}
    return _html(f"""
<div id="player" style="width:640px;height:360px"></div>
<script src="{site.url}/p/{site.partner_id}/embedPlaykitJs/uiconf_id/{site.ui_conf_id}"></script>
<script>
  window.__errors = [];
  var player = window.__player = KalturaPlayer.setup({json.dumps(setup)});
  player.addEventListener(player.Event.ERROR, function (e) {{
    __errors.push(JSON.stringify(e.payload).slice(0, 800)); }});
  player.loadMedia({{entryId: {json.dumps(site.entry_id)}}}).catch(function (e) {{
    __errors.push('loadMedia: ' + JSON.stringify(e).slice(0, 800)); }});
</script>""")


def _played(target: Any) -> float:
    return float(target.evaluate(
        "() => { const v = document.querySelector('video'); return v ? v.currentTime : -1; }"))


def _wait_for_playback(page: RecordingPage, target: Any = None) -> float:
    """Poll the video's currentTime until it passes MIN_PLAYED; fail with the player errors."""
    target = target or page.page
    deadline = time.monotonic() + PLAY_TIMEOUT
    played = -1.0
    while time.monotonic() < deadline:
        played = _played(target)
        if played >= MIN_PLAYED:
            return played
        errors = target.evaluate("() => window.__errors || []")
        if errors:
            pytest.fail(f"player error: {errors}")
        page.page.wait_for_timeout(500)
    pytest.fail(f"currentTime stayed at {played:.2f} s after {PLAY_TIMEOUT:.0f} s")


def _assert_server_answered(page: RecordingPage, site: PlayerSite) -> None:
    bad = [r for r in page.to(site.url)
           if (r.status is not None and r.status >= 400)
           or (r.failure and "ERR_ABORTED" not in r.failure)]
    assert not bad, "\n".join(f"{r.method} {r.status or r.failure} {r.url}" for r in bad)


def _manifest_requests(page: RecordingPage, site: PlayerSite, stream: str) -> list[Any]:
    wanted = f"/format/{MANIFEST_FORMAT[stream]}/"
    return [r for r in page.to(site.url) if "/playManifest/" in r.url and wanted in r.url]


@pytest.mark.parametrize("stream", ["hls", "dash", "progressive"])
def test_embed_playkit_js_plays_each_stream_type(
        player_site: PlayerSite, pages: PageServer, page: RecordingPage, stream: str) -> None:
    page.page.goto(pages.add(f"playkit-{stream}.html", _playkit_page(player_site, stream)))
    assert _wait_for_playback(page) >= MIN_PLAYED
    selected = page.page.evaluate("() => __player.selectedSource && __player.selectedSource"
                                  ".mimetype")
    assert str(selected).lower() == MIME[stream]
    manifests = _manifest_requests(page, player_site, stream)
    assert manifests and all(r.status in (200, 206, 302) for r in manifests), page.summary()
    assert "playSessionId=" in manifests[0].url
    _assert_server_answered(page, player_site)


def test_poster_and_seek_sprite_load(
        player_site: PlayerSite, pages: PageServer, page: RecordingPage) -> None:
    html = _playkit_page(player_site, "hls", autoplay=False)
    page.page.goto(pages.add("poster.html", html))

    def images(fragment: str) -> list[Any]:
        return [r for r in page.to(player_site.url)
                if "/thumbnail/entry_id/" in r.url and fragment in r.url]

    deadline = time.monotonic() + PLAY_TIMEOUT
    while time.monotonic() < deadline and not (images("/height/360/width/640")
                                               and images("/vid_slices/100")):
        page.page.wait_for_timeout(250)
    poster = images("/height/360/width/640")
    sprite = images("/width/164/vid_slices/100")
    assert poster and poster[0].status == 200 and poster[0].content_type.startswith("image/")
    assert sprite and sprite[0].status == 200 and sprite[0].content_type.startswith("image/")
    size = page.page.evaluate("""(url) => new Promise((ok) => {
        const img = new Image(); img.crossOrigin = 'anonymous';
        img.onload = () => ok([img.naturalWidth, img.naturalHeight]);
        img.onerror = () => ok(null); img.src = url; })""", sprite[0].url)
    assert size and size[0] >= 164 * 2 and size[1] > 0, size  # a strip of 164 px frames
    page.page.evaluate("() => __player.play()")
    assert _wait_for_playback(page) >= MIN_PLAYED
    _assert_server_answered(page, player_site)


def test_seed_kwidget_snippet_plays(
        player_site: PlayerSite, pages: PageServer, page: RecordingPage) -> None:
    """The getting-started snippet, verbatim except for host and ids; the user clicks play."""
    snippet = (SEED_SNIPPET.replace(SEED_HOST, player_site.url)
               .replace(SEED_PARTNER, str(player_site.partner_id))
               .replace(SEED_UICONF, str(player_site.ui_conf_id))
               .replace(SEED_ENTRY, player_site.entry_id))
    page.page.goto(pages.add("seed.html", _html(snippet)))
    button = page.page.locator(".playkit-pre-playback-play-button")
    button.wait_for(state="visible", timeout=PLAY_TIMEOUT * 1000)
    button.click()
    assert _wait_for_playback(page) >= MIN_PLAYED
    assert page.page.evaluate(
        "() => kWidget.getPlayer('kaltura_player_1461185766').config.provider.partnerId"
    ) == player_site.partner_id
    _assert_server_answered(page, player_site)


def test_iframe_embed_page_plays(
        player_site: PlayerSite, pages: PageServer, page: RecordingPage) -> None:
    pid, ui = player_site.partner_id, player_site.ui_conf_id
    src = (f"{player_site.url}/p/{pid}/sp/{pid}00/embedIframeJs/uiconf_id/{ui}/partner_id/{pid}"
           f"?iframeembed=true&playerId=kp&entry_id={player_site.entry_id}"
           "&flashvars[autoPlay]=true&flashvars[autoMute]=true")
    page.page.goto(pages.add("iframe.html", _html(
        f'<iframe id="kp" src="{src}" width="640" height="360" allowfullscreen '
        'allow="autoplay; fullscreen" frameborder="0"></iframe>')))
    frame = page.page.frame_locator("#kp").locator("video")
    frame.wait_for(state="attached", timeout=PLAY_TIMEOUT * 1000)
    inner = next(f for f in page.page.frames if "iframeembed=true" in f.url)
    assert _wait_for_playback(page, inner) >= MIN_PLAYED
    _assert_server_answered(page, player_site)


def test_kwidget_thumb_embed_shows_the_thumbnail_then_plays(
        player_site: PlayerSite, pages: PageServer, page: RecordingPage) -> None:
    pid, ui = player_site.partner_id, player_site.ui_conf_id
    settings = {"targetId": "thumb", "wid": f"_{pid}", "uiconf_id": ui,
                "entry_id": player_site.entry_id, "flashvars": {"autoMute": True}}
    page.page.goto(pages.add("thumb.html", _html(f"""
<div id="thumb" style="width:640px;height:360px"></div>
<script src="{player_site.url}/p/{pid}/sp/{pid}00/embedIframeJs/uiconf_id/{ui}/partner_id/{pid}">
</script>
<script>kWidget.thumbEmbed({json.dumps(settings)});</script>""")))
    button = page.page.locator("#thumb .kWidgetPlayBtn")
    button.wait_for(state="visible", timeout=10_000)
    page.page.wait_for_load_state("networkidle")
    thumbs = [r for r in page.to(player_site.url)
              if f"/p/{pid}/thumbnail/entry_id/{player_site.entry_id}/width/640" in r.url]
    assert thumbs and thumbs[0].status == 200 and thumbs[0].content_type.startswith("image/")
    button.click()
    assert _wait_for_playback(page) >= MIN_PLAYED
    _assert_server_answered(page, player_site)
