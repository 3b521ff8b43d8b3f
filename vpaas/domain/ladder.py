"""The rest of the ladder: every rung after the first playable flavor, in ONE ffmpeg run.

``process_entry`` starts that run in the background (:class:`BackgroundLadder`, at a low CPU
priority) while it makes the first playable flavor, raises its priority once the entry is
READY, then packages and stores each rung (READY one by one). The ``convert_ladder`` job
does the same for listed assets on its own: reconversions, and whatever a background run
could not finish (it failed, or its worker died).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from vpaas import jobs
from vpaas.domain import asset_state, entries, flavors
from vpaas.domain.asset_state import FlavorAssetStatus as S
from vpaas.domain.asset_state import FlavorOutputs, encoded_outputs, produce, store_outputs
from vpaas.domain.flavors import EntryPlan
from vpaas.domain.processing_state import (
    entry_assets,
    live_entry,
    remove_asset_files,
    settle,
)
from vpaas.domain.processor import Abandoned, Processor
from vpaas.media.presets import ACTION_REMUX, ACTION_TRANSCODE, FlavorPlan
from vpaas.media.probe import MediaInfo, probe
from vpaas.media.tools import RunControl
from vpaas.media.transcode import transcode_ladder

log = logging.getLogger(__name__)

LADDER_JOB = flavors.LADDER_JOB
"""Job type of the remaining rungs; payload ``{"replacement", "source_key", "asset_ids"}``."""
BACKGROUND_NICE = 19
"""Niceness of a ladder run while the first playable flavor is still being made."""
PACKAGE_WORKERS = 2

AssetPlans = list[tuple[str, FlavorPlan]]


class BackgroundLadder:
    """The encodes of ``pairs`` in one ffmpeg run on a thread, started at low priority."""

    def __init__(self, proc: Processor, partner_id: int, src: Path, info: MediaInfo,
                 pairs: AssetPlans) -> None:
        self.pairs = pairs
        self.control = RunControl(nice=BACKGROUND_NICE)
        encodes = [(a, p) for a, p in pairs if p.action == ACTION_TRANSCODE]
        writer = proc.progress_writer(partner_id, [a for a, _ in encodes], job_progress=False)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="ladder")
        self._future: Future[dict[int, Path]] = self._pool.submit(
            transcode_ladder, src, [p for _, p in encodes], proc.work / "ladder", proc.timeout,
            proc.threads, writer, info=info, control=self.control, packaged=True)
        self._pool.shutdown(wait=False)

    def prioritize(self) -> None:
        """Normal CPU priority from now on (the first flavor is done)."""
        self.control.restore_priority()

    def result(self) -> dict[int, Path]:
        """Wait for the run: ``{flavor_id: mp4}``; raises what the run raised."""
        return self._future.result()

    def cancel(self) -> None:
        """Stop the run and wait until it has ended (its partial files are removed)."""
        self.control.cancel()
        self._future.exception()


def finish_ladder(proc: Processor, partner_id: int, entry_id: str, source_key: str,
                  replacement: bool, src: Path, info: MediaInfo,
                  ladder: BackgroundLadder) -> None:
    """Store what a background ladder made and settle the entry. When the run or storing
    fails, a ``convert_ladder`` job takes over the rungs not stored yet (and retries)."""
    stored: set[str] = set()
    try:
        mp4s = ladder.result()
        proc.check()
        store_rungs(proc, partner_id, src, info, ladder.pairs, mp4s, stored.add)
    except Abandoned:
        raise
    except Exception as exc:
        left = [a for a, _ in ladder.pairs if a not in stored]
        log.warning("entry %s: ladder failed (%s); a convert_ladder job takes over %d rungs",
                    entry_id, exc, len(left))
        with proc.db.partner_session(partner_id) as s:
            jobs.enqueue(s, LADDER_JOB, partner_id, entries.OBJECT_TYPE, entry_id,
                         {"replacement": replacement, "source_key": source_key,
                          "asset_ids": left})
            s.commit()
        return
    _settle_after_ladder(proc, partner_id, entry_id, source_key, info)


def convert_ladder(proc: Processor, partner_id: int, entry_id: str, payload: dict[str, Any]
                   ) -> None:
    """Job body of ``convert_ladder``: the listed assets' rungs in one ffmpeg run."""
    source_key = str(payload.get("source_key") or "")
    wanted = [str(i) for i in payload.get("asset_ids") or []]
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, bool(payload.get("replacement")))
        if entry is None:
            return
        source_key = source_key or str(entry.source_key or "")
        todo = _reset_for_attempt(s, proc.storage, entry_id, wanted)
        s.commit()
    if not todo:
        return
    src = proc.local_source(source_key)
    info = probe(src)
    pairs = _ladder_pairs(proc, partner_id, entry_id, source_key, info, todo)
    if pairs:
        proc.check()
        encodes = [(a, p) for a, p in pairs if p.action == ACTION_TRANSCODE]
        writer = proc.progress_writer(partner_id, [asset_id for asset_id, _ in encodes])
        mp4s = transcode_ladder(src, [p for _, p in encodes], proc.work / "ladder",
                                proc.timeout, proc.threads, writer, info=info, packaged=True)
        proc.check()
        store_rungs(proc, partner_id, src, info, pairs, mp4s)
    _settle_after_ladder(proc, partner_id, entry_id, source_key, info)


def store_rungs(proc: Processor, partner_id: int, src: Path, info: MediaInfo,
                pairs: AssetPlans, mp4s: dict[int, Path],
                on_stored: Any = None) -> None:
    """Describe every encoded rung (packaged by its encoder) or make a remuxed one, two at a
    time, and store each as soon as it is ready."""
    def make(pair: tuple[str, FlavorPlan]) -> FlavorOutputs:
        asset_id, plan = pair
        if plan.action == ACTION_REMUX:
            return produce(proc, src, info, plan, asset_id)
        return encoded_outputs(mp4s[plan.flavor_id], plan, info)

    with ThreadPoolExecutor(PACKAGE_WORKERS, thread_name_prefix="package") as pool:
        for (asset_id, _), outputs in zip(pairs, pool.map(make, pairs), strict=True):
            proc.check()
            with proc.db.partner_session(partner_id) as s:
                store_outputs(s, proc.storage, asset_id, outputs)
                s.commit()
            if on_stored is not None:
                on_stored(asset_id)


def _settle_after_ladder(proc: Processor, partner_id: int, entry_id: str, source_key: str,
                         info: MediaInfo) -> None:
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, True)
        if entry is not None:
            settle(s, proc.storage, entry, info, source_key, None)
        s.commit()


def _reset_for_attempt(session: Session, storage: Any, entry_id: str,
                       wanted: Sequence[str]) -> list[str]:
    """Queue the listed unfinished assets again, removing partial outputs of a prior attempt."""
    todo = []
    for asset in entry_assets(session, entry_id):
        if asset.id not in wanted or asset.is_original:
            continue
        remove_asset_files(storage, asset)
        asset.storage_key = asset.video_key = asset.audio_key = None
        asset.track_index = {}
        if S(asset.status) != S.QUEUED:
            asset_state.transition(asset, S.QUEUED)
        todo.append(asset.id)
    return todo


def _ladder_pairs(proc: Processor, partner_id: int, entry_id: str, source_key: str,
                  info: MediaInfo, asset_ids: Sequence[str]) -> AssetPlans:
    """Plan the queued assets again and mark them CONVERTING (or NOT_APPLICABLE)."""
    with proc.db.partner_session(partner_id) as s:
        entry = live_entry(s, entry_id, source_key, True)
        if entry is None:
            raise Abandoned()
        plan: EntryPlan = flavors.plan_entry(s, entry, info)
        pairs = []
        for asset in entry_assets(s, entry_id):
            if asset.id not in asset_ids:
                continue
            p = plan.by_id(asset.flavor_params_id)
            if p is None or p.action not in (ACTION_TRANSCODE, ACTION_REMUX):
                reason = p.reason if p is not None else "no longer in the conversion profile"
                asset_state.transition(asset, S.NOT_APPLICABLE, reason or "nothing to encode")
                continue
            asset_state.transition(asset, S.CONVERTING)
            pairs.append((asset.id, p))
        s.commit()
        return pairs
