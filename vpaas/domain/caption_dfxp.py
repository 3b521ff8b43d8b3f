"""DFXP/TTML captions: parse ``<p>`` elements into cues and write cues back as TTML 1.0.

Bold, italic and underline ``tts:`` styles (inline or referenced) are kept; other styling and
positioning are dropped, keeping the text. Entities, DTDs and the network are never loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from vpaas.domain.caption_cues import (
    MAX_CAPTION_BYTES,
    CaptionError,
    Cue,
    Run,
    add_cue,
    checked_cues,
    format_clock,
    merge_runs,
)

TTML_NS = "http://www.w3.org/ns/ttml"
TTS_NS = "http://www.w3.org/ns/ttml#styling"
TTP_NS = "http://www.w3.org/ns/ttml#parameter"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.(\d+)|:(\d+(?:\.\d+)?))?$")
_OFFSET = re.compile(r"^(\d+(?:\.\d+)?)(h|ms|m|s|f|t)$")


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
        runs = _tidy(merge_runs(_p_runs(p, styles, _own_flags(p, styles))))
        if runs:
            add_cue(cues, Cue(start, end, runs), where)
    return checked_cues(cues)


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
    return merge_runs(text_runs)


def to_dfxp(cues: Iterable[Cue], language: str | None = None) -> bytes:
    """Write DFXP/TTML 1.0 (UTF-8); b/i/u become ``tts:`` styled spans."""
    nsmap = {None: TTML_NS, "tts": TTS_NS}
    root = etree.Element(f"{{{TTML_NS}}}tt", nsmap=nsmap)
    root.set(f"{{{XML_NS}}}lang", language or "")
    div = etree.SubElement(etree.SubElement(root, f"{{{TTML_NS}}}body"), f"{{{TTML_NS}}}div")
    for cue in cues:
        p = etree.SubElement(div, f"{{{TTML_NS}}}p", begin=format_clock(cue.start_ms),
                             end=format_clock(cue.end_ms))
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

