"""baseEntry: any entry type (media, data, document) — add, content, get, delete.

Also home of what the entry services share: the edit check, creation, resource attachment,
listing and updates (the row <-> object mapping is :mod:`vpaas.services.entry_objects`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Any

from vpaas.context import CallContext
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries, entry_query, imports, library, uploads
from vpaas.domain.entries import EntryType
from vpaas.domain.entry_query import QueryContext, Viewer
from vpaas.domain.entry_state import EntryStatus, transition
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.document import (
    KalturaAssetsParamsResourceContainers,
    KalturaDocumentEntry,
    KalturaResource,
    KalturaUploadedFileTokenResource,
    KalturaUrlResource,
)
from vpaas.objects.entry import (
    KalturaBaseEntry,
    KalturaBaseEntryListResponse,
    KalturaDataEntry,
    KalturaEntryType,
    KalturaMediaEntry,
)
from vpaas.objects.entry_filters import KalturaBaseEntryCursorListResponse, KalturaBaseEntryFilter
from vpaas.objects.filters import sortable_fields
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule
from vpaas.services.entry_objects import (
    ENTRY_COLUMNS,
    apply_object,
    entry_object,
    plain_entry_object,
)

base_entry = Service("baseEntry", """Entries of any type: media clips, documents, data.""")

_CLASS_TYPES: tuple[tuple[type, EntryType], ...] = (
    (KalturaMediaEntry, EntryType.MEDIA_CLIP),
    (KalturaDocumentEntry, EntryType.DOCUMENT),
    (KalturaDataEntry, EntryType.DATA),
)
_CONTENT_ERRORS = ("ENTRY_ID_NOT_FOUND", "ENTRY_ALREADY_WITH_CONTENT", "UPLOAD_TOKEN_NOT_FOUND",
                   "RESOURCE_TYPE_NOT_SUPPORTED", "IMPORT_URL_NOT_ALLOWED")


def read_entry(ctx: CallContext, entry_id: str,
               entry_type: EntryType | None = None) -> SimpleNamespace:
    """The entry, for a read-only call: one partner-scoped statement, no session (see
    :func:`vpaas.domain.entries.read_entry`); ENTRY_ID_NOT_FOUND as :func:`get_entry`."""
    if ctx.partner_id is None:
        raise RuntimeError("no partner for this call")
    return entries.read_entry(ctx.runtime.db, ctx.partner_id, entry_id, entry_type)


def caller(ctx: CallContext) -> uploads.Caller:
    """The upload-token view of the session: non-admins use only their own tokens."""
    return uploads.Caller(user_id=ctx.user_id, is_admin=ctx.is_admin)


def check_can_edit(ctx: CallContext, row: EntryRow) -> None:
    """Admins, the owner, entitled editors and ``edit:<id>`` sessions may change an entry."""
    if ctx.is_admin or (ctx.privileges and ctx.privileges.allows_entry("edit", row.id)):
        return
    user = ctx.user_id
    editors = {u.strip() for u in (row.entitled_users_edit or "").split(",")}
    if user and (user == row.user_id or user in editors):
        return
    raise E.INVALID_KS("", -4, "INVALID_TYPE")


def entry_type_of(obj: KalturaBaseEntry, declared: Any = None) -> EntryType:
    """The entry type an object's class (or, for a plain KalturaBaseEntry, ``type``) names."""
    for cls, etype in _CLASS_TYPES:
        if isinstance(obj, cls):
            return etype
    for candidate in (obj.type, declared):
        value = getattr(candidate, "value", candidate)
        if value is not None and str(value) in ("1", "6", "10"):
            return EntryType(int(str(value)))
    shown = getattr(obj.type or declared, "value", obj.type or declared)
    raise E.ENTRY_TYPE_NOT_SUPPORTED(shown if shown is not None else "")


def create(ctx: CallContext, obj: KalturaBaseEntry, entry_type: EntryType) -> EntryRow:
    """Insert a new entry (NO_CONTENT) from an API object."""
    row = entries.new_entry(ctx.session, entry_type, {"user_id": ctx.user_id or None,
                                                      "creator_id": ctx.user_id or None})
    apply_object(ctx, row, obj, insert=True)
    if entry_type == EntryType.MEDIA_CLIP and row.source_type is None:
        row.source_type = int(entries.SourceType.FILE)
    ctx.session.flush()
    return row


def _unwrap(resource: KalturaResource) -> KalturaResource:
    if isinstance(resource, KalturaAssetsParamsResourceContainers):
        items = [c for c in resource.resources or [] if c.resource is not None]
        source = [c for c in items if not c.assetParamsId] or items[:1]
        if len(source) != 1 or len(items) > 1:
            raise E.RESOURCE_TYPE_NOT_SUPPORTED(
                "KalturaAssetsParamsResourceContainers with other than one source resource")
        return source[0].resource
    return resource


def attach_resource(ctx: CallContext, row: EntryRow, resource: KalturaResource | None, *,
                    replacement: bool = False) -> None:
    """Give ``row`` the content of ``resource`` (upload token or URL)."""
    if resource is None:
        raise E.MISSING_MANDATORY_PARAMETER("resource")
    resource = _unwrap(resource)
    if isinstance(resource, KalturaUploadedFileTokenResource):
        entries.attach_upload_token(ctx.session, ctx.settings, ctx.runtime.storage, row,
                                    resource.token or "", caller=caller(ctx),
                                    replacement=replacement)
    elif type(resource) is KalturaUrlResource:
        headers = [h.value or "" for h in resource.urlHeaders or []]
        imports.attach_url(ctx.session, row, resource.url or "", headers,
                           replacement=replacement)
    else:
        raise E.RESOURCE_TYPE_NOT_SUPPORTED(type(resource).__name__)


def add_content(ctx: CallContext, entry_id: str, resource: KalturaResource | None,
                entry_type: EntryType | None) -> KalturaBaseEntry:
    """addContent: content for an entry that has none yet."""
    row = entries.get_entry(ctx.session, entry_id, entry_type)
    check_can_edit(ctx, row)
    if row.status != EntryStatus.NO_CONTENT:
        raise E.ENTRY_ALREADY_WITH_CONTENT()
    attach_resource(ctx, row, resource)
    ctx.session.flush()
    return entry_object(ctx, row)


def update_content(ctx: CallContext, entry_id: str, resource: KalturaResource | None,
                   entry_type: EntryType | None,
                   conversion_profile_id: int | None = None) -> KalturaBaseEntry:
    """updateContent: replace content; a READY entry keeps playing until the new one is."""
    row = entries.get_entry(ctx.session, entry_id, entry_type)
    check_can_edit(ctx, row)
    if conversion_profile_id is not None:
        row.conversion_profile_id = conversion_profile_id
    if row.status in (EntryStatus.NO_CONTENT, EntryStatus.ERROR_IMPORTING,
                      EntryStatus.ERROR_CONVERTING):
        attach_resource(ctx, row, resource)
    elif row.status in (EntryStatus.IMPORT, EntryStatus.PRECONVERT):
        raise E.ENTRY_NOT_READY(row.id)
    elif entries.replacement_pending(row):
        raise E.ENTRY_REPLACEMENT_ALREADY_EXISTS()
    else:
        attach_resource(ctx, row, resource, replacement=True)
    ctx.session.flush()
    return entry_object(ctx, row)


def add_from_uploaded_file(ctx: CallContext, obj: KalturaBaseEntry, token_id: str,
                           entry_type: EntryType) -> KalturaBaseEntry:
    """The deprecated one-call ingest: a new entry from a FULL_UPLOAD token."""
    row = create(ctx, obj, entry_type)
    entries.attach_upload_token(ctx.session, ctx.settings, ctx.runtime.storage, row,
                                token_id, caller=caller(ctx), require_full=True)
    ctx.session.flush()
    return entry_object(ctx, row)


def delete_entry(ctx: CallContext, entry_id: str, entry_type: EntryType | None) -> None:
    """Delete an entry: status DELETED, files removed by a background job."""
    row = entries.get_entry(ctx.session, entry_id, entry_type)
    check_can_edit(ctx, row)
    entries.delete_entry(ctx.session, row)


@base_entry.action(ks=KsRule.USER, errors=("ENTRY_TYPE_NOT_SUPPORTED",))
def add(ctx: CallContext, entry: Annotated[KalturaBaseEntry, ForInsert],
        type: KalturaEntryType = KalturaEntryType.AUTOMATIC) -> KalturaBaseEntry:
    """Add an entry of the object's type (media, document, data); it has no content yet.

    Args:
        entry: The entry (KalturaMediaEntry, KalturaDocumentEntry, KalturaDataEntry...)
        type: Entry type, for a plain KalturaBaseEntry
    """
    row = create(ctx, entry, entry_type_of(entry, type))
    if row.type == EntryType.DATA and row.data_content is not None:
        transition(row, EntryStatus.READY)
    return entry_object(ctx, row)


@base_entry.action(ks=KsRule.USER, errors=_CONTENT_ERRORS)
def addContent(ctx: CallContext, entryId: str,
               resource: KalturaResource | None = None) -> KalturaBaseEntry:
    """Attach content (upload token or URL) to an entry that has none.

    Args:
        entryId: The entry
        resource: KalturaUploadedFileTokenResource or KalturaUrlResource
    """
    return add_content(ctx, entryId, resource, None)


@base_entry.action(ks=KsRule.USER, errors=("UPLOADED_FILE_NOT_FOUND_BY_TOKEN",
                                           "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY"))
def addFromUploadedFile(ctx: CallContext, entry: Annotated[KalturaBaseEntry, ForInsert],
                        uploadTokenId: str,
                        type: KalturaEntryType = KalturaEntryType.AUTOMATIC) -> KalturaBaseEntry:
    """Add an entry with the file of a completed upload token.

    Args:
        entry: The entry (its class decides the entry type)
        uploadTokenId: A token in status FULL_UPLOAD
        type: Entry type, for a plain KalturaBaseEntry
    """
    return add_from_uploaded_file(ctx, entry, uploadTokenId, entry_type_of(entry, type))


@base_entry.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def get(ctx: CallContext, entryId: str, version: int = -1) -> KalturaBaseEntry:
    """Get an entry; the result is of its concrete class (KalturaMediaEntry...).

    Args:
        entryId: The entry
        version: Ignored (the current version is returned)
    """
    del version
    row = read_entry(ctx, entryId)
    if row.type == EntryType.PLAYLIST:
        return entry_object(ctx, entries.get_entry(ctx.session, entryId))
    return plain_entry_object(ctx, row)


@base_entry.action("delete", ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",))
def delete_(ctx: CallContext, entryId: str) -> None:
    """Delete an entry and (in the background) its files.

    Args:
        entryId: The entry
    """
    delete_entry(ctx, entryId, None)


@base_entry.action(ks=KsRule.USER, errors=_CONTENT_ERRORS)
def updateContent(ctx: CallContext, entryId: str, resource: KalturaResource,
                  conversionProfileId: int | None = None) -> KalturaBaseEntry:
    """Replace an entry's content; a READY entry keeps its content until the new is ready.

    Args:
        entryId: The entry
        resource: KalturaUploadedFileTokenResource or KalturaUrlResource
        conversionProfileId: Transcoding profile for the new content
    """
    return update_content(ctx, entryId, resource, None, conversionProfileId)


# --- the library: list, count, update, recycle bin -----------------------------------------

def query_context(ctx: CallContext) -> QueryContext:
    """The entry-query context of a call (partner-scoped session, partner, the call)."""
    assert ctx.partner_id is not None
    return QueryContext(ctx.session, ctx.partner_id, call=ctx)


def viewer(ctx: CallContext) -> Viewer:
    """Admin and ``list:*`` sessions list everything; a named user their own entries."""
    privileges = ctx.privileges
    list_all = ctx.is_admin or bool(privileges and privileges.allows_entry("list", "*"))
    return Viewer(list_all=list_all, user_id=ctx.user_id)


def list_page(ctx: CallContext, filter_obj: Any, pager: KalturaFilterPager | None,
              entry_type: EntryType | None) -> tuple[list[KalturaBaseEntry], int, str | None]:
    """The entry objects of one page, the total count and (cursor pager) the next cursor."""
    found = library.list_entries(query_context(ctx), filter_obj, library.PageRequest.of(pager),
                                 allowed_order=sortable_fields(type(filter_obj)),
                                 viewer=viewer(ctx), entry_type=entry_type)
    return [entry_object(ctx, r) for r in found.rows], found.total, found.next_cursor


def update_entry(ctx: CallContext, entry_id: str, obj: KalturaBaseEntry,
                 entry_type: EntryType | None) -> KalturaBaseEntry:
    """update: the fields sent are written (``field__null`` clears, -1 clears accessControlId,
    startDate and endDate); read-only and insert-only fields were refused by ForUpdate."""
    row = entries.get_entry(ctx.session, entry_id, entry_type)
    check_can_edit(ctx, row)
    library.check_nulls(obj.nulled, ENTRY_COLUMNS)
    entry_query.track(ctx.session)
    apply_object(ctx, row, obj, insert=False)
    ctx.session.flush()
    return entry_object(ctx, row)


@base_entry.action("list", ks=KsRule.ANY, errors=("FILTER_NOT_SUPPORTED", "INVALID_ORDER_BY",
                                                  "INVALID_PAGER_CURSOR", "INVALID_SEARCH_TEXT"))
def list_(ctx: CallContext,
          filter: KalturaBaseEntryFilter | None = None,  # type: ignore[valid-type]
          pager: KalturaFilterPager | None = None) -> KalturaBaseEntryListResponse:
    """List entries of every type, filtered, ordered and paged.

    Args:
        filter: Conditions (only READY entries unless a status is asked for), orderBy
        pager: Page size (default 30, at most 500) and 1-based index; or a
            KalturaEntryCursorPager
    """
    objects, total, cursor = list_page(ctx, filter or KalturaBaseEntryFilter(), pager, None)
    if cursor is None:
        return KalturaBaseEntryListResponse(objects=objects, totalCount=total)
    return KalturaBaseEntryCursorListResponse(objects=objects, totalCount=total,
                                              nextCursor=cursor)


@base_entry.action(ks=KsRule.ANY, errors=("FILTER_NOT_SUPPORTED", "INVALID_SEARCH_TEXT"))
def count(ctx: CallContext,
          filter: KalturaBaseEntryFilter | None = None) -> int:  # type: ignore[valid-type]
    """Count the entries a filter selects.

    Args:
        filter: Conditions (only READY entries unless a status is asked for)
    """
    return library.count_entries(query_context(ctx), filter or KalturaBaseEntryFilter(),
                                 viewer=viewer(ctx))


@base_entry.action(ks=KsRule.ANY, errors=("MISSING_MANDATORY_PARAMETER",))
def listByReferenceId(ctx: CallContext, refId: str, pager: KalturaFilterPager | None = None
                      ) -> KalturaBaseEntryListResponse:
    """List the entries with a reference id, whatever their status.

    Args:
        refId: The reference id
        pager: Page size (default 30, at most 500) and 1-based index
    """
    stmt = library.reference_select(query_context(ctx), refId, viewer(ctx))
    found = library.page_of(ctx.session, stmt, None, library.PageRequest.of(pager))
    return KalturaBaseEntryListResponse(objects=[entry_object(ctx, r) for r in found.rows],
                                        totalCount=found.total)


@base_entry.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",
                                           "PROPERTY_VALIDATION_NOT_UPDATABLE",
                                           "PROPERTY_VALIDATION_CANNOT_BE_NULL"))
def update(ctx: CallContext, entryId: str,
           baseEntry: Annotated[KalturaBaseEntry, ForUpdate]) -> KalturaBaseEntry:
    """Update an entry's metadata; send ``field__null`` to clear a field.

    Args:
        entryId: The entry
        baseEntry: The fields to change (of the entry's class: KalturaMediaEntry...)
    """
    return update_entry(ctx, entryId, baseEntry, None)


@base_entry.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",))
def recycle(ctx: CallContext, entryId: str) -> KalturaBaseEntry:
    """Move an entry to the recycle bin: it leaves lists until restoreRecycled.

    Args:
        entryId: The entry
    """
    row = entries.get_entry(ctx.session, entryId)
    check_can_edit(ctx, row)
    library.recycle(ctx.session, row)
    ctx.session.flush()
    return entry_object(ctx, row)


@base_entry.action(ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",))
def restoreRecycled(ctx: CallContext, entryId: str) -> KalturaBaseEntry:
    """Take an entry out of the recycle bin.

    Args:
        entryId: The entry
    """
    row = entries.get_entry(ctx.session, entryId)
    check_can_edit(ctx, row)
    library.restore(ctx.session, row)
    ctx.session.flush()
    return entry_object(ctx, row)
