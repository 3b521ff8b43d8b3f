"""Entry objects: KalturaBaseEntry → KalturaPlayableEntry → KalturaMediaEntry, data entries,
their enums and list responses. ``filters`` lists the operators list filters are built from.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from vpaas.objects.common import KalturaListResponse, KalturaNullableBoolean, KalturaObjectBase
from vpaas.registry import Time, api_enum, api_object, field


@api_enum
class KalturaEntryStatus(StrEnum):
    """Where an entry is in its life (string values: plugins extend the enum)."""

    ERROR_IMPORTING = "-2"
    ERROR_CONVERTING = "-1"
    IMPORT = "0"
    PRECONVERT = "1"
    READY = "2"
    DELETED = "3"
    PENDING = "4"
    MODERATE = "5"
    BLOCKED = "6"
    NO_CONTENT = "7"
    INFECTED = "virusScan.Infected"
    SCAN_FAILURE = "virusScan.ScanFailure"


@api_enum
class KalturaEntryType(StrEnum):
    """Kind of entry."""

    AUTOMATIC = "-1"
    MEDIA_CLIP = "1"
    MIX = "2"
    PLAYLIST = "5"
    DATA = "6"
    LIVE_STREAM = "7"
    LIVE_CHANNEL = "8"
    DOCUMENT = "10"


@api_enum
class KalturaEntryModerationStatus(IntEnum):
    """Moderation state of an entry."""

    PENDING_MODERATION = 1
    APPROVED = 2
    REJECTED = 3
    DELETED = 4
    FLAGGED_FOR_REVIEW = 5
    AUTO_APPROVED = 6


@api_enum
class KalturaMediaType(IntEnum):
    """Kind of media of a media entry."""

    VIDEO = 1
    IMAGE = 2
    AUDIO = 5
    LIVE_STREAM_FLASH = 201
    LIVE_STREAM_WINDOWS_MEDIA = 202
    LIVE_STREAM_REAL_MEDIA = 203
    LIVE_STREAM_QUICKTIME = 204


@api_enum
class KalturaSourceType(StrEnum):
    """Where a media entry's content came from."""

    FILE = "1"
    WEBCAM = "2"
    URL = "5"
    SEARCH_PROVIDER = "6"
    AKAMAI_LIVE = "29"
    MANUAL_LIVE_STREAM = "30"
    AKAMAI_UNIVERSAL_LIVE = "31"
    LIVE_STREAM = "32"
    LIVE_CHANNEL = "33"
    RECORDED_LIVE = "34"
    CLIP = "35"
    KALTURA_RECORDED_LIVE = "36"
    LECTURE_CAPTURE = "37"
    LIVE_STREAM_ONTEXTDATA_CAPTIONS = "42"


@api_enum
class KalturaEntryDisplayInSearchType(IntEnum):
    """Who finds the entry in searches; RECYCLED entries are in the recycle bin."""

    RECYCLED = -2
    SYSTEM = -1
    NONE = 0
    PARTNER_ONLY = 1
    KALTURA_NETWORK = 2


@api_enum
class KalturaDurationType(StrEnum):
    """Duration bucket: short (0-4 min), medium (4-20), long (20+)."""

    LONG = "long"
    MEDIUM = "medium"
    NOT_AVAILABLE = "notavailable"
    SHORT = "short"


@api_enum
class KalturaEntryReplacementStatus(StrEnum):
    """Progress of a content replacement (media.updateContent)."""

    NONE = "0"
    APPROVED_BUT_NOT_READY = "1"
    READY_BUT_NOT_APPROVED = "2"
    NOT_READY_AND_NOT_APPROVED = "3"
    FAILED = "4"


@api_enum
class KalturaLicenseType(IntEnum):
    """License of the content."""

    UNKNOWN = -1
    NONE = 0
    COPYRIGHTED = 1
    PUBLIC_DOMAIN = 2
    CREATIVECOMMONS_ATTRIBUTION = 3
    CREATIVECOMMONS_ATTRIBUTION_SHARE_ALIKE = 4
    CREATIVECOMMONS_ATTRIBUTION_NO_DERIVATIVES = 5
    CREATIVECOMMONS_ATTRIBUTION_NON_COMMERCIAL = 6
    CREATIVECOMMONS_ATTRIBUTION_NON_COMMERCIAL_SHARE_ALIKE = 7
    CREATIVECOMMONS_ATTRIBUTION_NON_COMMERCIAL_NO_DERIVATIVES = 8
    GFDL = 9
    GPL = 10
    AFFERO_GPL = 11
    LGPL = 12
    BSD = 13
    APACHE = 14
    MOZILLA = 15


@api_enum
class KalturaEntryApplication(StrEnum):
    """Application that created the entry."""

    KMC = "0"
    KMS = "1"
    KAF = "2"
    PITCH = "3"
    KMS_GO = "4"
    WEBCAST_APP = "5"
    PERSONAL_CAPTURE = "6"
    KALTURA_MEETING = "7"
    EP = "8"
    CONTENT_LAB = "9"


@api_enum
class KalturaSearchProviderType(IntEnum):
    """External search provider a media entry came from."""

    FLICKR = 3
    YOUTUBE = 4
    MYSPACE = 7
    PHOTOBUCKET = 8
    JAMENDO = 9
    CCMIXTER = 10
    NYPL = 11
    CURRENT = 12
    MEDIA_COMMONS = 13
    KALTURA = 20
    KALTURA_USER_CLIPS = 21
    ARCHIVE_ORG = 22
    KALTURA_PARTNER = 23
    METACAFE = 24
    SEARCH_PROXY = 28
    PARTNER_SPECIFIC = 100


@api_object(abstract=True)
class KalturaOperationAttributes(KalturaObjectBase):
    """Clip, trim or crop instructions applied when content is attached."""


_ORDER_RANGE = "gte,lte,order"
_MATCH = "matchand,matchor"


@api_object
class KalturaBaseEntry(KalturaObjectBase):
    """An entry: the unit of content (media clip, document, data, playlist...)."""

    id: str = field(readonly=True, filters="eq,in,notin", doc="Entry id, e.g. 0_abcd1234")
    name: str = field(filters="like,mlikeor,mlikeand,eq,order", doc="Entry name")
    description: str = field(doc="Entry description")
    partnerId: int = field(readonly=True, filters="eq,in", doc="Owning partner")
    userId: str = field(filters="eq,in,notin", doc="Owner (user id); admins may set it")
    creatorId: str = field(insert_only=True, filters="eq", doc="Creating user")
    tags: str = field(filters="like,mlikeor,mlikeand", doc="Comma separated tags")
    adminTags: str = field(filters="like,mlikeor,mlikeand", doc="Tags only admins may set")
    categories: str = field(filters=_MATCH + ",notcontains",
                            doc="Deprecated: category full names (use categoryEntry)")
    categoriesIds: str = field(filters=_MATCH + ",notcontains,empty",
                               doc="Deprecated: category ids (use categoryEntry)")
    status: KalturaEntryStatus = field(readonly=True, filters="eq,not,in,notin",
                                       doc="Lifecycle status")
    moderationStatus: KalturaEntryModerationStatus = field(
        readonly=True, filters="eq,not,in,notin", doc="Moderation status")
    moderationCount: int = field(readonly=True, filters="order", doc="Times flagged")
    type: KalturaEntryType = field(filters="eq,in", doc="Entry type")
    createdAt: Time = field(readonly=True, filters=_ORDER_RANGE, doc="Creation time")
    updatedAt: Time = field(readonly=True, filters=_ORDER_RANGE, doc="Last update time")
    rank: float = field(readonly=True, filters="lte,gte,order", doc="totalRank / votes")
    totalRank: int = field(readonly=True, filters="lte,gte,order", doc="Sum of ranks")
    votes: int = field(readonly=True, doc="Number of votes")
    groupId: int = field(filters="eq", doc="Group id")
    partnerData: str = field(doc="Free-form data of the partner")
    downloadUrl: str = field(readonly=True, doc="URL of the source file")
    searchText: str = field(readonly=True, filters=_MATCH, doc="Indexed text")
    licenseType: KalturaLicenseType = field(doc="License")
    version: int = field(readonly=True, doc="Content version, raised by each new content")
    thumbnailUrl: str = field(readonly=True, doc="URL of the default thumbnail")
    accessControlId: int = field(filters="eq,in", doc="Access control profile; -1 removes it")
    startDate: Time = field(filters="gte,lte,gteornull,lteornull,order",
                            doc="Start of the scheduling window; -1 clears it")
    endDate: Time = field(filters="gte,lte,gteornull,lteornull,order",
                          doc="End of the scheduling window; -1 clears it")
    referenceId: str = field(filters="eq,in", doc="External id")
    replacingEntryId: str = field(readonly=True, filters="eq,in",
                                  doc="Temporary entry replacing this one")
    replacedEntryId: str = field(readonly=True, filters="eq,in",
                                 doc="Entry this temporary entry replaces")
    replacementStatus: KalturaEntryReplacementStatus = field(
        readonly=True, filters="eq,in", doc="Progress of a content replacement")
    partnerSortValue: int = field(filters="gte,lte,order", doc="Custom sort key")
    conversionProfileId: int = field(doc="Transcoding profile (default: the partner's)")
    redirectEntryId: str = field(doc="Entry played instead of this one")
    rootEntryId: str = field(readonly=True, filters="eq,in", doc="Original of a clip")
    parentEntryId: str = field(filters="eq", doc="Parent entry")
    operationAttributes: list[KalturaOperationAttributes] = field(
        doc="Clip / trim instructions")
    entitledUsersEdit: str = field(filters=_MATCH, doc="Users entitled to edit (CSV)")
    entitledUsersPublish: str = field(filters=_MATCH, doc="Users entitled to publish (CSV)")
    entitledUsersView: str = field(filters=_MATCH, doc="Users entitled to view (CSV)")
    capabilities: str = field(readonly=True, doc="Capabilities (CSV)")
    templateEntryId: str = field(insert_only=True, doc="Entry whose settings were copied")
    displayInSearch: KalturaEntryDisplayInSearchType = field(filters="eq,in",
                                                              doc="Search visibility")
    application: KalturaEntryApplication = field(insert_only=True, doc="Creating application")
    applicationVersion: str = field(insert_only=True, doc="Creating application's version")
    blockAutoTranscript: bool = field(doc="Do not transcribe automatically")
    defaultLanguage: str = field(readonly=True, doc="Default language")
    responseLanguage: str = field(readonly=True, doc="Language of this response")


@api_object
class KalturaPlayableEntry(KalturaBaseEntry):
    """An entry that can be played: counters, dimensions, duration."""

    plays: int = field(readonly=True, filters="order", doc="Number of plays")
    views: int = field(readonly=True, filters="order", doc="Number of views")
    lastPlayedAt: Time = field(readonly=True, filters="gte,lte,lteornull,order",
                               doc="Last play time")
    width: int = field(readonly=True, doc="Width of the source, pixels")
    height: int = field(readonly=True, doc="Height of the source, pixels")
    duration: int = field(readonly=True, filters="lt,gt,lte,gte,order", doc="Seconds")
    msDuration: int = field(doc="Milliseconds")
    durationType: KalturaDurationType = field(readonly=True, filters="matchor",
                                              doc="short, medium, long or notavailable")


@api_object
class KalturaMediaEntry(KalturaPlayableEntry):
    """A video, audio or image entry."""

    mediaType: KalturaMediaType = field(insert_only=True, filters="eq,in,order",
                                        doc="VIDEO, AUDIO or IMAGE")
    conversionQuality: str = field(insert_only=True, doc="Deprecated conversion quality")
    sourceType: KalturaSourceType = field(insert_only=True, filters="eq,not,in,notin",
                                          doc="Where the content came from")
    sourceVersion: str = field(insert_only=True, doc="Version of the source")
    searchProviderType: KalturaSearchProviderType = field(insert_only=True,
                                                          doc="Search provider")
    searchProviderId: str = field(insert_only=True, doc="Id at the search provider")
    creditUserName: str = field(doc="Credited user name")
    creditUrl: str = field(doc="Credited URL")
    mediaDate: Time = field(readonly=True, filters="gte,lte", doc="EXIF date of images")
    dataUrl: str = field(readonly=True, doc="Direct URL of the media (progressive)")
    flavorParamsIds: str = field(readonly=True, filters="matchor,matchand",
                                 doc="Flavor params that have flavors (CSV)")
    isTrimDisabled: KalturaNullableBoolean = field(readonly=True, doc="Trimming disabled")


@api_object
class KalturaDataEntry(KalturaBaseEntry):
    """An entry holding free data (text content, or any uploaded file)."""

    dataContent: str = field(doc="The data")
    retrieveDataContentByGet: bool = field(insert_only=True,
                                           doc="Return dataContent on get")


@api_object
class KalturaBaseEntryListResponse(KalturaListResponse):
    """A page of entries."""

    objects: list[KalturaBaseEntry] = field(readonly=True, doc="The entries")


@api_object
class KalturaMediaListResponse(KalturaListResponse):
    """A page of media entries."""

    objects: list[KalturaMediaEntry] = field(readonly=True, doc="The media entries")


@api_object
class KalturaDataListResponse(KalturaListResponse):
    """A page of data entries."""

    objects: list[KalturaDataEntry] = field(readonly=True, doc="The data entries")
