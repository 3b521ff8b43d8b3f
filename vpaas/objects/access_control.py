"""Access-control objects: profiles, rules, conditions, actions, and the explain result.

Names and fields are Kaltura's (``KalturaAccessControlProfile``, ``KalturaRule``,
``KalturaSiteCondition``...). ``KalturaCondition`` has a field called ``not``, which is not a
Python identifier: it is read and written with ``getattr(obj, "not")``.
``KalturaAccessControlExplanation`` and its parts are a vpaas extension.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from vpaas.objects.common import (
    KalturaListResponse,
    KalturaNullableBoolean,
    KalturaObjectBase,
    KalturaRelatedFilter,
    KalturaString,
    KalturaValue,
)
from vpaas.objects.filters import make_filter_classes
from vpaas.objects.session import KalturaSessionType
from vpaas.registry import Time, api_enum, api_object, field


def _add_field(cls: type, name: str, type_name: str, decl: Any) -> None:
    """Declare a field whose name is a Python keyword (``not``)."""
    cls.__annotations__[name] = type_name
    setattr(cls, name, decl)


@api_enum
class KalturaContextType(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """Where a rule applies."""

    PLAY = "1"
    DOWNLOAD = "2"
    THUMBNAIL = "3"
    METADATA = "4"
    EXPORT = "5"
    SERVE = "6"


@api_enum
class KalturaConditionType(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """Condition kinds (the ones vpaas evaluates)."""

    AUTHENTICATED = "1"
    COUNTRY = "2"
    IP_ADDRESS = "3"
    SITE = "4"
    USER_AGENT = "5"
    OR_OPERATOR = "11"
    ENTRY_SCHEDULED = "19"
    SESSION_TYPE = "22"


@api_enum
class KalturaRuleActionType(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """Rule action kinds (the ones vpaas applies)."""

    BLOCK = "1"
    PREVIEW = "2"
    LIMIT_FLAVORS = "3"
    LIMIT_THUMBNAIL_CAPTURE = "8"


@api_enum
class KalturaMatchConditionType(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """How a multi-valued field is matched (vpaas' fields are single-valued)."""

    MATCH_ANY = "1"
    MATCH_ALL = "2"


@api_enum
class KalturaGeoCoderType(str, Enum):  # noqa: UP042 - the registry maps (str, Enum) to string enums
    """Geo-IP engine; vpaas always uses its bundled offline database."""

    KALTURA = "1"
    MAX_MIND = "2"
    DIGITAL_ELEMENT = "3"


@api_object
class KalturaStringValue(KalturaValue):
    """A string value of a condition."""

    value: str = field(doc="The value")


@api_object
class KalturaContextTypeHolder(KalturaObjectBase):
    """Wraps one context type."""

    type: KalturaContextType = field(doc="The context")


@api_object
class KalturaAccessControlContextTypeHolder(KalturaContextTypeHolder):
    """Wraps one access-control context type."""


@api_object
class KalturaAccessControlMessage(KalturaObjectBase):
    """A message of a firing rule, as getPlaybackContext returns it."""

    message: str = field(doc="Text for the viewer")
    code: str = field(doc="The rule's code (SCHEDULED_RESTRICTED, COUNTRY_RESTRICTED...)")


# --- actions ------------------------------------------------------------------------------


@api_object(abstract=True)
class KalturaRuleAction(KalturaObjectBase):
    """What a firing rule does."""

    type: KalturaRuleActionType = field(readonly=True, doc="The action kind")


@api_object
class KalturaAccessControlBlockAction(KalturaRuleAction):
    """Refuse the request (ACCESS_CONTROL_RESTRICTED)."""


@api_object
class KalturaAccessControlPreviewAction(KalturaRuleAction):
    """Serve only the first ``limit`` seconds (playManifest clips)."""

    limit: int = field(doc="Preview length in seconds")


@api_object
class KalturaAccessControlLimitFlavorsAction(KalturaRuleAction):
    """Serve only some flavors."""

    flavorParamsIds: str = field(doc="Comma separated flavor params ids")
    isBlockedList: bool = field(doc="True: the ids are refused; false: only they are served")


@api_object
class KalturaAccessControlLimitThumbnailCaptureAction(KalturaRuleAction):
    """Refuse thumbnails captured from the video (``vid_sec``, ``vid_slice``)."""


# --- conditions ---------------------------------------------------------------------------


@api_object(abstract=True)
class KalturaCondition(KalturaObjectBase):
    """A condition of a rule; ``not`` inverts it."""

    type: KalturaConditionType = field(readonly=True, doc="The condition kind")
    description: str = field(doc="Free text")


_add_field(KalturaCondition, "not", "bool", field(doc="Invert the condition"))


@api_object(abstract=True)
class KalturaMatchCondition(KalturaCondition):
    """A condition true when a request field matches one of ``values`` (none listed: true)."""

    values: list[KalturaStringValue] = field(doc="Values; each may hold a comma separated list")
    matchType: KalturaMatchConditionType = field(doc="MATCH_ANY or MATCH_ALL (default)")


@api_object
class KalturaSiteCondition(KalturaMatchCondition):
    """The referrer's host is one of the domains (or a subdomain of one)."""


@api_object
class KalturaCountryCondition(KalturaMatchCondition):
    """The client's country (ISO 3166 alpha-2, from the bundled offline geo-IP database)."""

    geoCoderType: KalturaGeoCoderType = field(doc="Ignored: the bundled database is used")


@api_object
class KalturaIpAddressCondition(KalturaMatchCondition):
    """The client address is in one of the ranges: ``1.2.3.4``, ``1.2.3.0/24``,
    ``1.2.3.0/255.255.255.0``, ``1.2.3.4-1.2.3.9`` (IPv6 too)."""

    acceptInternalIps: bool = field(doc="With httpHeader: private addresses there count")
    httpHeader: str = field(doc="Take the address from this request header instead")


@api_object(abstract=True)
class KalturaRegexCondition(KalturaMatchCondition):
    """A match condition whose values are case-insensitive regular expressions."""


@api_object
class KalturaUserAgentCondition(KalturaRegexCondition):
    """The user agent equals or matches one of the patterns (each at most 512 chars)."""


@api_object
class KalturaAuthenticatedCondition(KalturaCondition):
    """A KS of the partner is present: admin, or holding one of ``privileges`` for the entry
    (default ``sview`` and ``sviewplaylist``; ``widget`` means a widget session)."""

    privileges: list[KalturaStringValue] = field(doc="Privilege names")


@api_object
class KalturaEntryScheduledCondition(KalturaCondition):
    """The entry is within its startDate/endDate window now."""


@api_object
class KalturaSessionTypeCondition(KalturaCondition):
    """The KS is of the given type (false without a KS, even with ``not``)."""

    sessionType: KalturaSessionType = field(doc="USER or ADMIN (default)")


@api_object
class KalturaOrCondition(KalturaCondition):
    """True when any of its conditions is (nests at most 3 deep)."""

    conditions: list[KalturaCondition] = field(doc="The alternatives")


# --- rules and profiles -------------------------------------------------------------------


@api_object
class KalturaRule(KalturaObjectBase):
    """Conditions (all must hold) and the actions and message they trigger."""

    description: str = field(doc="Free text")
    ruleData: str = field(doc="Free data kept with the rule")
    message: str = field(doc="Message returned when the rule fires")
    code: str = field(doc="Code of that message")
    actions: list[KalturaRuleAction] = field(doc="What the rule does when it fires")
    conditions: list[KalturaCondition] = field(doc="All must hold for the rule to fire")
    contexts: list[KalturaContextTypeHolder] = field(doc="Where it applies (none: everywhere)")
    stopProcessing: bool = field(doc="Skip the following rules when this one fires")
    forceAdminValidation: bool = field(doc="Apply the rule to admin sessions too")


@api_object
class KalturaAccessControlProfile(KalturaObjectBase):
    """A named, ordered list of rules; entries refer to it by ``accessControlId``."""

    id: int = field(readonly=True, filters="eq,in", doc="Profile id")
    partnerId: int = field(readonly=True, doc="Owner partner")
    name: str = field(doc="Name (1-128 characters)")
    systemName: str = field(filters="eq,in", doc="Unique system name (at most 128 chars)")
    description: str = field(doc="Description (at most 1024 chars)")
    createdAt: Time = field(readonly=True, filters="gte,lte,order", doc="Unix seconds")
    updatedAt: Time = field(readonly=True, filters="gte,lte,order", doc="Unix seconds")
    isDefault: KalturaNullableBoolean = field(doc="The partner's default profile")
    rules: list[KalturaRule] = field(doc="Rules, evaluated in order")


KalturaAccessControlProfileBaseFilter, KalturaAccessControlProfileFilter = make_filter_classes(
    KalturaAccessControlProfile, KalturaRelatedFilter)


@api_object
class KalturaAccessControlProfileListResponse(KalturaListResponse):
    """A page of access-control profiles."""

    objects: list[KalturaAccessControlProfile] = field(readonly=True, doc="The profiles")


# --- explain (vpaas extension) ------------------------------------------------------------


@api_object
class KalturaAccessControlConditionExplanation(KalturaObjectBase):
    """vpaas: how one condition of a rule evaluated."""

    index: int = field(readonly=True, doc="Position in the rule")
    conditionType: KalturaConditionType = field(readonly=True, doc="Condition kind")
    description: str = field(readonly=True, doc="The condition's description")
    evaluated: bool = field(readonly=True, doc="False after an earlier false condition")
    matched: bool = field(readonly=True, doc="The test's result before 'not'")
    fulfilled: bool = field(readonly=True, doc="The result after 'not'")
    reason: str = field(readonly=True, doc="Why, in words")


_add_field(KalturaAccessControlConditionExplanation, "not", "bool",
           field(readonly=True, doc="The condition's 'not' flag"))


@api_object
class KalturaAccessControlRuleExplanation(KalturaObjectBase):
    """vpaas: what happened to one rule."""

    index: int = field(readonly=True, doc="Position in the profile")
    description: str = field(readonly=True, doc="The rule's description")
    outcome: str = field(readonly=True, doc="fired, not fulfilled, not in context, skipped "
                         "for admin KS or not reached")
    fired: bool = field(readonly=True, doc="Whether the rule's actions apply")
    reason: str = field(readonly=True, doc="Why, in words")
    conditions: list[KalturaAccessControlConditionExplanation] = field(
        readonly=True, doc="Each condition's result")
    actions: list[KalturaRuleAction] = field(readonly=True, doc="Actions added (if fired)")


@api_object
class KalturaAccessControlExplanation(KalturaObjectBase):
    """vpaas: the decision access control takes for an entry and a request, and why."""

    accessControlId: int = field(readonly=True, doc="The profile that governs the entry")
    accessControlName: str = field(readonly=True, doc="Its name")
    entryId: str = field(readonly=True, doc="The entry")
    contextType: KalturaContextType = field(readonly=True, doc="The context evaluated")
    allowed: bool = field(readonly=True, doc="Whether the request would be served")
    reason: str = field(readonly=True, doc="The decision in words")
    scheduled: bool = field(readonly=True, doc="Within schedule (or exempt)")
    previewSeconds: int = field(readonly=True, doc="Preview length, when previewing")
    allowedFlavorParamsIds: str = field(readonly=True, doc="Only these flavors, when limited")
    blockedFlavorParamsIds: str = field(readonly=True, doc="These flavors are refused")
    limitThumbnailCapture: bool = field(readonly=True, doc="Video captures are refused")
    country: str = field(readonly=True, doc="Country of the IP (empty when unknown)")
    referrerHost: str = field(readonly=True, doc="Host of the referrer")
    messages: list[KalturaAccessControlMessage] = field(readonly=True, doc="Viewer messages")
    actions: list[KalturaRuleAction] = field(readonly=True, doc="Actions of firing rules")
    rules: list[KalturaAccessControlRuleExplanation] = field(readonly=True, doc="Per rule")
    notes: list[KalturaString] = field(readonly=True, doc="Session and scheduling notes")


__all__ = ["KalturaAccessControlProfileBaseFilter", "KalturaAccessControlProfileFilter",
           "KalturaString"]
