"""Custom metadata objects (plugin "metadata"): profiles holding an XSD, metadata holding XML
per object, their filters, and the advanced-search items that query metadata fields.

``KalturaSearchOperator``/``KalturaSearchCondition``/``KalturaSearchComparableCondition`` are
Kaltura core classes; they are declared here because metadata search is their main user.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from vpaas.objects.common import (
    KalturaFilter,
    KalturaListResponse,
    KalturaObjectBase,
    KalturaRelatedFilter,
    KalturaSearchItem,
)
from vpaas.objects.filters import make_filter_classes
from vpaas.registry import Time, api_enum, api_object, field
from vpaas.registry import field as api_field

PLUGIN = "metadata"


@api_enum
class KalturaMetadataProfileCreateMode(IntEnum):
    """Which tool created a metadata profile."""

    API = 1
    KMC = 2
    APP = 3


@api_enum
class KalturaMetadataProfileStatus(IntEnum):
    """Life of a metadata profile; deleted profiles are DEPRECATED."""

    ACTIVE = 1
    DEPRECATED = 2
    TRANSFORMING = 3


@api_enum
class KalturaMetadataStatus(IntEnum):
    """VALID metadata matches its profile's XSD; INVALID stopped matching after an XSD change."""

    VALID = 1
    INVALID = 2
    DELETED = 3


@api_enum
class KalturaMetadataObjectType(StrEnum):
    """The kind of object metadata describes."""

    ENTRY = "1"
    CATEGORY = "2"
    USER = "3"
    PARTNER = "4"
    DYNAMIC_OBJECT = "5"
    USER_ENTRY = "6"
    AD_CUE_POINT = "adCuePointMetadata.AdCuePoint"
    ANNOTATION = "annotationMetadata.Annotation"
    CODE_CUE_POINT = "codeCuePointMetadata.CodeCuePoint"
    ANSWER_CUE_POINT = "quiz.AnswerCuePoint"
    QUESTION_CUE_POINT = "quiz.QuestionCuePoint"
    THUMB_CUE_POINT = "thumbCuePointMetadata.thumbCuePoint"


@api_enum
class KalturaSearchOperatorType(IntEnum):
    """How the items of a search operator combine."""

    SEARCH_AND = 1
    SEARCH_OR = 2


@api_enum
class KalturaSearchConditionComparison(StrEnum):
    """Comparison of a comparable search condition."""

    EQUAL = "1"
    GREATER_THAN = "2"
    GREATER_THAN_OR_EQUAL = "3"
    LESS_THAN = "4"
    LESS_THAN_OR_EQUAL = "5"
    NOT_EQUAL = "6"


@api_object(plugin=PLUGIN)
class KalturaMetadataProfile(KalturaObjectBase):
    """A custom metadata schema: an XSD whose root element holds the fields."""

    id: int = field(readonly=True, filters="eq", doc="Profile id")
    partnerId: int = field(readonly=True, filters="eq", doc="Owner partner")
    metadataObjectType: KalturaMetadataObjectType = field(
        insert_only=True, filters="eq,in", doc="Kind of object the profile describes")
    version: int = field(readonly=True, filters="eq",
                         doc="Starts at 1; increases each time the XSD changes")
    name: str = field(filters="eq", doc="Display name")
    systemName: str = field(filters="eq,in", doc="Name for scripts")
    description: str = field(doc="Free text")
    createdAt: Time = field(readonly=True, filters="gte,lte,order", doc="Unix seconds")
    updatedAt: Time = field(readonly=True, filters="gte,lte,order", doc="Unix seconds")
    status: KalturaMetadataProfileStatus = field(readonly=True, filters="eq,in",
                                                 doc="ACTIVE, or DEPRECATED once deleted")
    xsd: str = field(readonly=True, doc="The XSD (set with the xsdData parameter)")
    views: str = field(readonly=True, doc="UI views definition (the viewsData parameter)")
    xslt: str = field(readonly=True, doc="Transformation applied to added XML (not supported)")
    createMode: KalturaMetadataProfileCreateMode = field(filters="eq,not,in,notin",
                                                         doc="Which tool created it")
    disableReIndexing: bool = field(doc="Accepted for compatibility; indexing is immediate")


@api_object(plugin=PLUGIN)
class KalturaMetadata(KalturaObjectBase):
    """The XML of one object for one profile, valid against the profile's XSD."""

    id: int = field(readonly=True, doc="Metadata id")
    partnerId: int = field(readonly=True, filters="eq", doc="Owner partner")
    metadataProfileId: int = field(readonly=True, filters="eq,in", doc="Profile id")
    metadataProfileVersion: int = field(readonly=True, filters="eq,gte,lte,order",
                                        doc="Profile version the XML was validated against")
    metadataObjectType: KalturaMetadataObjectType = field(
        readonly=True, filters="eq", doc="Kind of object (ENTRY when the filter omits it)")
    objectId: str = field(readonly=True, filters="eq,in", doc="The described object's id")
    version: int = field(readonly=True, filters="eq,gte,lte,order",
                         doc="Starts at 1; increases on every XML update")
    createdAt: Time = field(readonly=True, filters="gte,lte,order", doc="Unix seconds")
    updatedAt: Time = field(readonly=True, filters="gte,lte,order", doc="Unix seconds")
    status: KalturaMetadataStatus = field(readonly=True, filters="eq,in", doc="VALID or INVALID")
    xml: str = field(readonly=True, doc="The XML document")


@api_object(plugin=PLUGIN)
class KalturaMetadataProfileField(KalturaObjectBase):
    """A searchable field of a profile, addressed by its xPath in advanced search."""

    id: int = field(readonly=True, doc="Field id")
    xPath: str = field(readonly=True,
                       doc="e.g. /*[local-name()='metadata']/*[local-name()='Color']")
    key: str = field(readonly=True, doc="appinfo key, or the element name")
    label: str = field(readonly=True, doc="appinfo label, or the element name")


@api_object(plugin=PLUGIN)
class KalturaMetadataListResponse(KalturaListResponse):
    """A page of metadata objects."""

    objects: list[KalturaMetadata] = field(readonly=True, doc="The metadata objects")


@api_object(plugin=PLUGIN)
class KalturaMetadataProfileListResponse(KalturaListResponse):
    """A page of metadata profiles."""

    objects: list[KalturaMetadataProfile] = field(readonly=True, doc="The profiles")


@api_object(plugin=PLUGIN)
class KalturaMetadataProfileFieldListResponse(KalturaListResponse):
    """The searchable fields of a profile."""

    objects: list[KalturaMetadataProfileField] = field(readonly=True, doc="The fields")


def _register(base: type, top: type) -> None:
    api_enum(base.__order_enum__)  # type: ignore[attr-defined]
    api_object(base, abstract=True, plugin=PLUGIN)
    api_object(top, plugin=PLUGIN)


KalturaMetadataProfileBaseFilter, KalturaMetadataProfileFilter = make_filter_classes(
    KalturaMetadataProfile, KalturaFilter, register=False)
KalturaMetadataBaseFilter, KalturaMetadataFilter = make_filter_classes(
    KalturaMetadata, KalturaRelatedFilter, register=False)
_register(KalturaMetadataProfileBaseFilter, KalturaMetadataProfileFilter)
_register(KalturaMetadataBaseFilter, KalturaMetadataFilter)
KalturaMetadataProfileOrderBy = KalturaMetadataProfileBaseFilter.__order_enum__  # type: ignore
KalturaMetadataOrderBy = KalturaMetadataBaseFilter.__order_enum__  # type: ignore


@api_object
class KalturaSearchCondition(KalturaSearchItem):
    """Field matches value; for metadata, field is a profile field's xPath."""

    field: str = api_field(doc="What to match: an xPath for metadata fields")
    value: str = api_field(doc="The value; '*' matches any value")


@api_object
class KalturaSearchComparableCondition(KalturaSearchCondition):
    """Field compared with a number (int and date metadata fields)."""

    comparison: KalturaSearchConditionComparison = field(doc="=, >, >=, <, <= or <>")


@api_object
class KalturaSearchOperator(KalturaSearchItem):
    """Items combined with AND or OR."""

    type: KalturaSearchOperatorType = field(doc="SEARCH_AND (default) or SEARCH_OR")
    items: list[KalturaSearchItem] = field(doc="Conditions and nested operators")


@api_object(plugin=PLUGIN)
class KalturaMetadataSearchItem(KalturaSearchOperator):
    """Conditions on the custom metadata of one profile (advancedSearch of entry lists)."""

    metadataProfileId: int = field(doc="The profile whose fields the conditions name")
    orderBy: str = field(doc="Accepted for compatibility; not applied")
