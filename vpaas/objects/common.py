"""Objects every service shares: pagers, list responses, filters, wrappers."""

from __future__ import annotations

from enum import IntEnum

from vpaas.registry import KalturaObject, api_enum, api_object, field


@api_object(abstract=True)
class KalturaObjectBase(KalturaObject):
    """Root of every API object."""

    relatedObjects: dict[str, KalturaListResponse] | None = field(
        readonly=True, doc="Objects related to this one, per the response profile")


@api_object(abstract=True)
class KalturaListResponse(KalturaObjectBase):
    """A page of results plus the total number of matches."""

    totalCount: int = field(readonly=True, doc="Number of matching objects, over all pages")


@api_object(abstract=True)
class KalturaPager(KalturaObjectBase):
    """Base of pagers."""


@api_object
class KalturaFilterPager(KalturaPager):
    """Which page of a list to return.

    ``pageSize`` defaults to 30 and is capped at 500; ``pageIndex`` starts at 1.
    """

    pageSize: int = field(doc="Objects per page (1-500, default 30)")
    pageIndex: int = field(doc="1-based page number")


@api_object(abstract=True)
class KalturaFilter(KalturaObjectBase):
    """Base of every list filter."""

    orderBy: str = field(doc="Ordering: +field or -field, comma separated")
    advancedSearch: KalturaSearchItem = field(doc="Extra conditions, e.g. on custom metadata")


@api_object(abstract=True)
class KalturaRelatedFilter(KalturaFilter):
    """A filter that can also select related objects."""


@api_object(abstract=True)
class KalturaSearchItem(KalturaObjectBase):
    """An advanced-search condition."""


@api_object
class KalturaString(KalturaObjectBase):
    """A string wrapped as an object, for arrays of strings."""

    value: str = field(doc="The string")


@api_object
class KalturaKeyValue(KalturaObjectBase):
    """A key and its value."""

    key: str = field(doc="The key")
    value: str = field(doc="The value")


@api_object
class KalturaValue(KalturaObjectBase):
    """A generic value."""

    description: str = field(doc="What the value means")


@api_enum
class KalturaNullableBoolean(IntEnum):
    """A boolean that may be left unset (-1)."""

    NULL_VALUE = -1
    FALSE_VALUE = 0
    TRUE_VALUE = 1


@api_enum
class KalturaResponseType(IntEnum):
    """The ``format`` request parameter."""

    RESPONSE_TYPE_JSON = 1
    RESPONSE_TYPE_XML = 2
    RESPONSE_TYPE_PHP = 3
    RESPONSE_TYPE_JSONP = 9
