"""metadataProfile (plugin "metadata"): custom metadata schemas, each an XSD."""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.tables.metadata import MetadataProfileRow
from vpaas.domain import filtering
from vpaas.domain import metadata as md
from vpaas.domain import metadata_profiles as profiles
from vpaas.domain.metadata_index import active_fields
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.metadata import (
    PLUGIN,
    KalturaMetadataObjectType,
    KalturaMetadataProfile,
    KalturaMetadataProfileCreateMode,
    KalturaMetadataProfileField,
    KalturaMetadataProfileFieldListResponse,
    KalturaMetadataProfileFilter,
    KalturaMetadataProfileListResponse,
    KalturaMetadataProfileStatus,
)
from vpaas.registry import ForInsert, ForUpdate, ServeFile, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

metadata_profile = Service("metadataProfile", """Custom metadata profiles.

A profile is an XSD whose root element (``metadata``) holds the fields; metadata of its
objects must validate against it. Changing the XSD increases the profile's version and
re-validates the existing metadata.""", plugin=PLUGIN)

_NOT_FOUND = ("METADATA_PROFILE_NOT_FOUND",)
_SCHEMA = ("INVALID_METADATA_PROFILE_SCHEMA",)
_COLUMNS = {
    "id": MetadataProfileRow.id, "partnerId": MetadataProfileRow.partner_id,
    "metadataObjectType": MetadataProfileRow.object_type,
    "version": MetadataProfileRow.version, "name": MetadataProfileRow.name,
    "systemName": MetadataProfileRow.system_name,
    "createdAt": MetadataProfileRow.created_at, "updatedAt": MetadataProfileRow.updated_at,
    "status": MetadataProfileRow.status, "createMode": MetadataProfileRow.create_mode,
}
_TEXT = (("name", "name", 256), ("systemName", "system_name", 256),
         ("description", "description", 4000))


def profile_object(row: MetadataProfileRow) -> KalturaMetadataProfile:
    """The API object of a profile row."""
    return KalturaMetadataProfile(
        id=row.id, partnerId=row.partner_id,
        metadataObjectType=KalturaMetadataObjectType(row.object_type), version=row.version,
        name=row.name, systemName=row.system_name, description=row.description,
        createdAt=row.created_at, updatedAt=row.updated_at,
        status=KalturaMetadataProfileStatus(row.status), xsd=row.xsd, views=row.views,
        createMode=KalturaMetadataProfileCreateMode(row.create_mode),
        disableReIndexing=row.disable_reindexing)


def _apply(row: MetadataProfileRow, obj: KalturaMetadataProfile) -> None:
    for name, column, limit in _TEXT:
        if name in obj.supplied:
            value = None if name in obj.nulled else getattr(obj, name)
            if value is not None and len(value) > limit:
                raise E.PROPERTY_VALIDATION_MAX_LENGTH(name, limit)
            setattr(row, column, value or ("" if column == "name" else None))
    if obj.createMode is not None:
        row.create_mode = int(obj.createMode)
    if obj.disableReIndexing is not None:
        row.disable_reindexing = bool(obj.disableReIndexing)


@metadata_profile.action(ks=KsRule.ADMIN, errors=_SCHEMA)
def add(ctx: CallContext, metadataProfile: Annotated[KalturaMetadataProfile, ForInsert],
        xsdData: str, viewsData: str | None = None) -> KalturaMetadataProfile:
    """Add a metadata profile.

    Args:
        metadataProfile: metadataObjectType (mandatory), name, systemName, description
        xsdData: XSD metadata definition
        viewsData: UI views definition
    """
    if metadataProfile.metadataObjectType is None:
        raise E.PROPERTY_VALIDATION_CANNOT_BE_NULL("metadataObjectType")
    row = MetadataProfileRow(partner_id=ctx.partner_id, status=profiles.PROFILE_ACTIVE,
                             object_type=metadataProfile.metadataObjectType.value,
                             name="", create_mode=1, disable_reindexing=False)
    _apply(row, metadataProfile)
    profiles.set_profile_views(row, viewsData)
    profiles.set_profile_xsd(ctx.session, row, xsdData)
    ctx.session.flush()
    return profile_object(row)


@metadata_profile.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def get(ctx: CallContext, id: int) -> KalturaMetadataProfile:
    """Get a metadata profile.

    Args:
        id: Profile id
    """
    return profile_object(profiles.get_profile(ctx.session, id))


@metadata_profile.action(ks=KsRule.ADMIN, errors=(*_NOT_FOUND, *_SCHEMA))
def update(ctx: CallContext, id: int,
           metadataProfile: Annotated[KalturaMetadataProfile, ForUpdate],
           xsdData: str | None = None, viewsData: str | None = None
           ) -> KalturaMetadataProfile:
    """Update a metadata profile; a new XSD increases its version.

    Args:
        id: Profile id
        metadataProfile: the fields to change
        xsdData: new XSD metadata definition (existing metadata is re-validated)
        viewsData: new UI views definition
    """
    row = profiles.get_profile(ctx.session, id)
    _apply(row, metadataProfile)
    profiles.set_profile_views(row, viewsData)
    if xsdData:
        profiles.set_profile_xsd(ctx.session, row, xsdData)
    ctx.session.flush()
    return profile_object(row)


@metadata_profile.action("delete", ks=KsRule.ADMIN, errors=_NOT_FOUND)
def delete_(ctx: CallContext, id: int) -> None:
    """Delete a metadata profile with all its metadata.

    Args:
        id: Profile id
    """
    md.delete_profile(ctx.session, profiles.get_profile(ctx.session, id))


@metadata_profile.action(ks=KsRule.ANY)
def list_(ctx: CallContext, filter: KalturaMetadataProfileFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaMetadataProfileListResponse:
    """List metadata profiles.

    Args:
        filter: Conditions (deleted profiles are listed only when statusEqual asks for them)
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    f = filter or KalturaMetadataProfileFilter()
    stmt = filtering.apply_filter(select(MetadataProfileRow), f, _COLUMNS)
    if f.statusEqual is None and not f.statusIn:
        stmt = stmt.where(MetadataProfileRow.status != profiles.PROFILE_DEPRECATED)
    total = ctx.session.scalar(filtering.count(stmt)) or 0
    ordered = filtering.apply_order(stmt, f.orderBy, _COLUMNS, default="+id",
                                    allowed=("createdAt", "updatedAt", "id"))
    paged, _, _ = filtering.page(ordered, pager)
    rows = ctx.session.scalars(paged)
    return KalturaMetadataProfileListResponse(objects=[profile_object(r) for r in rows],
                                              totalCount=total)


@metadata_profile.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def listFields(ctx: CallContext, metadataProfileId: int
               ) -> KalturaMetadataProfileFieldListResponse:
    """The searchable fields of a profile, with the xPaths advanced search uses.

    Args:
        metadataProfileId: Profile id
    """
    profile = profiles.get_profile(ctx.session, metadataProfileId)
    fields = [KalturaMetadataProfileField(id=f.id, xPath=f.xpath, key=f.key, label=f.label)
              for f in active_fields(ctx.session, profile.id)]
    return KalturaMetadataProfileFieldListResponse(objects=fields, totalCount=len(fields))


@metadata_profile.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def serve(ctx: CallContext, id: int) -> ServeFile:
    """Download a profile's XSD.

    Args:
        id: Profile id
    """
    data = profiles.get_profile(ctx.session, id).xsd.encode("utf-8")
    return ServeFile(stream=iter([data]), size=len(data), content_type="text/xml",
                     filename=f"{id}.xsd")


@metadata_profile.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def serveView(ctx: CallContext, id: int) -> ServeFile:
    """Download a profile's UI views definition.

    Args:
        id: Profile id
    """
    data = (profiles.get_profile(ctx.session, id).views or "").encode("utf-8")
    return ServeFile(stream=iter([data]), size=len(data), content_type="text/xml",
                     filename=f"{id}.xml")
