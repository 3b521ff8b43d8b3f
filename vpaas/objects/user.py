"""User objects: the partner's end users (Kaltura "kusers"), their enums and filters.

A user is identified by the string id the partner's own system uses (``id``, the KS's user);
the pair (partnerId, id) is unique.
"""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import KalturaListResponse, KalturaObjectBase, KalturaRelatedFilter
from vpaas.objects.filters import make_filter_classes
from vpaas.registry import Time, api_enum, api_object, field


@api_enum
class KalturaUserStatus(IntEnum):
    """Whether a user is usable."""

    BLOCKED = 0
    ACTIVE = 1
    DELETED = 2


@api_enum
class KalturaUserType(IntEnum):
    """A person or a group of users."""

    USER = 0
    GROUP = 1
    APPLICATIVE_GROUP = 2


@api_enum
class KalturaGender(IntEnum):
    """Gender, as the user gave it."""

    UNKNOWN = 0
    MALE = 1
    FEMALE = 2


_RANGE = "gte,lte,order"


@api_object
class KalturaBaseUser(KalturaObjectBase):
    """The fields every kind of user has."""

    id: str = field(insert_only=True, filters="eq,in,order",
                    doc="The user's id in the partner's system (letters, digits and "
                        "!#$%&'*+?^_`{|}~.@,- ; at most 320 characters)")
    partnerId: int = field(readonly=True, filters="eq", doc="Owning partner")
    screenName: str = field(filters="like,likex", doc="Display name (default: the id)")
    fullName: str = field(doc="Full name (default: firstName lastName)")
    email: str = field(filters="like,likex", doc="Email address")
    country: str = field(doc="Country")
    state: str = field(doc="State")
    city: str = field(doc="City")
    zip: str = field(doc="Postal code")
    thumbnailUrl: str = field(doc="Picture URL")
    description: str = field(doc="Description")
    tags: str = field(filters="mlikeor,mlikeand", doc="Comma separated tags")
    adminTags: str = field(doc="Comma separated tags only admin sessions may set")
    status: KalturaUserStatus = field(filters="eq,in",
                                      doc="ACTIVE (default), BLOCKED or DELETED; admin only")
    createdAt: Time = field(readonly=True, filters=_RANGE, doc="Creation time")
    updatedAt: Time = field(readonly=True, filters=_RANGE, doc="Last update time")
    partnerData: str = field(doc="Free text for the partner's own use")
    statusUpdatedAt: Time = field(readonly=True, doc="When the status last changed")
    deletedAt: Time = field(readonly=True, doc="When the user was deleted")


_, KalturaBaseUserFilter = make_filter_classes(KalturaBaseUser, KalturaRelatedFilter)


@api_object
class KalturaUser(KalturaBaseUser):
    """A user of the partner (a viewer, an uploader, an administrator...)."""

    type: KalturaUserType = field(filters="eq,in", doc="USER (default) or a group")
    gender: KalturaGender = field(doc="Gender")
    isAdmin: bool = field(filters="eq", doc="An administrator of the partner; admin only")
    roleIds: str = field(doc="Comma separated role ids (stored, not enforced); admin only")
    firstName: str = field(filters="likex", doc="First name")
    lastName: str = field(filters="likex", doc="Last name")
    title: str = field(doc="Job title")
    company: str = field(doc="Company")


KalturaUserBaseFilter, KalturaUserFilter = make_filter_classes(KalturaUser,
                                                               KalturaBaseUserFilter)


@api_object
class KalturaUserListResponse(KalturaListResponse):
    """A page of users."""

    objects: list[KalturaUser] = field(readonly=True, doc="The users")
