"""Thumbnail URL grammar, validation and capture-time computation."""

from __future__ import annotations

import pytest

from vpaas.delivery.thumbnail_params import (
    ThumbParamError,
    ThumbParams,
    capture_times,
    parse_thumbnail_path,
)
from vpaas.media.thumbnails import render_image

BASE = "/p/1234/sp/123400/thumbnail/entry_id/0_abcd1234/version/100002"


def test_player_poster_url() -> None:
    p = parse_thumbnail_path(BASE + "/height/360/width/640")
    assert (p.partner_id, p.sub_partner_id, p.entry_id) == (1234, 123400, "0_abcd1234")
    assert (p.version, p.width, p.height, p.type) == (100002, 640, 360, 1)
    assert not p.is_capture and p.format == "jpg" and p.bgcolor == "ffffff"


def test_sprite_url_and_defaults() -> None:
    p = parse_thumbnail_path(BASE + "/width/164/vid_slices/100")
    assert p.is_stripe and p.vid_slices == 100 and p.height is None
    bare = parse_thumbnail_path("/p/5/thumbnail/entry_id/0_x")
    assert bare.sub_partner_id is None and bare.width is None and bare.height is None


def test_extensions_stripped_and_query_string_merged() -> None:
    p = parse_thumbnail_path(
        "/p/1/thumbnail/entry_id/0_x/width/200.jpg/bgcolor/FF0000.png",
        "height=100.gif&type=2&width=999&ks=abc",
    )
    assert (p.width, p.height, p.type, p.bgcolor, p.ks) == (200, 100, 2, "ff0000", "abc")
    assert parse_thumbnail_path("/p/1/thumbnail/entry_id/0_x/bgcolor/f").bgcolor == "00000f"
    named = parse_thumbnail_path("/p/1/thumbnail/entry_id/0_x/file_name/poster.jpg")
    assert named.file_name == "poster.jpg"


def test_bang_forces_stretch_and_nearest_aspect() -> None:
    p = parse_thumbnail_path("/p/1/thumbnail/entry_id/0_x/width/300!/height/100/type/3")
    assert (p.width, p.type) == (300, 5)
    encoded = parse_thumbnail_path("/p/1/thumbnail/entry_id/0_x/height/100%21")
    assert (encoded.height, encoded.type) == (100, 5)
    n = parse_thumbnail_path("/p/1/thumbnail/entry_id/0_x/nearest_aspect_ratio/1")
    assert n.type == 6 and n.nearest_aspect_ratio


def test_def_width_applies_only_without_dimensions() -> None:
    p = parse_thumbnail_path("/p/1/thumbnail/entry_id/0_x/def_width/300/def_height/200")
    assert (p.width, p.height) == (300, 200)
    q = parse_thumbnail_path("/p/1/thumbnail/entry_id/0_x/def_width/300/width/50")
    assert (q.width, q.height) == (50, None)


@pytest.mark.parametrize(
    ("tail", "reason"),
    [
        ("/bgcolor/ggg", "bgcolor"),
        ("/bgcolor/1234567", "bgcolor"),
        ("/width/10001", "width must be between"),
        ("/width/abc", "width must be an integer"),
        ("/type/7", "type must be between 1 and 5"),
        ("/quality/101", "quality"),
        ("/src_x/-1", "src_x"),
        ("/rel_width/0", "rel_width"),
        ("/vid_sec/nan", "vid_sec"),
        ("/vid_slices/0", "vid_slices must be positive"),
        ("/start_sec/10/end_sec/5", "start_sec 10 is after end_sec 5"),
        ("/width/700/vid_slices/100", "width x vid_slices"),
        ("/format/tiff", "unsupported format"),
        ("/file_name/..", "file name"),
        ("/version/-1", "version"),
        ("/width", "has no value"),
    ],
)
def test_invalid_values_raise_readable_errors(tail: str, reason: str) -> None:
    with pytest.raises(ThumbParamError, match=reason) as err:
        parse_thumbnail_path("/p/1/thumbnail/entry_id/0_x" + tail)
    assert reason.split()[0] in err.value.reason


@pytest.mark.parametrize(
    "path",
    [
        "/p/abc/thumbnail/entry_id/0_x",
        "/p/1/playManifest/entryId/0_x",
        "/p/1/sp/x/thumbnail/entry_id/0_x",
        "/p/1/thumbnail/width/100",
        "/p/1/thumbnail/entry_id/..%2F..%2Fetc",
    ],
)
def test_invalid_paths(path: str) -> None:
    with pytest.raises(ThumbParamError):
        parse_thumbnail_path(path)


def test_cache_key_covers_output_parameters_only() -> None:
    a = parse_thumbnail_path(BASE + "/width/100/ks/abc")
    b = parse_thumbnail_path("/p/1234/thumbnail/entry_id/0_abcd1234/version/100002/width/100")
    assert a.cache_key() == b.cache_key()
    for tail in ("/height/50", "/type/2", "/bgcolor/000000", "/quality/50", "/vid_sec/3",
                 "/src_x/5", "/density/96", "/strip/1", "/format/png", "/vid_slices/4"):
        assert parse_thumbnail_path(BASE + "/width/100" + tail).cache_key() != a.cache_key()
    assert parse_thumbnail_path(BASE + "/vid_sec/3").cache_key() != parse_thumbnail_path(
        BASE + "/vid_sec/3.5"
    ).cache_key()


def test_capture_times_slices_without_window_use_whole_seconds() -> None:
    p = parse_thumbnail_path(BASE + "/vid_slices/4")
    assert capture_times(p, 10.0) == [0.0, 2.0, 5.0, 7.0]
    one = parse_thumbnail_path(BASE + "/vid_slices/4/vid_slice/9")
    assert capture_times(one, 10.0) == [7.0]


def test_capture_times_with_window_and_vid_sec() -> None:
    p = parse_thumbnail_path(BASE + "/vid_slices/4/start_sec/2/end_sec/6")
    assert capture_times(p, 10.0) == [2.0, 3.0, 4.0, 5.0]
    tail = parse_thumbnail_path(BASE + "/vid_slices/2/start_sec/8")
    assert capture_times(tail, 10.0) == [8.0, 9.0]
    assert capture_times(parse_thumbnail_path(BASE + "/vid_sec/3.5"), 10.0) == [3.5]
    assert capture_times(parse_thumbnail_path(BASE + "/vid_sec/99"), 10.0) == [10.0]
    assert capture_times(parse_thumbnail_path(BASE), 10.0) == []
    with pytest.raises(ThumbParamError):
        capture_times(parse_thumbnail_path(BASE), float("inf"))


def test_params_drive_render_directly() -> None:
    from PIL import Image

    p = parse_thumbnail_path(BASE + "/width/100/height/100/type/2/bgcolor/00ff00")
    assert isinstance(p, ThumbParams)
    out = render_image(Image.new("RGB", (400, 200), (255, 0, 0)), p)
    assert out.size == (100, 100) and out.getpixel((50, 2)) == (0, 255, 0)
