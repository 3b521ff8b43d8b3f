"""Entry list filters, generated from the entry objects' ``filters=`` declarations, and the
cursor pager and responses of keyset paging.

The chain is Kaltura's: ``KalturaMediaEntryFilter → KalturaMediaEntryBaseFilter →
KalturaPlayableEntryFilter → KalturaPlayableEntryBaseFilter → KalturaBaseEntryFilter →
KalturaBaseEntryBaseFilter → KalturaRelatedFilter``; documents and data entries branch off
``KalturaBaseEntryFilter``. What the properties mean: ``docs/library.md``.
"""

from __future__ import annotations

from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean, KalturaRelatedFilter
from vpaas.objects.document import KalturaDocumentEntry
from vpaas.objects.entry import (
    KalturaBaseEntry,
    KalturaBaseEntryListResponse,
    KalturaDataEntry,
    KalturaMediaEntry,
    KalturaMediaListResponse,
    KalturaPlayableEntry,
)
from vpaas.objects.filters import make_filter_classes
from vpaas.registry import api_object, field

_TAG_FIELDS = (("tags", "name"), ("tags", "adminTags"), ("tags", "adminTags", "name"))


class BaseEntryFilterExtras:
    """Filter of entry lists: every entry type (media, documents, data...).

    Without a status condition only READY entries are listed; see docs/library.md for the
    defaults, freeText's operators and cursor paging.
    """

    freeText: str = field(doc="Words to search in name, tags, description, ids, reference id "
                              "and custom metadata (Kaltura's search operators)")
    excludedFreeTextGroups: str = field(doc="Accepted for compatibility; has no effect")
    descriptionLike: str = field(doc="description contains (case-insensitive)")
    isRoot: KalturaNullableBoolean = field(doc="1: entries that are not clips of another entry;"
                                               " 0: clips only")
    categoriesFullNameIn: str = field(doc="In one of these categories (full names, comma "
                                          "separated)")
    categoryAncestorIdIn: str = field(doc="In one of these categories or their sub-categories "
                                          "(ids, comma separated)")
    redirectFromEntryId: str = field(doc="The entry this entry redirects to (itself if none)")
    conversionProfileIdEqual: int = field(doc="conversionProfileId equal to")
    idGreaterThan: str = field(doc="id greater than (keyset paging with orderBy=+id; vpaas "
                                   "extension)")


BASE_ORDER_EXTRAS = ("recent", "weight", "id")
"""Sortable names besides the declared fields: Kaltura's recent/weight, and vpaas's id."""

KalturaBaseEntryBaseFilter, KalturaBaseEntryFilter = make_filter_classes(
    KalturaBaseEntry, KalturaRelatedFilter, extra=BaseEntryFilterExtras,
    composites=[(op, f) for op in ("mlikeor", "mlikeand") for f in _TAG_FIELDS],
    extra_order=BASE_ORDER_EXTRAS)
KalturaPlayableEntryBaseFilter, KalturaPlayableEntryFilter = make_filter_classes(
    KalturaPlayableEntry, KalturaBaseEntryFilter)
KalturaMediaEntryBaseFilter, KalturaMediaEntryFilter = make_filter_classes(
    KalturaMediaEntry, KalturaPlayableEntryFilter)
KalturaDocumentEntryBaseFilter, KalturaDocumentEntryFilter = make_filter_classes(
    KalturaDocumentEntry, KalturaBaseEntryFilter)
KalturaDataEntryBaseFilter, KalturaDataEntryFilter = make_filter_classes(
    KalturaDataEntry, KalturaBaseEntryFilter)


@api_object
class KalturaEntryCursorPager(KalturaFilterPager):
    """Keyset paging for entry lists, without the cost or the limits of deep page indexes.

    Send an empty ``cursor`` for the first page, then the ``nextCursor`` of each response;
    ``pageIndex`` is ignored. The ordering (``orderBy``) must stay the same from page to
    page. A vpaas extension: official clients page with ``KalturaFilterPager``.
    """

    cursor: str = field(doc="nextCursor of the previous page; empty for the first page")


@api_object
class KalturaBaseEntryCursorListResponse(KalturaBaseEntryListResponse):
    """A page of entries listed with a KalturaEntryCursorPager."""

    nextCursor: str = field(readonly=True, doc="Cursor of the next page; empty after the last")


@api_object
class KalturaMediaCursorListResponse(KalturaMediaListResponse):
    """A page of media entries listed with a KalturaEntryCursorPager."""

    nextCursor: str = field(readonly=True, doc="Cursor of the next page; empty after the last")
