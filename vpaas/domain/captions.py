"""Caption files: detect SRT, WebVTT or DFXP/TTML, parse them into cues, convert between them.

The cue model lives in :mod:`vpaas.domain.caption_cues`, the format readers and writers in
:mod:`vpaas.domain.caption_srt_vtt` and :mod:`vpaas.domain.caption_dfxp`.
"""

from __future__ import annotations

import re

from vpaas.domain.caption_cues import CaptionError, CaptionType, Cue, decode
from vpaas.domain.caption_dfxp import parse_dfxp, to_dfxp
from vpaas.domain.caption_srt_vtt import SRT_TIMING, parse_srt, parse_vtt, to_srt, to_vtt


def detect(data: bytes) -> CaptionType | None:
    """The format the content is in (SRT, WebVTT, DFXP), or None if it is none of them."""
    head = decode(data[:4096]).lstrip()
    if re.match(r"WEBVTT(?:[ \t\n]|$)", head):
        return CaptionType.WEBVTT
    if head.startswith("<") and re.search(r"<(?:\w+:)?tt[\s>]", head):
        return CaptionType.DFXP
    for line in head.split("\n")[:20]:
        if SRT_TIMING.match(line):
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
