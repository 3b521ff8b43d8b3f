"""Media processing: probe → plan → first playable flavor → entry READY → rest of the ladder.

``process_entry`` probes the source, records its media info, creates one flavor asset per
flavor params of the profile (NOT_APPLICABLE when the rendition does not fit), and starts
the rest of the ladder in ONE ffmpeg run in the background at a low CPU priority
(:mod:`vpaas.domain.ladder`). Meanwhile it makes the first playable flavor (a stream-copy
remux of a web-playable source, else the cheapest rung alone), packages it as fMP4,
captures the default thumbnail and makes the entry READY; then the ladder gets its normal
priority back and each rung is packaged and READY as soon as it is stored. So the first
playable flavor never waits for the ladder, and the ladder uses every CPU cycle the first
flavor leaves idle (and never waits for a job hand-off).

Safe to retry: an attempt first removes what an earlier attempt of the same job left (asset
files have keys derived from asset ids, recorded before any upload); an attempt that finds
the first flavor of this source already READY hands the unfinished rungs to a
``convert_ladder`` job instead of starting over. A replacement (``media.updateContent``)
builds a second set of assets (``replacing``) and swaps it in once it is ready; the entry
keeps playing its current content meanwhile.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from vpaas import jobs
from vpaas.db.base import new_id
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.domain import asset_state, entries, flavors
from vpaas.domain.asset_state import FlavorAssetStatus as S
from vpaas.domain.asset_state import produce, store_outputs
from vpaas.domain.ladder import LADDER_JOB, AssetPlans, BackgroundLadder, finish_ladder
from vpaas.domain.processing_state import (
    apply_media_info,
    capture_thumbnail,
    discard_assets,
    entry_assets,
    live_entry,
    replacing,
    settle,
)
from vpaas.domain.processor import Abandoned, Processor
from vpaas.media.presets import FlavorPlan
from vpaas.media.probe import MediaInfo, probe
from vpaas.media.tools import MediaError

log = logging.getLogger(__name__)

PROCESS_JOB = entries.PROCESS_JOB
FIRST_BESIDE_LADDER_THREADS = 1
"""Threads of the first flavor's ffmpeg run while a background ladder runs."""


def process_entry(proc: Processor, partner_id: int, entry_id: str, payload: dict[str, Any]
                  ) -> None:
    """Job body of ``process_entry`` (see the module docstring). MediaError = bad media."""
    source_key = str(payload.get("source_key") or "")
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, bool(payload.get("replacement")))
        if entry is None:
            log.info("entry %s: gone or has newer content; nothing to process", entry_id)
            return
        source_key = source_key or str(entry.source_key or "")
        if not source_key:
            raise MediaError("the entry has no content to process")
        replacement = replacing(entry, source_key)
        if _resume(s, entry, source_key, replacement):
            s.commit()
            return
        discard_assets(s, proc.storage, entry_assets(s, entry_id, replacing=replacement))
        s.commit()
    src = proc.local_source(source_key)
    info = probe(src)
    proc.check()
    if info.is_image:
        _finish_image(proc, partner_id, entry_id, source_key, info, replacement)
        return
    (first_row, first), rest = _create_assets(proc, partner_id, entry_id, source_key, info,
                                              replacement)
    ladder = BackgroundLadder(proc, partner_id, src, info, rest) if rest else None
    try:
        proc.check()
        # beside a ladder, one thread wastes the least CPU (the ladder takes what is idle)
        outputs = produce(proc, src, info, first, first_row.id,
                          proc.progress_writer(partner_id, [first_row.id]),
                          threads=FIRST_BESIDE_LADDER_THREADS if ladder else None)
        thumb = capture_thumbnail(proc.work, src, info)
        with proc.db.partner_session(partner_id) as s:
            stored = store_outputs(s, proc.storage, first_row.id, outputs)
            entry = live_entry(s, entry_id, source_key, replacement)
            if entry is not None and stored:
                settle(s, proc.storage, entry, info, source_key, thumb)
            s.commit()
        if entry is None or not stored:
            raise Abandoned()
    except BaseException:
        if ladder is not None:
            ladder.cancel()
        raise
    if ladder is not None:
        ladder.prioritize()
        finish_ladder(proc, partner_id, entry_id, source_key, replacement, src, info, ladder)


def _resume(session: Session, entry: EntryRow, source_key: str, replacement: bool) -> bool:
    """True if an earlier attempt already made this source's first flavor READY: the
    unfinished rungs go to a ``convert_ladder`` job (the entry keeps playing)."""
    assets = entry_assets(session, entry.id, replacing=replacement)
    original = next((a for a in assets if a.is_original), None)
    if original is None or original.storage_key != source_key:
        return False
    if not any(a.status == S.READY and not a.is_original for a in assets):
        return False
    left = [a.id for a in assets if S(a.status) in asset_state.PENDING]
    if left:
        jobs.enqueue(session, LADDER_JOB, entry.partner_id, entries.OBJECT_TYPE, entry.id,
                     {"replacement": replacement, "source_key": source_key, "asset_ids": left})
    return True


def _create_assets(proc: Processor, partner_id: int, entry_id: str, source_key: str,
                   info: MediaInfo, replacement: bool
                   ) -> tuple[tuple[FlavorAssetRow, FlavorPlan], AssetPlans]:
    """Insert the asset rows of the plan; the first playable one and the rest of the
    ladder are CONVERTING."""
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, replacement)
        if entry is None:
            raise Abandoned()
        plan = flavors.plan_entry(s, entry, info)
        first = plan.first_playable()
        if first is None:
            raise MediaError("no flavor of the conversion profile can be made from this source")
        if not replacement:
            apply_media_info(entry, info)
        rows = [_asset_row(entry, p, info, source_key, replacement) for p in plan.plans]
        s.add_all(rows)
        first_row = next(r for r in rows if r.flavor_params_id == first.flavor_id)
        asset_state.transition(first_row, S.CONVERTING)
        by_id = {r.flavor_params_id: r for r in rows}
        rest = [(by_id[p.flavor_id].id, p) for p in plan.rest()]
        for p in plan.rest():
            asset_state.transition(by_id[p.flavor_id], S.CONVERTING)
        s.commit()
        return (first_row, first), rest


def _asset_row(entry: EntryRow, plan: FlavorPlan, info: MediaInfo, source_key: str,
               replacement: bool) -> FlavorAssetRow:
    spec = plan.spec
    row = FlavorAssetRow(
        id=new_id(), partner_id=entry.partner_id, entry_id=entry.id,
        flavor_params_id=spec.id, status=int(S.QUEUED), progress=0, version=1,
        is_original=spec.is_source, is_web=False, replacing=replacement, tags=spec.tags_csv,
        width=plan.width, height=plan.height,
        bitrate=plan.video_bitrate_kbps + plan.audio_bitrate_kbps, track_index={},
    )
    if spec.is_source:
        ext = source_key.rsplit(".", 1)[-1] if "." in source_key else None
        row.status, row.progress, row.storage_key = int(S.READY), 100, source_key
        row.container_format, row.file_ext = info.container, ext
        row.width, row.height = info.display_width, info.display_height
        row.bitrate, row.frame_rate = info.bitrate_kbps, info.frame_rate
        row.size_bytes, row.duration_ms = info.size_bytes, info.duration_ms
        row.video_codec_id = info.video_codec or info.audio_codec
        row.is_web = info.web_playable
    elif flavors.skipped(plan):
        asset_state.transition(row, S.NOT_APPLICABLE, plan.reason)
    return row


def _finish_image(proc: Processor, partner_id: int, entry_id: str, source_key: str,
                  info: MediaInfo, replacement: bool) -> None:
    """Image entries: READY with width and height; the source is the only asset."""
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, replacement)
        if entry is None:
            return
        spec = flavors.spec_from_row(flavors.get_params(s, partner_id, flavors.SOURCE_PARAMS_ID))
        s.add(_asset_row(entry, FlavorPlan(spec, "source"), info, source_key, replacement))
        s.flush()
        if not replacement:
            apply_media_info(entry, info)
        settle(s, proc.storage, entry, info, source_key, None, image=True)
        s.commit()

