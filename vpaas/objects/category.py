"""Category objects: the category tree (KalturaCategory), entry membership
(KalturaCategoryEntry), their enums, filters and list responses.
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
class KalturaCategoryStatus(IntEnum):
    """Life of a category; DELETED categories are gone for the API."""

    UPDATING = 1
    ACTIVE = 2
    DELETED = 3
    PURGED = 4


@api_enum
class KalturaCategoryEntryStatus(IntEnum):
    """State of an entry's membership in a category (PENDING awaits moderation)."""

    PENDING = 1
    ACTIVE = 2
    DELETED = 3
    REJECTED = 4


@api_enum
class KalturaAppearInListType(IntEnum):
    """Who sees the category in category.list."""

    PARTNER_ONLY = 1
    CATEGORY_MEMBERS_ONLY = 3


@api_enum
class KalturaPrivacyType(IntEnum):
    """Who may see the entries of a category (with entitlement)."""

    ALL = 1
    AUTHENTICATED_USERS = 2
    MEMBERS_ONLY = 3


@api_enum
class KalturaInheritanceType(IntEnum):
    """Whether a category's members come from its parent."""

    INHERIT = 1
    MANUAL = 2


@api_enum
class KalturaUserJoinPolicyType(IntEnum):
    """Who may ask to join a category."""

    AUTO_JOIN = 1
    REQUEST_TO_JOIN = 2
    NOT_ALLOWED = 3


@api_enum
class KalturaCategoryUserPermissionLevel(IntEnum):
    """Permission level of a category member."""

    MANAGER = 0
    MODERATOR = 1
    CONTRIBUTOR = 2
    MEMBER = 3
    NONE = 4


@api_enum
class KalturaContributionPolicyType(IntEnum):
    """Who may add entries to a category."""

    ALL = 1
    MEMBERS_WITH_CONTRIBUTION_PERMISSION = 2


_ORDER_RANGE = "gte,lte,order"


@api_object
class KalturaCategory(KalturaObjectBase):
    """A node of the partner's category tree; entries are placed in it with categoryEntry.

    ``fullName`` joins the names from the root with ``>``, ``fullIds`` the ids. Moving or
    renaming a category rewrites both for its whole subtree.
    """

    id: int = field(readonly=True, filters="eq,in,notin", doc="Category id")
    parentId: int = field(filters="eq,in", doc="Parent category id; 0 for a root category")
    depth: int = field(readonly=True, filters="eq,order", doc="0 for a root category")
    partnerId: int = field(readonly=True, doc="Owning partner")
    name: str = field(filters="order",
                      doc="Name (1-128 characters; '<', '>' and ',' are not allowed)")
    fullName: str = field(readonly=True, filters="eq,likex,in,order",
                          doc="Names from the root, joined with '>'")
    fullIds: str = field(readonly=True, filters="eq,likex,matchor",
                         doc="Ids from the root, joined with '>'")
    entriesCount: int = field(readonly=True, filters="order",
                              doc="Distinct entries in this category and its subcategories")
    createdAt: Time = field(readonly=True, filters=_ORDER_RANGE, doc="Creation time")
    updatedAt: Time = field(readonly=True, filters=_ORDER_RANGE, doc="Last update time")
    description: str = field(doc="Description")
    tags: str = field(filters="like,mlikeor,mlikeand", doc="Comma separated tags")
    appearInList: KalturaAppearInListType = field(filters="eq", doc="Who sees it in lists")
    privacy: KalturaPrivacyType = field(filters="eq,in", doc="Privacy of its entries")
    inheritanceType: KalturaInheritanceType = field(filters="eq,in",
                                                    doc="Members inherited or manual")
    userJoinPolicy: KalturaUserJoinPolicyType = field(readonly=True, doc="Join policy")
    defaultPermissionLevel: KalturaCategoryUserPermissionLevel = field(
        doc="Permission level of new members")
    owner: str = field(doc="Owner (user id)")
    directEntriesCount: int = field(readonly=True, filters="order",
                                    doc="Entries placed in this very category")
    referenceId: str = field(filters="eq,empty", doc="External id")
    contributionPolicy: KalturaContributionPolicyType = field(
        filters="eq", doc="Who may add entries")
    membersCount: int = field(readonly=True, filters=_ORDER_RANGE, doc="Active members")
    pendingMembersCount: int = field(readonly=True, filters="gte,lte", doc="Pending members")
    privacyContext: str = field(
        filters="eq", doc="Privacy context(s) set on this category (comma separated, "
        "letters and digits, 4+ characters each)")
    privacyContexts: str = field(readonly=True,
                                 doc="Privacy contexts in force: its own, else its parent's")
    status: KalturaCategoryStatus = field(readonly=True, filters="eq,in", doc="Status")
    inheritedParentId: int = field(readonly=True, filters="eq,in",
                                   doc="Category whose members this one inherits")
    partnerSortValue: int = field(filters=_ORDER_RANGE, doc="Custom sort key")
    partnerData: str = field(doc="Free-form data of the partner")
    defaultOrderBy: str = field(doc="How clients should sort the subcategories "
                                    "(a KalturaCategoryOrderBy value)")
    directSubCategoriesCount: int = field(readonly=True, filters="order",
                                          doc="Number of direct subcategories")
    moderation: KalturaNullableBoolean = field(
        doc="Entries added by non-admin sessions wait for moderation (PENDING)")
    pendingEntriesCount: int = field(readonly=True, doc="Entries awaiting moderation")
    isAggregationCategory: KalturaNullableBoolean = field(doc="Aggregation category")
    aggregationCategories: str = field(filters="mlikeor,mlikeand",
                                       doc="Aggregation categories it belongs to (CSV)")
    adminTags: str = field(doc="Tags only admins may set")


class CategoryFilterExtras:
    """Filter of category lists."""

    freeText: str = field(doc="Words found in name, description, tags or referenceId")
    membersIn: str = field(doc="Categories with any of these members (not supported: "
                               "memberships are not kept)")
    nameOrReferenceIdStartsWith: str = field(doc="Name or referenceId starts with")
    managerEqual: str = field(doc="Categories managed by this user (its owner)")
    memberEqual: str = field(doc="Categories with this member (its owner, here)")
    fullNameStartsWithIn: str = field(doc="Full name starts with any of (comma separated)")
    ancestorIdIn: str = field(doc="Descendants of any of these categories (comma separated)")
    idOrInheritedParentIdIn: str = field(doc="id or inheritedParentId in (comma separated)")


KalturaCategoryBaseFilter, KalturaCategoryFilter = make_filter_classes(
    KalturaCategory, KalturaRelatedFilter, extra=CategoryFilterExtras)


@api_object
class KalturaCategoryListResponse(KalturaListResponse):
    """A page of categories."""

    objects: list[KalturaCategory] = field(readonly=True, doc="The categories")


@api_object
class KalturaCategoryEntry(KalturaObjectBase):
    """An entry placed in a category."""

    categoryId: int = field(filters="eq,in", doc="The category")
    entryId: str = field(filters="eq,in", doc="The entry")
    createdAt: Time = field(readonly=True, filters=_ORDER_RANGE, doc="When it was added")
    categoryFullIds: str = field(readonly=True, filters="likex",
                                 doc="fullIds of the category")
    status: KalturaCategoryEntryStatus = field(readonly=True, filters="eq,in",
                                               doc="ACTIVE, or PENDING moderation")
    creatorUserId: str = field(readonly=True, filters="eq,in", doc="User who added it")


KalturaCategoryEntryBaseFilter, KalturaCategoryEntryFilter = make_filter_classes(
    KalturaCategoryEntry, KalturaRelatedFilter)


@api_object
class KalturaCategoryEntryListResponse(KalturaListResponse):
    """A page of category memberships."""

    objects: list[KalturaCategoryEntry] = field(readonly=True,
                                                doc="The category entries")
