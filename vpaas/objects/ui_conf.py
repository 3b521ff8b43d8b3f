"""uiConf objects: player (and other application) configurations, their enums and filters.

A uiConf's ``config`` is the JSON text of a Kaltura web player (v7) configuration: the same
object ``KalturaPlayer.setup()`` takes (``playback``, ``ui``, ``plugins``, ``provider``...).
The embed loaders (``/p/{pid}/embedPlaykitJs/uiconf_id/{id}``) hand it to the player.
"""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import (
    KalturaFilter,
    KalturaListResponse,
    KalturaObjectBase,
    KalturaString,
)
from vpaas.objects.filters import make_filter_classes
from vpaas.registry import Time, api_enum, api_object, field


@api_enum
class KalturaUiConfObjType(IntEnum):
    """The application a uiConf configures (PLAYER for the web player)."""

    PLAYER = 1
    CONTRIBUTION_WIZARD = 2
    SIMPLE_EDITOR = 3
    ADVANCED_EDITOR = 4
    PLAYLIST = 5
    APP_STUDIO = 6
    KRECORD = 7
    PLAYER_V3 = 8
    KMC_ACCOUNT = 9
    KMC_ANALYTICS = 10
    KMC_CONTENT = 11
    KMC_DASHBOARD = 12
    KMC_LOGIN = 13
    PLAYER_SL = 14
    CLIENTSIDE_ENCODER = 15
    KMC_GENERAL = 16
    KMC_ROLES_AND_PERMISSIONS = 17
    CLIPPER = 18
    KSR = 19
    KUPLOAD = 20
    WEBCASTING = 21
    SAP = 22
    REELS = 23


@api_enum
class KalturaUiConfCreationMode(IntEnum):
    """How the uiConf was made."""

    WIZARD = 2
    ADVANCED = 3
    SYSTEM = 4


@api_object
class KalturaUiConfV2Redirect(KalturaObjectBase):
    """Where a legacy (v2) player configuration redirects to a v7 one."""

    v7id: int = field(doc="The v7 uiConf id")
    isApproved: bool = field(doc="The redirect is approved")
    translatePlugins: bool = field(doc="Translate v2 plugins to v7 ones")


_ORDER_RANGE = "gte,lte,order"


@api_object
class KalturaUiConf(KalturaObjectBase):
    """A player (or other application) configuration, referenced by embed codes.

    ``config`` holds the web player's configuration as a JSON object; it is checked to be
    one when set.
    """

    id: int = field(readonly=True, filters="eq,in,order", doc="uiConf id")
    name: str = field(filters="like,order", doc="Name (not unique)")
    description: str = field(doc="Description")
    partnerId: int = field(readonly=True, filters="eq,in", doc="Owning partner")
    objType: KalturaUiConfObjType = field(filters="eq,in", doc="Application configured")
    objTypeAsString: str = field(readonly=True, doc="objType's name")
    width: int = field(doc="Player width, pixels")
    height: int = field(doc="Player height, pixels")
    htmlParams: str = field(doc="HTML parameters of the embed")
    swfUrl: str = field(doc="URL of the (legacy) Flash application")
    confFilePath: str = field(readonly=True, doc="Path of the configuration file (unused)")
    confFile: str = field(doc="Configuration file contents (legacy XML players)")
    confFileFeatures: str = field(doc="Features configuration file contents")
    config: str = field(doc="Player configuration, a JSON object")
    confVars: str = field(doc="Configuration variables")
    useCdn: bool = field(doc="Serve through the CDN")
    tags: str = field(filters="mlikeor,mlikeand", doc="Comma separated tags")
    swfUrlVersion: str = field(doc="Version of the Flash application")
    createdAt: Time = field(readonly=True, filters=_ORDER_RANGE, doc="Creation time")
    updatedAt: Time = field(readonly=True, filters=_ORDER_RANGE, doc="Last update time")
    creationMode: KalturaUiConfCreationMode = field(filters="eq,in", doc="How it was made")
    html5Url: str = field(doc="URL of the HTML5 library (informational)")
    version: str = field(readonly=True, filters="eq,mlikeor,mlikeand",
                         doc="Revision, incremented by every update")
    partnerTags: str = field(filters="mlikeor,mlikeand", doc="Comma separated partner tags")
    v2Redirect: KalturaUiConfV2Redirect = field(doc="Legacy player redirect")


KalturaUiConfBaseFilter, KalturaUiConfFilter = make_filter_classes(KalturaUiConf, KalturaFilter)


@api_object
class KalturaUiConfListResponse(KalturaListResponse):
    """A page of uiConfs."""

    objects: list[KalturaUiConf] = field(readonly=True, doc="The uiConfs")


@api_object
class KalturaUiConfTypeInfo(KalturaObjectBase):
    """An application type uiConfs can configure, with its available versions."""

    type: KalturaUiConfObjType = field(doc="uiConf type")
    versions: list[KalturaString] = field(doc="Available versions")
    directory: str = field(doc="Directory this type is saved in")
    filename: str = field(doc="File name of this type")

