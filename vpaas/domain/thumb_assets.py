"""Thumbnail assets: validated images stored per entry, captures from the video, the default.

Files live at ``p/{pid}/entry/{entryId}/thumbasset/{assetId}-{version}.{ext}`` (a new name
per content version, so cached URLs never show stale bytes). The entry's thumbnail (what the
dynamic thumbnail URL resizes) is a copy of the default asset's image at
``p/{pid}/entry/{entryId}/thumb/{thumbVersion}.{ext}``, recorded in ``entry.extra["thumbKey"]``
with ``entry.thumb_version`` bumped, the convention processing uses too.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vpaas.db.base import new_id, now
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.db.tables.thumb import ThumbAssetRow
from vpaas.domain import entries
from vpaas.media import frame_grab, thumbnails
from vpaas.media.thumbnails import RenderSpec, ThumbnailError
from vpaas.registry import catalogue as E

ERROR, QUEUED, CAPTURING, READY, DELETED, IMPORTING = -1, 0, 1, 2, 3, 7
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_DIMENSION = 16_384
MAX_PIXELS = 40_000_000
DEFAULT_OFFSET_S = 3.0
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
                 "webp": "image/webp", "bmp": "image/bmp"}
_FLAVOR_READY = 2


class ImageError(ValueError):
    """A file that is not an acceptable image; ``str(err)`` says why."""


class CaptureError(ValueError):
    """A frame cannot be captured from the entry; ``str(err)`` says why."""


@dataclass(frozen=True)
class ImageInfo:
    """What Pillow found in an image file (the extension comes from the content)."""

    width: int
    height: int
    ext: str
    size: int


@dataclass(frozen=True)
class CaptureSpec:
    """What ``thumbAsset.generate`` asks for: when to capture and how to render."""

    render: RenderSpec = field(default_factory=lambda: RenderSpec(width=0, height=0))
    offset_s: float | None = None
    offset_percent: int | None = None
    scale_width: float = 0.0
    scale_height: float = 0.0
    source_params_id: int | None = None


def inspect_image(path: Path) -> ImageInfo:
    """Decode the whole image and check its format and dimensions; ImageError if unusable."""
    size = path.stat().st_size
    if size == 0:
        raise ImageError("the file is empty")
    if size > MAX_IMAGE_BYTES:
        raise ImageError(f"the file is larger than {MAX_IMAGE_BYTES} bytes")
    try:
        with Image.open(path) as image:
            ext = IMAGE_FORMATS.get(image.format or "")
            if ext is None:
                raise ImageError(f"{image.format or 'this'} images are not accepted; "
                                 "use JPEG, PNG, GIF, WebP or BMP")
            width, height = image.size
            _check_dimensions(width, height)
            image.load()
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ImageError("the file is not a recognisable image") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"the image is damaged or truncated ({exc})") from None
    return ImageInfo(width, height, ext, size)


def _check_dimensions(width: int, height: int) -> None:
    if not (0 < width <= MAX_DIMENSION and 0 < height <= MAX_DIMENSION):
        raise ImageError(f"{width}x{height} pixels is outside 1..{MAX_DIMENSION} per side")
    if width * height > MAX_PIXELS:
        raise ImageError(f"{width}x{height} is more than {MAX_PIXELS} pixels")


def visible(session: Session, asset_id: str) -> ThumbAssetRow:
    """The (partner's, not deleted) thumbnail asset, else THUMB_ASSET_ID_NOT_FOUND."""
    row = None
    if isinstance(asset_id, str) and 0 < len(asset_id) <= 20:
        row = session.get(ThumbAssetRow, asset_id)
    if row is None or row.status == DELETED:
        raise E.THUMB_ASSET_ID_NOT_FOUND(str(asset_id)[:40])
    return row


def ready_key(row: ThumbAssetRow) -> str:
    """The file key of a READY asset, else THUMB_ASSET_IS_NOT_READY."""
    if row.status != READY or not row.file_key:
        raise E.THUMB_ASSET_IS_NOT_READY(row.id)
    return row.file_key


def asset_key(row: ThumbAssetRow, ext: str) -> str:
    """Storage key of a thumbnail asset's image of version ``row.version``."""
    prefix = entries.entry_prefix(row.partner_id, row.entry_id)
    return f"{prefix}thumbasset/{row.id}-{int(row.version)}.{ext}"


def new_asset(session: Session, entry: EntryRow, *, thumb_params_id: int = 0,
              tags: str = "", partner_data: str | None = None,
              partner_description: str | None = None) -> ThumbAssetRow:
    """Insert a QUEUED (no content yet) thumbnail asset of ``entry``."""
    row = ThumbAssetRow(id=new_id(), partner_id=entry.partner_id, entry_id=entry.id,
                        thumb_params_id=thumb_params_id or 0, status=QUEUED, version=0,
                        width=0, height=0, is_default=False, tags=tags or "",
                        partner_data=partner_data, partner_description=partner_description,
                        size_bytes=0)
    session.add(row)
    session.flush()
    return row


def store_image(session: Session, storage: Any, row: ThumbAssetRow, path: Path, *,
                move: bool = True) -> ImageInfo:
    """Validate the image at ``path`` and make it the asset's content (READY).

    The previous file is removed after commit; the new one is removed on rollback.
    """
    info = inspect_image(path)
    row.version = (row.version or 0) + 1
    key = asset_key(row, info.ext)
    storage.put_file(key, path, move=move)
    entries.on_rollback(session, lambda: storage.delete(key))
    old = row.file_key
    if old and old != key:
        entries.on_commit(session, lambda: storage.delete(old))
    row.file_key, row.file_ext, row.size_bytes = key, info.ext, info.size
    row.width, row.height = info.width, info.height
    row.status, row.error_description = READY, None
    return info


def set_default(session: Session, storage: Any, entry: EntryRow, row: ThumbAssetRow) -> None:
    """Make a READY asset the entry's default: its image becomes the entry's thumbnail."""
    if row.status != READY or not row.file_key:
        raise ValueError(f"thumbnail asset {row.id} is not ready")
    session.execute(update(ThumbAssetRow)
                    .where(ThumbAssetRow.entry_id == entry.id, ThumbAssetRow.id != row.id,
                           ThumbAssetRow.is_default.is_(True))
                    .values(is_default=False).execution_options(synchronize_session="fetch"))
    row.is_default = True
    with storage.open_read(row.file_key) as source:
        data = source.read(MAX_IMAGE_BYTES + 1)
    version = (entry.thumb_version or 0) + 1
    key = f"{entries.entry_prefix(entry.partner_id, entry.id)}thumb/{version}.{row.file_ext}"
    storage.put_bytes(key, data)
    entries.on_rollback(session, lambda: storage.delete(key))
    point_entry_thumbnail(session, storage, entry, key, version)


def point_entry_thumbnail(session: Session, storage: Any, entry: EntryRow, key: str,
                          version: int) -> None:
    """Make the stored image ``key`` the entry's default thumbnail (``thumbVersion``
    ``version``, so cached thumbnail URLs change); the previous file goes after commit."""
    extra = dict(entry.extra or {})
    old = extra.get("thumbKey")
    extra["thumbKey"] = key
    entry.extra, entry.thumb_version = extra, version
    if old and old != key:
        entries.on_commit(session, lambda: storage.delete(old))


def set_default_thumbnail(session: Session, storage: Any, entry: EntryRow,
                          image: Path | str) -> ThumbAssetRow:
    """Add ``image`` (a local file, moved into storage, or a storage key, copied) as a new
    thumbnail asset and make it the entry's default thumbnail. For processing code."""
    row = new_asset(session, entry)
    if isinstance(image, Path):
        store_image(session, storage, row, image, move=True)
    else:
        with tempfile.TemporaryDirectory(prefix="vpaas-thumb-") as work:
            local = storage.fetch_to_local(image, Path(work) / "image")
            store_image(session, storage, row, local, move=True)
    set_default(session, storage, entry, row)
    return row


def render_stored(storage: Any, key: str, spec: RenderSpec) -> bytes:
    """A stored image rendered per ``spec`` (size, crop, format, quality)."""
    with storage.open_read(key) as source:
        data = source.read(MAX_IMAGE_BYTES + 1)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return thumbnails.render(image, spec)
    except (OSError, ValueError) as exc:
        raise ImageError(f"cannot render the stored image: {exc}") from None


def delete_asset(session: Session, storage: Any, row: ThumbAssetRow) -> None:
    """Mark the asset DELETED and remove its file after commit."""
    row.status, row.deleted_at, row.is_default = DELETED, now(), False
    key = row.file_key
    if key:
        entries.on_commit(session, lambda: storage.delete(key))


# --- capture ----------------------------------------------------------------------------------


def capture_source(session: Session, entry: EntryRow,
                   source_params_id: int | None = None) -> str:
    """Storage key of the video to capture from: the requested flavor, else the largest
    READY flavor with video, else the entry's source."""
    rows = list(session.scalars(select(FlavorAssetRow).where(
        FlavorAssetRow.entry_id == entry.id, FlavorAssetRow.status == _FLAVOR_READY,
        FlavorAssetRow.replacing.is_(False), FlavorAssetRow.storage_key.is_not(None))))
    videos = [r for r in rows if (r.width or 0) > 0 and r.storage_key]
    if source_params_id is not None:
        wanted = [r for r in videos if r.flavor_params_id == source_params_id]
        if not wanted:
            raise CaptureError(f"the entry has no ready flavor of params {source_params_id}")
        videos = wanted
    if videos:
        best = max(videos, key=lambda r: ((r.width or 0) * (r.height or 0), r.is_original))
        return str(best.storage_key)
    if entry.source_key:
        return entry.source_key
    raise CaptureError("the entry has no content to capture from yet")


def capture_time(spec: CaptureSpec, duration_ms: int | None) -> float:
    """Seconds into the clip: videoOffset, else the percentage, else 3 s (or mid-clip)."""
    duration = (duration_ms or 0) / 1000
    if spec.offset_s is not None and spec.offset_s >= 0:
        return spec.offset_s
    if spec.offset_percent is not None and 0 <= spec.offset_percent <= 100 and duration:
        return duration * spec.offset_percent / 100
    return min(DEFAULT_OFFSET_S, duration / 2) if duration else 0.0


def render_capture(video: Path, spec: CaptureSpec, duration_ms: int | None, out: Path) -> None:
    """Grab the frame at the spec's time and write it rendered (size, crop, format)."""
    try:
        frame = frame_grab.grab_frame(video, capture_time(spec, duration_ms), exact=True)
        render = spec.render
        if not render.width and spec.scale_width > 0:
            render = replace(render, width=max(1, round(frame.width * spec.scale_width)))
        if not render.height and spec.scale_height > 0:
            render = replace(render, height=max(1, round(frame.height * spec.scale_height)))
        out.write_bytes(thumbnails.render(frame, render))
    except ThumbnailError as exc:
        raise CaptureError(str(exc)) from None


def generate(session: Session, storage: Any, entry: EntryRow, spec: CaptureSpec, *,
             thumb_params_id: int = 0) -> ThumbAssetRow:
    """Capture a frame of the entry's video into a new READY thumbnail asset."""
    key = capture_source(session, entry, spec.source_params_id)
    with tempfile.TemporaryDirectory(prefix="vpaas-capture-") as work:
        video = storage.local_path(key)
        if video is None:
            video = storage.fetch_to_local(key, Path(work) / ("source." + key.rsplit(".", 1)[-1]))
        out = Path(work) / f"thumb.{spec.render.format}"
        render_capture(Path(video), spec, entry.duration_ms, out)
        row = new_asset(session, entry, thumb_params_id=thumb_params_id)
        store_image(session, storage, row, out, move=True)
    return row
