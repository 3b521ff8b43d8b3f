"""Caption cues: the format-neutral model every caption reader produces and writer consumes.

A cue is a time span and a list of styled runs; the only styles kept are bold, italic and
underline (the ones all three formats and every player understand). Malformed input raises
:class:`CaptionError` whose message says what is wrong and where (line number, or XML element).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

MAX_CAPTION_BYTES = 10 * 1024 * 1024
MAX_CUES = 100_000
MAX_TIME_MS = 100 * 3600 * 1000
STYLES = ("b", "i", "u")


class CaptionType(IntEnum):
    """``KalturaCaptionType`` numbers."""

    SRT = 1
    DFXP = 2
    WEBVTT = 3
    CAP = 4
    SCC = 5


EXTENSIONS = {CaptionType.SRT: "srt", CaptionType.DFXP: "xml", CaptionType.WEBVTT: "vtt",
              CaptionType.CAP: "cap", CaptionType.SCC: "scc"}
CONTENT_TYPES = {CaptionType.SRT: "application/x-subrip", CaptionType.DFXP: "application/ttml+xml",
                 CaptionType.WEBVTT: "text/vtt", CaptionType.CAP: "application/octet-stream",
                 CaptionType.SCC: "application/octet-stream"}


class CaptionError(ValueError):
    """A caption file that cannot be read; ``str(err)`` says why, for the API caller."""


@dataclass(frozen=True)
class Run:
    """A piece of cue text (may hold newlines) and its styles, a subset of ``STYLES``."""

    text: str
    styles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Cue:
    """One caption: shown from ``start_ms`` to ``end_ms``; ``settings`` are WebVTT cue settings."""

    start_ms: int
    end_ms: int
    runs: tuple[Run, ...]
    settings: str = ""

    @property
    def text(self) -> str:
        """The cue's plain text (styles dropped)."""
        return "".join(r.text for r in self.runs)


def decode(data: bytes) -> str:
    """Caption bytes to text: UTF-8 (with or without BOM), UTF-16 with a BOM, else cp1252."""
    if len(data) > MAX_CAPTION_BYTES:
        raise CaptionError(f"the caption file is larger than {MAX_CAPTION_BYTES} bytes")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise CaptionError("the file is binary, not a caption text file")
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def checked_cues(cues: list[Cue]) -> list[Cue]:
    """The cues of a whole file, sorted by time; CaptionError if there are none."""
    if not cues:
        raise CaptionError("the file holds no captions")
    return sorted(cues, key=lambda c: (c.start_ms, c.end_ms))


def add_cue(cues: list[Cue], cue: Cue, where: str) -> None:
    """Append ``cue`` after checking its times and the cue count; ``where`` names its place."""
    if cue.end_ms < cue.start_ms:
        raise CaptionError(f"{where}: the caption ends before it starts")
    if cue.end_ms > MAX_TIME_MS:
        raise CaptionError(f"{where}: time beyond {MAX_TIME_MS // 3_600_000} hours")
    if len(cues) >= MAX_CUES:
        raise CaptionError(f"more than {MAX_CUES} captions in one file")
    cues.append(cue)


def merge_runs(runs: Iterable[Run]) -> tuple[Run, ...]:
    """Drop empty runs and join neighbours with the same styles."""
    out: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if out and out[-1].styles == run.styles:
            out[-1] = Run(out[-1].text + run.text, run.styles)
        else:
            out.append(run)
    return tuple(out)


def format_clock(ms: int) -> str:
    """Milliseconds as ``HH:MM:SS.mmm``."""
    seconds, millis = divmod(max(0, ms), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"

