"""flavorParams: the rendition presets. Id 0 is the source; system defaults are read-only."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from vpaas.context import CallContext
from vpaas.db.tables.flavor import FlavorParamsRow
from vpaas.domain import flavors
from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean
from vpaas.objects.flavor import (
    KalturaAudioCodec,
    KalturaContainerFormat,
    KalturaFlavorParams,
    KalturaFlavorParamsFilter,
    KalturaFlavorParamsListResponse,
    KalturaVideoCodec,
)
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

flavor_params = Service("flavorParams", """Rendition presets (flavor params).

Every partner sees the system defaults (partner 0, read-only; id 0 is the source) and
its own params.""")

_COLUMNS = {
    "name": "name", "systemName": "system_name", "description": "description",
    "tags": "tags", "videoCodec": "video_codec", "videoBitrate": "video_bitrate",
    "audioCodec": "audio_codec", "audioBitrate": "audio_bitrate",
    "audioChannels": "audio_channels", "audioSampleRate": "audio_sample_rate",
    "width": "width", "height": "height", "frameRate": "frame_rate", "gopSize": "gop_size",
    "isGopInSec": "is_gop_in_sec", "format": "format",
}
_LIMITS = {"videoBitrate": 200_000, "audioBitrate": 2_000, "audioChannels": 8,
           "audioSampleRate": 192_000, "width": 8192, "height": 8192, "frameRate": 240,
           "gopSize": 600}
_TEXT = {"name": 128, "systemName": 128, "description": 4000, "tags": 4000}


def _enum(cls: type[Enum], value: Any) -> Any:
    try:
        return cls(value)
    except ValueError:
        return None


def params_object(row: FlavorParamsRow) -> KalturaFlavorParams:
    """The API object of a flavor params row."""
    return KalturaFlavorParams(
        id=row.id, partnerId=row.partner_id, name=row.name, systemName=row.system_name,
        description=row.description, createdAt=row.created_at,
        isSystemDefault=KalturaNullableBoolean(int(bool(row.is_system_default))),
        tags=row.tags, videoCodec=_enum(KalturaVideoCodec, row.video_codec or ""),
        videoBitrate=row.video_bitrate, audioCodec=_enum(KalturaAudioCodec, row.audio_codec or ""),
        audioBitrate=row.audio_bitrate, audioChannels=row.audio_channels,
        audioSampleRate=row.audio_sample_rate, width=row.width, height=row.height,
        frameRate=row.frame_rate, gopSize=row.gop_size, isGopInSec=int(bool(row.is_gop_in_sec)),
        format=_enum(KalturaContainerFormat, row.format or "mp4"))


def _values(obj: KalturaFlavorParams) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in sorted(obj.supplied):
        if name not in _COLUMNS:
            continue
        value = getattr(obj, name, None)
        value = value.value if isinstance(value, Enum) else value
        if name in obj.nulled or value is None:
            value = "" if name in _TEXT or name in ("videoCodec", "audioCodec") else 0
        if name in _LIMITS and not 0 <= float(value) <= _LIMITS[name]:
            raise E.INVALID_PARAMETER_VALUE(value, f"flavorParams:{name}")
        if name in _TEXT and len(str(value)) > _TEXT[name]:
            raise E.PROPERTY_VALIDATION_MAX_LENGTH(name, _TEXT[name])
        values[_COLUMNS[name]] = bool(value) if name == "isGopInSec" else value
    return values


def _pid(ctx: CallContext) -> int:
    assert ctx.partner_id is not None
    return ctx.partner_id


@flavor_params.action(ks=KsRule.ADMIN)
def add(ctx: CallContext, flavorParams: Annotated[KalturaFlavorParams, ForInsert]
        ) -> KalturaFlavorParams:
    """Add a flavor params of this partner.

    Args:
        flavorParams: codecs, bitrates, size and tags of the rendition
    """
    if not (flavorParams.name or "").strip():
        raise E.PROPERTY_VALIDATION_MIN_LENGTH("name", 1)
    return params_object(flavors.add_params(ctx.session, _pid(ctx), _values(flavorParams)))


@flavor_params.action(ks=KsRule.ANY, errors=("FLAVOR_PARAMS_ID_NOT_FOUND",))
def get(ctx: CallContext, id: int) -> KalturaFlavorParams:
    """Get a flavor params (the partner's own or a system default).

    Args:
        id: Params id
    """
    return params_object(flavors.get_params(ctx.session, _pid(ctx), id))


@flavor_params.action(ks=KsRule.ADMIN, errors=("FLAVOR_PARAMS_ID_NOT_FOUND",))
def update(ctx: CallContext, id: int, flavorParams: Annotated[KalturaFlavorParams, ForUpdate]
           ) -> KalturaFlavorParams:
    """Update a flavor params of this partner (system defaults cannot be changed).

    Args:
        id: Params id
        flavorParams: the fields to change
    """
    row = flavors.own_params(ctx.session, _pid(ctx), id)
    for column, value in _values(flavorParams).items():
        setattr(row, column, value)
    ctx.session.flush()
    return params_object(row)


@flavor_params.action("delete", ks=KsRule.ADMIN, errors=("FLAVOR_PARAMS_ID_NOT_FOUND",))
def delete_(ctx: CallContext, id: int) -> None:
    """Delete a flavor params of this partner; it leaves every conversion profile.

    Args:
        id: Params id
    """
    flavors.delete_params(ctx.session, _pid(ctx), id)


@flavor_params.action(ks=KsRule.ANY)
def list_(ctx: CallContext, filter: KalturaFlavorParamsFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaFlavorParamsListResponse:
    """List flavor params: system defaults and the partner's own, by id.

    Args:
        filter: Conditions
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    f = filter or KalturaFlavorParamsFilter()
    ids = _ids(f)
    fmt = f.formatEqual.value if f.formatEqual is not None else None
    rows = flavors.list_params(ctx.session, _pid(ctx), ids, fmt)
    rows = [r for r in rows if _matches(r, f)]
    size = pager.pageSize if pager and pager.pageSize and pager.pageSize > 0 else 30
    size = min(size, 500)
    index = pager.pageIndex if pager and pager.pageIndex and pager.pageIndex > 0 else 1
    page = rows[(index - 1) * size:index * size]
    return KalturaFlavorParamsListResponse(objects=[params_object(r) for r in page],
                                           totalCount=len(rows))


@flavor_params.action(ks=KsRule.ANY, errors=("CONVERSION_PROFILE_ID_NOT_FOUND",))
def getByConversionProfileId(ctx: CallContext, conversionProfileId: int
                             ) -> list[KalturaFlavorParams]:
    """The flavor params of a conversion profile.

    Args:
        conversionProfileId: Profile id
    """
    profile = flavors.get_profile(ctx.session, conversionProfileId)
    ids = [link.flavor_params_id for link in flavors.profile_links(ctx.session, profile.id)]
    return [params_object(r) for r in flavors.list_params(ctx.session, _pid(ctx), ids)]


def _ids(f: KalturaFlavorParamsFilter) -> list[int] | None:
    if f.idEqual is None and f.idIn is None:
        return None
    ids = [f.idEqual] if f.idEqual is not None else []
    for part in (f.idIn or "").split(","):
        if part.strip():
            if not part.strip().lstrip("-").isdigit():
                raise E.INVALID_PARAMETER_VALUE(part.strip(), "filter:idIn")
            ids.append(int(part))
    return ids


def _matches(row: FlavorParamsRow, f: KalturaFlavorParamsFilter) -> bool:
    if f.systemNameEqual is not None and row.system_name != f.systemNameEqual:
        return False
    if f.isSystemDefaultEqual is not None and int(f.isSystemDefaultEqual) >= 0 and (
            bool(row.is_system_default) != bool(int(f.isSystemDefaultEqual))):
        return False
    return f.tagsEqual is None or flavors.tags_match(row.tags, f.tagsEqual)
