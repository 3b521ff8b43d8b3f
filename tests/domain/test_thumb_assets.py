"""Thumbnail assets: image checks, captures from an ffmpeg clip, the entry's default."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from vpaas.adapters.storage.local import LocalStorage
from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.thumb import ThumbAssetRow
from vpaas.domain import entries
from vpaas.domain import thumb_assets as thumbs
from vpaas.domain.partners import create_partner
from vpaas.media.thumbnails import RenderSpec
from vpaas.media.tools import ffmpeg_path


@pytest.fixture(scope="module")
def red_then_blue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 s 320x180 H.264: red for 2 s, then blue."""
    out = tmp_path_factory.mktemp("thumbs") / "rb.mp4"
    graph = ("color=c=red:s=320x180:r=25:d=2[a];color=c=blue:s=320x180:r=25:d=2[b];"
             "[a][b]concat=n=2:v=1:a=0[v]")
    subprocess.run([ffmpeg_path(), "-loglevel", "error", "-y", "-filter_complex", graph,
                    "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                    "-pix_fmt", "yuv420p", str(out)], check=True, timeout=60)
    return out


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.system_session() as s:
        pid = create_partner(s, "thumbs").id
        s.commit()
    with database.partner_session(pid) as s:
        yield s


def _entry(session: Session, storage: LocalStorage, clip: Path | None) -> EntryRow:
    entry = entries.new_entry(session, entries.EntryType.MEDIA_CLIP,
                              {"name": "t", "media_type": 1, "duration_ms": 4000})
    if clip is not None:
        key = entries.source_key(entry.partner_id, entry.id, "0_src", "mp4")
        storage.put_file(key, clip)
        entry.source_key = key
    return entry


def _png(path: Path, size: tuple[int, int] = (64, 48), color: str = "green") -> Path:
    Image.new("RGB", size, color).save(path, "PNG")
    return path


def _color(image: Image.Image) -> tuple[int, int, int]:
    r, g, b = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
    return r, g, b


def test_inspect_image_trusts_content_not_name(tmp_path: Path) -> None:
    info = thumbs.inspect_image(_png(tmp_path / "lies.jpg"))
    assert (info.width, info.height, info.ext) == (64, 48, "png")


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty"),
    (b"hello, I am text", "not a recognisable image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "not a recognisable image|damaged"),
])
def test_inspect_image_refuses_non_images(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.jpg"
    path.write_bytes(content)
    with pytest.raises(thumbs.ImageError, match=reason):
        thumbs.inspect_image(path)


def test_inspect_image_refuses_truncated_and_absurd_images(tmp_path: Path) -> None:
    good = io.BytesIO()
    Image.new("RGB", (200, 200), "red").save(good, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    with pytest.raises(thumbs.ImageError, match="damaged or truncated"):
        thumbs.inspect_image(tmp_path / "cut.jpg")
    Image.new("1", (20_000, 2)).save(tmp_path / "wide.png")
    with pytest.raises(thumbs.ImageError, match=r"outside 1\.\.16384"):
        thumbs.inspect_image(tmp_path / "wide.png")
    Image.new("RGB", (8, 8)).save(tmp_path / "x.tiff", "TIFF")
    with pytest.raises(thumbs.ImageError, match="TIFF images are not accepted"):
        thumbs.inspect_image(tmp_path / "x.tiff")


@pytest.mark.parametrize(("offset", "color"), [(0.5, "red"), (3.0, "blue")])
def test_generate_captures_the_frame_at_the_time_with_the_size(
        session: Session, storage: LocalStorage, red_then_blue: Path, offset: float,
        color: str) -> None:
    entry = _entry(session, storage, red_then_blue)
    spec = thumbs.CaptureSpec(render=RenderSpec(width=160, height=90, type=3), offset_s=offset)
    row = thumbs.generate(session, storage, entry, spec)
    session.commit()
    assert (row.status, row.width, row.height, row.file_ext) == (thumbs.READY, 160, 90, "jpg")
    image = Image.open(io.BytesIO(storage.read_range(row.file_key or "", 0, 10**7)))
    assert image.size == (160, 90)
    r, _g, b = _color(image)
    assert (r > 200 and b < 60) if color == "red" else (b > 200 and r < 60)


def test_generate_with_percentage_scale_and_png(session: Session, storage: LocalStorage,
                                                red_then_blue: Path) -> None:
    entry = _entry(session, storage, red_then_blue)
    spec = thumbs.CaptureSpec(render=RenderSpec(width=0, height=0, format="png"),
                              offset_percent=90, scale_width=0.5)
    row = thumbs.generate(session, storage, entry, spec)
    assert (row.width, row.height, row.file_ext) == (160, 90, "png")
    image = Image.open(io.BytesIO(storage.read_range(row.file_key or "", 0, 10**7)))
    assert _color(image)[2] > 200  # 3.6 s: blue


def test_generate_without_content_fails_clearly(session: Session,
                                                storage: LocalStorage) -> None:
    entry = _entry(session, storage, None)
    with pytest.raises(thumbs.CaptureError, match="no content"):
        thumbs.generate(session, storage, entry, thumbs.CaptureSpec())


def test_set_default_thumbnail_updates_the_entry(session: Session, storage: LocalStorage,
                                                 tmp_path: Path) -> None:
    entry = _entry(session, storage, None)
    first = thumbs.set_default_thumbnail(session, storage, entry, _png(tmp_path / "a.png"))
    session.commit()
    key1 = entry.extra["thumbKey"]
    assert entry.thumb_version == 1 and first.is_default and first.status == thumbs.READY
    assert storage.read_range(key1, 0, 10**6) == storage.read_range(first.file_key or "", 0,
                                                                     10**6)
    second = thumbs.new_asset(session, entry)
    thumbs.store_image(session, storage, second, _png(tmp_path / "b.png", color="blue"))
    thumbs.set_default(session, storage, entry, second)
    session.commit()
    session.refresh(first)
    assert entry.thumb_version == 2 and not first.is_default and second.is_default
    assert not storage.exists(key1) and storage.exists(entry.extra["thumbKey"])
    image = Image.open(io.BytesIO(storage.read_range(entry.extra["thumbKey"], 0, 10**6)))
    assert _color(image) == (0, 0, 255)


def test_set_default_thumbnail_from_a_storage_key(session: Session, storage: LocalStorage,
                                                  tmp_path: Path) -> None:
    entry = _entry(session, storage, None)
    storage.put_file("p/1/x.png", _png(tmp_path / "k.png"))
    row = thumbs.set_default_thumbnail(session, storage, entry, "p/1/x.png")
    assert storage.exists("p/1/x.png") and row.width == 64


def test_failed_content_update_keeps_the_old_image(session: Session, storage: LocalStorage,
                                                   tmp_path: Path) -> None:
    entry = _entry(session, storage, None)
    row = thumbs.new_asset(session, entry)
    thumbs.store_image(session, storage, row, _png(tmp_path / "a.png"))
    session.commit()
    old_key = row.file_key
    (tmp_path / "bad.png").write_bytes(b"nope")
    with pytest.raises(thumbs.ImageError):
        thumbs.store_image(session, storage, row, tmp_path / "bad.png")
    session.rollback()
    fresh = session.get(ThumbAssetRow, row.id)
    assert fresh is not None and fresh.file_key == old_key and storage.exists(old_key or "")
