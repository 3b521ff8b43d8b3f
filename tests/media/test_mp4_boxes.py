"""MP4 box reading on hand-built boxes: headers (32/64-bit, to-end), containers, bad sizes,
and codec strings of stsd sample entries. Real files are covered in test_fmp4.py."""

from __future__ import annotations

import io
import struct

import pytest

from vpaas.media.mp4_boxes import (
    Fmp4Error,
    child_boxes,
    iter_boxes,
    one_box,
    parse_stsd,
    read_payload,
)


def box(btype: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), btype) + payload


def large_box(btype: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4sQ", 1, btype, 16 + len(payload)) + payload


def test_headers_of_boxes_laid_end_to_end() -> None:
    data = box(b"ftyp", b"isom") + large_box(b"moov", b"x" * 10) + \
        struct.pack(">I4s", 0, b"mdat") + b"payload"
    found = list(iter_boxes(io.BytesIO(data), 0, len(data)))
    assert [(b.type, b.offset, b.size, b.header) for b in found] == [
        (b"ftyp", 0, 12, 8), (b"moov", 12, 26, 16), (b"mdat", 38, 15, 8)]
    assert found[1].payload_offset == 28 and found[1].end == 38
    assert read_payload(io.BytesIO(data), found[1]) == b"x" * 10


@pytest.mark.parametrize("data", [
    struct.pack(">I4s", 4, b"free"),            # smaller than its header
    struct.pack(">I4s", 100, b"free") + b"x",   # past the end
    box(b"free", b"") + b"abc",                 # stray bytes after the last box
])
def test_bad_sizes_are_refused(data: bytes) -> None:
    with pytest.raises(Fmp4Error):
        list(iter_boxes(io.BytesIO(data), 0, len(data)))


def test_truncated_payload_is_refused() -> None:
    data = box(b"moov", b"abcdef")
    header = next(iter_boxes(io.BytesIO(data), 0, len(data)))
    with pytest.raises(Fmp4Error, match="truncated moov"):
        read_payload(io.BytesIO(data[:10]), header)


def test_containers_split_into_children() -> None:
    payload = box(b"tkhd", b"1") + box(b"mdia", b"2") + box(b"tkhd", b"3")
    children = child_boxes(payload)
    assert children == {b"tkhd": [b"1", b"3"], b"mdia": [b"2"]}
    assert one_box(children, b"mdia", "trak") == b"2"
    with pytest.raises(Fmp4Error, match="missing edts box in trak"):
        one_box(children, b"edts", "trak")
    with pytest.raises(Fmp4Error):
        child_boxes(struct.pack(">I4s", 99, b"bad!"))


def stsd(entry_type: bytes, body: bytes) -> bytes:
    entry = struct.pack(">I4s", 8 + len(body), entry_type) + body
    return struct.pack(">II", 0, 1) + entry


def test_video_sample_entry_gives_avc_codec_and_size() -> None:
    fixed = bytearray(78)
    struct.pack_into(">HH", fixed, 24, 1280, 720)
    avcc = bytes([1, 0x64, 0x00, 0x1F, 0xFF])
    entry = parse_stsd(stsd(b"avc1", bytes(fixed) + box(b"avcC", avcc)), "video")
    assert (entry.codec, entry.width, entry.height) == ("avc1.64001f", 1280, 720)


def test_audio_sample_entry_gives_aac_codec_rate_and_channels() -> None:
    fixed = bytearray(28)
    struct.pack_into(">H", fixed, 16, 2)
    struct.pack_into(">I", fixed, 24, 48000 << 16)
    # ES_Descriptor(3) > DecoderConfig(4, OTI 0x40) > DecoderSpecificInfo(5, AOT 2 = AAC LC)
    specific = bytes([0x05, 2, 0x12, 0x10])
    config = bytes([0x04, 13 + len(specific), 0x40]) + bytes(12) + specific
    esds = bytes(4) + bytes([0x03, 3 + len(config), 0, 1, 0]) + config
    entry = parse_stsd(stsd(b"mp4a", bytes(fixed) + box(b"esds", esds)), "audio")
    assert (entry.codec, entry.sample_rate, entry.channels) == ("mp4a.40.2", 48000, 2)
    opus = parse_stsd(stsd(b"Opus", bytes(fixed)), "audio")
    assert opus.codec == "opus"
    with pytest.raises(Fmp4Error):
        parse_stsd(b"\x00" * 8, "audio")
