"""document: document entries (PDF, Office files) — stored as uploaded and served back.

Published twice: as the plugin service ``document_documents`` (what generated clients
call) and as ``document`` (what kaltura-uploader posts to).
"""

from __future__ import annotations

import mimetypes
from typing import Annotated

from vpaas.context import CallContext
from vpaas.domain import entries
from vpaas.domain.entries import EntryType
from vpaas.objects.document import KalturaDocumentEntry, KalturaResource
from vpaas.registry import ForInsert, ServeFile, Service
from vpaas.registry import catalogue as E
from vpaas.registry.model import KsRule
from vpaas.services import base_entry as shared
from vpaas.services import entry_objects

documents = Service("documents", """Document entries: PDF, Office and other files.""",
                    plugin="document")
document = Service("document", """Document entries (alias of document_documents).""")

_DOC = EntryType.DOCUMENT
_CONTENT_ERRORS = ("ENTRY_ID_NOT_FOUND", "ENTRY_ALREADY_WITH_CONTENT", "UPLOAD_TOKEN_NOT_FOUND",
                   "RESOURCE_TYPE_NOT_SUPPORTED", "IMPORT_URL_NOT_ALLOWED")
PRESIGN_SECONDS = 3600


def _doc(obj: object) -> KalturaDocumentEntry:
    assert isinstance(obj, KalturaDocumentEntry)
    return obj


@documents.action(ks=KsRule.USER)
@document.action(ks=KsRule.USER)
def add(ctx: CallContext,
        documentEntry: Annotated[KalturaDocumentEntry, ForInsert]) -> KalturaDocumentEntry:
    """Add a document entry without content (status NO_CONTENT); then call addContent.

    Args:
        documentEntry: The entry: name, documentType (11 document, 12 SWF, 13 PDF), ...
    """
    return _doc(entry_objects.entry_object(ctx, shared.create(ctx, documentEntry, _DOC)))


@documents.action(ks=KsRule.USER, errors=_CONTENT_ERRORS)
@document.action(ks=KsRule.USER, errors=_CONTENT_ERRORS)
def addContent(ctx: CallContext, entryId: str,
               resource: KalturaResource | None = None) -> KalturaDocumentEntry:
    """Attach the file of a document entry that has none; it is READY once stored.

    Args:
        entryId: The entry
        resource: KalturaUploadedFileTokenResource or KalturaUrlResource
    """
    return _doc(shared.add_content(ctx, entryId, resource, _DOC))


@documents.action(ks=KsRule.USER, errors=("UPLOADED_FILE_NOT_FOUND_BY_TOKEN",
                                          "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY"))
@document.action(ks=KsRule.USER, errors=("UPLOADED_FILE_NOT_FOUND_BY_TOKEN",
                                         "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY"))
def addFromUploadedFile(ctx: CallContext,
                        documentEntry: Annotated[KalturaDocumentEntry, ForInsert],
                        uploadTokenId: str) -> KalturaDocumentEntry:
    """Add a document entry with the file of a completed upload token.

    Args:
        documentEntry: The entry
        uploadTokenId: A token in status FULL_UPLOAD
    """
    return _doc(shared.add_from_uploaded_file(ctx, documentEntry, uploadTokenId, _DOC))


@documents.action(ks=KsRule.USER, errors=_CONTENT_ERRORS)
@document.action(ks=KsRule.USER, errors=_CONTENT_ERRORS)
def updateContent(ctx: CallContext, entryId: str, resource: KalturaResource,
                  conversionProfileId: int | None = None) -> KalturaDocumentEntry:
    """Replace the file of a document entry.

    Args:
        entryId: The entry
        resource: KalturaUploadedFileTokenResource or KalturaUrlResource
        conversionProfileId: Ignored for documents
    """
    return _doc(shared.update_content(ctx, entryId, resource, _DOC, conversionProfileId))


@documents.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
@document.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def get(ctx: CallContext, entryId: str, version: int = -1) -> KalturaDocumentEntry:
    """Get a document entry.

    Args:
        entryId: The entry
        version: Ignored (the current version is returned)
    """
    del version
    return _doc(entry_objects.entry_object(ctx, entries.get_entry(ctx.session, entryId, _DOC)))


@documents.action("delete", ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",))
@document.action("delete", ks=KsRule.USER, errors=("ENTRY_ID_NOT_FOUND",))
def delete_(ctx: CallContext, entryId: str) -> None:
    """Delete a document entry; its file is removed in the background.

    Args:
        entryId: The entry
    """
    shared.delete_entry(ctx, entryId, _DOC)


@documents.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND", "ENTRY_NOT_READY"))
@document.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND", "ENTRY_NOT_READY"))
def serve(ctx: CallContext, entryId: str, flavorAssetId: str | None = None,
          forceProxy: bool = False) -> ServeFile:
    """Download the document's file (a redirect to object storage unless forceProxy).

    Args:
        entryId: The entry
        flavorAssetId: Ignored: the original file is served
        forceProxy: Stream the file through this server instead of redirecting
    """
    del flavorAssetId
    row = entries.get_entry(ctx.session, entryId, _DOC)
    if not row.source_key:
        raise E.ENTRY_NOT_READY(row.id)
    storage = ctx.runtime.storage
    ext = row.source_ext or "bin"
    filename = row.source_name or f"{row.id}.{ext}"
    content_type = mimetypes.guess_type(f"x.{ext}")[0] or "application/octet-stream"
    local = storage.local_path(row.source_key)
    if local is not None:
        return ServeFile(local, content_type=content_type, filename=filename)
    if not forceProxy:
        url = storage.presigned_url(row.source_key, PRESIGN_SECONDS, filename, content_type)
        if url:
            return ServeFile(redirect=url)
    size = storage.size(row.source_key)
    return ServeFile(stream=storage.iter_range(row.source_key, 0, size), size=size,
                     content_type=content_type, filename=filename)
