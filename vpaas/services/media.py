"""media: video, audio and image entries — add, attach content, replace, get, delete.

List, count and update: the library (filters in vpaas.domain.entry_query).
"""

from __future__ import annotations

from typing import Annotated

from vpaas.context import CallContext
from vpaas.domain import imports, library
from vpaas.domain.entries import EntryType
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.document import KalturaResource
from vpaas.objects.entry import KalturaMediaEntry, KalturaMediaListResponse
from vpaas.objects.entry_filters import KalturaMediaCursorListResponse, KalturaMediaEntryFilter
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry.model import KsRule
from vpaas.services import base_entry as shared
from vpaas.services import entry_objects

media = Service("media", """Media entries: video, audio and images.""")

_MEDIA = EntryType.MEDIA_CLIP
_CONTENT_ERRORS = ("ENTRY_ID_NOT_FOUND", "ENTRY_ALREADY_WITH_CONTENT", "UPLOAD_TOKEN_NOT_FOUND",
                   "RESOURCE_TYPE_NOT_SUPPORTED", "IMPORT_URL_NOT_ALLOWED")


def _media(obj: object) -> KalturaMediaEntry:
    assert isinstance(obj, KalturaMediaEntry)
    return obj


@media.action(ks=KsRule.USER)
def add(ctx: CallContext, entry: Annotated[KalturaMediaEntry, ForInsert]) -> KalturaMediaEntry:
    """Add a media entry without content (status NO_CONTENT); then call addContent.

    Args:
        entry: The entry: name, mediaType (1 video, 2 image, 5 audio), tags, ...
    """
    return _media(entry_objects.entry_object(ctx, shared.create(ctx, entry, _MEDIA)))


@media.action(ks=KsRule.USER, errors=_CONTENT_ERRORS)
def addContent(ctx: CallContext, entryId: str,
               resource: KalturaResource | None = None) -> KalturaMediaEntry:
    """Attach content to a media entry that has none (status NO_CONTENT).

    A complete upload token makes the entry PRECONVERT at once; a token still receiving
    chunks, or a URL, makes it IMPORT until the file is here.

    Args:
        entryId: The entry
        resource: KalturaUploadedFileTokenResource or KalturaUrlResource
    """
    return _media(shared.add_content(ctx, entryId, resource, _MEDIA))


@media.action(ks=KsRule.USER, errors=("UPLOADED_FILE_NOT_FOUND_BY_TOKEN",
                                      "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY"))
def addFromUploadedFile(ctx: CallContext, mediaEntry: Annotated[KalturaMediaEntry, ForInsert],
                        uploadTokenId: str) -> KalturaMediaEntry:
    """Add a media entry with the file of a completed (FULL_UPLOAD) upload token.

    Args:
        mediaEntry: The entry
        uploadTokenId: The token
    """
    return _media(shared.add_from_uploaded_file(ctx, mediaEntry, uploadTokenId, _MEDIA))


@media.action(ks=KsRule.USER, errors=("IMPORT_URL_NOT_ALLOWED",))
def addFromUrl(ctx: CallContext, mediaEntry: Annotated[KalturaMediaEntry, ForInsert],
               url: str) -> KalturaMediaEntry:
    """Add a media entry whose file the server downloads from ``url`` (status IMPORT).

    Args:
        mediaEntry: The entry
        url: http or https URL of the file
    """
    row = shared.create(ctx, mediaEntry, _MEDIA)
    imports.attach_url(ctx.session, row, url)
    ctx.session.flush()
    return _media(entry_objects.entry_object(ctx, row))


@media.action(ks=KsRule.USER, errors=(*_CONTENT_ERRORS, "ENTRY_REPLACEMENT_ALREADY_EXISTS",
                                      "ENTRY_NOT_READY"))
def updateContent(ctx: CallContext, entryId: str, resource: KalturaResource,
                  conversionProfileId: int | None = None) -> KalturaMediaEntry:
    """Replace the content of a media entry.

    A READY entry keeps playing its current content until the new one is processed
    (``replacementStatus`` shows the progress); an entry without content, or whose
    content failed, simply gets the new content.

    Args:
        entryId: The entry
        resource: KalturaUploadedFileTokenResource or KalturaUrlResource
        conversionProfileId: Transcoding profile for the new content
    """
    return _media(shared.update_content(ctx, entryId, resource, _MEDIA, conversionProfileId))


@media.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def get(ctx: CallContext, entryId: str, version: int = -1) -> KalturaMediaEntry:
    """Get a media entry.

    Args:
        entryId: The entry
        version: Ignored (the current version is returned)
    """
    del version
    return _media(entry_objects.plain_entry_object(ctx, shared.read_entry(ctx, entryId, _MEDIA)))


@media.action("delete", ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",))
def delete_(ctx: CallContext, entryId: str) -> None:
    """Delete a media entry; its files are removed in the background.

    Args:
        entryId: The entry
    """
    shared.delete_entry(ctx, entryId, _MEDIA)


@media.action("list", ks=KsRule.ANY, errors=("FILTER_NOT_SUPPORTED", "INVALID_ORDER_BY",
                                             "INVALID_PAGER_CURSOR", "INVALID_SEARCH_TEXT"))
def list_(ctx: CallContext,
          filter: KalturaMediaEntryFilter | None = None,  # type: ignore[valid-type]
          pager: KalturaFilterPager | None = None) -> KalturaMediaListResponse:
    """List media entries, filtered, ordered and paged.

    Args:
        filter: Conditions (only READY entries unless a status is asked for), orderBy
        pager: Page size (default 30, at most 500) and 1-based index; or a
            KalturaEntryCursorPager
    """
    found, total, cursor = shared.list_page(ctx, filter or KalturaMediaEntryFilter(), pager,
                                            _MEDIA)
    objects = [_media(o) for o in found]
    if cursor is None:
        return KalturaMediaListResponse(objects=objects, totalCount=total)
    return KalturaMediaCursorListResponse(objects=objects, totalCount=total, nextCursor=cursor)


@media.action(ks=KsRule.ANY, errors=("FILTER_NOT_SUPPORTED", "INVALID_SEARCH_TEXT"))
def count(ctx: CallContext,
          filter: KalturaMediaEntryFilter | None = None) -> int:  # type: ignore[valid-type]
    """Count the media entries a filter selects.

    Args:
        filter: Conditions (only READY entries unless a status is asked for)
    """
    return library.count_entries(shared.query_context(ctx), filter or KalturaMediaEntryFilter(),
                                 viewer=shared.viewer(ctx), entry_type=_MEDIA)


@media.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND", "PROPERTY_VALIDATION_NOT_UPDATABLE",
                                      "PROPERTY_VALIDATION_CANNOT_BE_NULL"))
def update(ctx: CallContext, entryId: str,
           mediaEntry: Annotated[KalturaMediaEntry, ForUpdate]) -> KalturaMediaEntry:
    """Update a media entry's metadata; send ``field__null`` to clear a field.

    accessControlId, startDate and endDate are also cleared by -1.

    Args:
        entryId: The entry
        mediaEntry: The fields to change
    """
    return _media(shared.update_entry(ctx, entryId, mediaEntry, _MEDIA))
