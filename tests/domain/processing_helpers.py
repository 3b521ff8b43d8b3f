"""Processing test helpers: a real runtime (database, local storage) and media made by ffmpeg.

``Pipeline`` stores a file as an entry's source the way ingest does (the entry goes
PRECONVERT and a ``process_entry`` job is enqueued), then runs queued jobs in this thread
with the real handlers until none is left.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vpaas.app import build_runtime
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import entries
from vpaas.domain.partners import create_partner
from vpaas.jobs import JobRunner, RunnerOptions
from vpaas.jobs.handlers import build_handlers
from vpaas.media.tools import ffmpeg_path
from vpaas.runtime import Runtime
from vpaas.settings import Settings

MakeMedia = Callable[[str, list[str]], Path]


def lavfi_av(seconds: float, size: str, rate: int = 25) -> list[str]:
    """testsrc2 picture plus a 440 Hz tone, ``seconds`` long."""
    return ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d={seconds}",
            "-f", "lavfi", "-i", f"sine=f=440:sample_rate=44100:d={seconds}"]


H264_AAC = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", "-shortest"]


@pytest.fixture(scope="session")
def make_media(tmp_path_factory: pytest.TempPathFactory) -> MakeMedia:
    """``make_media(name, args)``: run ffmpeg once per name; returns the file."""
    root = tmp_path_factory.mktemp("procmedia")

    def make(name: str, args: list[str]) -> Path:
        out = root / name
        if not out.exists():
            subprocess.run([ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error",
                            "-y", *args, str(out)], check=True, timeout=120)
        return out

    return make


@pytest.fixture(scope="session")
def clip_360p(make_media: MakeMedia) -> Path:
    """3 s 640x360 H.264/AAC at a low bitrate: remuxed into the 360p rung."""
    return make_media("c360.mp4", [*lavfi_av(3, "640x360"), *H264_AAC, "-b:v", "300k"])


@pytest.fixture(scope="session")
def clip_avi(make_media: MakeMedia) -> Path:
    """3 s 480x270 MPEG-4 + MP3 AVI: needs transcoding; only the 360p rung is encoded."""
    return make_media("c.avi", [*lavfi_av(3, "640x360"), "-c:v", "mpeg4", "-c:a",
                                "libmp3lame", "-shortest"])


@pytest.fixture(scope="session")
def audio_mp3(make_media: MakeMedia) -> Path:
    """3 s MP3, no video."""
    return make_media("a.mp3", ["-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "libmp3lame"])


@pytest.fixture(scope="session")
def image_png(make_media: MakeMedia) -> Path:
    """One 64x48 PNG."""
    return make_media("still.png", ["-f", "lavfi", "-i", "testsrc2=s=64x48", "-frames:v", "1"])


class Pipeline:
    """A runtime, a partner, and a synchronous job runner with the real handlers."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.db = runtime.db
        self.storage = runtime.storage
        with self.db.system_session() as s:
            self.partner_id = create_partner(s, "processing").id
            s.commit()
        opts = RunnerOptions(lease_seconds=30, backoff_base=0.0, backoff_max=0.0)
        self.runner = JobRunner(self.db, build_handlers(), runtime, options=opts)

    def ingest(self, path: Path, tmp: Path, name: str | None = None,
               **values: Any) -> str:
        """Store a copy of ``path`` as a new media entry's source; returns the entry id."""
        copy = tmp / f"upload-{path.name}"
        shutil.copyfile(path, copy)
        with self.db.partner_session(self.partner_id) as s:
            row = entries.new_entry(s, entries.EntryType.MEDIA_CLIP,
                                    {"name": name or path.name, **values})
            entries.store_file(s, self.storage, row, copy, path.name)
            s.commit()
            return row.id

    def run_jobs(self, limit: int = 20) -> int:
        """Run due jobs until there are none; returns how many ran."""
        count = 0
        while count < limit and self.runner.run_next():
            count += 1
        return count

    def entry(self, entry_id: str) -> EntryRow:
        with self.db.partner_session(self.partner_id) as s:
            row = s.get(EntryRow, entry_id)
            assert row is not None
            return row


@pytest.fixture
def pipeline(settings: Settings) -> Iterator[Pipeline]:
    """A migrated runtime on a fresh data dir and database, with one partner."""
    runtime = build_runtime(settings)
    yield Pipeline(runtime)
    runtime.db.dispose()
