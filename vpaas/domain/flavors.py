"""Flavor params, conversion profiles, and the per-entry plan they produce.

System flavor params (partner 0) are seeded from :data:`vpaas.media.presets.DEFAULT_LADDER`
on first use; every partner sees them plus its own. Each partner gets a default conversion
profile (created on first use) holding the whole default ladder with no REQUIRED flavor:
the entry is READY as soon as its first playable flavor is, the rest fill in after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import (
    ConversionProfileParamsRow,
    ConversionProfileRow,
    FlavorAssetRow,
    FlavorParamsRow,
)
from vpaas.domain.asset_state import FlavorAssetStatus, asset_keys, tracks_prefix, transition
from vpaas.media.presets import (
    ACTION_NOT_APPLICABLE,
    ACTION_REMUX,
    ACTION_TRANSCODE,
    DEFAULT_LADDER,
    FlavorPlan,
    FlavorSpec,
    plan_ladder,
)
from vpaas.media.probe import MediaInfo
from vpaas.registry import catalogue as E

SYSTEM_PARTNER = 0
SOURCE_PARAMS_ID = 0
FIRST_PARTNER_PARAMS_ID = 1000
"""Partner-created flavor params get ids from here on (system ids stay below)."""
PROFILE_ENABLED, PROFILE_DELETED = 2, 3
LADDER_JOB = "convert_ladder"
"""Job type converting the remaining rungs (see :mod:`vpaas.domain.processing`)."""
DELETE_ASSET_FILES_JOB = "delete_asset_files"
"""Job type removing deleted flavor assets' files (see :mod:`vpaas.jobs.handlers.cleanup`)."""
_PROFILE_OF_CODEC = {"h264": "high", "h264b": "baseline", "h264m": "main", "h264h": "high"}
_CODEC_OF_PROFILE = {"baseline": "h264b", "main": "h264m", "high": "h264h"}


class ReadyBehavior(IntEnum):
    """``KalturaFlavorReadyBehaviorType``: does the entry wait for this flavor?"""

    NO_IMPACT = 0
    REQUIRED = 1
    OPTIONAL = 2


# --- flavor params --------------------------------------------------------------------------


def spec_from_row(row: FlavorParamsRow) -> FlavorSpec:
    """The encode preset a flavor params row describes (Kaltura codec names mapped)."""
    tags = tuple(t.strip() for t in (row.tags or "").split(",") if t.strip())
    vcodec = (row.video_codec or "").strip().lower()
    acodec = (row.audio_codec or "").strip().lower()
    is_source = row.id == SOURCE_PARAMS_ID or "source" in tags
    audio_only = not is_source and ("audio_only" in tags or (not vcodec and bool(acodec)))
    fmt = (row.format or "mp4").lower()
    video: str | None = "h264" if vcodec in _PROFILE_OF_CODEC else (vcodec or None)
    if video == "h264" and fmt not in ("mp4", ""):
        video = f"h264/{fmt}"  # a container we do not write: the plan skips it
    gop = row.gop_size if row.is_gop_in_sec and row.gop_size and row.gop_size > 0 else 2
    return FlavorSpec(
        id=row.id, name=row.name or "", tags=tags, format="" if is_source else fmt,
        width=max(0, row.width or 0), height=max(0, row.height or 0),
        video_codec=None if (is_source or audio_only) else video,
        video_profile=_PROFILE_OF_CODEC.get(vcodec, "high"),
        video_bitrate_kbps=max(0, row.video_bitrate or 0),
        audio_codec=None if is_source else "aac",
        audio_bitrate_kbps=row.audio_bitrate or (128 if not is_source else 0),
        audio_channels=row.audio_channels or 2, audio_sample_rate=row.audio_sample_rate or 48000,
        gop_seconds=float(min(gop, 10)), is_audio_only=audio_only, is_source=is_source,
    )


def _system_row(spec: FlavorSpec) -> FlavorParamsRow:
    return FlavorParamsRow(
        id=spec.id, partner_id=SYSTEM_PARTNER, name=spec.name, system_name=None,
        description=None, tags=spec.tags_csv, format=spec.format,
        video_codec=_CODEC_OF_PROFILE.get(spec.video_profile, "h264") if spec.video_codec
        else "", video_bitrate=spec.video_bitrate_kbps,
        audio_codec=spec.audio_codec or "", audio_bitrate=spec.audio_bitrate_kbps
        if spec.audio_codec else 0, audio_channels=spec.audio_channels if spec.audio_codec
        else 0, audio_sample_rate=spec.audio_sample_rate if spec.audio_codec else 0,
        width=spec.width, height=spec.height, frame_rate=0.0, gop_size=int(spec.gop_seconds),
        is_gop_in_sec=True, is_system_default=True, extra={}, created_at=0, updated_at=0,
    )


def ensure_system_params(session: Session) -> None:
    """Insert the system flavor params (partner 0) if they are not there yet."""
    if session.get(FlavorParamsRow, SOURCE_PARAMS_ID) is not None:
        return
    try:
        with session.begin_nested():
            session.add_all([_system_row(spec) for spec in DEFAULT_LADDER])
    except IntegrityError:
        pass  # another process seeded them first


def _visible(partner_id: int) -> Any:
    return (FlavorParamsRow.partner_id.in_((SYSTEM_PARTNER, partner_id))
            & FlavorParamsRow.deleted_at.is_(None))


def list_params(session: Session, partner_id: int, ids: Sequence[int] | None = None,
                fmt: str | None = None) -> list[FlavorParamsRow]:
    """Flavor params the partner sees (its own and the system's), by id."""
    ensure_system_params(session)
    query = select(FlavorParamsRow).where(_visible(partner_id)).order_by(FlavorParamsRow.id)
    if ids is not None:
        query = query.where(FlavorParamsRow.id.in_(list(ids)))
    if fmt:
        query = query.where(FlavorParamsRow.format == fmt)
    return list(session.scalars(query))


def get_params(session: Session, partner_id: int, params_id: int) -> FlavorParamsRow:
    """A visible flavor params, else FLAVOR_PARAMS_ID_NOT_FOUND."""
    ensure_system_params(session)
    row = session.get(FlavorParamsRow, int(params_id))
    if row is None or row.deleted_at is not None or row.partner_id not in (
            SYSTEM_PARTNER, partner_id):
        raise E.FLAVOR_PARAMS_ID_NOT_FOUND(params_id)
    return row


def own_params(session: Session, partner_id: int, params_id: int) -> FlavorParamsRow:
    """A flavor params the partner may change: its own (system defaults are read-only)."""
    row = get_params(session, partner_id, params_id)
    if row.partner_id != partner_id:
        raise E.FLAVOR_PARAMS_ID_NOT_FOUND(params_id)
    return row


def add_params(session: Session, partner_id: int, values: dict[str, Any]) -> FlavorParamsRow:
    """Create a partner flavor params with the given column values."""
    ensure_system_params(session)
    top = session.scalar(select(func.max(FlavorParamsRow.id))) or 0
    row = FlavorParamsRow(id=max(top + 1, FIRST_PARTNER_PARAMS_ID), partner_id=partner_id,
                          is_system_default=False, extra={}, tags="", format="mp4",
                          video_codec="", audio_codec="")
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def delete_params(session: Session, partner_id: int, params_id: int) -> None:
    """Delete a partner flavor params and drop it from the partner's profiles."""
    row = own_params(session, partner_id, params_id)
    row.deleted_at = now()
    for link in session.scalars(select(ConversionProfileParamsRow).where(
            ConversionProfileParamsRow.flavor_params_id == row.id)):
        session.delete(link)


# --- conversion profiles -----------------------------------------------------------------------


def default_profile(session: Session, partner_id: int) -> ConversionProfileRow:
    """The partner's default profile, created (with the system ladder) on first use."""
    row = session.scalars(
        select(ConversionProfileRow)
        .where(ConversionProfileRow.partner_id == partner_id,
               ConversionProfileRow.is_default.is_(True),
               ConversionProfileRow.status != PROFILE_DELETED)
        .order_by(ConversionProfileRow.id)
    ).first()
    if row is not None:
        return row
    ensure_system_params(session)
    row = ConversionProfileRow(partner_id=partner_id, name="Default", system_name="Default",
                               description="The default set of flavors", status=PROFILE_ENABLED,
                               type=1, is_default=True, extra={})
    session.add(row)
    session.flush()
    set_profile_params(session, row, [s.id for s in DEFAULT_LADDER])
    return row


def get_profile(session: Session, profile_id: int) -> ConversionProfileRow:
    """A (partner-scoped, not deleted) profile, else CONVERSION_PROFILE_ID_NOT_FOUND."""
    row = session.scalars(select(ConversionProfileRow).where(
        ConversionProfileRow.id == int(profile_id))).first()
    if row is None or row.status == PROFILE_DELETED:
        raise E.CONVERSION_PROFILE_ID_NOT_FOUND(profile_id)
    return row


def set_profile_params(session: Session, profile: ConversionProfileRow,
                       params_ids: Sequence[int]) -> None:
    """Make ``params_ids`` the profile's flavor params (unknown ids: FLAVOR_PARAMS_ID_NOT_FOUND).

    Links kept from before keep their ready behavior; new ones are NO_IMPACT.
    """
    wanted = list(dict.fromkeys(int(i) for i in params_ids))
    for pid in wanted:
        get_params(session, profile.partner_id, pid)
    links = {link.flavor_params_id: link for link in profile_links(session, profile.id)}
    for pid, link in links.items():
        if pid not in wanted:
            session.delete(link)
    for pid in wanted:
        if pid not in links:
            session.add(ConversionProfileParamsRow(
                partner_id=profile.partner_id, profile_id=profile.id, flavor_params_id=pid,
                ready_behavior=int(ReadyBehavior.NO_IMPACT), origin=0))
    session.flush()


def profile_links(session: Session, profile_id: int) -> list[ConversionProfileParamsRow]:
    """The profile's flavor params links, by params id."""
    return list(session.scalars(
        select(ConversionProfileParamsRow)
        .where(ConversionProfileParamsRow.profile_id == profile_id)
        .order_by(ConversionProfileParamsRow.flavor_params_id)))


def set_as_default(session: Session, profile: ConversionProfileRow) -> None:
    """Make ``profile`` the partner's only default profile."""
    for other in session.scalars(select(ConversionProfileRow).where(
            ConversionProfileRow.is_default.is_(True), ConversionProfileRow.id != profile.id)):
        other.is_default = False
    profile.is_default = True


def profile_for_entry(session: Session, entry: EntryRow) -> ConversionProfileRow:
    """The entry's conversion profile, or the partner default when unset or gone."""
    if entry.conversion_profile_id:
        row = session.scalars(select(ConversionProfileRow).where(
            ConversionProfileRow.id == entry.conversion_profile_id,
            ConversionProfileRow.status != PROFILE_DELETED)).first()
        if row is not None:
            return row
    return default_profile(session, entry.partner_id)


# --- the plan of one entry ------------------------------------------------------------------


@dataclass(frozen=True)
class EntryPlan:
    """What processing does for one source: one plan per flavor params of the profile."""

    plans: tuple[FlavorPlan, ...]
    required: frozenset[int]

    def first_playable(self) -> FlavorPlan | None:
        """The flavor made first: a remux when possible, else the cheapest encode."""
        remux = [p for p in self.plans if p.action == ACTION_REMUX]
        if remux:
            return remux[0]
        encodes = [p for p in self.plans if p.action == ACTION_TRANSCODE]
        if not encodes:
            return None
        return min(encodes, key=lambda p: (p.width * p.height, p.video_bitrate_kbps,
                                           p.audio_bitrate_kbps, p.flavor_id))

    def rest(self) -> list[FlavorPlan]:
        """The flavors encoded after the first playable one (in one ffmpeg run)."""
        first = self.first_playable()
        return [p for p in self.plans if p.action == ACTION_TRANSCODE and p is not first]

    def by_id(self, params_id: int) -> FlavorPlan | None:
        """The plan of one flavor params id."""
        return next((p for p in self.plans if p.flavor_id == params_id), None)


def plan_entry(session: Session, entry: EntryRow, info: MediaInfo) -> EntryPlan:
    """Plan every flavor of the entry's profile for the probed source ``info``."""
    profile = profile_for_entry(session, entry)
    links = profile_links(session, profile.id)
    rows = {r.id: r for r in list_params(session, entry.partner_id,
                                         [link.flavor_params_id for link in links])}
    specs = [spec_from_row(rows[link.flavor_params_id]) for link in links
             if link.flavor_params_id in rows]
    if not any(s.is_source for s in specs):
        specs.insert(0, spec_from_row(get_params(session, entry.partner_id, SOURCE_PARAMS_ID)))
    required = frozenset(link.flavor_params_id for link in links
                         if link.ready_behavior == ReadyBehavior.REQUIRED)
    return EntryPlan(tuple(plan_ladder(info, specs)), required)


def delete_asset(session: Session, asset: FlavorAssetRow) -> None:
    """Mark a flavor asset DELETED and enqueue the removal of its files (after commit)."""
    from vpaas.jobs import enqueue

    keys = asset_keys(asset)
    prefixes = [] if asset.is_original else [tracks_prefix(asset.partner_id, asset.entry_id,
                                                           asset.id)]
    transition(asset, FlavorAssetStatus.DELETED)
    if keys or prefixes:
        enqueue(session, DELETE_ASSET_FILES_JOB, asset.partner_id, "flavorAsset", asset.id,
                {"entry_id": asset.entry_id, "keys": keys, "prefixes": prefixes})


def reconvert_asset(session: Session, entry: EntryRow, asset: FlavorAssetRow) -> None:
    """Queue a flavor for conversion again from the entry's current source."""
    from vpaas.jobs import enqueue

    if asset.is_original or not entry.source_key:
        raise E.INVALID_PARAMETER_VALUE(asset.id, "id")
    if FlavorAssetStatus(asset.status) in (FlavorAssetStatus.QUEUED,
                                          FlavorAssetStatus.CONVERTING):
        return
    transition(asset, FlavorAssetStatus.QUEUED)
    enqueue(session, LADDER_JOB, asset.partner_id, "entry", entry.id,
            {"replacement": False, "source_key": entry.source_key, "asset_ids": [asset.id]})


def plan_required(session: Session, entry: EntryRow) -> frozenset[int]:
    """Flavor params ids the entry's profile marks REQUIRED."""
    links = profile_links(session, profile_for_entry(session, entry).id)
    return frozenset(link.flavor_params_id for link in links
                     if link.ready_behavior == ReadyBehavior.REQUIRED)


def is_playable(plan_or_asset: Any) -> bool:
    """A flavor a player can play: not the source, with something encoded or remuxed."""
    if isinstance(plan_or_asset, FlavorPlan):
        return plan_or_asset.action in (ACTION_REMUX, ACTION_TRANSCODE)
    return not plan_or_asset.is_original and bool(plan_or_asset.storage_key)


def readiness(assets: Sequence[FlavorAssetRow], required: frozenset[int]) -> str:
    """``"ready"``, ``"waiting"`` or ``"failed"`` for an entry with these assets.

    Ready: a playable flavor is READY and every REQUIRED one is READY (or not applicable).
    Failed: a REQUIRED flavor failed, or every playable candidate ended without one READY.
    """
    S = FlavorAssetStatus
    flavors = [a for a in assets if not a.is_original and a.status != S.DELETED]
    if any(a.flavor_params_id in required and a.status == S.ERROR for a in flavors):
        return "failed"
    required_done = all(a.status in (S.READY, S.NOT_APPLICABLE) for a in flavors
                        if a.flavor_params_id in required)
    if any(a.status == S.READY for a in flavors) and required_done:
        return "ready"
    open_ = [a for a in flavors if a.status not in (S.READY, S.ERROR, S.NOT_APPLICABLE)]
    return "waiting" if open_ else "failed"


def skipped(plan: FlavorPlan) -> bool:
    """True for a plan that produces nothing (NOT_APPLICABLE)."""
    return plan.action == ACTION_NOT_APPLICABLE


def tags_match(row_tags: str, wanted: str) -> bool:
    """True if any comma-separated tag of ``wanted`` is among ``row_tags``."""
    have = {t.strip() for t in (row_tags or "").split(",")}
    return any(t.strip() in have for t in wanted.split(",") if t.strip())


def params_tag_filter(wanted: str) -> Any:
    """SQL condition: the params' tags contain any of ``wanted`` (coarse LIKE, then exact)."""
    return or_(*[FlavorParamsRow.tags.like(f"%{t.strip()}%")
                 for t in wanted.split(",") if t.strip()])
