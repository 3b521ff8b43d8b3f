"""A real app with processed entries, shared by the delivery and playback tests.

``played_app`` is the body of each test module's module-scoped ``played`` fixture: an
in-process app (SQLite or the pass's PostgreSQL) with a partner, one 3 s 854x480 H.264/AAC
clip ingested through the API and processed by the real job handlers in this thread
(flavors: source, 360p transcode, 480p remux; each packaged as fMP4 tracks), and one PNG
image entry.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update
from support.api import ApiHelper
from support.databases import fresh_database_url

from vpaas.db.tables.access_control import AccessControlProfileRow
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import FlavorAssetRow
from vpaas.jobs import JobRunner, RunnerOptions
from vpaas.jobs.handlers import build_handlers
from vpaas.media.tools import ffmpeg_path
from vpaas.settings import load_settings


def ffmpeg(out: Path, *args: str) -> Path:
    """Run ffmpeg once (quietly) writing ``out``."""
    subprocess.run([ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    *args, str(out)], check=True, timeout=120)
    return out


def make_clip(folder: Path, seconds: int = 3, size: str = "854x480") -> Path:
    """testsrc2 + a tone, H.264/AAC MP4 at a low bitrate."""
    return ffmpeg(folder / f"clip_{size}.mp4",
                  "-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={seconds}",
                  "-f", "lavfi", "-i", f"sine=f=440:sample_rate=44100:d={seconds}",
                  "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                  "-b:v", "500k", "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart",
                  "-shortest")


def make_image(folder: Path) -> Path:
    """One 160x120 PNG test pattern."""
    return ffmpeg(folder / "still.png", "-f", "lavfi", "-i", "testsrc2=s=160x120",
                  "-frames:v", "1")


@dataclass
class Played:
    """The app, its partner and the entries made for the tests."""

    api: ApiHelper
    clip_id: str
    image_id: str
    media: Path

    @property
    def pid(self) -> int:
        return int(self.api.partner.id)

    def path(self, rest: str) -> str:
        """``/p/{pid}/sp/{pid}00/`` + rest."""
        return f"/p/{self.pid}/sp/{self.pid}00/{rest.lstrip('/')}"

    def get(self, url: str, **kwargs: Any) -> Any:
        """GET through the in-process client (no redirects followed)."""
        return self.api.client.get(url, follow_redirects=False, **kwargs)

    @property
    def delivery(self) -> Any:
        return self.api.runtime.extras["vpaas.delivery"]

    def set_rules(self, entry_id: str, rules: list[dict[str, Any]] | None) -> None:
        """Give the entry a new access-control profile with ``rules`` (None: no profile)."""
        db = self.api.runtime.db
        with db.partner_session(self.pid) as s:
            profile_id = None
            if rules is not None:
                row = AccessControlProfileRow(name=f"test {entry_id}", rules=rules)
                s.add(row)
                s.flush()
                profile_id = row.id
            s.execute(update(EntryRow).where(EntryRow.id == entry_id).values(
                access_control_id=profile_id))
            s.commit()
        if self.delivery.thumb_facts is not None:
            self.delivery.thumb_facts.clear()

    def entry_row(self, entry_id: str) -> EntryRow:
        with self.api.runtime.db.partner_session(self.pid) as s:
            row = s.get(EntryRow, entry_id)
            assert row is not None
            s.expunge(row)
            return row

    def flavor_file(self, flavor_id: str) -> Path:
        """The local file of a flavor asset."""
        with self.api.runtime.db.partner_session(self.pid) as s:
            row = s.get(FlavorAssetRow, flavor_id)
            assert row is not None and row.storage_key
            return self.api.settings.data_path / "media" / row.storage_key

    def run_jobs(self) -> int:
        runtime = self.api.runtime
        opts = RunnerOptions(lease_seconds=60, backoff_base=0.0, backoff_max=0.0)
        runner = JobRunner(runtime.db, build_handlers(), runtime, options=opts)
        count = 0
        while count < 20 and runner.run_next():
            count += 1
        return count

    def ingest(self, path: Path, name: str, media_type: int = 1) -> str:
        """Upload ``path`` through the API and process it; returns the entry id."""
        api = self.api
        token = api.call("uploadToken", "add", uploadToken={"fileName": path.name})
        api.call("uploadToken", "upload", files={"fileData": (path.name, path.read_bytes())},
                 uploadTokenId=token["id"])
        entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry",
                                                "name": name, "mediaType": media_type})
        api.call("media", "addContent", entryId=entry["id"], resource={
            "objectType": "KalturaUploadedFileTokenResource", "token": token["id"]})
        self.run_jobs()
        got = api.call("baseEntry", "get", entryId=entry["id"])
        assert got["status"] == 2, got
        return str(entry["id"])


def start_played(folder: Path, **overrides: Any) -> Played:
    """Build the app (settings overrides allowed, e.g. S3 storage) and its entries."""
    settings = load_settings(env={}, data_dir=str(folder / "data"),
                             database_url=fresh_database_url(), workers=0, **overrides)
    api = ApiHelper(settings)
    media = folder / "media"
    media.mkdir(exist_ok=True)
    played = Played(api, "", "", media)
    played.clip_id = played.ingest(make_clip(media), "clip")
    played.image_id = played.ingest(make_image(media), "still", media_type=2)
    return played


def played_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    """Body of a module-scoped ``played`` fixture: a processed clip and image in a running
    app (see the module docstring)."""
    result = start_played(tmp_path_factory.mktemp("played"))
    yield result
    result.api.close()


def local(url: str) -> str:
    """The path and query of an absolute URL (for the in-process client)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def fragment(get: Any, base: str, p: Played) -> tuple[str, str, str]:
    """(signed video track URL, Range of a middle fragment, flavor id) from the DASH MPD."""
    mpd = get(f"{base}/p/{p.pid}/sp/{p.pid}00/playManifest/entryId/{p.clip_id}"
              "/format/mpegdash/a.mpd").text
    url = re.findall(r"<BaseURL>([^<]+)</BaseURL>", mpd)[0]
    ranges = re.findall(r'mediaRange="(\d+)-(\d+)"', mpd.split("</Representation>")[0])
    start, end = ranges[len(ranges) // 2]
    return url, f"bytes={start}-{end}", url.split("/flavorId/", 1)[1].split("/", 1)[0]
