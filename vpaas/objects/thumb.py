"""Thumbnail objects: thumb assets, thumb params, their enums, the generic asset filter."""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import KalturaListResponse, KalturaRelatedFilter
from vpaas.objects.flavor import KalturaAsset, KalturaAssetParams, KalturaContainerFormat
from vpaas.registry import api_enum, api_object, field


@api_enum
class KalturaThumbAssetStatus(IntEnum):
    """Where a thumbnail asset is in its life."""

    ERROR = -1
    QUEUED = 0
    CAPTURING = 1
    READY = 2
    DELETED = 3
    IMPORTING = 7
    EXPORTING = 9


@api_enum
class KalturaThumbCropType(IntEnum):
    """How an image is fitted to a requested size."""

    RESIZE = 1
    RESIZE_WITH_PADDING = 2
    CROP = 3
    CROP_FROM_TOP = 4
    RESIZE_WITH_FORCE = 5


@api_object
class KalturaThumbParams(KalturaAssetParams):
    """How to make a thumbnail: capture time, size, crop, quality, format."""

    cropType: KalturaThumbCropType = field(doc="Fitting: 1 resize, 2 pad, 3 crop, 4 crop from "
                                               "top, 5 stretch")
    quality: int = field(doc="JPEG/WebP quality 1-100 (default 75)")
    cropX: int = field(doc="Left of the source rectangle, pixels")
    cropY: int = field(doc="Top of the source rectangle, pixels")
    cropWidth: int = field(doc="Width of the source rectangle (0: to the right edge)")
    cropHeight: int = field(doc="Height of the source rectangle (0: to the bottom)")
    videoOffset: float = field(doc="Capture time in seconds (default 3, or mid-clip)")
    width: int = field(doc="Output width (0: from the height and aspect ratio)")
    height: int = field(doc="Output height (0: from the width and aspect ratio)")
    scaleWidth: float = field(doc="Scale factor of the width (applied when no width is set)")
    scaleHeight: float = field(doc="Scale factor of the height (applied when no height is set)")
    backgroundColor: str = field(doc="Padding colour, hex RGB such as 'ffffff' or '#000'")
    sourceParamsId: int = field(doc="Flavor params of the flavor to capture from")
    format: KalturaContainerFormat = field(doc="Output format: jpg (default) or png")
    density: int = field(doc="Output DPI written in the file")
    stripProfiles: bool = field(doc="Drop ICC/EXIF profiles")
    videoOffsetInPercentage: int = field(doc="Capture time as a percentage of the duration")
    interval: int = field(doc="Not used")


@api_object
class KalturaThumbAsset(KalturaAsset):
    """A thumbnail image of an entry."""

    thumbParamsId: int = field(insert_only=True, doc="Thumb params it was made with (0: none)")
    width: int = field(readonly=True, doc="Image width")
    height: int = field(readonly=True, doc="Image height")
    status: KalturaThumbAssetStatus = field(readonly=True, doc="Status")


@api_object
class KalturaAssetFilter(KalturaRelatedFilter):
    """Conditions on the assets of entries (flavors, thumbnails, captions...)."""

    idEqual: str = field(doc="Asset id")
    idIn: str = field(doc="Comma separated asset ids")
    entryIdEqual: str = field(doc="Entry id")
    entryIdIn: str = field(doc="Comma separated entry ids")
    sizeGreaterThanOrEqual: int = field(doc="Size in KB at least")
    sizeLessThanOrEqual: int = field(doc="Size in KB at most")
    tagsLike: str = field(doc="Tags contain")
    createdAtGreaterThanOrEqual: int = field(doc="Created at or after")
    createdAtLessThanOrEqual: int = field(doc="Created at or before")
    updatedAtGreaterThanOrEqual: int = field(doc="Updated at or after")
    updatedAtLessThanOrEqual: int = field(doc="Updated at or before")


@api_object
class KalturaThumbAssetFilter(KalturaAssetFilter):
    """Conditions on thumbnail assets."""

    thumbParamsIdEqual: int = field(doc="Thumb params id")
    thumbParamsIdIn: str = field(doc="Comma separated thumb params ids")
    statusEqual: KalturaThumbAssetStatus = field(doc="Status")
    statusIn: str = field(doc="Comma separated statuses")
    statusNotIn: str = field(doc="Comma separated statuses to leave out")


@api_object
class KalturaThumbAssetListResponse(KalturaListResponse):
    """A page of thumbnail assets."""

    objects: list[KalturaThumbAsset] = field(readonly=True, doc="The thumbnail assets")
