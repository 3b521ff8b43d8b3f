"""Document entries (PDF, Office files) and the resources that give entries content."""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import KalturaListResponse, KalturaObjectBase, KalturaString
from vpaas.objects.entry import KalturaBaseEntry
from vpaas.registry import api_enum, api_object, field


@api_enum
class KalturaDocumentType(IntEnum):
    """Kind of document."""

    DOCUMENT = 11
    SWF = 12
    PDF = 13


@api_object
class KalturaDocumentEntry(KalturaBaseEntry):
    """A document (PDF, Office file...), stored and served back as uploaded."""

    documentType: KalturaDocumentType = field(insert_only=True, filters="eq,in",
                                              doc="DOCUMENT, SWF or PDF")
    assetParamsIds: str = field(readonly=True, filters="matchor,matchand",
                                doc="Asset params that have assets (CSV)")


@api_object
class KalturaDocumentListResponse(KalturaListResponse):
    """A page of document entries."""

    objects: list[KalturaDocumentEntry] = field(readonly=True, doc="The documents")


@api_object(abstract=True)
class KalturaResource(KalturaObjectBase):
    """Content to attach to an entry or asset."""


@api_object(abstract=True)
class KalturaContentResource(KalturaResource):
    """A resource that is one file."""


@api_object(abstract=True)
class KalturaDataCenterContentResource(KalturaContentResource):
    """A file held by this server."""


@api_object(abstract=True)
class KalturaGenericDataCenterContentResource(KalturaDataCenterContentResource):
    """A file held by this server, in any data center."""


@api_object
class KalturaUploadedFileTokenResource(KalturaGenericDataCenterContentResource):
    """The file of an upload token (complete, or still receiving chunks)."""

    token: str = field(doc="Upload token id")


@api_object
class KalturaServerFileResource(KalturaGenericDataCenterContentResource):
    """A file on the server's disk (not supported: use an upload token)."""

    localFilePath: str = field(doc="Path on the server")
    keepOriginalFile: bool = field(doc="Copy instead of moving")


@api_object
class KalturaUrlResource(KalturaContentResource):
    """A file downloaded from an http(s) URL by the server."""

    url: str = field(doc="http or https URL of the file")
    forceAsyncDownload: bool = field(doc="Always download in the background (always true)")
    urlHeaders: list[KalturaString] = field(doc="Extra request headers, 'Name: value'")
    shouldRedirect: bool = field(doc="Redirect to the URL instead of storing (ignored)")


@api_object
class KalturaRemoteStorageResource(KalturaUrlResource):
    """A file on a remote storage profile (not supported)."""

    storageProfileId: int = field(doc="Remote storage profile")


@api_object
class KalturaEntryResource(KalturaContentResource):
    """The content of another entry (not supported)."""

    entryId: str = field(doc="Source entry")
    flavorParamsId: int = field(doc="Flavor of the source entry")


@api_object
class KalturaStringResource(KalturaContentResource):
    """Content given as a string (not supported)."""

    content: str = field(doc="The content")


@api_object
class KalturaAssetParamsResourceContainer(KalturaResource):
    """A resource for one asset params id (0 = the source)."""

    resource: KalturaContentResource = field(doc="The content")
    assetParamsId: int = field(doc="Asset params id; 0 is the source")


@api_object
class KalturaAssetsParamsResourceContainers(KalturaResource):
    """Resources per asset params; only the source (id 0) is used."""

    resources: list[KalturaAssetParamsResourceContainer] = field(doc="The resources")
