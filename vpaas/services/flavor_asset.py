"""flavorAsset: an entry's renditions — status and progress, URLs, reconvert, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vpaas.context import CallContext
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.domain import entries, flavors
from vpaas.domain.asset_state import FlavorAssetStatus as S
from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean
from vpaas.objects.flavor import (
    KalturaFlavorAsset,
    KalturaFlavorAssetFilter,
    KalturaFlavorAssetListResponse,
    KalturaFlavorAssetStatus,
    KalturaFlavorAssetWithParams,
)
from vpaas.registry import Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule
from vpaas.services.flavor_params import params_object

flavor_asset = Service("flavorAsset", """The renditions (flavors) of entries.

Each flavor shows its status and conversion progress; the source is the flavor with
``isOriginal`` true (flavor params 0).""")

_NOT_FOUND = ("FLAVOR_ASSET_ID_NOT_FOUND",)
_MAX_LIST = 500


def asset_object(row: FlavorAssetRow) -> KalturaFlavorAsset:
    """The API object of a flavor asset row."""
    return KalturaFlavorAsset(
        id=row.id, entryId=row.entry_id, partnerId=row.partner_id, version=row.version,
        size=(row.size_bytes or 0) // 1024, sizeInBytes=float(row.size_bytes or 0),
        tags=row.tags, fileExt=row.file_ext, createdAt=row.created_at,
        updatedAt=row.updated_at, deletedAt=row.deleted_at, description=row.error_description,
        partnerData=row.partner_data, flavorParamsId=row.flavor_params_id, width=row.width,
        height=row.height, bitrate=row.bitrate, frameRate=row.frame_rate,
        isOriginal=bool(row.is_original), isWeb=bool(row.is_web),
        containerFormat=row.container_format, videoCodecId=row.video_codec_id,
        status=KalturaFlavorAssetStatus(row.status), progress=row.progress, label=row.label,
        isDefault=KalturaNullableBoolean.NULL_VALUE)


def _visible(session: Session, asset_id: str) -> FlavorAssetRow:
    row = None
    if isinstance(asset_id, str) and 0 < len(asset_id) <= 20:
        row = session.scalars(select(FlavorAssetRow).where(
            FlavorAssetRow.id == asset_id, FlavorAssetRow.replacing.is_(False))).first()
    if row is None or row.status == S.DELETED:
        raise E.FLAVOR_ASSET_ID_NOT_FOUND(str(asset_id)[:40])
    return row


def _entry_assets(ctx: CallContext, entry_id: str) -> tuple[EntryRow, list[FlavorAssetRow]]:
    entry = entries.get_entry(ctx.session, entry_id)
    rows = ctx.session.scalars(
        select(FlavorAssetRow).where(FlavorAssetRow.entry_id == entry.id,
                                     FlavorAssetRow.replacing.is_(False),
                                     FlavorAssetRow.status != int(S.DELETED))
        .order_by(FlavorAssetRow.flavor_params_id))
    return entry, list(rows)


@flavor_asset.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def get(ctx: CallContext, id: str) -> KalturaFlavorAsset:
    """Get a flavor asset: status, progress, size, codecs.

    Args:
        id: Flavor asset id
    """
    return asset_object(_visible(ctx.session, id))


@flavor_asset.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def getByEntryId(ctx: CallContext, entryId: str) -> list[KalturaFlavorAsset]:
    """Every flavor asset of an entry, by flavor params id.

    Args:
        entryId: Entry id
    """
    return [asset_object(r) for r in _entry_assets(ctx, entryId)[1]]


@flavor_asset.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def getWebPlayableByEntryId(ctx: CallContext, entryId: str) -> list[KalturaFlavorAsset]:
    """The READY flavors of an entry that browsers can play.

    Args:
        entryId: Entry id
    """
    rows = _entry_assets(ctx, entryId)[1]
    return [asset_object(r) for r in rows
            if r.status == S.READY and r.is_web and not r.is_original]


@flavor_asset.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def getFlavorAssetsWithParams(ctx: CallContext, entryId: str
                              ) -> list[KalturaFlavorAssetWithParams]:
    """Each flavor params of the entry's profile with its asset (if any), plus extra assets.

    Args:
        entryId: Entry id
    """
    entry, rows = _entry_assets(ctx, entryId)
    assert ctx.partner_id is not None
    profile = flavors.profile_for_entry(ctx.session, entry)
    ids = [link.flavor_params_id for link in flavors.profile_links(ctx.session, profile.id)]
    ids += [r.flavor_params_id for r in rows if r.flavor_params_id not in ids]
    params = {p.id: p for p in flavors.list_params(ctx.session, ctx.partner_id, ids)}
    by_params = {r.flavor_params_id: r for r in rows}
    out = []
    for pid in ids:
        asset = by_params.get(pid)
        out.append(KalturaFlavorAssetWithParams(
            entryId=entry.id, flavorAsset=asset_object(asset) if asset else None,
            flavorParams=params_object(params[pid]) if pid in params else None))
    return out


@flavor_asset.action(ks=KsRule.ANY)
def list_(ctx: CallContext, filter: KalturaFlavorAssetFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaFlavorAssetListResponse:
    """List flavor assets (deleted ones are left out).

    Args:
        filter: Conditions (entry, status, flavor params...)
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    f = filter or KalturaFlavorAssetFilter()
    query = select(FlavorAssetRow).where(FlavorAssetRow.replacing.is_(False),
                                         FlavorAssetRow.status != int(S.DELETED))
    for column, equal, in_ in (
            (FlavorAssetRow.id, f.idEqual, f.idIn),
            (FlavorAssetRow.entry_id, f.entryIdEqual, f.entryIdIn)):
        values = _csv(equal, in_, str)
        if values is not None:
            query = query.where(column.in_(values))
    statuses = _csv(f.statusEqual, f.statusIn, int)
    if statuses is not None:
        query = query.where(FlavorAssetRow.status.in_(statuses))
    if f.statusNotIn:
        query = query.where(FlavorAssetRow.status.not_in(_csv(None, f.statusNotIn, int) or []))
    params_ids = _csv(f.flavorParamsIdEqual, f.flavorParamsIdIn, int)
    if params_ids is not None:
        query = query.where(FlavorAssetRow.flavor_params_id.in_(params_ids))
    if f.tagsLike:
        query = query.where(FlavorAssetRow.tags.like(f"%{f.tagsLike}%"))
    rows = list(ctx.session.scalars(query.order_by(FlavorAssetRow.created_at,
                                                   FlavorAssetRow.flavor_params_id)))
    size = min(pager.pageSize if pager and pager.pageSize and pager.pageSize > 0 else 30,
               _MAX_LIST)
    index = pager.pageIndex if pager and pager.pageIndex and pager.pageIndex > 0 else 1
    page = rows[(index - 1) * size:index * size]
    return KalturaFlavorAssetListResponse(objects=[asset_object(r) for r in page],
                                          totalCount=len(rows))


def _csv(equal: Any, in_: str | None, cast: type) -> list[Any] | None:
    if equal is None and in_ is None:
        return None
    values = [cast(int(equal) if cast is int else equal)] if equal is not None else []
    for part in (in_ or "").split(","):
        if part.strip():
            try:
                values.append(cast(part.strip()))
            except ValueError:
                raise E.INVALID_PARAMETER_VALUE(part.strip(), "filter") from None
    return values


def _ready(ctx: CallContext, id: str) -> tuple[EntryRow, FlavorAssetRow]:
    row = _visible(ctx.session, id)
    entry = entries.get_entry(ctx.session, row.entry_id)
    if row.status != S.READY or not row.storage_key:
        raise E.FLAVOR_ASSET_IS_NOT_READY()
    return entry, row


def flavor_url(ctx: CallContext, entry: EntryRow, row: FlavorAssetRow) -> str:
    """The serveFlavor URL of a READY flavor (progressive download of its file)."""
    ext = row.file_ext or "mp4"
    return ctx.url(f"/p/{row.partner_id}/sp/{row.partner_id}00/serveFlavor/entryId/{entry.id}"
                   f"/v/{row.version or 1}/flavorId/{row.id}/fileName/{entry.id}_{row.id}.{ext}")


@flavor_asset.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def getUrl(ctx: CallContext, id: str, storageId: int | None = None, forceProxy: bool = False
           ) -> str:
    """The download URL of a READY flavor.

    Args:
        id: Flavor asset id
        storageId: Remote storage (not used: files are served by this server)
        forceProxy: Serve through this server (always the case)
    """
    del storageId, forceProxy
    return flavor_url(ctx, *_ready(ctx, id))


@flavor_asset.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def getDownloadUrl(ctx: CallContext, id: str, useCdn: bool = False) -> str:
    """Deprecated form of getUrl.

    Args:
        id: Flavor asset id
        useCdn: Ignored
    """
    del useCdn
    return flavor_url(ctx, *_ready(ctx, id))


@flavor_asset.action(ks=KsRule.USER, errors=_NOT_FOUND)
def reconvert(ctx: CallContext, id: str) -> None:
    """Convert a flavor again from the entry's source (progress shows on the asset).

    Args:
        id: Flavor asset id
    """
    row = _visible(ctx.session, id)
    if row.is_original:
        raise E.INVALID_PARAMETER_VALUE(id, "id (the source cannot be reconverted)")
    flavors.reconvert_asset(ctx.session, entries.get_entry(ctx.session, row.entry_id), row)


@flavor_asset.action("delete", ks=KsRule.USER, errors=_NOT_FOUND)
def delete_(ctx: CallContext, id: str) -> None:
    """Delete a flavor asset and its files.

    Args:
        id: Flavor asset id
    """
    flavors.delete_asset(ctx.session, _visible(ctx.session, id))
