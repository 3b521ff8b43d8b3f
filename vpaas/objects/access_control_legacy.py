"""The legacy ``accessControl`` service's objects: profiles made of restrictions.

Each restriction stands for one rule of the same profile (see
:mod:`vpaas.services.access_control`); a profile holding other rules reports
``containsUnsuportedRestrictions`` (Kaltura's spelling).
"""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import (
    KalturaListResponse,
    KalturaNullableBoolean,
    KalturaObjectBase,
    KalturaRelatedFilter,
)
from vpaas.objects.filters import make_filter_classes
from vpaas.registry import Time, api_enum, api_object, field


@api_enum
class KalturaSiteRestrictionType(IntEnum):
    """Whether the site list is refused or the only one allowed."""

    RESTRICT_SITE_LIST = 0
    ALLOW_SITE_LIST = 1


@api_enum
class KalturaCountryRestrictionType(IntEnum):
    """Whether the country list is refused or the only one allowed."""

    RESTRICT_COUNTRY_LIST = 0
    ALLOW_COUNTRY_LIST = 1


@api_enum
class KalturaIpAddressRestrictionType(IntEnum):
    """Whether the address list is refused or the only one allowed."""

    RESTRICT_LIST = 0
    ALLOW_LIST = 1


@api_enum
class KalturaUserAgentRestrictionType(IntEnum):
    """Whether the user-agent patterns are refused or the only ones allowed."""

    RESTRICT_LIST = 0
    ALLOW_LIST = 1


@api_enum
class KalturaLimitFlavorsRestrictionType(IntEnum):
    """Whether the flavor list is refused or the only one allowed."""

    RESTRICT_LIST = 0
    ALLOW_LIST = 1


@api_object(abstract=True)
class KalturaBaseRestriction(KalturaObjectBase):
    """A legacy restriction (one rule of the profile)."""


@api_object
class KalturaSiteRestriction(KalturaBaseRestriction):
    """Refuse, or allow only, referrers of these domains."""

    siteRestrictionType: KalturaSiteRestrictionType = field(doc="Refuse or allow only")
    siteList: str = field(doc="Comma separated domains")


@api_object
class KalturaCountryRestriction(KalturaBaseRestriction):
    """Refuse, or allow only, these countries."""

    countryRestrictionType: KalturaCountryRestrictionType = field(doc="Refuse or allow only")
    countryList: str = field(doc="Comma separated ISO 3166 alpha-2 codes")


@api_object
class KalturaSessionRestriction(KalturaBaseRestriction):
    """Require a KS with the ``sview`` privilege for the entry (or an admin KS)."""


@api_object
class KalturaPreviewRestriction(KalturaSessionRestriction):
    """Without such a KS, serve only a preview."""

    previewLength: int = field(doc="Preview length in seconds")


@api_object
class KalturaIpAddressRestriction(KalturaBaseRestriction):
    """Refuse, or allow only, these addresses and ranges."""

    ipAddressRestrictionType: KalturaIpAddressRestrictionType = field(doc="Refuse or allow only")
    ipAddressList: str = field(doc="Comma separated addresses, ranges or networks")


@api_object
class KalturaUserAgentRestriction(KalturaBaseRestriction):
    """Refuse, or allow only, these user agents."""

    userAgentRestrictionType: KalturaUserAgentRestrictionType = field(
        doc="Refuse or allow only")
    userAgentRegexList: str = field(doc="Comma separated regular expressions")


@api_object
class KalturaLimitFlavorsRestriction(KalturaBaseRestriction):
    """Refuse, or allow only, these flavor params."""

    limitFlavorsRestrictionType: KalturaLimitFlavorsRestrictionType = field(
        doc="Refuse or allow only")
    flavorParamsIds: str = field(doc="Comma separated flavor params ids")


@api_object
class KalturaAccessControl(KalturaObjectBase):
    """An access-control profile seen as restrictions (the legacy form of
    KalturaAccessControlProfile; same ids)."""

    id: int = field(readonly=True, filters="eq,in", doc="Profile id")
    partnerId: int = field(readonly=True, doc="Owner partner")
    name: str = field(doc="Name (1-128 characters)")
    systemName: str = field(filters="eq,in", doc="Unique system name")
    description: str = field(doc="Description")
    createdAt: Time = field(readonly=True, filters="gte,lte,order", doc="Unix seconds")
    isDefault: KalturaNullableBoolean = field(doc="The partner's default profile")
    restrictions: list[KalturaBaseRestriction] = field(doc="The restrictions")
    containsUnsuportedRestrictions: bool = field(
        readonly=True, doc="The profile has rules that restrictions cannot show")


KalturaAccessControlBaseFilter, KalturaAccessControlFilter = make_filter_classes(
    KalturaAccessControl, KalturaRelatedFilter)


@api_object
class KalturaAccessControlListResponse(KalturaListResponse):
    """A page of access-control profiles (legacy form)."""

    objects: list[KalturaAccessControl] = field(readonly=True, doc="The profiles")
