"""SubRip (SRT) and WebVTT: parse them into cues, write cues back, cut WebVTT for HLS.

Inline ``<b>``, ``<i>`` and ``<u>`` are kept; every other tag (font colours, classes, voices,
ruby) is dropped, keeping its text. WebVTT cue settings are kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from vpaas.domain.caption_cues import (
    STYLES,
    CaptionError,
    Cue,
    Run,
    add_cue,
    checked_cues,
    decode,
    format_clock,
    merge_runs,
)

_SRT_TIME = r"(\d{1,3}):(\d{1,2}):(\d{1,2})(?:[,.:](\d{1,3}))?"
SRT_TIMING = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s+.*)?$")
_VTT_TIME = r"(?:(\d{1,3}):)?(\d{2}):(\d{2})[.,](\d{3})"
_VTT_TIMING = re.compile(rf"^\s*{_VTT_TIME}\s+-->\s+{_VTT_TIME}(?P<settings>(?:[ \t]+.*)?)$")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?:[.\s][^<>]*)?>|<\d[\d:.]*>")


@dataclass
class _Styler:
    """Turns inline tags into runs: counts open b/i/u tags, ignores every other tag."""

    open: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STYLES, 0))
    runs: list[Run] = field(default_factory=list)

    def text(self, value: str) -> None:
        if value:
            self.runs.append(Run(value, frozenset(s for s, n in self.open.items() if n > 0)))

    def tag(self, closing: bool, name: str) -> None:
        name = name.lower()
        if name in STYLES:
            self.open[name] = max(0, self.open[name] + (-1 if closing else 1))


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number of their first line."""
    block: list[str] = []
    start = 1
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            if not block:
                start = number
            block.append(line.rstrip())
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _styled(markup: str, entities: bool) -> tuple[Run, ...]:
    """Inline markup (``<b>``, ``<i>``, ``<u>``; other tags dropped) to merged runs."""
    styler = _Styler()
    pos = 0
    for match in _TAG.finditer(markup):
        styler.text(markup[pos:match.start()])
        if match.group(2):
            styler.tag(bool(match.group(1)), match.group(2))
        pos = match.end()
    styler.text(markup[pos:])
    runs = [Run(html.unescape(r.text) if entities else r.text, r.styles) for r in styler.runs]
    return merge_runs(runs)


# --- SRT ------------------------------------------------------------------------------------


def _srt_ms(h: str, m: str, s: str, frac: str | None, where: str) -> int:
    if int(m) > 59 or int(s) > 59:
        raise CaptionError(f"{where}: minutes and seconds must be below 60")
    millis = int((frac or "0").ljust(3, "0"))
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + millis


def parse_srt(data: bytes) -> list[Cue]:
    """Parse SubRip: blocks of an optional number, a timing line and text lines."""
    cues: list[Cue] = []
    for line_no, lines in _blocks(decode(data)):
        timing_at = 1 if len(lines) > 1 and lines[0].strip().isdigit() else 0
        match = SRT_TIMING.match(lines[timing_at])
        if match is None:
            bad = line_no + timing_at
            raise CaptionError(f"line {bad}: expected a timing line like "
                               f"'00:00:01,000 --> 00:00:02,500', got {lines[timing_at][:80]!r}")
        where = f"line {line_no + timing_at}"
        g = match.groups()
        start = _srt_ms(g[0], g[1], g[2], g[3], where)
        end = _srt_ms(g[4], g[5], g[6], g[7], where)
        runs = _styled("\n".join(lines[timing_at + 1:]), entities=False)
        add_cue(cues, Cue(start, end, runs), where)
    return checked_cues(cues)


def _srt_time(ms: int) -> str:
    return format_clock(ms).replace(".", ",")


def to_srt(cues: Iterable[Cue]) -> bytes:
    """Write SubRip (UTF-8), keeping b/i/u as tags."""
    parts = []
    for number, cue in enumerate(cues, 1):
        text = _markup(cue.runs, escape=False)
        parts.append(f"{number}\n{_srt_time(cue.start_ms)} --> {_srt_time(cue.end_ms)}\n"
                     f"{text}\n")
    return "\n".join(parts).encode("utf-8")


# --- WebVTT -----------------------------------------------------------------------------


def _vtt_ms(h: str | None, m: str, s: str, frac: str, where: str) -> int:
    return _srt_ms(h or "0", m, s, frac, where)


def parse_vtt(data: bytes) -> list[Cue]:
    """Parse WebVTT: a ``WEBVTT`` header, then cues; NOTE, STYLE and REGION blocks skipped."""
    text = decode(data)
    if not re.match(r"WEBVTT(?:[ \t\n]|$)", text):
        raise CaptionError("line 1: a WebVTT file must start with 'WEBVTT'")
    cues: list[Cue] = []
    for index, (line_no, lines) in enumerate(_blocks(text)):
        if index == 0 or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            if index == 0 and any("-->" in line for line in lines[1:]):
                raise CaptionError(f"line {line_no + 1}: a blank line must follow the "
                                   "WEBVTT header")
            continue
        timing_at = 0 if "-->" in lines[0] else 1
        match = _VTT_TIMING.match(lines[timing_at]) if timing_at < len(lines) else None
        if match is None:
            has_arrow = timing_at < len(lines) and "-->" in lines[timing_at]
            bad = line_no + timing_at if has_arrow else line_no
            raise CaptionError(f"line {bad}: expected a timing line like "
                               "'00:00:01.000 --> 00:00:02.500'")
        where = f"line {line_no + timing_at}"
        g = match.groups()
        start = _vtt_ms(g[0], g[1], g[2], g[3], where)
        end = _vtt_ms(g[4], g[5], g[6], g[7], where)
        settings = " ".join(match.group("settings").split())
        runs = _styled("\n".join(lines[timing_at + 1:]), entities=True)
        add_cue(cues, Cue(start, end, runs, settings), where)
    return checked_cues(cues)


def to_vtt(cues: Iterable[Cue]) -> bytes:
    """Write WebVTT (UTF-8), keeping b/i/u and the cue settings."""
    parts = ["WEBVTT\n"]
    for cue in cues:
        settings = f" {cue.settings}" if cue.settings else ""
        text = _markup(cue.runs, escape=True).replace("-->", "--&gt;")
        timing = f"{format_clock(cue.start_ms)} --> {format_clock(cue.end_ms)}"
        parts.append(f"{timing}{settings}\n{text}\n")
    return "\n".join(parts).encode("utf-8")


def vtt_segment(cues: Iterable[Cue], index: int, duration_s: int, local_ms: int) -> bytes:
    """Segment ``index`` (1-based) of ``duration_s`` seconds, for HLS subtitle playlists."""
    lo, hi = (index - 1) * duration_s * 1000, index * duration_s * 1000
    picked = [c for c in cues if c.start_ms < hi and c.end_ms >= lo]
    body = to_vtt(picked).decode("utf-8")[len("WEBVTT\n"):]
    header = f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:{format_clock(local_ms)}\n"
    return (header + body).encode("utf-8")


def vtt_playlist(segment_url: str, duration_s: int, total_ms: int) -> bytes:
    """HLS media playlist of WebVTT segments; ``segment_url`` has ``{index}`` in it."""
    count = max(1, -(-total_ms // (duration_s * 1000)))
    lines = ["#EXTM3U", f"#EXT-X-TARGETDURATION:{duration_s}", "#EXT-X-VERSION:3",
             "#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD"]
    for index in range(1, count + 1):
        lines += [f"#EXTINF:{duration_s}.0,", segment_url.format(index=index)]
    lines.append("#EXT-X-ENDLIST")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _markup(runs: Iterable[Run], *, escape: bool) -> str:
    out = []
    for run in runs:
        text = html.escape(run.text, quote=False) if escape else run.text
        opened = [s for s in STYLES if s in run.styles]
        out.append("".join(f"<{s}>" for s in opened) + text +
                   "".join(f"</{s}>" for s in reversed(opened)))
    # A cue's text may not hold blank lines in SRT or WebVTT.
    return re.sub(r"\n\s*\n+", "\n", "".join(out)).strip("\n") or " "

