"""metadata (plugin "metadata"): the custom metadata XML of objects (entries, categories...)."""

from __future__ import annotations

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.tables.metadata import MetadataRow
from vpaas.domain import filtering
from vpaas.domain import metadata as md
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.metadata import (
    PLUGIN,
    KalturaMetadata,
    KalturaMetadataFilter,
    KalturaMetadataListResponse,
    KalturaMetadataObjectType,
    KalturaMetadataStatus,
)
from vpaas.registry import ServeFile, Service
from vpaas.registry.model import KsRule

metadata = Service("metadata", """Custom metadata of objects.

Each object has at most one metadata per profile: an XML document valid against the
profile's XSD. Entry metadata is searchable from entry lists (freeText, and advancedSearch
with a KalturaMetadataSearchItem).""", plugin=PLUGIN)

_NOT_FOUND = ("METADATA_NOT_FOUND",)
_ADD_ERRORS = ("METADATA_PROFILE_NOT_FOUND", "INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE",
               "INVALID_METADATA_OBJECT", "METADATA_ALREADY_EXISTS", "INVALID_METADATA_DATA")
_COLUMNS = {
    "id": MetadataRow.id, "partnerId": MetadataRow.partner_id,
    "metadataProfileId": MetadataRow.metadata_profile_id,
    "metadataProfileVersion": MetadataRow.metadata_profile_version,
    "metadataObjectType": MetadataRow.object_type, "objectId": MetadataRow.object_id,
    "version": MetadataRow.version, "createdAt": MetadataRow.created_at,
    "updatedAt": MetadataRow.updated_at, "status": MetadataRow.status,
}


def metadata_object(row: MetadataRow) -> KalturaMetadata:
    """The API object of a metadata row."""
    return KalturaMetadata(
        id=row.id, partnerId=row.partner_id, metadataProfileId=row.metadata_profile_id,
        metadataProfileVersion=row.metadata_profile_version,
        metadataObjectType=KalturaMetadataObjectType(row.object_type), objectId=row.object_id,
        version=row.version, createdAt=row.created_at, updatedAt=row.updated_at,
        status=KalturaMetadataStatus(row.status), xml=row.xml)


@metadata.action(ks=KsRule.ADMIN, errors=_ADD_ERRORS)
def add(ctx: CallContext, metadataProfileId: int, objectType: KalturaMetadataObjectType,
        objectId: str, xmlData: str) -> KalturaMetadata:
    """Add the metadata of an object for a profile.

    Args:
        metadataProfileId: Profile id; its metadataObjectType must be objectType
        objectType: Kind of object
        objectId: The object's id (an entry id for ENTRY)
        xmlData: XML metadata, valid against the profile's XSD
    """
    row = md.add_metadata(ctx.session, ctx.partner_id or 0, metadataProfileId,
                          objectType.value, objectId, xmlData)
    return metadata_object(row)


@metadata.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def get(ctx: CallContext, id: int) -> KalturaMetadata:
    """Get a metadata object.

    Args:
        id: Metadata id
    """
    return metadata_object(md.get_metadata(ctx.session, id))


@metadata.action(ks=KsRule.ADMIN, errors=(*_NOT_FOUND, "INVALID_METADATA_DATA",
                                          "INVALID_METADATA_VERSION"))
def update(ctx: CallContext, id: int, xmlData: str | None = None,
           version: int | None = None) -> KalturaMetadata:
    """Replace the XML of a metadata object; its version increases by one.

    Args:
        id: Metadata id
        xmlData: XML metadata, valid against the profile's XSD
        version: update only if the metadata is still at this version (else
            INVALID_METADATA_VERSION)
    """
    row = md.update_metadata(ctx.session, md.get_metadata(ctx.session, id), xmlData, version)
    return metadata_object(row)


@metadata.action("delete", ks=KsRule.ADMIN, errors=_NOT_FOUND)
def delete_(ctx: CallContext, id: int) -> None:
    """Delete a metadata object.

    Args:
        id: Metadata id
    """
    md.delete_metadata(ctx.session, md.get_metadata(ctx.session, id))


@metadata.action(ks=KsRule.ANY)
def list_(ctx: CallContext, filter: KalturaMetadataFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaMetadataListResponse:
    """List metadata objects; metadataObjectTypeEqual defaults to ENTRY, as in Kaltura.

    Args:
        filter: Conditions
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    f = filter or KalturaMetadataFilter()
    if f.metadataObjectTypeEqual is None and "metadataObjectTypeEqual" not in f.nulled:
        f.metadataObjectTypeEqual = KalturaMetadataObjectType.ENTRY
    stmt = filtering.apply_filter(select(MetadataRow), f, _COLUMNS)
    total = ctx.session.scalar(filtering.count(stmt)) or 0
    ordered = filtering.apply_order(stmt, f.orderBy, _COLUMNS, default="+id",
                                    allowed=("createdAt", "updatedAt", "version",
                                             "metadataProfileVersion", "id"))
    paged, _, _ = filtering.page(ordered, pager)
    rows = ctx.session.scalars(paged)
    return KalturaMetadataListResponse(objects=[metadata_object(r) for r in rows],
                                       totalCount=total)


@metadata.action(ks=KsRule.ANY, errors=_NOT_FOUND)
def serve(ctx: CallContext, id: int) -> ServeFile:
    """Download the XML of a metadata object.

    Args:
        id: Metadata id
    """
    row = md.get_metadata(ctx.session, id)
    data = row.xml.encode("utf-8")
    return ServeFile(stream=iter([data]), size=len(data), content_type="text/xml",
                     filename=f"{row.object_id}.xml")
