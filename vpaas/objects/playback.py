"""Playback objects: the playback context players ask for, its sources, actions and messages.

``KalturaRuleAction.type`` is declared as an integer although Kaltura's schema calls it a
string enum: Kaltura's JSON carries the number (``{"type": 1}``) and the web and mobile
players compare it with numbers (``action.type === 1``).
"""

from __future__ import annotations

from vpaas.objects.access_control import (
    KalturaAccessControlContextTypeHolder,
    KalturaAccessControlMessage,
    KalturaRuleAction,
)
from vpaas.objects.caption import KalturaCaptionPlaybackPluginData
from vpaas.objects.common import KalturaKeyValue, KalturaObjectBase, KalturaString
from vpaas.objects.flavor import KalturaFlavorAsset
from vpaas.registry import api_object, field


@api_object
class KalturaAccessControlScope(KalturaObjectBase):
    """Who asks for an entry, from where: what access-control rules are checked against."""

    referrer: str = field(doc="Page URL, for site conditions")
    ip: str = field(doc="Client address, for IP and country conditions")
    ks: str = field(doc="Session, for authentication conditions")
    userAgent: str = field(doc="Browser or application, for user-agent conditions")
    time: int = field(doc="Unix time to evaluate scheduling at (admins only)")
    contexts: list[KalturaAccessControlContextTypeHolder] = field(doc="Contexts to check")
    hashes: list[KalturaKeyValue] = field(doc="Hash values for hash conditions")


@api_object
class KalturaEntryContextDataParams(KalturaAccessControlScope):
    """The request of getContextData / getPlaybackContext."""

    flavorAssetId: str = field(doc="Current flavor, if any")
    flavorTags: str = field(doc="Flavor tags to select (all: every flavor)")
    streamerType: str = field(doc="Delivery format (applehttp, mpegdash, url...)")
    mediaProtocol: str = field(doc="Protocol (http, https)")


@api_object
class KalturaPlaybackContextOptions(KalturaEntryContextDataParams):
    """Options of getPlaybackContext."""


@api_object
class KalturaContextDataParams(KalturaEntryContextDataParams):
    """What the web player sends as ``contextDataParams`` (objectType KalturaContextDataParams)."""


@api_object
class KalturaDrmPlaybackPluginData(KalturaObjectBase):
    """DRM data of a playback source (vpaas serves no DRM: always empty)."""

    scheme: str = field(readonly=True, doc="DRM scheme")
    licenseURL: str = field(readonly=True, doc="License server")


@api_object
class KalturaPlaybackSource(KalturaObjectBase):
    """One way to play the entry: a format, its flavors and its playManifest URL."""

    deliveryProfileId: str = field(readonly=True, doc="Delivery profile (one per format)")
    format: str = field(readonly=True, doc="applehttp (HLS), mpegdash (DASH) or url (MP4)")
    protocols: str = field(readonly=True, doc="Comma separated protocols (http,https)")
    flavorIds: str = field(readonly=True, doc="Comma separated flavor asset ids")
    url: str = field(readonly=True, doc="playManifest URL")
    drm: list[KalturaDrmPlaybackPluginData] = field(readonly=True, doc="DRM data (none)")


@api_object
class KalturaContextDataResult(KalturaObjectBase):
    """Messages and actions of the access-control rules that applied."""

    messages: list[KalturaString] = field(readonly=True, doc="Rule messages")
    actions: list[KalturaRuleAction] = field(readonly=True, doc="Rule actions")


@api_object
class KalturaEntryContextDataResult(KalturaContextDataResult):
    """Legacy answer of baseEntry.getContextData."""

    isSiteRestricted: bool = field(readonly=True, doc="A site rule applied")
    isCountryRestricted: bool = field(readonly=True, doc="A country rule applied")
    isSessionRestricted: bool = field(readonly=True, doc="A session rule applied")
    isIpAddressRestricted: bool = field(readonly=True, doc="An IP rule applied")
    isUserAgentRestricted: bool = field(readonly=True, doc="A user-agent rule applied")
    previewLength: int = field(readonly=True, doc="Preview length in seconds (-1: none)")
    isScheduledNow: bool = field(readonly=True, doc="Inside its start/end dates")
    isAdmin: bool = field(readonly=True, doc="The session is an admin session")
    streamerType: str = field(readonly=True, doc="Suggested delivery format")
    mediaProtocol: str = field(readonly=True, doc="Suggested protocol")
    storageProfilesXML: str = field(readonly=True, doc="Remote storage (none)")
    accessControlMessages: list[KalturaAccessControlMessage] = field(
        readonly=True, doc="Rule messages")
    accessControlActions: list[KalturaRuleAction] = field(readonly=True, doc="Rule actions")
    flavorAssets: list[KalturaFlavorAsset] = field(readonly=True, doc="Playable flavors")
    msDuration: int = field(readonly=True, doc="Duration in milliseconds")


@api_object
class KalturaPlaybackContext(KalturaObjectBase):
    """Everything a player needs to play an entry (baseEntry.getPlaybackContext)."""

    sources: list[KalturaPlaybackSource] = field(readonly=True, doc="Ways to play it")
    playbackCaptions: list[KalturaCaptionPlaybackPluginData] = field(
        readonly=True, doc="Caption tracks")
    flavorAssets: list[KalturaFlavorAsset] = field(readonly=True, doc="Playable flavors")
    actions: list[KalturaRuleAction] = field(readonly=True, doc="Access-control actions")
    messages: list[KalturaAccessControlMessage] = field(readonly=True, doc="Rule messages")
    bumperData: list[KalturaObjectBase] = field(readonly=True, doc="Bumper (none)")
