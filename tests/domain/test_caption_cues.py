"""Caption decoding: encodings, line endings, the size limit."""

from __future__ import annotations

import codecs

import pytest

from vpaas.domain import caption_cues
from vpaas.domain.caption_cues import CaptionError
from vpaas.domain.captions import parse


def test_encodings_and_line_endings() -> None:
    body = "1\r\n00:00:01,000 --> 00:00:02,000\r\nCafé\r\n"
    for data in (body.encode("utf-8"), codecs.BOM_UTF8 + body.encode("utf-8"),
                 body.encode("utf-16"), body.encode("cp1252")):
        assert parse(data)[1][0].text == "Café"


def test_size_limit() -> None:
    with pytest.raises(CaptionError, match="larger than"):
        caption_cues.decode(b"x" * (caption_cues.MAX_CAPTION_BYTES + 1))
