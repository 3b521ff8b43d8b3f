"""Processing through Celery with real worker processes, and a worker SIGKILLed mid-transcode."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery_worker import WorkerProcess, purge_broker, wait_for
from sqlalchemy import select

from vpaas.app import build_runtime
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.db.tables.job import JobRow
from vpaas.domain import entries
from vpaas.domain.asset_state import FlavorAssetStatus as S
from vpaas.domain.entry_state import EntryStatus
from vpaas.domain.partners import create_partner
from vpaas.jobs import QUEUE_INFO_KEY
from vpaas.media.tools import ffmpeg_path
from vpaas.runtime import Runtime
from vpaas.settings import load_settings

REDIS = "redis://127.0.0.1:6379/0"
JOBS_DIR = Path(__file__).resolve().parent
SUPPORT = JOBS_DIR.parent / "support"
ROOT = JOBS_DIR.parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clip_720p(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 s 1280x720 H.264/AAC at 1.5 Mbit/s: remuxed first, then four rungs to encode."""
    out = tmp_path_factory.mktemp("celeryclip") / "c720.mp4"
    subprocess.run([ffmpeg_path(), "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=25:d=8",
                    "-f", "lavfi", "-i", "sine=f=440:d=8", "-c:v", "libx264", "-preset",
                    "ultrafast", "-b:v", "1500k", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", "-movflags", "+faststart", str(out)], check=True, timeout=120)
    return out


class Cluster:
    """A runtime dispatching through Redis, one partner, and Celery worker subprocesses."""

    def __init__(self, tmp: Path) -> None:
        self.queue_name = f"vpaas-proc-{uuid.uuid4().hex[:10]}"
        self.data = tmp / "data"
        self.settings = load_settings(env={}, data_dir=str(self.data), queue_url=REDIS,
                                      celery_queue=self.queue_name, workers=0,
                                      ffmpeg_threads=2)
        self.runtime: Runtime = build_runtime(self.settings)
        self.tmp = tmp
        self.workers: list[WorkerProcess] = []
        with self.runtime.db.system_session() as s:
            self.partner_id = create_partner(s, "celery").id
            s.commit()

    def worker(self) -> WorkerProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VPAAS_")}
        env.update(PYTHONPATH=f"{JOBS_DIR}{os.pathsep}{SUPPORT}",
                   VPAAS_DATA_DIR=str(self.data), VPAAS_QUEUE_URL=REDIS,
                   VPAAS_CELERY_QUEUE=self.queue_name, VPAAS_FFMPEG_THREADS="2",
                   VPAAS_JOB_RUNTIME="processing_runtime:build", VPAAS_LOG_LEVEL="info")
        node = f"p{uuid.uuid4().hex[:8]}"
        args = [sys.executable, "-m", "celery", "-A", "vpaas.jobs.celery_app", "worker",
                "--pool=threads", "-c", "1", "-Q", self.queue_name, "--loglevel=INFO",
                "--without-mingle", "--without-gossip", "-n", f"{node}@%h"]
        proc = WorkerProcess(args, env, self.tmp / f"celery-{node}.log")
        proc.node = node
        self.workers.append(proc)
        return proc

    def ingest(self, path: Path) -> str:
        copy = self.tmp / f"upload-{uuid.uuid4().hex[:6]}{path.suffix}"
        shutil.copyfile(path, copy)
        with self.runtime.db.partner_session(self.partner_id) as s:
            s.info[QUEUE_INFO_KEY] = self.runtime.queue
            row = entries.new_entry(s, entries.EntryType.MEDIA_CLIP, {"name": path.name})
            entries.store_file(s, self.runtime.storage, row, copy, path.name)
            s.commit()
            return row.id

    def entry(self, entry_id: str) -> EntryRow:
        with self.runtime.db.partner_session(self.partner_id) as s:
            row = s.get(EntryRow, entry_id)
            assert row is not None
            return row

    def assets(self, entry_id: str) -> list[FlavorAssetRow]:
        with self.runtime.db.partner_session(self.partner_id) as s:
            return list(s.scalars(select(FlavorAssetRow).where(
                FlavorAssetRow.entry_id == entry_id,
                FlavorAssetRow.status != int(S.DELETED))))

    def jobs(self, type: str) -> list[JobRow]:
        with self.runtime.db.system_session() as s:
            return list(s.scalars(select(JobRow).where(JobRow.type == type)))

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        purge_broker(REDIS, self.queue_name, [w.node for w in self.workers])
        self.runtime.queue.close()
        self.runtime.db.dispose()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(tmp_path)
    yield c
    c.close()


def _all_done(c: Cluster, entry_id: str) -> bool:
    assets = c.assets(entry_id)
    return bool(assets) and all(a.status in (S.READY, S.NOT_APPLICABLE) for a in assets)


def _no_orphans(c: Cluster, entry_id: str) -> None:
    entry = c.entry(entry_id)
    referenced = {entry.source_key, (entry.extra or {}).get("thumbKey")}
    for a in c.assets(entry_id):
        referenced |= {a.storage_key, a.video_key, a.audio_key}
    stored = set(c.runtime.storage.list(entries.entry_prefix(c.partner_id, entry_id)))
    assert stored == {k for k in referenced if k}
    work = c.data / "work"
    wait_for(lambda: not work.exists() or not any(work.iterdir()), 10, "work dir cleaned")


def test_celery_worker_processes_an_upload(cluster: Cluster, clip_720p: Path) -> None:
    cluster.worker()
    eid = cluster.ingest(clip_720p)
    wait_for(lambda: _all_done(cluster, eid), 180, "every flavor done")
    wait_for(lambda: all(j.status == "succeeded" for j in cluster.jobs("process_entry")), 30,
             "processing job done")
    assert cluster.jobs("convert_ladder") == []
    entry = cluster.entry(eid)
    assert entry.status == EntryStatus.READY and entry.duration_ms == 8000
    by_params = {a.flavor_params_id: a for a in cluster.assets(eid)}
    assert {f for f, a in by_params.items() if a.status == S.READY} == {0, 2, 3, 4, 5, 6}
    assert by_params[7].status == S.NOT_APPLICABLE
    assert (by_params[6].width, by_params[6].height) == (1280, 720)
    _no_orphans(cluster, eid)


def test_worker_killed_mid_transcode_is_replaced(cluster: Cluster, clip_720p: Path) -> None:
    first = cluster.worker()
    eid = cluster.ingest(clip_720p)

    def converting() -> bool:
        jobs = [j for j in cluster.jobs("process_entry") if j.status == "running"]
        return bool(jobs) and cluster.entry(eid).status == EntryStatus.READY and any(
            a.status == S.CONVERTING and a.progress > 0 for a in cluster.assets(eid))

    wait_for(converting, 120, "the ladder being encoded after the first flavor")
    first.kill()
    cluster.worker()
    wait_for(lambda: _all_done(cluster, eid), 240, "every flavor done after the kill")
    # the retried process_entry finds the first flavor READY and hands the rest over
    process = wait_for(lambda: next((j for j in cluster.jobs("process_entry")
                                     if j.status == "succeeded"), None), 30, "process job done")
    ladder = wait_for(lambda: next((j for j in cluster.jobs("convert_ladder")
                                    if j.status == "succeeded"), None), 30, "ladder job done")
    assert process.attempts == 2 and ladder.attempts == 1
    assert len(cluster.jobs("convert_ladder")) == 1
    ready = {a.flavor_params_id for a in cluster.assets(eid) if a.status == S.READY}
    assert ready == {0, 2, 3, 4, 5, 6}
    _no_orphans(cluster, eid)
