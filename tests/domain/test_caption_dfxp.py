"""DFXP/TTML: timing expressions, style references, writing, entity safety."""

from __future__ import annotations

from support.caption_samples import IT, SRT

from vpaas.domain.caption_cues import Run
from vpaas.domain.caption_dfxp import parse_dfxp, to_dfxp
from vpaas.domain.caption_srt_vtt import parse_srt


def test_dfxp_output_uses_tts_styles_and_br() -> None:
    xml = to_dfxp(parse_srt(SRT), "en").decode()
    assert 'xml:lang="en"' in xml
    assert '<span tts:fontWeight="bold">bold</span> &amp; ' in xml
    assert 'tts:textDecoration="underline"' in xml
    assert "Red text<br/>second line</p>" in xml


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
    cues = parse_dfxp(data)
    assert [(q.start_ms, q.end_ms) for q in cues] == [
        (11500, 12500), (13200, 14200), (15000, 82000)]
    assert cues[0].text == "plain text wrapped"
    assert cues[1].runs == (Run("frames ", IT), Run("b", frozenset("bi")))
    assert cues[2].text == "ticks\ntwo"


def test_xml_entities_are_not_expanded() -> None:
    data = (b'<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<tt xmlns="http://www.w3.org/ns/ttml"><body><div>'
            b'<p begin="1s" end="2s">a&x;b</p></div></body></tt>')
    cues = parse_dfxp(data)
    assert "root:" not in cues[0].text
