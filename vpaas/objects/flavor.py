"""Flavor objects: flavor params, conversion profiles, flavor assets, their enums and filters."""

from __future__ import annotations

from enum import Enum, IntEnum

from vpaas.objects.common import (
    KalturaFilter,
    KalturaListResponse,
    KalturaNullableBoolean,
    KalturaObjectBase,
)
from vpaas.registry import Time, api_enum, api_object, field


@api_enum
class KalturaFlavorAssetStatus(IntEnum):
    """Where a flavor asset is in its life."""

    ERROR = -1
    QUEUED = 0
    CONVERTING = 1
    READY = 2
    DELETED = 3
    NOT_APPLICABLE = 4
    TEMP = 5
    WAIT_FOR_CONVERT = 6
    IMPORTING = 7
    VALIDATING = 8
    EXPORTING = 9


@api_enum
class KalturaContainerFormat(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """Container of a rendition."""

    APPLEHTTP = "applehttp"
    FLV = "flv"
    HLS = "hls"
    ISMV = "ismv"
    MKV = "mkv"
    MOV = "mov"
    MP3 = "mp3"
    MP4 = "mp4"
    MPEGTS = "mpegts"
    THREEGP = "3gp"
    WAV = "wav"
    WEBM = "webm"
    JPG = "jpg"
    PNG = "png"


@api_enum
class KalturaVideoCodec(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """Video codec of a flavor params (h264b/m/h: baseline/main/high profile)."""

    NONE = ""
    COPY = "copy"
    H264 = "h264"
    H264B = "h264b"
    H264M = "h264m"
    H264H = "h264h"
    H265 = "h265"
    MPEG4 = "mpeg4"
    VP8 = "vp8"
    VP9 = "vp9"
    AV1 = "av1"


@api_enum
class KalturaAudioCodec(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """Audio codec of a flavor params."""

    NONE = ""
    COPY = "copy"
    AAC = "aac"
    AACHE = "aache"
    AC3 = "ac3"
    EAC3 = "eac3"
    MP3 = "mp3"
    OPUS = "opus"
    PCM = "pcm"
    VORBIS = "vorbis"


@api_enum
class KalturaConversionProfileStatus(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """Whether a conversion profile is in use."""

    DISABLED = "1"
    ENABLED = "2"
    DELETED = "3"


@api_enum
class KalturaConversionProfileType(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """What a conversion profile is for."""

    MEDIA = "1"
    LIVE_STREAM = "2"


@api_enum
class KalturaFlavorReadyBehaviorType(IntEnum):
    """Whether the entry waits for a flavor before it is READY."""

    NO_IMPACT = 0
    REQUIRED = 1
    OPTIONAL = 2


@api_object
class KalturaAssetParams(KalturaObjectBase):
    """Base of every asset params (flavor, thumbnail...)."""

    id: int = field(readonly=True, doc="Params id; 0 is the source")
    partnerId: int = field(readonly=True, doc="Owning partner (0: system default)")
    name: str = field(doc="Name")
    systemName: str = field(doc="System name")
    description: str = field(doc="Description")
    createdAt: Time = field(readonly=True, doc="Creation time")
    isSystemDefault: KalturaNullableBoolean = field(readonly=True,
                                                    doc="A system default, shared by all")
    tags: str = field(doc="Comma separated tags (web, mbr, mobile, source, audio_only...)")


@api_object
class KalturaFlavorParams(KalturaAssetParams):
    """A rendition preset: codecs, bitrates and frame size. Width or height 0: derived."""

    videoCodec: KalturaVideoCodec = field(doc="Video codec (empty: audio only)")
    videoBitrate: int = field(doc="Video bitrate, kbps")
    audioCodec: KalturaAudioCodec = field(doc="Audio codec")
    audioBitrate: int = field(doc="Audio bitrate, kbps")
    audioChannels: int = field(doc="Audio channels")
    audioSampleRate: int = field(doc="Audio sample rate, Hz")
    width: int = field(doc="Frame width (0: from the aspect ratio)")
    height: int = field(doc="Frame height (0: from the aspect ratio)")
    frameRate: float = field(doc="Frame rate (0: the source's)")
    gopSize: int = field(doc="Keyframe interval")
    isGopInSec: int = field(doc="1 when gopSize is in seconds")
    format: KalturaContainerFormat = field(doc="Container")


@api_object
class KalturaFlavorParamsOutput(KalturaFlavorParams):
    """Flavor params as applied to one entry."""

    flavorParamsId: int = field(doc="The params this output is for")
    flavorAssetId: str = field(doc="The asset made with it")


@api_object
class KalturaFlavorParamsFilter(KalturaFilter):
    """Conditions on flavor params."""

    idEqual: int = field(doc="Params id")
    idIn: str = field(doc="Comma separated params ids")
    systemNameEqual: str = field(doc="System name")
    isSystemDefaultEqual: KalturaNullableBoolean = field(doc="System defaults only (1) or not")
    tagsEqual: str = field(doc="Has this tag")
    formatEqual: KalturaContainerFormat = field(doc="Container")


@api_object
class KalturaFlavorParamsListResponse(KalturaListResponse):
    """A page of flavor params."""

    objects: list[KalturaFlavorParams] = field(readonly=True, doc="The flavor params")


@api_object
class KalturaConversionProfile(KalturaObjectBase):
    """Which flavors an entry gets, and which of them must be READY before the entry is."""

    id: int = field(readonly=True, doc="Profile id")
    partnerId: int = field(readonly=True, doc="Owning partner")
    status: KalturaConversionProfileStatus = field(doc="ENABLED or DISABLED")
    type: KalturaConversionProfileType = field(insert_only=True, doc="MEDIA")
    name: str = field(doc="Name")
    systemName: str = field(doc="System name")
    tags: str = field(doc="Tags")
    description: str = field(doc="Description")
    createdAt: Time = field(readonly=True, doc="Creation time")
    flavorParamsIds: str = field(doc="Comma separated flavor params ids")
    isDefault: KalturaNullableBoolean = field(doc="The partner's default profile")
    isPartnerDefault: bool = field(readonly=True, doc="The partner's default profile")


@api_object
class KalturaConversionProfileFilter(KalturaFilter):
    """Conditions on conversion profiles."""

    idEqual: int = field(doc="Profile id")
    idIn: str = field(doc="Comma separated profile ids")
    statusEqual: KalturaConversionProfileStatus = field(doc="Status")
    systemNameEqual: str = field(doc="System name")
    nameEqual: str = field(doc="Name")


@api_object
class KalturaConversionProfileListResponse(KalturaListResponse):
    """A page of conversion profiles."""

    objects: list[KalturaConversionProfile] = field(readonly=True, doc="The profiles")


@api_object
class KalturaAsset(KalturaObjectBase):
    """Base of every asset of an entry (flavor, thumbnail, caption...)."""

    id: str = field(readonly=True, doc="Asset id")
    entryId: str = field(readonly=True, doc="The entry")
    partnerId: int = field(readonly=True, doc="Owning partner")
    version: int = field(readonly=True, doc="Content version")
    size: int = field(readonly=True, doc="Size in KB")
    tags: str = field(doc="Comma separated tags")
    fileExt: str = field(insert_only=True, doc="File extension")
    createdAt: Time = field(readonly=True, doc="Creation time")
    updatedAt: Time = field(readonly=True, doc="Last update")
    deletedAt: Time = field(readonly=True, doc="Deletion time")
    description: str = field(readonly=True, doc="Why the asset is in its status, if it says")
    partnerData: str = field(doc="Free data of the partner")
    partnerDescription: str = field(doc="Description of the partner")
    actualSourceAssetParamsIds: str = field(doc="Params of the assets it was made from")
    sizeInBytes: float = field(readonly=True, doc="Size in bytes")


@api_object
class KalturaFlavorAsset(KalturaAsset):
    """One rendition of an entry, with its status and conversion progress."""

    flavorParamsId: int = field(insert_only=True, doc="The flavor params it was made with")
    width: int = field(readonly=True, doc="Frame width")
    height: int = field(readonly=True, doc="Frame height")
    bitrate: int = field(readonly=True, doc="Total bitrate, kbps")
    frameRate: float = field(readonly=True, doc="Frame rate")
    isOriginal: bool = field(readonly=True, doc="True for the source")
    isWeb: bool = field(readonly=True, doc="Playable in browsers")
    containerFormat: str = field(readonly=True, doc="Container")
    videoCodecId: str = field(readonly=True, doc="Video codec (avc1...)")
    status: KalturaFlavorAssetStatus = field(readonly=True, doc="Status")
    progress: int = field(readonly=True, doc="Conversion progress, percent")
    label: str = field(doc="Label shown in players")
    isDefault: KalturaNullableBoolean = field(doc="Default flavor")


@api_object
class KalturaFlavorAssetWithParams(KalturaObjectBase):
    """A flavor params of the entry's profile, and its asset when there is one."""

    flavorAsset: KalturaFlavorAsset = field(doc="The asset (unset if none)")
    flavorParams: KalturaFlavorParams = field(doc="The params")
    entryId: str = field(doc="The entry")


@api_object
class KalturaFlavorAssetFilter(KalturaFilter):
    """Conditions on flavor assets."""

    idEqual: str = field(doc="Asset id")
    idIn: str = field(doc="Comma separated asset ids")
    entryIdEqual: str = field(doc="Entry id")
    entryIdIn: str = field(doc="Comma separated entry ids")
    statusEqual: KalturaFlavorAssetStatus = field(doc="Status")
    statusIn: str = field(doc="Comma separated statuses")
    statusNotIn: str = field(doc="Comma separated statuses to leave out")
    flavorParamsIdEqual: int = field(doc="Flavor params id")
    flavorParamsIdIn: str = field(doc="Comma separated flavor params ids")
    tagsLike: str = field(doc="Tags contain")


@api_object
class KalturaFlavorAssetListResponse(KalturaListResponse):
    """A page of flavor assets."""

    objects: list[KalturaFlavorAsset] = field(readonly=True, doc="The flavor assets")
