"""Caption parsing and conversion: SRT, WebVTT, DFXP/TTML, timing, styling, bad input."""

from __future__ import annotations

import codecs

import pytest

from vpaas.domain import captions as c
from vpaas.domain.captions import CaptionError, CaptionType, Cue, Run

SRT = b"""1
00:00:01,000 --> 00:00:02,500
Hello <b>bold</b> & <i>it<u>al</u></i>

2
01:02:03,040 --> 01:02:04,000
<font color="#ff0000">Red</font> text
second line
"""

B, IT, IU = frozenset("b"), frozenset("i"), frozenset("iu")


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


def test_webvtt_output_escapes_and_styles() -> None:
    vtt = c.to_vtt(c.parse(SRT)[1]).decode()
    assert vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n")
    assert "Hello <b>bold</b> &amp; <i>it</i><i><u>al</u></i>" in vtt
    assert "01:02:03.040 --> 01:02:04.000\nRed text\nsecond line\n" in vtt


def test_dfxp_output_uses_tts_styles_and_br() -> None:
    xml = c.to_dfxp(c.parse(SRT)[1], "en").decode()
    assert 'xml:lang="en"' in xml
    assert '<span tts:fontWeight="bold">bold</span> &amp; ' in xml
    assert 'tts:textDecoration="underline"' in xml
    assert "Red text<br/>second line</p>" in xml


def test_webvtt_features() -> None:
    data = (b"WEBVTT - a title\n\nSTYLE\n::cue { color: red }\n\nNOTE a comment\n\n"
            b"intro\n00:01.000 --> 00:02.000 align:start line:0%\n"
            b"<v Roger>Hi &amp; <c.loud>bye</c> &lt;3</v>\n\n"
            b"01:00:00.500 --> 01:00:01.000\n<b>x<00:00:00.700>y</b>\n")
    cues = c.parse_vtt(data)
    assert [(q.start_ms, q.end_ms) for q in cues] == [(1000, 2000), (3600500, 3601000)]
    assert cues[0].settings == "align:start line:0%"
    assert cues[0].text == "Hi & bye <3"  # voice and class tags dropped, entities decoded
    assert cues[1].runs == (Run("xy", B),)
    assert c.parse_vtt(c.to_vtt(cues)) == cues  # settings survive


def test_dfxp_timing_expressions_and_style_references() -> None:
    data = b"""<?xml version="1.0"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling"
    xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:frameRate="25" ttp:tickRate="10">
  <head><styling><style xml:id="it" tts:fontStyle="italic"/></styling></head>
  <body><div begin="10s">
    <p begin="1.5s" end="2500ms">plain   text
       wrapped</p>
    <p begin="00:00:03:05" dur="1s" style="it">frames <span tts:fontWeight="bold">b</span></p>
    <p begin="50t" end="0.02h">ticks<br/>  two</p>
  </div></body>
</tt>"""
    cues = c.parse_dfxp(data)
    assert [(q.start_ms, q.end_ms) for q in cues] == [
        (11500, 12500), (13200, 14200), (15000, 82000)]
    assert cues[0].text == "plain text wrapped"
    assert cues[1].runs == (Run("frames ", IT), Run("b", frozenset("bi")))
    assert cues[2].text == "ticks\ntwo"


def test_encodings_and_line_endings() -> None:
    body = "1\r\n00:00:01,000 --> 00:00:02,000\r\nCafé\r\n"
    for data in (body.encode("utf-8"), codecs.BOM_UTF8 + body.encode("utf-8"),
                 body.encode("utf-16"), body.encode("cp1252")):
        assert c.parse(data)[1][0].text == "Café"


def test_cues_are_sorted_and_blank_lines_do_not_leak_into_output() -> None:
    cues = [Cue(5000, 6000, (Run("later"),)), Cue(1000, 2000, (Run("a\n\n\nb"),))]
    again = c.parse_srt(c.to_srt(cues))
    assert [q.text for q in again] == ["a\nb", "later"]


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


def test_webvtt_parser_needs_the_header() -> None:
    with pytest.raises(CaptionError, match="must start with 'WEBVTT'"):
        c.parse_vtt(b"00:01.000 --> 00:02.000\nx\n")


def test_xml_entities_are_not_expanded() -> None:
    data = (b'<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<tt xmlns="http://www.w3.org/ns/ttml"><body><div>'
            b'<p begin="1s" end="2s">a&x;b</p></div></body></tt>')
    cues = c.parse_dfxp(data)
    assert "root:" not in cues[0].text


def test_size_limit() -> None:
    with pytest.raises(CaptionError, match="larger than"):
        c.decode(b"x" * (c.MAX_CAPTION_BYTES + 1))


def test_hls_segments_and_playlist() -> None:
    cues = [Cue(1000, 2000, (Run("one"),)), Cue(31000, 32000, (Run("two"),)),
            Cue(29000, 31000, (Run("across"),))]
    first = c.vtt_segment(cues, 1, 30, 10000).decode()
    assert first.startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:10.000\n")
    assert "one" in first and "across" in first and "two" not in first
    second = c.vtt_segment(cues, 2, 30, 10000).decode()
    assert "two" in second and "across" in second and "one" not in second
    playlist = c.vtt_playlist("seg/{index}.vtt", 30, 65000).decode()
    assert playlist.count("#EXTINF:30.0,") == 3 and "seg/3.vtt" in playlist
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
