"""uiConfs: stored player configurations, and the configuration the embed loaders hand out.

Rows are partner-scoped; deleted ones are kept (``deleted_at``) so an id is never reused.
``config`` must be empty or the JSON text of an object: that object is deep-merged over the
server's defaults (:func:`player_config`) when a page loads the player through
``/p/{pid}/embedPlaykitJs/uiconf_id/{id}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.ui_conf import UiConfRow
from vpaas.domain import filtering
from vpaas.registry import catalogue as E

PLAYER_VERSION = "3.17.95"
"""The @playkit-js/kaltura-player-js release vpaas/web/player pins."""
MAX_TEXT = 1024 * 1024
"""Longest configuration text (config, confFile, confVars...), in characters."""
MAX_LENGTHS: dict[str, int] = {
    "name": 255, "swf_url_version": 64, "description": 4000, "tags": 4000,
    "partner_tags": 4000, "html_params": 16000, "swf_url": 2048, "html5_url": 2048,
    "conf_file": MAX_TEXT, "conf_file_features": MAX_TEXT, "config": MAX_TEXT,
    "conf_vars": MAX_TEXT,
}
MAX_DIMENSION = 16384
MAX_CONFIG_DEPTH = 64

FILTER_COLUMNS: dict[str, Any] = {
    "id": UiConfRow.id, "name": UiConfRow.name, "partnerId": UiConfRow.partner_id,
    "objType": UiConfRow.obj_type, "tags": UiConfRow.tags,
    "createdAt": UiConfRow.created_at, "updatedAt": UiConfRow.updated_at,
    "creationMode": UiConfRow.creation_mode,
    "version": cast(UiConfRow.version, String),  # a string in the API
    "partnerTags": UiConfRow.partner_tags,
}
_COPIED = ("name", "description", "obj_type", "width", "height", "html_params", "swf_url",
           "swf_url_version", "conf_file", "conf_file_features", "config", "conf_vars",
           "use_cdn", "tags", "partner_tags", "creation_mode", "html5_url", "v2_redirect")


def parse_config(text: str | None, field_name: str = "config") -> dict[str, Any]:
    """The JSON object in ``text`` ({} when empty); INVALID_PARAMETER_VALUE otherwise."""
    if not (text or "").strip():
        return {}
    try:
        value = json.loads(text or "")
    except (ValueError, RecursionError) as err:
        reason = f"not JSON ({err})" if isinstance(err, ValueError) else "nested too deeply"
        raise E.INVALID_PARAMETER_VALUE(reason, f"uiConf:{field_name}") from None
    if not isinstance(value, dict):
        raise E.INVALID_PARAMETER_VALUE(f"a JSON {type(value).__name__}, not an object",
                                        f"uiConf:{field_name}")
    if _depth(value) > MAX_CONFIG_DEPTH:
        raise E.INVALID_PARAMETER_VALUE("nested too deeply", f"uiConf:{field_name}")
    return value


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_CONFIG_DEPTH:
        return level
    children: list[Any] = []
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    return max((_depth(c, level + 1) for c in children), default=level)


def validate(values: Mapping[str, Any]) -> None:
    """Check column values before they are stored (lengths, sizes, the config JSON)."""
    for column, value in values.items():
        limit = MAX_LENGTHS.get(column)
        if limit is not None and value is not None and len(str(value)) > limit:
            raise E.PROPERTY_VALIDATION_MAX_LENGTH(column, limit)
        if column in ("width", "height") and value is not None \
                and not 0 <= int(value) <= MAX_DIMENSION:
            raise E.INVALID_PARAMETER_VALUE(value, f"uiConf:{column}")
    if "config" in values:
        parse_config(values["config"])


def get(session: Session, ui_conf_id: int) -> UiConfRow:
    """A uiConf of the session's partner, else UICONF_ID_NOT_FOUND."""
    row = session.scalars(select(UiConfRow).where(UiConfRow.id == int(ui_conf_id),
                                                  UiConfRow.deleted_at.is_(None))).first()
    if row is None:
        raise E.UICONF_ID_NOT_FOUND(ui_conf_id)
    return row


def add(session: Session, partner_id: int, values: Mapping[str, Any]) -> UiConfRow:
    """Create a uiConf with the given column values."""
    validate(values)
    row = UiConfRow(partner_id=partner_id, version=1)
    for column, value in values.items():
        setattr(row, column, value)
    session.add(row)
    session.flush()
    return row


def update(session: Session, row: UiConfRow, values: Mapping[str, Any]) -> UiConfRow:
    """Change the given columns; every update makes a new version."""
    validate(values)
    for column, value in values.items():
        setattr(row, column, value)
    row.version = (row.version or 0) + 1
    row.updated_at = now()
    session.flush()
    return row


def delete(session: Session, row: UiConfRow) -> None:
    """Delete a uiConf (its id is not reused)."""
    row.deleted_at = now()
    session.flush()


def clone(session: Session, row: UiConfRow) -> UiConfRow:
    """A copy of ``row`` with a new id, version 1."""
    copy = UiConfRow(partner_id=row.partner_id, version=1,
                     **{column: getattr(row, column) for column in _COPIED})
    session.add(copy)
    session.flush()
    return copy


def list_(session: Session, filter_obj: Any, pager: Any) -> tuple[list[UiConfRow], int]:
    """One page of the partner's uiConfs matching the filter, and the total count."""
    stmt = select(UiConfRow).where(UiConfRow.deleted_at.is_(None))
    if filter_obj is not None:
        stmt = filtering.apply_filter(stmt, filter_obj, FILTER_COLUMNS,
                                      csv_fields=("tags", "partnerTags"))
    order_by = getattr(filter_obj, "orderBy", None)
    stmt = filtering.apply_order(stmt, order_by, FILTER_COLUMNS, default="+id")
    total = int(session.scalar(filtering.count(stmt)) or 0)
    paged, _size, _index = filtering.page(stmt, pager)
    return list(session.scalars(paged)), total


def merge_deep(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict: ``base`` with ``over`` merged in (objects recursively, other values replace)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = merge_deep(out[key], value)
        else:
            out[key] = value
    return out


def player_config(row: UiConfRow, base_url: str) -> dict[str, Any]:
    """The server configuration the web player gets with this uiConf.

    ``provider.env`` points the player at this server (``base_url``, no trailing slash); the
    uiConf's ``config`` object is merged over it (so it may set a CDN, plugins, UI...);
    ``provider.partnerId``/``uiConfId`` always come from the row.
    """
    base = base_url.rstrip("/")
    defaults: dict[str, Any] = {"provider": {"env": {
        "serviceUrl": base + "/api_v3", "cdnUrl": base, "analyticsServiceUrl": base}}}
    merged = merge_deep(defaults, parse_config(row.config))
    provider = merged.get("provider")
    merged["provider"] = dict(provider) if isinstance(provider, dict) else {}
    merged["provider"].update(partnerId=row.partner_id, uiConfId=row.id)
    return merged
