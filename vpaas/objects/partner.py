"""Partner (tenant) objects."""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import KalturaObjectBase
from vpaas.registry import Time, api_enum, api_object, field


@api_enum
class KalturaPartnerStatus(IntEnum):
    """Whether a partner may use the API."""

    DELETED = 0
    ACTIVE = 1
    BLOCKED = 2
    FULL_BLOCK = 3


@api_object
class KalturaPartner(KalturaObjectBase):
    """A partner account: the tenant every object belongs to."""

    id: int = field(readonly=True, doc="Partner id")
    name: str = field(doc="Partner name")
    website: str = field(doc="Web site")
    adminEmail: str = field(doc="Administrator e-mail")
    description: str = field(doc="Free text")
    createdAt: Time = field(readonly=True, doc="Creation time")
    status: KalturaPartnerStatus = field(readonly=True, doc="Account status")
    adminSecret: str = field(readonly=True, doc="Admin secret (admin sessions only)")
    secret: str = field(readonly=True, doc="User secret (admin sessions only)")
    serviceUrl: str = field(readonly=True, doc="Base URL of this server")
    cdnHost: str = field(readonly=True, doc="Host that serves media")
