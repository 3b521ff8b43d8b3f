"""SRT and WebVTT: parsing, writing, styles, cue settings, HLS segments."""

from __future__ import annotations

import pytest
from support.caption_samples import SRT, B

from vpaas.domain.caption_cues import CaptionError, Cue, Run
from vpaas.domain.caption_srt_vtt import (
    parse_srt,
    parse_vtt,
    to_srt,
    to_vtt,
    vtt_playlist,
    vtt_segment,
)


def test_webvtt_output_escapes_and_styles() -> None:
    vtt = to_vtt(parse_srt(SRT)).decode()
    assert vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n")
    assert "Hello <b>bold</b> &amp; <i>it</i><i><u>al</u></i>" in vtt
    assert "01:02:03.040 --> 01:02:04.000\nRed text\nsecond line\n" in vtt


def test_webvtt_features() -> None:
    data = (b"WEBVTT - a title\n\nSTYLE\n::cue { color: red }\n\nNOTE a comment\n\n"
            b"intro\n00:01.000 --> 00:02.000 align:start line:0%\n"
            b"<v Roger>Hi &amp; <loud>bye</c> &lt;3</v>\n\n"
            b"01:00:00.500 --> 01:00:01.000\n<b>x<00:00:00.700>y</b>\n")
    cues = parse_vtt(data)
    assert [(q.start_ms, q.end_ms) for q in cues] == [(1000, 2000), (3600500, 3601000)]
    assert cues[0].settings == "align:start line:0%"
    assert cues[0].text == "Hi & bye <3"  # voice and class tags dropped, entities decoded
    assert cues[1].runs == (Run("xy", B),)
    assert parse_vtt(to_vtt(cues)) == cues  # settings survive


def test_cues_are_sorted_and_blank_lines_do_not_leak_into_output() -> None:
    cues = [Cue(5000, 6000, (Run("later"),)), Cue(1000, 2000, (Run("a\n\n\nb"),))]
    again = parse_srt(to_srt(cues))
    assert [q.text for q in again] == ["a\nb", "later"]


def test_webvtt_parser_needs_the_header() -> None:
    with pytest.raises(CaptionError, match="must start with 'WEBVTT'"):
        parse_vtt(b"00:01.000 --> 00:02.000\nx\n")


def test_hls_segments_and_playlist() -> None:
    cues = [Cue(1000, 2000, (Run("one"),)), Cue(31000, 32000, (Run("two"),)),
            Cue(29000, 31000, (Run("across"),))]
    first = vtt_segment(cues, 1, 30, 10000).decode()
    assert first.startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:10.000\n")
    assert "one" in first and "across" in first and "two" not in first
    second = vtt_segment(cues, 2, 30, 10000).decode()
    assert "two" in second and "across" in second and "one" not in second
    playlist = vtt_playlist("seg/{index}.vtt", 30, 65000).decode()
    assert playlist.count("#EXTINF:30.0,") == 3 and "seg/3.vtt" in playlist
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
