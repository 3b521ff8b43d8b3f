"""Caption files: parse SRT, WebVTT and DFXP/TTML into cues, and write any of them back.

A cue is a time span and a list of styled runs; the only styles kept are bold, italic and
underline (the ones all three formats and every player understand). Everything else
(font colours, classes, voices, ruby, positioning other than WebVTT cue settings) is
dropped, keeping its text. Malformed input raises :class:`CaptionError` whose message says
what is wrong and where (line number, or XML element).
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum

from lxml import etree

MAX_CAPTION_BYTES = 10 * 1024 * 1024
MAX_CUES = 100_000
MAX_TIME_MS = 100 * 3600 * 1000
STYLES = ("b", "i", "u")
TTML_NS = "http://www.w3.org/ns/ttml"
TTS_NS = "http://www.w3.org/ns/ttml#styling"
TTP_NS = "http://www.w3.org/ns/ttml#parameter"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_SRT_TIME = r"(\d{1,3}):(\d{1,2}):(\d{1,2})(?:[,.:](\d{1,3}))?"
_SRT_TIMING = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s+.*)?$")
_VTT_TIME = r"(?:(\d{1,3}):)?(\d{2}):(\d{2})[.,](\d{3})"
_VTT_TIMING = re.compile(rf"^\s*{_VTT_TIME}\s+-->\s+{_VTT_TIME}(?P<settings>(?:[ \t]+.*)?)$")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?:[.\s][^<>]*)?>|<\d[\d:.]*>")
_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.(\d+)|:(\d+(?:\.\d+)?))?$")
_OFFSET = re.compile(r"^(\d+(?:\.\d+)?)(h|ms|m|s|f|t)$")


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


# --- decoding and detection -------------------------------------------------------------


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


def detect(data: bytes) -> CaptionType | None:
    """The format the content is in (SRT, WebVTT, DFXP), or None if it is none of them."""
    head = decode(data[:4096]).lstrip()
    if re.match(r"WEBVTT(?:[ \t\n]|$)", head):
        return CaptionType.WEBVTT
    if head.startswith("<") and re.search(r"<(?:\w+:)?tt[\s>]", head):
        return CaptionType.DFXP
    for line in head.split("\n")[:20]:
        if _SRT_TIMING.match(line):
            return CaptionType.SRT
    return None


def parse(data: bytes) -> tuple[CaptionType, list[Cue]]:
    """Detect the format of ``data`` and parse it; CaptionError if it is no caption file."""
    kind = detect(data)
    if kind is None:
        raise CaptionError("the file is not SRT, WebVTT or DFXP/TTML: no WEBVTT header, "
                           "<tt> root element or SRT timing line (00:00:01,000 --> "
                           "00:00:02,000) was found")
    parser = {CaptionType.SRT: parse_srt, CaptionType.WEBVTT: parse_vtt,
              CaptionType.DFXP: parse_dfxp}[kind]
    return kind, parser(data)


def _cues_checked(cues: list[Cue]) -> list[Cue]:
    if not cues:
        raise CaptionError("the file holds no captions")
    return sorted(cues, key=lambda c: (c.start_ms, c.end_ms))


def _add(cues: list[Cue], cue: Cue, where: str) -> None:
    if cue.end_ms < cue.start_ms:
        raise CaptionError(f"{where}: the caption ends before it starts")
    if cue.end_ms > MAX_TIME_MS:
        raise CaptionError(f"{where}: time beyond {MAX_TIME_MS // 3_600_000} hours")
    if len(cues) >= MAX_CUES:
        raise CaptionError(f"more than {MAX_CUES} captions in one file")
    cues.append(cue)


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
    return _merge(runs)


def _merge(runs: Iterable[Run]) -> tuple[Run, ...]:
    out: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if out and out[-1].styles == run.styles:
            out[-1] = Run(out[-1].text + run.text, run.styles)
        else:
            out.append(run)
    return tuple(out)


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
        match = _SRT_TIMING.match(lines[timing_at])
        if match is None:
            bad = line_no + timing_at
            raise CaptionError(f"line {bad}: expected a timing line like "
                               f"'00:00:01,000 --> 00:00:02,500', got {lines[timing_at][:80]!r}")
        where = f"line {line_no + timing_at}"
        g = match.groups()
        start = _srt_ms(g[0], g[1], g[2], g[3], where)
        end = _srt_ms(g[4], g[5], g[6], g[7], where)
        runs = _styled("\n".join(lines[timing_at + 1:]), entities=False)
        _add(cues, Cue(start, end, runs), where)
    return _cues_checked(cues)


def _srt_time(ms: int) -> str:
    return _clock(ms).replace(".", ",")


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
        _add(cues, Cue(start, end, runs, settings), where)
    return _cues_checked(cues)


def to_vtt(cues: Iterable[Cue]) -> bytes:
    """Write WebVTT (UTF-8), keeping b/i/u and the cue settings."""
    parts = ["WEBVTT\n"]
    for cue in cues:
        settings = f" {cue.settings}" if cue.settings else ""
        text = _markup(cue.runs, escape=True).replace("-->", "--&gt;")
        parts.append(f"{_clock(cue.start_ms)} --> {_clock(cue.end_ms)}{settings}\n{text}\n")
    return "\n".join(parts).encode("utf-8")


def vtt_segment(cues: Iterable[Cue], index: int, duration_s: int, local_ms: int) -> bytes:
    """Segment ``index`` (1-based) of ``duration_s`` seconds, for HLS subtitle playlists."""
    lo, hi = (index - 1) * duration_s * 1000, index * duration_s * 1000
    picked = [c for c in cues if c.start_ms < hi and c.end_ms >= lo]
    body = to_vtt(picked).decode("utf-8")[len("WEBVTT\n"):]
    header = f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:{_clock(local_ms)}\n"
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


# --- shared writers ---------------------------------------------------------------------


def _clock(ms: int) -> str:
    seconds, millis = divmod(max(0, ms), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _markup(runs: Iterable[Run], *, escape: bool) -> str:
    out = []
    for run in runs:
        text = html.escape(run.text, quote=False) if escape else run.text
        opened = [s for s in STYLES if s in run.styles]
        out.append("".join(f"<{s}>" for s in opened) + text +
                   "".join(f"</{s}>" for s in reversed(opened)))
    # A cue's text may not hold blank lines in SRT or WebVTT.
    return re.sub(r"\n\s*\n+", "\n", "".join(out)).strip("\n") or " "


# --- DFXP / TTML --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Timing:
    frame_rate: float = 30.0
    tick_rate: float = 1.0

    def ms(self, value: str, where: str) -> int:
        value = value.strip()
        clock = _CLOCK.match(value)
        if clock:
            h, m, s, frac, frames = clock.groups()
            seconds = int(h) * 3600 + int(m) * 60 + int(s)
            extra = float(f"0.{frac}") if frac else float(frames or 0) / self.frame_rate
            return round((seconds + extra) * 1000)
        offset = _OFFSET.match(value)
        if not offset:
            raise CaptionError(f"{where}: invalid time expression {value[:40]!r}")
        number, unit = float(offset.group(1)), offset.group(2)
        scale = {"h": 3_600_000.0, "m": 60_000.0, "s": 1000.0, "ms": 1.0,
                 "f": 1000.0 / self.frame_rate, "t": 1000.0 / self.tick_rate}[unit]
        return round(number * scale)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _style_flags(attrs: dict[str, str]) -> set[str]:
    flags = set()
    for key, value in attrs.items():
        name, value = etree.QName(key).localname, value.strip().lower()
        if name == "fontWeight" and value == "bold":
            flags.add("b")
        elif name == "fontStyle" and value in ("italic", "oblique"):
            flags.add("i")
        elif name == "textDecoration" and "underline" in value:
            flags.add("u")
    return flags


def _rate(root: etree._Element, name: str, default: float) -> float:
    raw = root.get(f"{{{TTP_NS}}}{name}")
    try:
        rate = float(raw) if raw else default
    except ValueError:
        raise CaptionError(f"<tt>: invalid ttp:{name} {raw[:20]!r}") from None
    if not 0 < rate < 1e7:
        raise CaptionError(f"<tt>: ttp:{name} must be positive")
    return rate


def _load_xml(data: bytes) -> etree._Element:
    if len(data) > MAX_CAPTION_BYTES:
        raise CaptionError(f"the caption file is larger than {MAX_CAPTION_BYTES} bytes")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise CaptionError(f"the DFXP/TTML file is not well-formed XML: {exc}") from None
    if _local(root.tag) != "tt":
        raise CaptionError(f"the root element is <{_local(root.tag)}>, expected <tt>")
    return root


def parse_dfxp(data: bytes) -> list[Cue]:
    """Parse DFXP/TTML: every ``<p>`` with begin and end (or dur) is a cue."""
    root = _load_xml(data)
    timing = _Timing(_rate(root, "frameRate", 30.0), _rate(root, "tickRate", 1.0))
    styles = {el.get(f"{{{XML_NS}}}id"): _style_flags(dict(el.attrib)) for el in root.iter()
              if _local(el.tag) == "style" and el.get(f"{{{XML_NS}}}id")}
    cues: list[Cue] = []
    for number, p in enumerate((el for el in root.iter() if _local(el.tag) == "p"), 1):
        where = f"<p> number {number}"
        start, end = _p_times(p, timing, where)
        runs = _tidy(_merge(_p_runs(p, styles, _own_flags(p, styles))))
        if runs:
            _add(cues, Cue(start, end, runs), where)
    return _cues_checked(cues)


def _p_times(p: etree._Element, timing: _Timing, where: str) -> tuple[int, int]:
    offset = 0
    for parent in p.iterancestors():
        if parent.get("begin"):
            offset += timing.ms(parent.get("begin", ""), where)
    begin, end, dur = p.get("begin"), p.get("end"), p.get("dur")
    if begin is None or (end is None and dur is None):
        raise CaptionError(f"{where}: needs begin and end (or dur) attributes")
    start = offset + timing.ms(begin, where)
    stop = offset + timing.ms(end, where) if end is not None else start + timing.ms(
        dur or "0s", where)
    return start, stop


def _own_flags(el: etree._Element, styles: dict[str | None, set[str]]) -> set[str]:
    flags = _style_flags(dict(el.attrib))
    for ref in (el.get("style") or "").split():
        flags |= styles.get(ref, set())
    return flags


def _p_runs(el: etree._Element, styles: dict[str | None, set[str]],
            flags: set[str]) -> Iterator[Run]:
    preserve = el.get(f"{{{XML_NS}}}space") == "preserve"

    def clean(text: str | None) -> str:
        return (text or "") if preserve else re.sub(r"\s+", " ", text or "")

    yield Run(clean(el.text), frozenset(flags))
    for child in el:
        name = _local(child.tag)
        if name == "br":
            yield Run("\n", frozenset(flags))
        elif name == "span":
            yield from _p_runs(child, styles, flags | _own_flags(child, styles))
        yield Run(clean(child.tail), frozenset(flags))


def _tidy(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    """Trim the spaces XML indentation leaves around line breaks and at both ends."""
    text_runs = [Run(re.sub(r" *\n *", "\n", r.text), r.styles) for r in runs]
    if text_runs:
        text_runs[0] = Run(text_runs[0].text.lstrip(" "), text_runs[0].styles)
        text_runs[-1] = Run(text_runs[-1].text.rstrip(" "), text_runs[-1].styles)
    return _merge(text_runs)


def to_dfxp(cues: Iterable[Cue], language: str | None = None) -> bytes:
    """Write DFXP/TTML 1.0 (UTF-8); b/i/u become ``tts:`` styled spans."""
    nsmap = {None: TTML_NS, "tts": TTS_NS}
    root = etree.Element(f"{{{TTML_NS}}}tt", nsmap=nsmap)
    root.set(f"{{{XML_NS}}}lang", language or "")
    div = etree.SubElement(etree.SubElement(root, f"{{{TTML_NS}}}body"), f"{{{TTML_NS}}}div")
    for cue in cues:
        p = etree.SubElement(div, f"{{{TTML_NS}}}p", begin=_clock(cue.start_ms),
                             end=_clock(cue.end_ms))
        for run in _tidy(cue.runs):
            _append_run(p, run)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _append_run(p: etree._Element, run: Run) -> None:
    target = p
    if run.styles:
        target = etree.SubElement(p, f"{{{TTML_NS}}}span")
        for style, (name, value) in (("b", ("fontWeight", "bold")),
                                     ("i", ("fontStyle", "italic")),
                                     ("u", ("textDecoration", "underline"))):
            if style in run.styles:
                target.set(f"{{{TTS_NS}}}{name}", value)
    for index, line in enumerate(run.text.split("\n")):
        if index:
            etree.SubElement(target, f"{{{TTML_NS}}}br")
        _append_text(target, line)


def _append_text(el: etree._Element, text: str) -> None:
    if not text:
        return
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


# --- conversion -----------------------------------------------------------------------------


def write(cues: list[Cue], kind: CaptionType, language: str | None = None) -> bytes:
    """Write ``cues`` in ``kind`` (SRT, WebVTT or DFXP)."""
    if kind == CaptionType.SRT:
        return to_srt(cues)
    if kind == CaptionType.WEBVTT:
        return to_vtt(cues)
    if kind == CaptionType.DFXP:
        return to_dfxp(cues, language)
    raise CaptionError(f"writing {kind.name} captions is not supported")


def convert(data: bytes, kind: CaptionType, language: str | None = None) -> bytes:
    """Any supported caption file to ``kind``."""
    return write(parse(data)[1], kind, language)
