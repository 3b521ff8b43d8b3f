"""The /p/{pid}/thumbnail/... endpoint on real processed entries: sizes, types, captures,
stripes, formats, rotation, caching (disk, ETag/304) and errors."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image
from playback_helpers import Played, ffmpeg, make_clip, played_app


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    yield from played_app(tmp_path_factory)


def thumb(p: Played, rest: str, entry_id: str | None = None, **kwargs: object) -> object:
    eid = entry_id or p.clip_id
    return p.get(p.path(f"thumbnail/entry_id/{eid}/{rest.lstrip('/')}".rstrip("/")), **kwargs)


def image_of(resp: object) -> Image.Image:
    assert resp.status_code == 200, resp.text  # type: ignore[attr-defined]
    return Image.open(io.BytesIO(resp.content))  # type: ignore[attr-defined]


def test_default_size_and_explicit_dimensions(played: Played) -> None:
    default = image_of(thumb(played, ""))
    assert default.format == "JPEG" and default.size == (120, 67)  # type 1 keeps the aspect
    both = image_of(thumb(played, "width/320/height/180"))
    assert both.size == (320, 180)
    width_only = image_of(thumb(played, "width/200"))
    assert abs(width_only.width - 200) <= 1 and width_only.height == 112
    short = played.get(played.path(f"thumbnail/entry_id/{played.clip_id}/height/90"))
    assert image_of(short).size == (160, 90)


def test_types_pad_crop_and_stretch(played: Played) -> None:
    padded = image_of(thumb(played, "width/200/height/200/type/2/bgcolor/ff0000")).convert("RGB")
    assert padded.size == (200, 200)
    red = padded.getpixel((100, 2))
    assert red[0] > 200 and red[1] < 60 and red[2] < 60  # type: ignore[index]
    cropped = image_of(thumb(played, "width/100/height/100/type/3"))
    assert cropped.size == (100, 100)
    stretched = image_of(thumb(played, "width/100!/height/100"))
    assert stretched.size == (100, 100)
    region = image_of(thumb(played, "src_x/0/src_y/0/src_w/427/src_h/240/width/0/height/0"))
    assert region.size == (427, 240)


def test_capture_formats_and_cache(played: Played) -> None:
    first = thumb(played, "vid_sec/1.5/width/160/format/png")
    assert first.headers["content-type"] == "image/png"  # type: ignore[attr-defined]
    assert image_of(first).size == (160, 90)
    webp = image_of(thumb(played, "vid_sec/1.5/width/160/format/webp"))
    assert webp.format == "WEBP"
    etag = first.headers["etag"]  # type: ignore[attr-defined]
    cached = list((played.api.runtime.settings.data_path / "cache" / "thumbs").rglob("*.png"))
    assert any(etag.strip('"') in c.name for c in cached)
    again = thumb(played, "vid_sec/1.5/width/160/format/png")
    assert again.content == first.content  # type: ignore[attr-defined]
    assert "max-age" in again.headers["cache-control"]  # type: ignore[attr-defined]
    same = thumb(played, "vid_sec/1.5/width/160/format/png", headers={"If-None-Match": etag})
    assert same.status_code == 304  # type: ignore[attr-defined]
    other = thumb(played, "vid_sec/0.5/width/160/format/png")
    assert other.headers["etag"] != etag  # type: ignore[attr-defined]


def test_stripes_for_the_seek_bar(played: Played) -> None:
    sprite = image_of(thumb(played, "width/164/vid_slices/10"))
    assert sprite.size == (1640, 92)
    window = image_of(thumb(played, "width/50/height/30/vid_slices/4/start_sec/1/end_sec/2"))
    assert window.size == (200, 30)
    one = image_of(thumb(played, "width/80/vid_slices/10/vid_slice/3"))
    assert one.size == (80, 45)


def test_image_entry_and_the_player_poster_url(played: Played) -> None:
    entry = played.api.call("baseEntry", "get", entryId=played.image_id)
    poster = played.get(entry["thumbnailUrl"].replace("http://testserver", "")
                        + "/height/60/width/80")
    assert image_of(poster).size == (80, 60)
    original = image_of(thumb(played, "width/0/height/0", entry_id=played.image_id))
    assert original.size == (160, 120)


def test_rotated_video(played: Played) -> None:
    clip = make_clip(played.media, seconds=2, size="320x180")
    rotated = ffmpeg(played.media / "rotated.mp4", "-display_rotation", "90", "-i", str(clip),
                     "-c", "copy")
    eid = played.ingest(rotated, "rotated")
    img = image_of(thumb(played, "width/0/height/0/vid_sec/1", entry_id=eid))
    assert img.height > img.width


def test_errors(played: Played) -> None:
    missing = thumb(played, "width/10", entry_id="0_missing")
    assert missing.status_code == 404  # type: ignore[attr-defined]
    assert "not found" in missing.text and "Traceback" not in missing.text  # type: ignore
    for bad in ("width/abc", "type/9", "bgcolor/zzz", "vid_slices/0",
                "start_sec/5/end_sec/1/vid_slices/2"):
        resp = thumb(played, bad)
        assert resp.status_code == 400, bad  # type: ignore[attr-defined]
    no_entry = played.get(played.path("thumbnail/width/100"))
    assert no_entry.status_code == 400


def test_access_control_on_thumbnails(played: Played) -> None:
    try:
        played.set_rules(played.clip_id, [{"actions": [{"type": "8"}]}])
        assert thumb(played, "vid_sec/1").status_code == 403  # type: ignore[attr-defined]
        assert thumb(played, "width/64").status_code == 200  # type: ignore[attr-defined]
        played.set_rules(played.clip_id, [{"actions": [{"type": "1"}], "contexts": [3]}])
        assert thumb(played, "width/64").status_code == 403  # type: ignore[attr-defined]
    finally:
        played.set_rules(played.clip_id, None)
