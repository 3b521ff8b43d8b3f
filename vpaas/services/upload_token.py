"""uploadToken: receive files in chunks (resumable, out of order, in parallel)."""

from __future__ import annotations

from typing import Annotated

from vpaas.context import CallContext
from vpaas.db.tables.upload import UploadTokenRow
from vpaas.domain import uploads
from vpaas.objects.common import KalturaFilterPager, KalturaNullableBoolean
from vpaas.objects.upload import (
    KalturaUploadToken,
    KalturaUploadTokenFilter,
    KalturaUploadTokenListResponse,
    KalturaUploadTokenStatus,
)
from vpaas.registry import ForInsert, Service
from vpaas.registry import catalogue as E
from vpaas.registry.declare import UploadedFile
from vpaas.registry.model import KsRule

upload_token = Service("uploadToken", """Upload files in chunks, then attach them to entries.

Chunks may be sent out of order and in parallel (``resume=true`` with ``resumeAt``); an
interrupted upload resumes at ``uploadedFileSize``.""")

FINAL_WAIT_EXTRA = "upload_final_wait"  # runtime.extras key: seconds a final chunk waits


def caller(ctx: CallContext) -> uploads.Caller:
    """The session's user; non-admin sessions only see and use their own tokens."""
    return uploads.Caller(ctx.user_id, ctx.is_admin)


def to_api(ctx: CallContext, row: UploadTokenRow) -> KalturaUploadToken:
    """The API view of a token row."""
    return KalturaUploadToken(
        id=row.id, partnerId=row.partner_id, userId=row.user_id,
        status=KalturaUploadTokenStatus(row.status), fileName=row.file_name,
        fileSize=row.file_size, uploadedFileSize=row.uploaded_file_size,
        createdAt=row.created_at, updatedAt=row.updated_at, uploadUrl=ctx.url(""),
        autoFinalize=KalturaNullableBoolean(row.auto_finalize),
        attachedObjectType=row.attached_object_type, attachedObjectId=row.attached_object_id)


@upload_token.action(ks=KsRule.USER, errors=("UPLOAD_TOKEN_MISSING_FILE_SIZE",
                                              "UPLOAD_TOKEN_FILE_TOO_LARGE"))
def add(ctx: CallContext, uploadToken: Annotated[KalturaUploadToken, ForInsert] | None = None
        ) -> KalturaUploadToken:
    """Create an upload token (PENDING) for the session's user.

    Args:
        uploadToken: fileName, fileSize and autoFinalize of the coming file
    """
    token = uploadToken or KalturaUploadToken()
    auto = int(token.autoFinalize) if token.autoFinalize is not None else -1
    row = uploads.add_token(ctx.session, ctx.settings, caller(ctx), token.fileName,
                            token.fileSize, auto)
    return to_api(ctx, row)


@upload_token.action(ks=KsRule.USER, errors=(
    "UPLOAD_TOKEN_NOT_FOUND", "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD",
    "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE", "UPLOAD_TOKEN_RESUMING_INVALID_POSITION",
    "UPLOAD_TOKEN_FILE_IS_EMPTY", "UPLOAD_TOKEN_FILE_TOO_LARGE",
    "UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED"))
def upload(ctx: CallContext, uploadTokenId: str, fileData: UploadedFile, resume: bool = False,
           finalChunk: bool = True, resumeAt: float = -1) -> KalturaUploadToken:
    """Upload a file, or one chunk of it, to a token.

    Args:
        uploadTokenId: The token
        fileData: The file or chunk (multipart part ``fileData``)
        resume: False: this part replaces whatever was uploaded; True: add it
        finalChunk: True when this part ends the file
        resumeAt: Byte offset of this part; -1 appends after the uploaded bytes
    """
    assert ctx.partner_id is not None
    chunk = uploads.Chunk(resume=resume, final=finalChunk, resume_at=resumeAt,
                          file_name=fileData.filename)
    wait = float(ctx.runtime.extras.get(FINAL_WAIT_EXTRA, uploads.FINAL_CHUNK_WAIT))
    row = uploads.upload_chunk(ctx.runtime.db, ctx.settings, ctx.partner_id, uploadTokenId,
                               fileData.file, chunk, caller(ctx), final_wait=wait)
    return to_api(ctx, row)


@upload_token.action(ks=KsRule.USER, errors=("UPLOAD_TOKEN_NOT_FOUND",))
def get(ctx: CallContext, uploadTokenId: str) -> KalturaUploadToken:
    """Get a token: its status and how many bytes arrived without a gap.

    Args:
        uploadTokenId: The token
    """
    return to_api(ctx, uploads.get_token(ctx.session, uploadTokenId, caller(ctx)))


@upload_token.action(ks=KsRule.USER, errors=("UPLOAD_TOKEN_NOT_FOUND",))
def delete(ctx: CallContext, uploadTokenId: str) -> None:
    """Delete a token (status DELETED) and the bytes uploaded to it.

    Args:
        uploadTokenId: The token
    """
    uploads.delete_token(ctx.session, ctx.settings, uploadTokenId, caller(ctx))


@upload_token.action(ks=KsRule.USER)
def list_(ctx: CallContext, filter: KalturaUploadTokenFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaUploadTokenListResponse:
    """List tokens; a user session sees only its own.

    Args:
        filter: Conditions; DELETED tokens are listed only when asked for by status
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    query = _query(filter or KalturaUploadTokenFilter())
    size = pager.pageSize if pager and pager.pageSize and pager.pageSize > 0 else 30
    index = pager.pageIndex if pager and pager.pageIndex and pager.pageIndex > 0 else 1
    rows, total = uploads.list_tokens(ctx.session, caller(ctx), query, size, index)
    return KalturaUploadTokenListResponse(objects=[to_api(ctx, r) for r in rows],
                                          totalCount=total)


def _query(f: KalturaUploadTokenFilter) -> uploads.TokenQuery:
    ids: list[str] = []
    if f.idEqual is not None:
        ids.append(f.idEqual)
    if f.idIn is not None:
        ids += [i.strip() for i in f.idIn.split(",") if i.strip()]
    statuses: list[int] = []
    if f.statusEqual is not None:
        statuses.append(int(f.statusEqual))
    if f.statusIn is not None:
        statuses += [_status(s) for s in f.statusIn.split(",") if s.strip()]
    order = (f.orderBy or "-createdAt").strip()
    if order not in ("+createdAt", "-createdAt", "createdAt"):
        raise E.INVALID_PARAMETER_VALUE(order, "filter:orderBy")
    size = int(f.fileSizeEqual) if f.fileSizeEqual is not None else None
    has_ids = f.idEqual is not None or f.idIn is not None
    return uploads.TokenQuery(
        ids=tuple(ids) if has_ids else None, user_id=f.userIdEqual,
        statuses=tuple(statuses) if statuses else None, file_name=f.fileNameEqual,
        file_size=size, newest_first=order.startswith("-"))


def _status(text: str) -> int:
    try:
        return int(KalturaUploadTokenStatus(int(text.strip())))
    except ValueError:
        raise E.INVALID_ENUM_VALUE(text.strip(), "filter:statusIn",
                                   "KalturaUploadTokenStatus") from None
