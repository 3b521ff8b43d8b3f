"""Session objects: KS descriptions and widget sessions."""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import KalturaObjectBase
from vpaas.registry import Time, api_enum, api_object, field


@api_enum
class KalturaSessionType(IntEnum):
    """Kind of Kaltura Session."""

    USER = 0
    ADMIN = 2


@api_object
class KalturaSessionInfo(KalturaObjectBase):
    """What a KS grants: partner, user, type, expiry and privileges."""

    ks: str = field(readonly=True, doc="The session string")
    sessionType: KalturaSessionType = field(readonly=True, doc="USER or ADMIN")
    partnerId: int = field(readonly=True, doc="The partner the session belongs to")
    userId: str = field(readonly=True, doc="The user of the session")
    expiry: Time = field(readonly=True, doc="When the session expires (unix seconds)")
    privileges: str = field(readonly=True, doc="Comma separated privileges")


@api_object
class KalturaStartWidgetSessionResponse(KalturaObjectBase):
    """The anonymous session a player page gets from its widget id."""

    partnerId: int = field(readonly=True, doc="The widget's partner")
    ks: str = field(readonly=True, doc="The widget session")
    userId: str = field(readonly=True, doc="Always 0 for widget sessions")
