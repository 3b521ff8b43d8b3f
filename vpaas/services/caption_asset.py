"""captionAsset (caption plugin): caption tracks of entries in SRT, WebVTT or DFXP/TTML.

Every READY caption is also stored as WebVTT (``serveWebVTT``), which is what players read
(:func:`playback_captions` lists them for a playback context). Files live at
``p/{pid}/entry/{entryId}/caption/{assetId}-v{version}.{ext}`` and ``...-web.vtt``; a new
version gets new names, so a failed upload never loses the previous content.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.base import new_id
from vpaas.db.tables.caption import CaptionAssetRow
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import caption_cues, caption_srt_vtt, entries
from vpaas.domain.caption_assets import (
    DELETED,
    QUEUED,
    READY,
    delete_asset,
    make_default,
    player_tracks,
    ready_keys,
    store_content,
    visible,
)
from vpaas.domain.caption_cues import CaptionType
from vpaas.domain.entries import EntryType
from vpaas.objects.caption import (
    KalturaCaptionAsset,
    KalturaCaptionAssetFilter,
    KalturaCaptionAssetListResponse,
    KalturaCaptionAssetStatus,
    KalturaCaptionAssetUsage,
    KalturaCaptionPlaybackPluginData,
    KalturaCaptionSource,
    KalturaCaptionType,
    normalize_language,
)
from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean
from vpaas.objects.document import KalturaContentResource
from vpaas.objects.thumb import KalturaAssetFilter
from vpaas.registry import ApiError, ForInsert, ForUpdate, ServeFile, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule
from vpaas.services import assets as shared
from vpaas.services.base_entry import check_can_edit

caption_asset = Service("captionAsset", """Caption tracks of entries (SRT, WebVTT, DFXP/TTML).

Each track has a language, a label and a default flag, and is also served as WebVTT.""",
                        plugin="caption")
_NOT_FOUND = ("CAPTION_ASSET_ID_NOT_FOUND",)
_CONTENT = ("CAPTION_ASSET_ID_NOT_FOUND", "CAPTION_ASSET_PARSING_FAILED",
            "CAPTION_ASSET_UNSUPPORTED_FORMAT", "CAPTION_ASSET_DOWNLOAD_FAILED",
            "UPLOAD_TOKEN_NOT_FOUND", "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY",
            "RESOURCE_TYPE_NOT_SUPPORTED")
_SERVE = ("CAPTION_ASSET_ID_NOT_FOUND", "CAPTION_ASSET_IS_NOT_READY")
MAX_SEGMENT_S = 600


def caption_object(row: CaptionAssetRow) -> KalturaCaptionAsset:
    """The API object of a caption asset row."""
    return KalturaCaptionAsset(
        id=row.id, entryId=row.entry_id, partnerId=row.partner_id, version=row.version,
        size=(row.size_bytes or 0) // 1024, sizeInBytes=float(row.size_bytes or 0),
        tags=row.tags, fileExt=row.file_ext, createdAt=row.created_at,
        updatedAt=row.updated_at, deletedAt=row.deleted_at, description=row.error_description,
        partnerData=row.partner_data, partnerDescription=row.partner_description,
        captionParamsId=row.caption_params_id, language=row.language,
        languageCode=row.language_code, label=row.label,
        isDefault=KalturaNullableBoolean(int(bool(row.is_default))),
        format=KalturaCaptionType(str(row.format)), source=KalturaCaptionSource(str(row.source)),
        status=KalturaCaptionAssetStatus(row.status), parentId=row.parent_id,
        accuracy=row.accuracy, displayOnPlayer=bool(row.display_on_player),
        usage=KalturaCaptionAssetUsage(str(row.usage)))


def _editable(ctx: CallContext, asset_id: str) -> tuple[EntryRow, CaptionAssetRow]:
    row = visible(ctx.session, asset_id)
    entry = entries.get_entry(ctx.session, row.entry_id)
    check_can_edit(ctx, entry)
    return entry, row


def _apply(ctx: CallContext, row: CaptionAssetRow, obj: KalturaCaptionAsset) -> None:
    if "language" in obj.supplied:
        try:
            row.language, row.language_code = normalize_language(obj.language)
        except ValueError as exc:
            raise E.INVALID_PARAMETER_VALUE(str(exc), "captionAsset:language") from None
    for name, column in (("label", "label"), ("accuracy", "accuracy"), ("tags", "tags"),
                         ("partnerData", "partner_data"),
                         ("partnerDescription", "partner_description")):
        if name in obj.supplied:
            value = getattr(obj, name)
            if isinstance(value, str) and len(value) > 256 and name == "label":
                raise E.PROPERTY_VALIDATION_MAX_LENGTH("captionAsset:label", 256)
            setattr(row, column, value if value is not None or name != "tags" else "")
    if "displayOnPlayer" in obj.supplied:
        row.display_on_player = obj.displayOnPlayer is not False
    if obj.usage is not None:
        row.usage = int(obj.usage.value)
    if obj.isDefault == KalturaNullableBoolean.TRUE_VALUE:
        make_default(ctx.session, row)
    elif obj.isDefault == KalturaNullableBoolean.FALSE_VALUE:
        row.is_default = False


@caption_asset.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",))
def add(ctx: CallContext, entryId: str,
        captionAsset: Annotated[KalturaCaptionAsset, ForInsert]) -> KalturaCaptionAsset:
    """Add a caption track without content (QUEUED); then call setContent.

    Args:
        entryId: The entry (a video or audio entry)
        captionAsset: language, label, isDefault, format...
    """
    entry = entries.get_entry(ctx.session, entryId, EntryType.MEDIA_CLIP)
    check_can_edit(ctx, entry)
    obj = captionAsset
    row = CaptionAssetRow(
        id=new_id(), entry_id=entry.id, status=QUEUED, version=0, size_bytes=0, tags="",
        caption_params_id=obj.captionParamsId or 0, is_default=False, cue_count=0,
        format=int(obj.format.value) if obj.format else int(CaptionType.SRT),
        source=int(obj.source.value) if obj.source else 0, parent_id=obj.parentId,
        display_on_player=True, usage=0)
    ctx.session.add(row)
    ctx.session.flush()
    _apply(ctx, row, obj)
    if not row.label:
        row.label = row.language
    ctx.session.flush()
    return caption_object(row)


def _download_error(url: str, reason: str) -> ApiError:
    return E.CAPTION_ASSET_DOWNLOAD_FAILED(url, reason)


@caption_asset.action(ks=KsRule.USER, errors=_CONTENT)
def setContent(ctx: CallContext, id: str,
               contentResource: KalturaContentResource) -> KalturaCaptionAsset:
    """Give a caption track its file; its format is detected from the content.

    Args:
        id: Caption asset id
        contentResource: KalturaUploadedFileTokenResource (a complete upload),
            KalturaUrlResource or KalturaStringResource
    """
    _entry, row = _editable(ctx, id)
    with tempfile.TemporaryDirectory(prefix="vpaas-caption-") as work:
        path, _name = shared.resource_file(
            ctx, contentResource, Path(work), object_type="captionAsset", object_id=row.id,
            max_bytes=caption_cues.MAX_CAPTION_BYTES, download_error=_download_error)
        if path.stat().st_size > caption_cues.MAX_CAPTION_BYTES:
            raise E.CAPTION_ASSET_PARSING_FAILED(
                row.id, f"the file is larger than {caption_cues.MAX_CAPTION_BYTES} bytes")
        data = path.read_bytes()
    store_content(ctx.session, ctx.runtime.storage, row, data)
    ctx.session.flush()
    return caption_object(row)


@caption_asset.action(ks=KsRule.USER, errors=_NOT_FOUND)
def update(ctx: CallContext, id: str,
           captionAsset: Annotated[KalturaCaptionAsset, ForUpdate]) -> KalturaCaptionAsset:
    """Change a caption track's language, label, default flag...

    Args:
        id: Caption asset id
        captionAsset: The fields to change
    """
    _entry, row = _editable(ctx, id)
    _apply(ctx, row, captionAsset)
    ctx.session.flush()
    return caption_object(row)


@caption_asset.action(ks=KsRule.USER, errors=_NOT_FOUND)
def setAsDefault(ctx: CallContext, captionAssetId: str) -> None:
    """Make this the entry's default caption track (and no other).

    Args:
        captionAssetId: Caption asset id
    """
    _entry, row = _editable(ctx, captionAssetId)
    make_default(ctx.session, row)


@caption_asset.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def get(ctx: CallContext, captionAssetId: str) -> KalturaCaptionAsset:
    """Get a caption asset.

    Args:
        captionAssetId: Caption asset id
    """
    return caption_object(visible(ctx.session, captionAssetId))


@caption_asset.action(ks=KsRule.ANY)
def list_(ctx: CallContext, filter: KalturaAssetFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaCaptionAssetListResponse:
    """List caption assets (deleted ones are left out).

    Args:
        filter: Conditions (entry, format, status...); a KalturaCaptionAssetFilter
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    f = filter or KalturaCaptionAssetFilter()
    query = shared.filter_assets(
        select(CaptionAssetRow).where(CaptionAssetRow.status != DELETED), CaptionAssetRow, f)
    if isinstance(f, KalturaCaptionAssetFilter):
        for column, equal, in_ in ((CaptionAssetRow.format, f.formatEqual, f.formatIn),
                                   (CaptionAssetRow.caption_params_id, f.captionParamsIdEqual,
                                    f.captionParamsIdIn)):
            if equal is not None:
                query = query.where(column == int(getattr(equal, "value", equal)))
            if in_ is not None:
                query = query.where(column.in_(shared._csv(in_, int, "In")))
    rows, total = shared.order_and_page(ctx.session, query, CaptionAssetRow, f.orderBy, pager)
    return KalturaCaptionAssetListResponse(objects=[caption_object(r) for r in rows],
                                           totalCount=total)


@caption_asset.action(ks=KsRule.OPTIONAL, errors=_SERVE)
def serve(ctx: CallContext, captionAssetId: str) -> ServeFile:
    """The caption file as uploaded (no KS needed: ``partnerId`` identifies the partner).

    Args:
        captionAssetId: Caption asset id
    """
    shared.require_partner(ctx)
    row = visible(ctx.session, captionAssetId)
    key, _vtt = ready_keys(row)
    kind = CaptionType(row.format)
    return shared.serve_key(ctx, key, caption_cues.CONTENT_TYPES[kind] + "; charset=utf-8",
                            f"{row.entry_id}_{row.id}.{row.file_ext}")


@caption_asset.action(ks=KsRule.OPTIONAL, errors=("ENTRY_ID_NOT_FOUND",
                                                  "CAPTION_ASSET_ID_NOT_FOUND"))
def serveByEntryId(ctx: CallContext, entryId: str,
                   captionParamId: int | None = None) -> ServeFile:
    """The entry's default caption file (or its track made with ``captionParamId``).

    Args:
        entryId: The entry
        captionParamId: Caption params id of the track (default: the default track)
    """
    shared.require_partner(ctx)
    entry = entries.get_entry(ctx.session, entryId)
    query = select(CaptionAssetRow.id).where(CaptionAssetRow.entry_id == entry.id,
                                             CaptionAssetRow.status == READY)
    query = query.where(CaptionAssetRow.is_default.is_(True)) if captionParamId is None else \
        query.where(CaptionAssetRow.caption_params_id == captionParamId)
    found = ctx.session.scalars(query.order_by(CaptionAssetRow.created_at)).first()
    if found is None:
        raise E.CAPTION_ASSET_ID_NOT_FOUND(f"{entry.id}/{captionParamId or 'default'}")
    return serve(ctx, found)


@caption_asset.action(ks=KsRule.OPTIONAL, errors=_SERVE)
def serveWebVTT(ctx: CallContext, captionAssetId: str, segmentDuration: int = 30,
                segmentIndex: int | None = None, localTimestamp: int = 10000) -> ServeFile:
    """The track as WebVTT: the whole file (segmentIndex -1), one HLS segment (1, 2...) or,
    without segmentIndex, the HLS playlist of the segments.

    Args:
        captionAssetId: Caption asset id
        segmentDuration: Seconds per segment (1-600)
        segmentIndex: -1 for the whole file, N >= 1 for segment N, unset for the playlist
        localTimestamp: Milliseconds mapped to MPEG-TS 900000 in X-TIMESTAMP-MAP
    """
    shared.require_partner(ctx)
    row = visible(ctx.session, captionAssetId)
    _key, vtt_key = ready_keys(row)
    if not 1 <= segmentDuration <= MAX_SEGMENT_S:
        raise E.INVALID_PARAMETER_VALUE(segmentDuration, "segmentDuration")
    if segmentIndex is not None and segmentIndex == -1:
        return shared.serve_key(ctx, vtt_key, "text/vtt; charset=utf-8",
                                f"{row.entry_id}_{row.id}.vtt")
    cues = caption_srt_vtt.parse_vtt(_read(ctx, vtt_key))
    if segmentIndex is None:
        entry = ctx.session.get(EntryRow, row.entry_id)
        total = max((entry.duration_ms if entry else 0) or 0, cues[-1].end_ms)
        url = webvtt_url(ctx, row, segment_duration=segmentDuration) + "/segmentIndex/{index}"
        body = caption_srt_vtt.vtt_playlist(url + "/a.vtt", segmentDuration, total)
        return _generated(body, "application/x-mpegurl")
    if segmentIndex < 1 or not 0 <= localTimestamp <= caption_cues.MAX_TIME_MS:
        raise E.INVALID_PARAMETER_VALUE(segmentIndex, "segmentIndex")
    body = caption_srt_vtt.vtt_segment(cues, segmentIndex, segmentDuration, localTimestamp)
    return _generated(body, "text/vtt; charset=utf-8")


def _generated(body: bytes, content_type: str) -> ServeFile:
    """A generated (small) file answer."""
    return ServeFile(stream=iter([body]), size=len(body), content_type=content_type)


def _read(ctx: CallContext, key: str) -> bytes:
    with ctx.runtime.storage.open_read(key) as source:
        return bytes(source.read(caption_cues.MAX_CAPTION_BYTES * 4))


def serve_url(ctx: CallContext, row: CaptionAssetRow) -> str:
    """Absolute URL of the file as uploaded (works without a KS)."""
    return shared.api_url(ctx, "caption_captionasset", "serve",
                          {"captionAssetId": row.id, "partnerId": row.partner_id}) + \
        f"/{row.id}_v{row.version}.{row.file_ext}"


def webvtt_url(ctx: CallContext, row: CaptionAssetRow, *, segment_duration: int | None = None
               ) -> str:
    """Absolute URL of the WebVTT rendition (whole file, or the base of segment URLs)."""
    params: dict[str, Any] = {"captionAssetId": row.id, "partnerId": row.partner_id}
    if segment_duration is not None:
        params["segmentDuration"] = segment_duration
        return shared.api_url(ctx, "caption_captionasset", "serveWebVTT", params)
    params["segmentIndex"] = -1
    return shared.api_url(ctx, "caption_captionasset", "serveWebVTT", params) + \
        f"/{row.id}_v{row.version}.vtt"


@caption_asset.action(ks=KsRule.ANY, errors=_SERVE)
def getUrl(ctx: CallContext, id: str, storageId: int | None = None) -> str:
    """A URL of the caption file as uploaded (the ``serve`` action; no KS needed).

    Args:
        id: Caption asset id
        storageId: Not used (files are served by this server)
    """
    del storageId
    row = visible(ctx.session, id)
    ready_keys(row)
    return serve_url(ctx, row)


@caption_asset.action("delete", ks=KsRule.USER, errors=_NOT_FOUND)
def delete_(ctx: CallContext, captionAssetId: str) -> None:
    """Delete a caption track and its files.

    Args:
        captionAssetId: Caption asset id
    """
    _entry, row = _editable(ctx, captionAssetId)
    delete_asset(ctx.session, ctx.runtime.storage, row)


def playback_captions(ctx: CallContext, entry_id: str) -> list[KalturaCaptionPlaybackPluginData]:
    """The READY tracks shown in players, for ``getPlaybackContext``'s ``playbackCaptions``."""
    rows = player_tracks(ctx.session, entry_id)
    return [KalturaCaptionPlaybackPluginData(
        label=r.label or r.language or "", format=str(r.format), language=r.language or "",
        languageCode=r.language_code or "", isDefault=bool(r.is_default),
        url=serve_url(ctx, r), webVttUrl=webvtt_url(ctx, r)) for r in rows]
