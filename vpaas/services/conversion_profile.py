"""conversionProfile: which flavors an entry gets; each partner has a default profile."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.tables.flavor import ConversionProfileRow
from vpaas.domain import flavors
from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean
from vpaas.objects.flavor import (
    KalturaConversionProfile,
    KalturaConversionProfileFilter,
    KalturaConversionProfileListResponse,
    KalturaConversionProfileStatus,
    KalturaConversionProfileType,
)
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

conversion_profile = Service("conversionProfile", """Conversion (transcoding) profiles.

A profile lists flavor params; the partner's default profile (created on first use) holds
the whole default ladder and lets an entry be READY as soon as its first playable flavor is.""")

_NOT_FOUND = ("CONVERSION_PROFILE_ID_NOT_FOUND",)


def profile_object(ctx: CallContext, row: ConversionProfileRow) -> KalturaConversionProfile:
    """The API object of a profile row."""
    ids = [link.flavor_params_id for link in flavors.profile_links(ctx.session, row.id)]
    return KalturaConversionProfile(
        id=row.id, partnerId=row.partner_id, status=KalturaConversionProfileStatus(
            str(row.status)), type=KalturaConversionProfileType(str(row.type)),
        name=row.name, systemName=row.system_name, tags=row.tags, description=row.description,
        createdAt=row.created_at, flavorParamsIds=",".join(str(i) for i in ids),
        isDefault=KalturaNullableBoolean(int(bool(row.is_default))),
        isPartnerDefault=bool(row.is_default))


def _apply(ctx: CallContext, row: ConversionProfileRow, obj: KalturaConversionProfile) -> None:
    for name, column in (("name", "name"), ("systemName", "system_name"), ("tags", "tags"),
                         ("description", "description")):
        if name in obj.supplied:
            value = None if name in obj.nulled else getattr(obj, name)
            if value is not None and len(value) > (128 if column != "description" else 4000):
                raise E.PROPERTY_VALIDATION_MAX_LENGTH(name, 128)
            setattr(row, column, value)
    if "status" in obj.supplied and obj.status is not None:
        if obj.status == KalturaConversionProfileStatus.DELETED:
            raise E.INVALID_PARAMETER_VALUE(obj.status.value, "conversionProfile:status")
        row.status = int(obj.status.value)
    if "flavorParamsIds" in obj.supplied and obj.flavorParamsIds is not None:
        parts = [p.strip() for p in obj.flavorParamsIds.split(",") if p.strip()]
        if not all(p.lstrip("-").isdigit() for p in parts):
            raise E.INVALID_PARAMETER_VALUE(obj.flavorParamsIds, "flavorParamsIds")
        flavors.set_profile_params(ctx.session, row, [int(p) for p in parts])
    if obj.isDefault is not None and int(obj.isDefault) == 1:
        flavors.set_as_default(ctx.session, row)


@conversion_profile.action(ks=KsRule.ADMIN, errors=("FLAVOR_PARAMS_ID_NOT_FOUND",))
def add(ctx: CallContext, conversionProfile: Annotated[KalturaConversionProfile, ForInsert]
        ) -> KalturaConversionProfile:
    """Add a conversion profile.

    Args:
        conversionProfile: name and flavorParamsIds (CSV) of the profile
    """
    obj = conversionProfile
    if not (obj.name or "").strip():
        raise E.PROPERTY_VALIDATION_MIN_LENGTH("name", 1)
    flavors.default_profile(ctx.session, ctx.partner_id or 0)
    row = ConversionProfileRow(name="", status=flavors.PROFILE_ENABLED, type=1,
                               is_default=False, extra={})
    ctx.session.add(row)
    ctx.session.flush()
    _apply(ctx, row, obj)
    ctx.session.flush()
    return profile_object(ctx, row)


@conversion_profile.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def get(ctx: CallContext, id: int) -> KalturaConversionProfile:
    """Get a conversion profile.

    Args:
        id: Profile id
    """
    return profile_object(ctx, flavors.get_profile(ctx.session, id))


@conversion_profile.action(ks=KsRule.ADMIN, errors=(*_NOT_FOUND, "FLAVOR_PARAMS_ID_NOT_FOUND"))
def update(ctx: CallContext, id: int,
           conversionProfile: Annotated[KalturaConversionProfile, ForUpdate]
           ) -> KalturaConversionProfile:
    """Update a conversion profile (flavorParamsIds replaces its flavor list).

    Args:
        id: Profile id
        conversionProfile: the fields to change
    """
    row = flavors.get_profile(ctx.session, id)
    _apply(ctx, row, conversionProfile)
    ctx.session.flush()
    return profile_object(ctx, row)


@conversion_profile.action("delete", ks=KsRule.ADMIN, errors=_NOT_FOUND)
def delete_(ctx: CallContext, id: int) -> None:
    """Delete a conversion profile; the default profile cannot be deleted.

    Args:
        id: Profile id
    """
    row = flavors.get_profile(ctx.session, id)
    if row.is_default:
        raise E.CANNOT_DELETE_DEFAULT_CONVERSION_PROFILE()
    row.status = flavors.PROFILE_DELETED


@conversion_profile.action(ks=KsRule.ANY)
def getDefault(ctx: CallContext, type: KalturaConversionProfileType | None = None
               ) -> KalturaConversionProfile:
    """The partner's default conversion profile.

    Args:
        type: MEDIA (the only type served)
    """
    del type
    return profile_object(ctx, flavors.default_profile(ctx.session, ctx.partner_id or 0))


@conversion_profile.action(ks=KsRule.ADMIN, errors=_NOT_FOUND)
def setAsDefault(ctx: CallContext, id: int) -> KalturaConversionProfile:
    """Make a profile the partner's default.

    Args:
        id: Profile id
    """
    row = flavors.get_profile(ctx.session, id)
    flavors.set_as_default(ctx.session, row)
    ctx.session.flush()
    return profile_object(ctx, row)


@conversion_profile.action(ks=KsRule.ANY)
def list_(ctx: CallContext, filter: KalturaConversionProfileFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaConversionProfileListResponse:
    """List the partner's conversion profiles, by id.

    Args:
        filter: Conditions
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    flavors.default_profile(ctx.session, ctx.partner_id or 0)
    f = filter or KalturaConversionProfileFilter()
    query = select(ConversionProfileRow).where(
        ConversionProfileRow.status != flavors.PROFILE_DELETED).order_by(ConversionProfileRow.id)
    if f.idEqual is not None:
        query = query.where(ConversionProfileRow.id == f.idEqual)
    if f.idIn:
        ids = [p.strip() for p in f.idIn.split(",") if p.strip()]
        if not all(p.isdigit() for p in ids):
            raise E.INVALID_PARAMETER_VALUE(f.idIn, "filter:idIn")
        query = query.where(ConversionProfileRow.id.in_([int(p) for p in ids]))
    if f.statusEqual is not None:
        query = query.where(ConversionProfileRow.status == int(f.statusEqual.value))
    if f.systemNameEqual is not None:
        query = query.where(ConversionProfileRow.system_name == f.systemNameEqual)
    if f.nameEqual is not None:
        query = query.where(ConversionProfileRow.name == f.nameEqual)
    rows = list(ctx.session.scalars(query))
    size = min(pager.pageSize if pager and pager.pageSize and pager.pageSize > 0 else 30, 500)
    index = pager.pageIndex if pager and pager.pageIndex and pager.pageIndex > 0 else 1
    page = rows[(index - 1) * size:index * size]
    return KalturaConversionProfileListResponse(
        objects=[profile_object(ctx, r) for r in page], totalCount=len(rows))
