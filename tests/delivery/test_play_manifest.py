"""playManifest against a real processed entry: HLS, DASH, progressive, download, access
control, play counting and errors. Byte ranges in the manifests are fetched and compared with
the stored files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
from lxml import etree
from playback_helpers import Played, local, played_app

from vpaas.domain import asset_state

DASH = "{urn:mpeg:dash:schema:mpd:2011}"


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    yield from played_app(tmp_path_factory)



def manifest(p: Played, fmt: str, ext: str, extra: str = "", query: str = "") -> Any:
    url = p.path(f"playManifest/entryId/{p.clip_id}/protocol/http/format/{fmt}{extra}/a.{ext}")
    return p.get(url + (f"?{query}" if query else ""))


def flavors(p: Played) -> dict[int, dict[str, Any]]:
    rows = p.api.call("flavorAsset", "getByEntryId", entryId=p.clip_id)
    return {f["flavorParamsId"]: f for f in rows}


def stored(p: Played, flavor_id: str, kind: str) -> bytes:
    key = asset_state.track_key(p.pid, p.clip_id, flavor_id, kind)
    return p.api.runtime.storage.read_range(key, 0, 1 << 30)


def media_lines(text: str) -> list[tuple[int, int]]:
    return [(int(n), int(o)) for n, o in re.findall(r"#EXT-X-BYTERANGE:(\d+)@(\d+)", text)]


def test_hls_master_media_playlists_and_ranges(played: Played) -> None:
    resp = manifest(played, "applehttp", "m3u8")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    master = resp.text
    variants = [line for line in master.splitlines() if line and not line.startswith("#")]
    assert len(variants) == 2 and "RESOLUTION=640x360" in master and "RESOLUTION=854x480" in master
    audio_uri = re.search(r'TYPE=AUDIO.*URI="([^"]+)"', master)
    assert audio_uri is not None
    for url, kind in [(variants[0], "video"), (audio_uri.group(1), "audio")]:
        playlist = played.get(local(url))
        assert playlist.status_code == 200 and "#EXT-X-ENDLIST" in playlist.text
        init = re.search(r'#EXT-X-MAP:URI="([^"]+)",BYTERANGE="(\d+)@(\d+)"', playlist.text)
        assert init is not None
        seg_url = urljoin(url, init.group(1))
        flavor_id = re.search(r"/flavorId/([^/]+)/", url).group(1)  # type: ignore[union-attr]
        data = stored(played, flavor_id, kind)
        length, offset = int(init.group(2)), int(init.group(3))
        got = played.get(local(seg_url), headers={"Range": f"bytes={offset}-{offset + length - 1}"})
        assert got.status_code == 206 and got.content == data[offset:offset + length]
        assert got.content[4:8] == b"ftyp"
        for n, o in media_lines(playlist.text):
            part = played.get(local(seg_url), headers={"Range": f"bytes={o}-{o + n - 1}"})
            assert part.status_code == 206
            assert part.headers["content-range"] == f"bytes {o}-{o + n - 1}/{len(data)}"
            assert part.content == data[o:o + n] and b"moof" in part.content[:64]


def test_dash_mpd_segment_ranges(played: Played) -> None:
    resp = manifest(played, "mpegdash", "mpd")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/dash+xml"
    mpd = etree.fromstring(resp.content)
    reps = mpd.findall(f".//{DASH}Representation")
    assert {r.get("id").rsplit("-", 1)[1] for r in reps} == {"video", "audio"}
    for rep in reps:
        url = rep.findtext(f"{DASH}BaseURL")
        init = rep.find(f".//{DASH}Initialization").get("range")
        first = rep.find(f".//{DASH}SegmentURL").get("mediaRange")
        start, end = (int(x) for x in first.split("-"))
        got = played.get(local(url), headers={"Range": f"bytes={start}-{end}"})
        assert got.status_code == 206 and len(got.content) == end - start + 1
        head = played.get(local(url), headers={"Range": f"bytes={init}"})
        assert head.content[4:8] == b"ftyp"


def test_progressive_url_redirects_to_ranged_mp4(played: Played) -> None:
    resp = manifest(played, "url", "mp4")
    assert resp.status_code == 302
    target = local(resp.headers["location"])
    whole = played.get(target)
    assert whole.status_code == 200 and whole.content[4:8] == b"ftyp"
    assert whole.headers["accept-ranges"] == "bytes"
    part = played.get(target, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    beyond = played.get(target, headers={"Range": f"bytes={len(whole.content) + 5}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(whole.content)}"


def test_flavor_selection_and_aliases(played: Played) -> None:
    by_params = flavors(played)
    small = by_params[2]["id"]
    one = manifest(played, "applehttp", "m3u8", f"/flavorIds/{small}")
    assert one.text.count("#EXT-X-STREAM-INF") == 1 and "640x360" in one.text
    by_params_id = manifest(played, "applehttp", "m3u8", "/flavorParamIds/3")
    assert by_params_id.text.count("#EXT-X-STREAM-INF") == 1 and "854x480" in by_params_id.text
    short = played.get(played.path(f"playManifest/e/{played.clip_id}/f/applehttp/fs/{small}"
                                   "/a.m3u8"))
    assert short.status_code == 200 and short.text.count("#EXT-X-STREAM-INF") == 1
    url = manifest(played, "url", "mp4", f"/flavorIds/{small}")
    assert f"/flavorId/{small}/" in url.headers["location"]


def test_download_format_is_an_attachment(played: Played) -> None:
    resp = manifest(played, "download", "mp4", "/flavorParamIds/0/fileName/movie.mp4")
    assert resp.status_code == 302
    got = played.get(local(resp.headers["location"]))
    assert got.status_code == 200
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "movie.mp4" in got.headers["content-disposition"]
    source = played.api.call("baseEntry", "get", entryId=played.clip_id)
    assert source["id"] == played.clip_id and got.content[4:8] == b"ftyp"


def test_errors_are_short_texts(played: Played) -> None:
    missing = played.get(played.path("playManifest/entryId/0_nothere/format/applehttp/a.m3u8"))
    assert missing.status_code == 404 and "not found" in missing.text
    assert "Traceback" not in missing.text
    bad = manifest(played, "hds", "f4m")
    assert bad.status_code == 400 and "Unsupported format" in bad.text
    bad_ks = manifest(played, "applehttp", "m3u8", "/ks/notaks")
    assert bad_ks.status_code == 403 and "Invalid KS" in bad_ks.text
    none = manifest(played, "applehttp", "m3u8", "/flavorIds/0_unknown")
    assert none.status_code == 404
    good = manifest(played, "mpegdash", "mpd").text
    url = re.search(r"<BaseURL>([^<]+)</BaseURL>", good).group(1)  # type: ignore[union-attr]
    forged = re.sub(r"/tk/[^/]+/", "/tk/7fffffff.0.AAAAAAAAAAAAAAAAAAAAAA/", url)
    assert played.get(local(forged)).status_code == 403
    other = url.replace(f"/entryId/{played.clip_id}/", "/entryId/0_other00/")
    assert played.get(local(other)).status_code == 403


def test_plays_count_once_per_play_session(played: Played) -> None:
    before = played.entry_row(played.clip_id).plays
    for session in ("s1", "s1", "s2"):
        manifest(played, "applehttp", "m3u8", query=f"playSessionId={session}&clientTag=x")
    row = played.entry_row(played.clip_id)
    assert row.plays == before + 2 and row.last_played_at
    media = played.api.call("media", "get", entryId=played.clip_id)
    assert media["plays"] == before + 2


def test_access_control_block_preview_and_limit(played: Played) -> None:
    eid = played.clip_id
    try:
        played.set_rules(eid, [{"actions": [{"type": "1"}], "message": "nope", "code": "X",
                                "conditions": [{"type": "4", "values": ["good.example"],
                                                "not": True}]}])
        blocked = manifest(played, "applehttp", "m3u8")
        assert blocked.status_code == 403 and "access-control: nope" in blocked.headers[
            "x-kaltura"]
        referrer = "aHR0cHM6Ly9nb29kLmV4YW1wbGUvcGFnZQ=="  # https://good.example/page
        allowed = manifest(played, "applehttp", "m3u8", f"/referrer/{referrer}")
        assert allowed.status_code == 200
        played.set_rules(eid, [{"actions": [{"type": "2", "limit": 1}]}])
        master = manifest(played, "applehttp", "m3u8").text
        variant = next(v for v in master.splitlines() if v.startswith("http"))
        media = played.get(local(variant)).text
        assert media.count("#EXTINF") == 1
        played.set_rules(eid, [{"actions": [{"type": "3", "flavorParamsIds": "3",
                                             "isBlockedList": True}]}])
        limited = manifest(played, "applehttp", "m3u8").text
        assert "640x360" in limited and "854x480" not in limited
    finally:
        played.set_rules(eid, None)


def test_other_p_routes_are_not_shadowed(played: Played) -> None:
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def embed(_: object) -> PlainTextResponse:
        return PlainTextResponse("embed")

    played.api.app.router.routes.append(Route("/p/{pid:int}/otherThing/{rest:path}", embed))
    assert played.get(f"/p/{played.pid}/otherThing/x/1").text == "embed"
    assert played.get(played.path("unknownAction/x/y")).status_code == 404
