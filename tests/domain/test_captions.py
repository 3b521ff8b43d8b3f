"""Caption format detection, parsing and conversion: round trips, bad input."""

from __future__ import annotations

import pytest
from support.caption_samples import IT, IU, SRT, B

from vpaas.domain import captions as c
from vpaas.domain.caption_cues import CaptionError, CaptionType, Run


def test_srt_is_parsed_with_times_and_styles() -> None:
    kind, cues = c.parse(SRT)
    assert kind == CaptionType.SRT
    assert [(q.start_ms, q.end_ms) for q in cues] == [(1000, 2500), (3723040, 3724000)]
    assert cues[0].runs == (Run("Hello "), Run("bold", B), Run(" & "), Run("it", IT),
                            Run("al", IU))
    assert cues[1].text == "Red text\nsecond line"  # <font> dropped, its text kept


@pytest.mark.parametrize("target", [CaptionType.WEBVTT, CaptionType.DFXP, CaptionType.SRT])
def test_round_trips_keep_cues(target: CaptionType) -> None:
    cues = c.parse(SRT)[1]
    written = c.write(cues, target, "en")
    kind, again = c.parse(written)
    assert kind == target
    assert again == cues
    # and through a second format back to SRT
    assert c.parse(c.convert(written, CaptionType.SRT))[1] == cues


@pytest.mark.parametrize(("data", "message"), [
    (b"just some text\nwith lines\n", "not SRT, WebVTT or DFXP"),
    (b"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03 -> 00:00:04\nbad\n",
     "line 6: expected a timing line"),
    (b"1\n00:00:05,000 --> 00:00:02,000\nbackwards\n", "line 2: the caption ends before"),
    (b"1\n00:00:01,000 --> 00:75:00,000\nx\n", "minutes and seconds must be below 60"),
    (b"WEBVTT\n\n00:01.000 -> 00:02.000\nx\n", "line 3: expected a timing line"),
    (b"WEBVTT\n", "holds no captions"),
    (b"<tt xmlns='http://www.w3.org/ns/ttml'><body><p begin='1s'>x</p></body></tt>",
     "<p> number 1: needs begin and end"),
    (b"<tt xmlns='http://www.w3.org/ns/ttml'><body><p begin='1x' end='2s'>x</p></body></tt>",
     "invalid time expression"),
    (b"<tt><body><p>unclosed</body></tt>", "not well-formed XML"),
    (b"\x00\x01\x02 binary 00:00:01,000 --> 00:00:02,000", "binary"),
])
def test_malformed_files_get_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(CaptionError, match=message):
        c.parse(data)
