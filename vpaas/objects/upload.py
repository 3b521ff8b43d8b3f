"""Upload token objects: the token, its status, filters and list response."""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import (
    KalturaFilter,
    KalturaListResponse,
    KalturaNullableBoolean,
    KalturaObjectBase,
)
from vpaas.registry import Time, api_enum, api_object, field


@api_enum
class KalturaUploadTokenStatus(IntEnum):
    """Where an upload token is in its life."""

    PENDING = 0
    PARTIAL_UPLOAD = 1
    FULL_UPLOAD = 2
    CLOSED = 3
    TIMED_OUT = 4
    DELETED = 5


@api_object
class KalturaUploadToken(KalturaObjectBase):
    """A token that receives a file, possibly in chunks, out of order and in parallel."""

    id: str = field(readonly=True, doc="Token id")
    partnerId: int = field(readonly=True, doc="Partner id")
    userId: str = field(readonly=True, doc="User that created the token")
    status: KalturaUploadTokenStatus = field(readonly=True, doc="Upload status")
    fileName: str = field(doc="Name of the file; the first chunk's file name when empty")
    fileSize: float = field(doc="Expected size in bytes")
    uploadedFileSize: float = field(readonly=True,
                                    doc="Bytes received without a gap from the start of the file")
    createdAt: Time = field(readonly=True, doc="Creation time (Unix seconds)")
    updatedAt: Time = field(readonly=True, doc="Last change (Unix seconds)")
    uploadUrl: str = field(readonly=True, doc="Base URL to send the chunks to")
    autoFinalize: KalturaNullableBoolean = field(
        doc="Complete the upload as soon as fileSize bytes arrived, without a finalChunk")
    attachedObjectType: str = field(readonly=True, doc="Type of the object the file went to")
    attachedObjectId: str = field(readonly=True, doc="Id of the object the file went to")


@api_object(abstract=True)
class KalturaUploadTokenBaseFilter(KalturaFilter):
    """Conditions on upload tokens."""

    idEqual: str = field(doc="Token id")
    idIn: str = field(doc="Comma separated token ids")
    userIdEqual: str = field(doc="Creating user")
    statusEqual: KalturaUploadTokenStatus = field(doc="Status")
    statusIn: str = field(doc="Comma separated statuses")
    fileNameEqual: str = field(doc="File name")
    fileSizeEqual: float = field(doc="Expected file size")


@api_object
class KalturaUploadTokenFilter(KalturaUploadTokenBaseFilter):
    """Filter for uploadToken.list; orderBy ``+createdAt`` or ``-createdAt``."""


@api_object
class KalturaUploadTokenListResponse(KalturaListResponse):
    """A page of upload tokens."""

    objects: list[KalturaUploadToken] = field(readonly=True, doc="The tokens of this page")
