"""Helpers shared by the asset services (thumbAsset, captionAsset): content resources,
asset filters and pages, file serving, serve URLs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from vpaas.context import CallContext
from vpaas.domain import entries, imports, uploads
from vpaas.objects.common import KalturaFilterPager
from vpaas.objects.document import (
    KalturaContentResource,
    KalturaStringResource,
    KalturaUploadedFileTokenResource,
    KalturaUrlResource,
)
from vpaas.objects.thumb import (
    KalturaAssetFilter,
)
from vpaas.registry import ApiError, ServeFile
from vpaas.registry import catalogue as E
from vpaas.services.base_entry import caller

MAX_LIST = 500
SERVE_URL_SECONDS = 3600
DownloadError = Callable[[str, str], ApiError]


def require_partner(ctx: CallContext) -> None:
    """Serve actions take a KS or a ``partnerId`` parameter."""
    if ctx.partner_id is None:
        raise E.MISSING_KS()


def resource_file(ctx: CallContext, resource: KalturaContentResource | None, work: Path, *,
                  object_type: str, object_id: str, max_bytes: int,
                  download_error: DownloadError) -> tuple[Path, str | None]:
    """A content resource as a local file (and its name): a complete upload token's file,
    a URL downloaded now (at most ``max_bytes``), or a string resource's content."""
    if resource is None:
        raise E.MISSING_MANDATORY_PARAMETER("contentResource")
    if isinstance(resource, KalturaUploadedFileTokenResource):
        return _token_file(ctx, resource.token or "", object_type, object_id)
    if isinstance(resource, KalturaStringResource):
        data = (resource.content or "").encode("utf-8")
        if len(data) > max_bytes:
            raise E.INVALID_PARAMETER_VALUE(f"({len(data)} bytes)", "contentResource:content")
        (work / "content").write_bytes(data)
        return work / "content", None
    if type(resource) is KalturaUrlResource:
        url = resource.url or ""
        try:
            headers = imports.clean_headers([h.value or "" for h in resource.urlHeaders or []])
            got = imports.download(url, work, max_bytes=max_bytes,
                                   timeout=min(float(ctx.settings.import_timeout), 60.0),
                                   headers=headers,
                                   block_private=bool(ctx.settings.import_block_private))
        except imports.ImportFailed as exc:
            raise download_error(url[:200], exc.reason) from None
        return got.path, got.filename
    raise E.RESOURCE_TYPE_NOT_SUPPORTED(type(resource).__name__)


def _token_file(ctx: CallContext, token_id: str, object_type: str,
                object_id: str) -> tuple[Path, str | None]:
    token = uploads.get_token(ctx.session, token_id, caller(ctx))
    if token.status != uploads.FULL_UPLOAD:
        if token.status == uploads.CLOSED:
            raise E.UPLOAD_TOKEN_ALREADY_USED(token.id)
        raise E.UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY()
    staged = uploads.staged_path(ctx.settings, token.partner_id, token.id)
    if not staged.is_file():
        raise E.UPLOADED_FILE_NOT_FOUND_BY_TOKEN()
    uploads.attach_token(ctx.session, token.id, object_type, object_id, caller(ctx),
                         require_complete=True)
    settings, pid, tid = ctx.settings, token.partner_id, token.id
    entries.on_commit(ctx.session, lambda: uploads.remove_staged(settings, pid, tid))
    return staged, token.file_name


def _csv(value: str | None, cast: type, name: str) -> list[Any]:
    out = []
    for part in (value or "").split(","):
        if part.strip():
            try:
                out.append(cast(part.strip()))
            except ValueError:
                raise E.INVALID_PARAMETER_VALUE(part.strip()[:40], f"filter:{name}") from None
    return out


def filter_assets(query: Select[Any], table: Any, f: KalturaAssetFilter) -> Select[Any]:
    """Apply the KalturaAssetFilter conditions and the common status/params ones."""
    for column, equal, in_, name in ((table.id, f.idEqual, f.idIn, "idIn"),
                                     (table.entry_id, f.entryIdEqual, f.entryIdIn,
                                      "entryIdIn")):
        if equal is not None:
            query = query.where(column == equal)
        if in_ is not None:
            query = query.where(column.in_(_csv(in_, str, name)))
    for column, low, high in ((table.created_at, f.createdAtGreaterThanOrEqual,
                               f.createdAtLessThanOrEqual),
                              (table.updated_at, f.updatedAtGreaterThanOrEqual,
                               f.updatedAtLessThanOrEqual),
                              (table.size_bytes, _kb(f.sizeGreaterThanOrEqual),
                               _kb(f.sizeLessThanOrEqual))):
        if low is not None:
            query = query.where(column >= low)
        if high is not None:
            query = query.where(column <= high)
    if f.tagsLike:
        query = query.where(table.tags.like(f"%{f.tagsLike}%"))
    status_eq, status_in = getattr(f, "statusEqual", None), getattr(f, "statusIn", None)
    if status_eq is not None:
        query = query.where(table.status == int(status_eq))
    if status_in is not None:
        query = query.where(table.status.in_(_csv(status_in, int, "statusIn")))
    if getattr(f, "statusNotIn", None):
        query = query.where(table.status.not_in(_csv(f.statusNotIn, int, "statusNotIn")))  # type: ignore[attr-defined]
    return query


def _kb(value: int | None) -> int | None:
    return None if value is None else value * 1024


def order_and_page(session: Session, query: Select[Any], table: Any, order_by: str | None,
                   pager: KalturaFilterPager | None) -> tuple[list[Any], int]:
    """One page (default 30, at most 500) in the asked order, and the total count."""
    columns = {"createdAt": table.created_at, "updatedAt": table.updated_at,
               "size": table.size_bytes, "deletedAt": table.deleted_at}
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = []
    for part in (order_by or "+createdAt").split(","):
        part = part.strip()
        column = columns.get(part.lstrip("+-"))
        if column is None:
            raise E.INVALID_ORDER_BY(part[:60], ", ".join(f"+{c}, -{c}" for c in columns))
        order.append(column.desc() if part.startswith("-") else column.asc())
    size = pager.pageSize if pager and pager.pageSize and pager.pageSize > 0 else 30
    size = min(size, MAX_LIST)
    index = pager.pageIndex if pager and pager.pageIndex and pager.pageIndex > 0 else 1
    rows = session.scalars(query.order_by(*order, table.id).limit(size)
                           .offset((index - 1) * size))
    return list(rows), total


def serve_key(ctx: CallContext, key: str, content_type: str, filename: str) -> ServeFile:
    """Serve a stored file: the local path, else a redirect to a presigned URL."""
    storage = ctx.runtime.storage
    local = storage.local_path(key)
    if local is not None:
        return ServeFile(path=local, content_type=content_type, filename=filename)
    url = storage.presigned_url(key, SERVE_URL_SECONDS, filename=filename,
                                content_type=content_type)
    if url is not None:
        return ServeFile(redirect=url, content_type=content_type)
    return ServeFile(stream=storage.iter_range(key, 0, storage.size(key)),
                     content_type=content_type, size=storage.size(key))


def api_url(ctx: CallContext, service: str, action: str, params: dict[str, Any],
            query: dict[str, Any] | None = None) -> str:
    """Absolute GET URL of a (file-serving) action, with path-style parameters."""
    path = "".join(f"/{k}/{v}" for k, v in params.items())
    tail = f"?{urlencode(query)}" if query else ""
    return ctx.url(f"/api_v3/index.php/service/{service}/action/{action}{path}{tail}")


# --- objects and lookups ----------------------------------------------------------------------
