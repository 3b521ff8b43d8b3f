"""Entry rows <-> API objects: :func:`entry_object` builds the object of an entry of any type
(KalturaMediaEntry, KalturaDocumentEntry, KalturaDataEntry, ...), :func:`apply_object` writes
the fields a client sent onto a row, with Kaltura's length, null and -1 rules.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from vpaas.context import CallContext
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries
from vpaas.domain.entries import EntryFields, EntryType
from vpaas.objects.document import (
    KalturaDocumentEntry,
    KalturaDocumentType,
)
from vpaas.objects.entry import (
    KalturaBaseEntry,
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
from vpaas.registry import catalogue as E

ENTRY_COLUMNS: dict[str, str] = {
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
"""API field -> entry column of the fields clients may write."""
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
        if name not in ENTRY_COLUMNS and name not in _EXTRA:
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
        column = ENTRY_COLUMNS[name]
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
