"""baseEntry.getPlaybackContext and the legacy baseEntry.getContextData (declared on baseEntry).

An unknown entry is ENTRY_ID_NOT_FOUND. A blocked entry and an entry that is not ready are
*not* errors: the context comes back without sources, with a BLOCK action (the player shows
its "blocked" error) or a message, as players expect.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from vpaas.context import CallContext
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries, playback
from vpaas.domain.access.model import ActionType, ContextType
from vpaas.objects.access_control import (
    KalturaAccessControlBlockAction,
    KalturaAccessControlLimitFlavorsAction,
    KalturaAccessControlLimitThumbnailCaptureAction,
    KalturaAccessControlMessage,
    KalturaAccessControlPreviewAction,
    KalturaRuleAction,
)
from vpaas.objects.caption import KalturaCaptionPlaybackPluginData
from vpaas.objects.common import KalturaString
from vpaas.objects.playback import (
    KalturaEntryContextDataParams,
    KalturaEntryContextDataResult,
    KalturaPlaybackContext,
    KalturaPlaybackSource,
)
from vpaas.registry.model import KsRule
from vpaas.services.base_entry import base_entry
from vpaas.services.flavor_asset import asset_object

_ACTION_CLASSES: dict[int, type[KalturaRuleAction]] = {
    1: KalturaAccessControlBlockAction, 2: KalturaAccessControlPreviewAction,
    3: KalturaAccessControlLimitFlavorsAction, 8: KalturaAccessControlLimitThumbnailCaptureAction,
}
_CAPTION_READY = 2
_VTT_FORMAT = "3"


def requester(ctx: CallContext, params: KalturaEntryContextDataParams | None
              ) -> playback.Requester:
    """The access-control view of the call (referrer and UA may come from the params)."""
    referrer = (params.referrer if params else None) or ctx.request.referrer
    agent = (params.userAgent if params else None) or ctx.request.user_agent
    return playback.Requester(client_ip=ctx.request.client_ip, user_agent=agent or "",
                              referrer=referrer or "", ks=ctx.ks)


def action_objects(decision: playback.AccessDecision) -> list[KalturaRuleAction]:
    """The decision's actions as API objects."""
    out = []
    for item in playback.action_fields(decision):
        cls = _ACTION_CLASSES.get(item["type"], KalturaRuleAction)
        out.append(cls(**item))
    return out


def caption_objects(ctx: CallContext, entry_id: str) -> list[KalturaCaptionPlaybackPluginData]:
    """playbackCaptions from the entry's READY caption assets (none without the plugin)."""
    try:
        from vpaas.db.tables.caption import CaptionAssetRow
    except ImportError:  # the caption plugin is optional
        return []
    rows = ctx.session.scalars(select(CaptionAssetRow).where(
        CaptionAssetRow.entry_id == entry_id, CaptionAssetRow.status == _CAPTION_READY))
    out = []
    for row in rows:
        if not row.display_on_player:
            continue
        base = f"/api_v3/service/caption_captionasset/action/serve/captionAssetId/{row.id}"
        vtt = ctx.url(f"/api_v3/service/caption_captionasset/action/serveWebVTT"
                      f"/captionAssetId/{row.id}/segmentIndex/-1/version/{row.version}"
                      f"/captions.vtt")
        out.append(KalturaCaptionPlaybackPluginData(
            label=row.label or row.language or row.language_code or "Captions",
            format=str(row.format), language=row.language, webVttUrl=vtt,
            url=vtt if str(row.format) == _VTT_FORMAT else ctx.url(base),
            isDefault=bool(row.is_default), languageCode=row.language_code))
    return out


def _entry(ctx: CallContext, entry_id: str) -> EntryRow:
    entry = entries.get_entry(ctx.session, entry_id)
    return entry


@base_entry.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def getPlaybackContext(ctx: CallContext, entryId: str,
                       contextDataParams: KalturaEntryContextDataParams | None = None
                       ) -> KalturaPlaybackContext:
    """Everything a player needs: sources (HLS, DASH, MP4), flavors, captions, and the
    access-control actions and messages that apply.

    Args:
        entryId: The entry to play
        contextDataParams: Referrer, user agent, flavor tags, streamer type
    """
    entry = _entry(ctx, entryId)
    params = contextDataParams
    result = playback.build_context(
        ctx.session, entry, requester(ctx, params), ctx.url(""),
        flavor_tags=params.flavorTags if params else None,
        streamer_type=params.streamerType if params else None)
    sources = [KalturaPlaybackSource(
        deliveryProfileId=str(s.delivery_profile_id), format=s.format, protocols="http,https",
        flavorIds=",".join(s.flavor_ids), url=s.url, drm=[]) for s in result.sources]
    return KalturaPlaybackContext(
        sources=sources,
        playbackCaptions=caption_objects(ctx, entry.id) if result.sources else [],
        flavorAssets=[asset_object(r) for r in result.flavors],
        actions=action_objects(result.decision),
        messages=[KalturaAccessControlMessage(code=m.code, message=m.message)
                  for m in result.messages],
        bumperData=[])


def _restrictions(decision: playback.AccessDecision) -> dict[str, bool]:
    fired = [t for t in decision.trace if t.fired
             and any(a.type == ActionType.BLOCK for a in t.actions)]
    kinds = {c.type.name for t in fired for c in t.conditions if c.fulfilled}
    return {"isSiteRestricted": "SITE" in kinds, "isCountryRestricted": "COUNTRY" in kinds,
            "isSessionRestricted": "AUTHENTICATED" in kinds,
            "isIpAddressRestricted": "IP_ADDRESS" in kinds,
            "isUserAgentRestricted": "USER_AGENT" in kinds}


@base_entry.action(ks=KsRule.ANY, errors=("ENTRY_ID_NOT_FOUND",))
def getContextData(ctx: CallContext, entryId: str,
                   contextDataParams: KalturaEntryContextDataParams | None = None
                   ) -> KalturaEntryContextDataResult:
    """Legacy form of getPlaybackContext: restriction flags, preview length, flavors.

    Args:
        entryId: The entry
        contextDataParams: Referrer, user agent, flavor tags, streamer type
    """
    entry = _entry(ctx, entryId)
    who = requester(ctx, contextDataParams)
    decision = playback.decide(ctx.session, entry, ContextType.PLAY, who)
    flavors: list[Any] = []
    if decision.allowed and playback.playable(entry):
        rows = playback.ready_flavors(ctx.session, entry.id)
        flavors = [asset_object(r) for r in playback.select_flavors(
            rows, "url", playback.FlavorQuery(), decision)]
    messages = [KalturaAccessControlMessage(code=m.code, message=m.message)
                for m in decision.messages]
    actions = action_objects(decision)
    streamer = (contextDataParams.streamerType if contextDataParams else None) or "http"
    return KalturaEntryContextDataResult(
        messages=[KalturaString(value=m.message) for m in decision.messages],
        actions=actions, previewLength=decision.preview_seconds or -1,
        isScheduledNow=decision.scheduled, isAdmin=bool(ctx.is_admin),
        streamerType=streamer, mediaProtocol=streamer if streamer in ("http", "https")
        else "http", storageProfilesXML="", accessControlMessages=messages,
        accessControlActions=actions, flavorAssets=flavors, msDuration=entry.duration_ms or 0,
        **_restrictions(decision))
