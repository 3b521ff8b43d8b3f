"""baseEntry: any entry type (media, data, document) — add, content, get, delete.

Also home of what the entry services share: row ↔ object mapping (:func:`entry_object`,
:func:`apply_object`), the edit check and resource attachment.
"""

from __future__ import annotations

from enum import Enum
from types import SimpleNamespace
from typing import Annotated, Any

from vpaas.context import CallContext
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries, entry_query, imports, library, uploads
from vpaas.domain.entries import EntryFields, EntryType
from vpaas.domain.entry_query import QueryContext, Viewer
from vpaas.domain.entry_state import EntryStatus, transition
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.document import (
    KalturaAssetsParamsResourceContainers,
    KalturaDocumentEntry,
    KalturaDocumentType,
    KalturaResource,
    KalturaUploadedFileTokenResource,
    KalturaUrlResource,
)
from vpaas.objects.entry import (
    KalturaBaseEntry,
    KalturaBaseEntryListResponse,
    KalturaDataEntry,
    KalturaDurationType,
    KalturaEntryApplication,
    KalturaEntryDisplayInSearchType,
    KalturaEntryModerationStatus,
    KalturaEntryReplacementStatus,
    KalturaEntryStatus,
    KalturaEntryType,
    KalturaLicenseType,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaSearchProviderType,
    KalturaSourceType,
)
from vpaas.objects.entry_filters import KalturaBaseEntryCursorListResponse, KalturaBaseEntryFilter
from vpaas.objects.filters import sortable_fields
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule

base_entry = Service("baseEntry", """Entries of any type: media clips, documents, data.""")

_CLASS_TYPES: tuple[tuple[type, EntryType], ...] = (
    (KalturaMediaEntry, EntryType.MEDIA_CLIP),
    (KalturaDocumentEntry, EntryType.DOCUMENT),
    (KalturaDataEntry, EntryType.DATA),
)
_CONTENT_ERRORS = ("ENTRY_ID_NOT_FOUND", "ENTRY_ALREADY_WITH_CONTENT", "UPLOAD_TOKEN_NOT_FOUND",
                   "RESOURCE_TYPE_NOT_SUPPORTED", "IMPORT_URL_NOT_ALLOWED")


# --- row <-> object ------------------------------------------------------------------------

_COLUMNS: dict[str, str] = {
    "name": "name", "description": "description", "userId": "user_id",
    "creatorId": "creator_id", "tags": "tags", "adminTags": "admin_tags",
    "categories": "categories", "categoriesIds": "categories_ids",
    "partnerData": "partner_data", "accessControlId": "access_control_id",
    "startDate": "start_date", "endDate": "end_date", "referenceId": "reference_id",
    "partnerSortValue": "partner_sort_value", "conversionProfileId": "conversion_profile_id",
    "redirectEntryId": "redirect_entry_id", "parentEntryId": "parent_entry_id",
    "entitledUsersEdit": "entitled_users_edit", "entitledUsersPublish": "entitled_users_publish",
    "entitledUsersView": "entitled_users_view", "displayInSearch": "display_in_search",
    "msDuration": "duration_ms", "mediaType": "media_type", "sourceType": "source_type",
    "documentType": "document_type", "dataContent": "data_content",
}
_INT_COLUMNS = frozenset({"media_type", "source_type", "document_type", "display_in_search"})
_EXTRA = frozenset({
    "groupId", "licenseType", "templateEntryId", "application", "applicationVersion",
    "blockAutoTranscript", "conversionQuality", "sourceVersion", "searchProviderType",
    "searchProviderId", "creditUserName", "creditUrl", "retrieveDataContentByGet",
})
_MAX_LEN = {"name": 256, "userId": 100, "creatorId": 100, "referenceId": 256,
            "redirectEntryId": 20, "parentEntryId": 20, "dataContent": 1_000_000}
_MINUS_ONE_CLEARS = frozenset({"accessControlId", "startDate", "endDate"})
_TEXT_MAX = 65_535


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _check_value(ctx: CallContext, name: str, value: Any) -> None:
    if name == "adminTags" and not ctx.is_admin:
        raise E.PROPERTY_VALIDATION_ADMIN_PROPERTY(name)
    if not isinstance(value, str):
        return
    if name == "name" and not value.strip():
        raise E.PROPERTY_VALIDATION_MIN_LENGTH(name, 1)
    if len(value) > _MAX_LEN.get(name, _TEXT_MAX):
        raise E.PROPERTY_VALIDATION_MAX_LENGTH(name, _MAX_LEN.get(name, _TEXT_MAX))


def apply_object(ctx: CallContext, row: EntryRow, obj: KalturaBaseEntry, *,
                 insert: bool) -> None:
    """Copy the fields the client sent (``obj.supplied``) onto ``row``, validated.

    Used by add and, later, update (``insert=False``; ForUpdate already rejected
    insert-only fields). Non-admin sessions cannot change the owner or the creator.
    """
    extra = dict(row.extra or {})
    for name in sorted(obj.supplied):
        if name not in _COLUMNS and name not in _EXTRA:
            continue
        value = None if name in obj.nulled else _plain(getattr(obj, name, None))
        _check_value(ctx, name, value)
        if name in ("userId", "creatorId") and not ctx.is_admin:
            continue
        if name in _MINUS_ONE_CLEARS and value == -1:
            value = None
        if name in _EXTRA:
            extra.pop(name, None) if value is None else extra.__setitem__(name, value)
            continue
        column = _COLUMNS[name]
        if column in _INT_COLUMNS and value is not None:
            value = int(str(value)) if str(value).lstrip("-").isdigit() else None
        setattr(row, column, value)
    row.extra = extra
    del insert


_ENUM_MEMBERS: dict[tuple[type[Enum], Any], Any] = {}


def _enum(cls: type[Enum], value: Any) -> Any:
    """The ``cls`` member of a stored value (None when there is none); memoized, since every
    entry object converts a dozen of them."""
    if value is None:
        return None
    key = (cls, value)
    try:
        return _ENUM_MEMBERS[key]
    except (KeyError, TypeError):
        pass
    try:
        member: Any = cls(str(value)) if issubclass(cls, str) else cls(int(value))
    except (ValueError, TypeError):
        member = None
    if len(_ENUM_MEMBERS) < 4096 and isinstance(value, (int, str)):
        _ENUM_MEMBERS[key] = member
    return member


def _duration_type(ms: int | None) -> KalturaDurationType:
    if not ms:
        return KalturaDurationType.NOT_AVAILABLE
    minutes = ms / 60000
    return (KalturaDurationType.SHORT if minutes < 4 else KalturaDurationType.MEDIUM
            if minutes < 20 else KalturaDurationType.LONG)


def entry_urls(ctx: CallContext, row: EntryFields) -> dict[str, str]:
    """downloadUrl, thumbnailUrl and dataUrl of an entry (wire protocol §6)."""
    base = f"/p/{row.partner_id}/sp/{row.partner_id}00"
    thumb = ctx.url(f"{base}/thumbnail/entry_id/{row.id}/version/{row.thumb_version or 0}")
    urls = {"downloadUrl": ctx.url(f"{base}/raw/entry_id/{row.id}/version/{row.version or 0}"),
            "thumbnailUrl": thumb}
    if row.type == EntryType.MEDIA_CLIP:
        if row.media_type == entries.MediaType.IMAGE:
            size = f"/def_width/{row.width}/def_height/{row.height}" if row.width else ""
            urls["dataUrl"] = thumb + size
        else:
            scheme = "https" if ctx.url("").startswith("https:") else "http"
            urls["dataUrl"] = ctx.url(f"{base}/playManifest/entryId/{row.id}/format/url"
                                      f"/protocol/{scheme}")
    return urls


def _base_fields(row: EntryFields) -> dict[str, Any]:
    extra = row.extra or {}
    return {
        "id": row.id, "name": row.name, "description": row.description,
        "partnerId": row.partner_id, "userId": row.user_id, "creatorId": row.creator_id,
        "tags": row.tags, "adminTags": row.admin_tags, "categories": row.categories,
        "categoriesIds": row.categories_ids, "status": _enum(KalturaEntryStatus, row.status),
        "moderationStatus": _enum(KalturaEntryModerationStatus, row.moderation_status),
        "moderationCount": row.moderation_count, "type": _enum(KalturaEntryType, row.type),
        "createdAt": row.created_at, "updatedAt": row.updated_at, "rank": 0.0,
        "totalRank": 0, "votes": 0, "groupId": extra.get("groupId"),
        "partnerData": row.partner_data, "version": row.version,
        "licenseType": _enum(KalturaLicenseType, extra.get("licenseType")),
        "accessControlId": row.access_control_id, "startDate": row.start_date,
        "endDate": row.end_date, "referenceId": row.reference_id,
        "replacementStatus": _enum(KalturaEntryReplacementStatus, row.replacement_status),
        "partnerSortValue": row.partner_sort_value,
        "conversionProfileId": row.conversion_profile_id,
        "redirectEntryId": row.redirect_entry_id, "parentEntryId": row.parent_entry_id,
        "rootEntryId": row.parent_entry_id or row.id, "operationAttributes": [],
        "entitledUsersEdit": row.entitled_users_edit,
        "entitledUsersPublish": row.entitled_users_publish,
        "entitledUsersView": row.entitled_users_view, "capabilities": "",
        "templateEntryId": extra.get("templateEntryId"),
        "displayInSearch": _enum(KalturaEntryDisplayInSearchType, row.display_in_search),
        "application": _enum(KalturaEntryApplication, extra.get("application")),
        "applicationVersion": extra.get("applicationVersion"),
        "blockAutoTranscript": extra.get("blockAutoTranscript"),
    }


def _media_fields(row: EntryFields) -> dict[str, Any]:
    extra = row.extra or {}
    ms = row.duration_ms
    return {
        "plays": row.plays, "views": row.views, "lastPlayedAt": row.last_played_at,
        "width": row.width, "height": row.height,
        "duration": round(ms / 1000) if ms else 0, "msDuration": ms or 0,
        "durationType": _duration_type(ms),
        "mediaType": _enum(KalturaMediaType, row.media_type),
        "sourceType": _enum(KalturaSourceType, row.source_type),
        "mediaDate": row.media_date, "flavorParamsIds": extra.get("flavorParamsIds", ""),
        **{k: extra.get(k) for k in ("conversionQuality", "sourceVersion", "searchProviderId",
                                     "creditUserName", "creditUrl")},
        "searchProviderType": _enum(KalturaSearchProviderType,
                                    extra.get("searchProviderType")),
    }


def entry_object(ctx: CallContext, row: EntryRow) -> KalturaBaseEntry:
    """The API object of an entry, of its concrete class (KalturaMediaEntry, ...)."""
    if row.type == EntryType.PLAYLIST:
        from vpaas.services.playlist import playlist_object

        return playlist_object(ctx, row)
    return plain_entry_object(ctx, row)


def plain_entry_object(ctx: CallContext, row: EntryFields) -> KalturaBaseEntry:
    """The entry object without type-specific services (playlists build on this one)."""
    values = _base_fields(row)
    cls: type[KalturaBaseEntry] = KalturaBaseEntry
    if row.type == EntryType.MEDIA_CLIP:
        cls = KalturaMediaEntry
        values.update(_media_fields(row))
    elif row.type == EntryType.DOCUMENT:
        cls = KalturaDocumentEntry
        values.update(documentType=_enum(KalturaDocumentType, row.document_type),
                      assetParamsIds="")
    elif row.type == EntryType.DATA:
        cls = KalturaDataEntry
        values.update(dataContent=row.data_content,
                      retrieveDataContentByGet=(row.extra or {}).get("retrieveDataContentByGet"))
    urls = entry_urls(ctx, row)
    if cls is not KalturaMediaEntry:
        urls.pop("dataUrl", None)
    return cls(**values, **urls)


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
    library.check_nulls(obj.nulled, _COLUMNS)
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
