"""uiConf: player configurations referenced by embed codes (``uiconf_id``)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from vpaas.context import CallContext
from vpaas.db.tables.ui_conf import UiConfRow
from vpaas.domain import ui_confs
from vpaas.objects.common import KalturaFilterPager, KalturaString
from vpaas.objects.ui_conf import (
    KalturaUiConf,
    KalturaUiConfCreationMode,
    KalturaUiConfFilter,
    KalturaUiConfListResponse,
    KalturaUiConfObjType,
    KalturaUiConfTypeInfo,
    KalturaUiConfV2Redirect,
)
from vpaas.registry import ForInsert, ForUpdate, Service
from vpaas.registry.model import KsRule

ui_conf = Service("uiConf", """Player configurations (uiConfs).

A uiConf's ``config`` is the web player's configuration as a JSON object; embed codes name
the uiConf by id (``/p/{partnerId}/embedPlaykitJs/uiconf_id/{id}``).""")

_COLUMNS = {
    "name": "name", "description": "description", "objType": "obj_type", "width": "width",
    "height": "height", "htmlParams": "html_params", "swfUrl": "swf_url",
    "confFile": "conf_file", "confFileFeatures": "conf_file_features", "config": "config",
    "confVars": "conf_vars", "useCdn": "use_cdn", "tags": "tags",
    "swfUrlVersion": "swf_url_version", "creationMode": "creation_mode",
    "html5Url": "html5_url", "partnerTags": "partner_tags", "v2Redirect": "v2_redirect",
}
_NULLED = {"objType": 1, "width": 0, "height": 0, "useCdn": True, "creationMode": 2,
           "v2Redirect": None}
_ERRORS = ("UICONF_ID_NOT_FOUND",)


def _enum(cls: type[Enum], value: Any) -> Any:
    try:
        return cls(value)
    except ValueError:
        return None


def ui_conf_object(row: UiConfRow) -> KalturaUiConf:
    """The API object of a uiConf row."""
    obj_type = _enum(KalturaUiConfObjType, row.obj_type)
    redirect = row.v2_redirect
    return KalturaUiConf(
        id=row.id, name=row.name, description=row.description, partnerId=row.partner_id,
        objType=obj_type, objTypeAsString=obj_type.name if obj_type is not None else "",
        width=row.width, height=row.height, htmlParams=row.html_params, swfUrl=row.swf_url,
        confFilePath="", confFile=row.conf_file, confFileFeatures=row.conf_file_features,
        config=row.config, confVars=row.conf_vars, useCdn=bool(row.use_cdn), tags=row.tags,
        swfUrlVersion=row.swf_url_version, createdAt=row.created_at, updatedAt=row.updated_at,
        creationMode=_enum(KalturaUiConfCreationMode, row.creation_mode),
        html5Url=row.html5_url, version=str(row.version), partnerTags=row.partner_tags,
        v2Redirect=KalturaUiConfV2Redirect(**redirect) if isinstance(redirect, dict) else None)


def _values(obj: KalturaUiConf) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in sorted(obj.supplied | obj.nulled):
        if name not in _COLUMNS:
            continue
        value = getattr(obj, name, None)
        if name in obj.nulled or value is None:
            value = _NULLED.get(name, "")
        elif isinstance(value, Enum):
            value = value.value
        elif isinstance(value, KalturaUiConfV2Redirect):
            value = {k: getattr(value, k) for k in ("v7id", "isApproved", "translatePlugins")
                     if getattr(value, k) is not None}
        values[_COLUMNS[name]] = value
    return values


def _pid(ctx: CallContext) -> int:
    assert ctx.partner_id is not None
    return ctx.partner_id


@ui_conf.action(ks=KsRule.ADMIN)
def add(ctx: CallContext, uiConf: Annotated[KalturaUiConf, ForInsert]) -> KalturaUiConf:
    """Add a uiConf.

    Args:
        uiConf: name, objType and the player configuration (config, a JSON object)
    """
    values = _values(uiConf)
    values.setdefault("obj_type", int(KalturaUiConfObjType.PLAYER))
    return ui_conf_object(ui_confs.add(ctx.session, _pid(ctx), values))


@ui_conf.action(ks=KsRule.ANY, errors=_ERRORS)
def get(ctx: CallContext, id: int) -> KalturaUiConf:
    """Get a uiConf by id.

    Args:
        id: uiConf id
    """
    return ui_conf_object(ui_confs.get(ctx.session, id))


@ui_conf.action(ks=KsRule.ADMIN, errors=_ERRORS)
def update(ctx: CallContext, id: int, uiConf: Annotated[KalturaUiConf, ForUpdate]
           ) -> KalturaUiConf:
    """Update a uiConf; its version goes up by one.

    Args:
        id: uiConf id
        uiConf: the fields to change
    """
    row = ui_confs.get(ctx.session, id)
    return ui_conf_object(ui_confs.update(ctx.session, row, _values(uiConf)))


@ui_conf.action("delete", ks=KsRule.ADMIN, errors=_ERRORS)
def delete_(ctx: CallContext, id: int) -> None:
    """Delete a uiConf; embed codes naming it stop working.

    Args:
        id: uiConf id
    """
    ui_confs.delete(ctx.session, ui_confs.get(ctx.session, id))


@ui_conf.action(ks=KsRule.ADMIN, errors=_ERRORS)
def clone(ctx: CallContext, id: int) -> KalturaUiConf:
    """Copy a uiConf under a new id.

    Args:
        id: uiConf id to copy
    """
    return ui_conf_object(ui_confs.clone(ctx.session, ui_confs.get(ctx.session, id)))


@ui_conf.action(ks=KsRule.ANY)
def list_(ctx: CallContext, filter: KalturaUiConfFilter | None = None,
          pager: KalturaFilterPager | None = None) -> KalturaUiConfListResponse:
    """List the partner's uiConfs.

    Args:
        filter: Conditions and orderBy (default +id)
        pager: Page size (default 30, at most 500) and 1-based page index
    """
    rows, total = ui_confs.list_(ctx.session, filter, pager)
    return KalturaUiConfListResponse(objects=[ui_conf_object(r) for r in rows],
                                     totalCount=total)


@ui_conf.action(ks=KsRule.ANY)
def listTemplates(ctx: CallContext, filter: KalturaUiConfFilter | None = None,
                  pager: KalturaFilterPager | None = None) -> KalturaUiConfListResponse:
    """List uiConf templates. This server ships none: the list is empty.

    Args:
        filter: Conditions
        pager: Page size and index
    """
    return KalturaUiConfListResponse(objects=[], totalCount=0)


@ui_conf.action(ks=KsRule.ANY)
def getAvailableTypes(ctx: CallContext) -> list[KalturaUiConfTypeInfo]:
    """The uiConf types this server serves: the web player (PLAYER, kaltura-ovp-player)."""
    return [KalturaUiConfTypeInfo(type=KalturaUiConfObjType.PLAYER,
                                  versions=[KalturaString(value=ui_confs.PLAYER_VERSION)],
                                  directory="", filename="kaltura-ovp-player.js")]

