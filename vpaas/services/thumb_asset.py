"""thumbAsset: an entry's thumbnail images — upload, import, capture, default, serve.

Thumb params are turned into rendering and capture specs by :mod:`vpaas.services.thumb_specs`;
the asset rules live in :mod:`vpaas.domain.thumb_assets`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.thumb import ThumbAssetRow
from vpaas.domain import entries
from vpaas.domain import thumb_assets as thumbs
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.document import (
    KalturaContentResource,
    KalturaUrlResource,
)
from vpaas.objects.thumb import (
    KalturaAssetFilter,
    KalturaThumbAsset,
    KalturaThumbAssetFilter,
    KalturaThumbAssetListResponse,
    KalturaThumbAssetStatus,
    KalturaThumbParams,
)
from vpaas.registry import ApiError, ForInsert, ForUpdate, ServeFile, Service
from vpaas.registry import catalogue as E
from vpaas.registry.declare import UploadedFile
from vpaas.registry.model import KsRule
from vpaas.services.assets import (
    _csv,
    api_url,
    filter_assets,
    order_and_page,
    require_partner,
    resource_file,
    serve_key,
)
from vpaas.services.base_entry import check_can_edit
from vpaas.services.thumb_specs import capture_spec, render_spec

thumb_asset = Service("thumbAsset", """Thumbnail images of entries.

Images are uploaded (token or URL) or captured from the video at a given time; one of them
is the entry's default thumbnail, the image behind ``thumbnailUrl``.""")

_NOT_FOUND = ("THUMB_ASSET_ID_NOT_FOUND",)
_CONTENT = ("THUMB_ASSET_ID_NOT_FOUND", "THUMB_ASSET_INVALID_IMAGE", "UPLOAD_TOKEN_NOT_FOUND",
            "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY", "THUMB_ASSET_DOWNLOAD_FAILED",
            "RESOURCE_TYPE_NOT_SUPPORTED")


def thumb_object(row: ThumbAssetRow) -> KalturaThumbAsset:
    """The API object of a thumbnail asset row."""
    return KalturaThumbAsset(
        id=row.id, entryId=row.entry_id, partnerId=row.partner_id, version=row.version,
        size=(row.size_bytes or 0) // 1024, sizeInBytes=float(row.size_bytes or 0),
        tags=row.tags, fileExt=row.file_ext, createdAt=row.created_at,
        updatedAt=row.updated_at, deletedAt=row.deleted_at, description=row.error_description,
        partnerData=row.partner_data, partnerDescription=row.partner_description,
        thumbParamsId=row.thumb_params_id, width=row.width, height=row.height,
        status=KalturaThumbAssetStatus(row.status))


def _editable(ctx: CallContext, asset_id: str) -> tuple[EntryRow, ThumbAssetRow]:
    row = thumbs.visible(ctx.session, asset_id)
    entry = entries.get_entry(ctx.session, row.entry_id)
    check_can_edit(ctx, entry)
    return entry, row


# --- actions ----------------------------------------------------------------------------------


def _thumb_download_error(url: str, reason: str) -> ApiError:
    return E.THUMB_ASSET_DOWNLOAD_FAILED(url, reason)


def _set_content(ctx: CallContext, entry: EntryRow, row: ThumbAssetRow,
                 resource: KalturaContentResource | None) -> KalturaThumbAsset:
    with tempfile.TemporaryDirectory(prefix="vpaas-thumb-") as work:
        path, _name = resource_file(ctx, resource, Path(work), object_type="thumbAsset",
                                    object_id=row.id, max_bytes=thumbs.MAX_IMAGE_BYTES,
                                    download_error=_thumb_download_error)
        try:
            thumbs.store_image(ctx.session, ctx.runtime.storage, row, path, move=False)
        except thumbs.ImageError as exc:
            raise E.THUMB_ASSET_INVALID_IMAGE(str(exc)) from None
    if row.is_default:
        thumbs.set_default(ctx.session, ctx.runtime.storage, entry, row)
    ctx.session.flush()
    return thumb_object(row)


@thumb_asset.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",))
def add(ctx: CallContext, entryId: str,
        thumbAsset: Annotated[KalturaThumbAsset, ForInsert]) -> KalturaThumbAsset:
    """Add a thumbnail asset without content (QUEUED); then call setContent.

    Args:
        entryId: The entry
        thumbAsset: tags, partnerData, thumbParamsId
    """
    entry = entries.get_entry(ctx.session, entryId)
    check_can_edit(ctx, entry)
    row = thumbs.new_asset(ctx.session, entry, thumb_params_id=thumbAsset.thumbParamsId or 0,
                           tags=thumbAsset.tags or "", partner_data=thumbAsset.partnerData,
                           partner_description=thumbAsset.partnerDescription)
    return thumb_object(row)


@thumb_asset.action(ks=KsRule.USER, errors=_CONTENT)
def setContent(ctx: CallContext, id: str,
               contentResource: KalturaContentResource) -> KalturaThumbAsset:
    """Give a thumbnail asset its image (JPEG, PNG, GIF, WebP or BMP), checked by decoding it.

    Args:
        id: Thumbnail asset id
        contentResource: KalturaUploadedFileTokenResource (a complete upload) or
            KalturaUrlResource
    """
    entry, row = _editable(ctx, id)
    return _set_content(ctx, entry, row, contentResource)


@thumb_asset.action(ks=KsRule.USER, errors=("THUMB_ASSET_ID_NOT_FOUND",))
def update(ctx: CallContext, id: str,
           thumbAsset: Annotated[KalturaThumbAsset, ForUpdate]) -> KalturaThumbAsset:
    """Change a thumbnail asset's tags and partner data.

    Args:
        id: Thumbnail asset id
        thumbAsset: The fields to change
    """
    _entry, row = _editable(ctx, id)
    for name, column in (("tags", "tags"), ("partnerData", "partner_data"),
                         ("partnerDescription", "partner_description")):
        if name in thumbAsset.supplied:
            value = getattr(thumbAsset, name)
            setattr(row, column, value if value is not None or column != "tags" else "")
    ctx.session.flush()
    return thumb_object(row)


@thumb_asset.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND", "THUMB_ASSET_INVALID_IMAGE",
                                            "THUMB_ASSET_DOWNLOAD_FAILED"))
def addFromUrl(ctx: CallContext, entryId: str, url: str) -> KalturaThumbAsset:
    """Add a thumbnail asset whose image the server downloads now from ``url``.

    Args:
        entryId: The entry
        url: http(s) URL of the image
    """
    entry = entries.get_entry(ctx.session, entryId)
    check_can_edit(ctx, entry)
    row = thumbs.new_asset(ctx.session, entry)
    return _set_content(ctx, entry, row, KalturaUrlResource(url=url))


@thumb_asset.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND", "THUMB_ASSET_INVALID_IMAGE"))
def addFromImage(ctx: CallContext, entryId: str, fileData: UploadedFile) -> KalturaThumbAsset:
    """Add a thumbnail asset from an image sent with the request (``fileData``).

    Args:
        entryId: The entry
        fileData: The image file
    """
    entry = entries.get_entry(ctx.session, entryId)
    check_can_edit(ctx, entry)
    row = thumbs.new_asset(ctx.session, entry)
    with tempfile.TemporaryDirectory(prefix="vpaas-thumb-") as work:
        path = Path(work) / "image"
        with open(path, "wb") as out:
            data = fileData.file.read(thumbs.MAX_IMAGE_BYTES + 1)
            out.write(data)
        try:
            thumbs.store_image(ctx.session, ctx.runtime.storage, row, path, move=True)
        except thumbs.ImageError as exc:
            raise E.THUMB_ASSET_INVALID_IMAGE(str(exc)) from None
    return thumb_object(row)


@thumb_asset.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND", "THUMB_CAPTURE_FAILED"))
def generate(ctx: CallContext, entryId: str, thumbParams: KalturaThumbParams,
             sourceAssetId: str | None = None) -> KalturaThumbAsset:
    """Capture a frame of the entry's video into a new thumbnail asset.

    Args:
        entryId: The entry
        thumbParams: videoOffset (seconds) or videoOffsetInPercentage, width, height,
            cropType, crop rectangle, quality, backgroundColor, format (jpg or png)
        sourceAssetId: Not used: the best ready flavor (or the source) is captured
    """
    del sourceAssetId
    entry = entries.get_entry(ctx.session, entryId)
    check_can_edit(ctx, entry)
    spec = capture_spec(thumbParams)
    try:
        row = thumbs.generate(ctx.session, ctx.runtime.storage, entry, spec,
                              thumb_params_id=thumbParams.id or 0)
    except (thumbs.CaptureError, thumbs.ImageError) as exc:
        raise E.THUMB_CAPTURE_FAILED(entry.id, str(exc)) from None
    return thumb_object(row)


@thumb_asset.action(ks=KsRule.USER, errors=("THUMB_ASSET_ID_NOT_FOUND",
                                            "THUMB_ASSET_IS_NOT_READY"))
def setAsDefault(ctx: CallContext, thumbAssetId: str) -> None:
    """Make a READY thumbnail the entry's default: ``thumbnailUrl`` then shows it.

    Args:
        thumbAssetId: Thumbnail asset id
    """
    entry, row = _editable(ctx, thumbAssetId)
    thumbs.ready_key(row)
    thumbs.set_default(ctx.session, ctx.runtime.storage, entry, row)


@thumb_asset.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def get(ctx: CallContext, thumbAssetId: str) -> KalturaThumbAsset:
    """Get a thumbnail asset.

    Args:
        thumbAssetId: Thumbnail asset id
    """
    return thumb_object(thumbs.visible(ctx.session, thumbAssetId))


@thumb_asset.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def getByEntryId(ctx: CallContext, entryId: str) -> list[KalturaThumbAsset]:
    """Every thumbnail asset of an entry, oldest first.

    Args:
        entryId: The entry
    """
    entry = entries.get_entry(ctx.session, entryId)
    rows = ctx.session.scalars(select(ThumbAssetRow).where(
        ThumbAssetRow.entry_id == entry.id, ThumbAssetRow.status != thumbs.DELETED)
        .order_by(ThumbAssetRow.created_at, ThumbAssetRow.id))
    return [thumb_object(r) for r in rows]


@thumb_asset.action(ks=KsRule.ANY)
def list_(ctx: CallContext, filter: KalturaAssetFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaThumbAssetListResponse:
    """List thumbnail assets (deleted ones are left out).

    Args:
        filter: Conditions (entry, status, size, dates...); a KalturaThumbAssetFilter
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    f = filter or KalturaThumbAssetFilter()
    query = filter_assets(select(ThumbAssetRow).where(ThumbAssetRow.status != thumbs.DELETED),
                          ThumbAssetRow, f)
    if isinstance(f, KalturaThumbAssetFilter):
        if f.thumbParamsIdEqual is not None:
            query = query.where(ThumbAssetRow.thumb_params_id == f.thumbParamsIdEqual)
        if f.thumbParamsIdIn is not None:
            ids = _csv(f.thumbParamsIdIn, int, "thumbParamsIdIn")
            query = query.where(ThumbAssetRow.thumb_params_id.in_(ids))
    rows, total = order_and_page(ctx.session, query, ThumbAssetRow, f.orderBy, pager)
    return KalturaThumbAssetListResponse(objects=[thumb_object(r) for r in rows],
                                         totalCount=total)


def _serve_row(ctx: CallContext, row: ThumbAssetRow,
               thumbParams: KalturaThumbParams | None) -> ServeFile:
    key = thumbs.ready_key(row)
    name = f"{row.entry_id}_{row.id}_{row.version}"
    spec = render_spec(thumbParams)
    if thumbParams is None or (not spec.width and not spec.height and spec.type == 1
                               and not spec.src_w and spec.format == row.file_ext):
        ext = row.file_ext or "jpg"
        return serve_key(ctx, key, thumbs.CONTENT_TYPES.get(ext, "image/jpeg"), f"{name}.{ext}")
    data = thumbs.render_stored(ctx.runtime.storage, key, spec)
    return ServeFile(stream=iter([data]), size=len(data), filename=f"{name}.{spec.format}",
                     content_type=thumbs.CONTENT_TYPES[spec.format])


@thumb_asset.action(ks=KsRule.OPTIONAL, errors=("THUMB_ASSET_ID_NOT_FOUND",
                                                "THUMB_ASSET_IS_NOT_READY"))
def serve(ctx: CallContext, thumbAssetId: str, version: int | None = None,
          thumbParams: KalturaThumbParams | None = None) -> ServeFile:
    """The image of a thumbnail asset, resized per ``thumbParams`` if given.

    Args:
        thumbAssetId: Thumbnail asset id
        version: Ignored (the current image is served)
        thumbParams: width, height, cropType, quality, format... of the served image
    """
    del version
    require_partner(ctx)
    return _serve_row(ctx, thumbs.visible(ctx.session, thumbAssetId), thumbParams)


@thumb_asset.action(ks=KsRule.OPTIONAL, errors=("ENTRY_ID_NOT_FOUND",
                                                "THUMB_ASSET_ID_NOT_FOUND"))
def serveByEntryId(ctx: CallContext, entryId: str,
                   thumbParamId: int | None = None) -> ServeFile:
    """The entry's default thumbnail (or its asset made with ``thumbParamId``).

    Args:
        entryId: The entry
        thumbParamId: Thumb params id of the asset to serve
    """
    require_partner(ctx)
    entry = entries.get_entry(ctx.session, entryId)
    query = select(ThumbAssetRow).where(ThumbAssetRow.entry_id == entry.id,
                                        ThumbAssetRow.status == thumbs.READY)
    if thumbParamId is not None:
        query = query.where(ThumbAssetRow.thumb_params_id == thumbParamId)
    else:
        query = query.where(ThumbAssetRow.is_default.is_(True))
    row = ctx.session.scalars(query.order_by(ThumbAssetRow.created_at.desc())).first()
    if row is not None:
        return _serve_row(ctx, row, None)
    key = (entry.extra or {}).get("thumbKey")
    if thumbParamId is None and key:
        return serve_key(ctx, key, "image/jpeg", f"{entry.id}.jpg")
    raise E.THUMB_ASSET_ID_NOT_FOUND(f"{entry.id}/{thumbParamId}")


@thumb_asset.action(ks=KsRule.ANY, errors=("THUMB_ASSET_ID_NOT_FOUND",
                                           "THUMB_ASSET_IS_NOT_READY"))
def getUrl(ctx: CallContext, id: str, storageId: int | None = None,
           thumbParams: KalturaThumbParams | None = None) -> str:
    """A URL of the asset's image (the ``serve`` action; no KS needed).

    Args:
        id: Thumbnail asset id
        storageId: Not used (files are served by this server)
        thumbParams: width, height, cropType, quality, format... of the served image
    """
    del storageId
    row = thumbs.visible(ctx.session, id)
    thumbs.ready_key(row)
    render_spec(thumbParams)
    query = None
    if thumbParams is not None:
        query = {f"thumbParams[{name}]": getattr(v, "value", v)
                 for name in sorted(thumbParams.supplied)
                 if (v := getattr(thumbParams, name)) is not None}
    return api_url(ctx, "thumbasset", "serve", {"thumbAssetId": row.id,
                                                "partnerId": row.partner_id,
                                                "version": row.version}, query)


@thumb_asset.action("delete", ks=KsRule.USER, errors=("THUMB_ASSET_ID_NOT_FOUND",
                                                      "THUMB_ASSET_IS_DEFAULT"))
def delete_(ctx: CallContext, thumbAssetId: str) -> None:
    """Delete a thumbnail asset and its image; the entry's default cannot be deleted.

    Args:
        thumbAssetId: Thumbnail asset id
    """
    _entry, row = _editable(ctx, thumbAssetId)
    if row.is_default:
        raise E.THUMB_ASSET_IS_DEFAULT(row.id)
    thumbs.delete_asset(ctx.session, ctx.runtime.storage, row)

