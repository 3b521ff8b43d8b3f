"""ISO BMFF (MP4) boxes: reading box headers from a file, splitting container payloads, and
the stsd sample entry with its RFC 6381 codec string (avc1.64001f, mp4a.40.2, ...)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MAX_META_BOX = 64 * 1024 * 1024


class Fmp4Error(ValueError):
    """The file is not a fragmented MP4 this module can index; ``str(err)`` says why."""


@dataclass(frozen=True)
class Box:
    """A box header: type, where it starts, total size, and where its payload starts."""

    type: bytes
    offset: int
    size: int
    header: int

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def payload_offset(self) -> int:
        return self.offset + self.header


def iter_boxes(f: BinaryIO, start: int, end: int) -> Iterator[Box]:
    """Yield the boxes laid end to end in ``[start, end)``, reading headers only."""
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        head = f.read(8)
        if len(head) < 8:
            raise Fmp4Error(f"truncated box header at offset {pos}")
        size, btype = struct.unpack(">I4s", head)
        header = 8
        if size == 1:
            large = f.read(8)
            if len(large) < 8:
                raise Fmp4Error(f"truncated 64-bit box size at offset {pos}")
            size = struct.unpack(">Q", large)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise Fmp4Error(f"box {btype!r} at offset {pos} has invalid size {size}")
        yield Box(btype, pos, size, header)
        pos += size
    if pos != end and end - pos < 8:
        raise Fmp4Error(f"{end - pos} stray bytes at offset {pos}")


def read_payload(f: BinaryIO, box: Box) -> bytes:
    """A (small, metadata) box's payload; Fmp4Error when too large or truncated."""
    length = box.size - box.header
    if length > MAX_META_BOX:
        raise Fmp4Error(f"{box.type.decode('latin-1')} box of {length} bytes is too large")
    f.seek(box.payload_offset)
    data = f.read(length)
    if len(data) != length:
        raise Fmp4Error(f"truncated {box.type.decode('latin-1')} box at offset {box.offset}")
    return data


def child_boxes(data: bytes, start: int = 0) -> dict[bytes, list[bytes]]:
    """Split an in-memory container payload into ``{type: [payload, ...]}``."""
    out: dict[bytes, list[bytes]] = {}
    pos = start
    while pos + 8 <= len(data):
        size, btype = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = len(data) - pos
        if size < header or pos + size > len(data):
            raise Fmp4Error(f"box {btype!r} inside a container has invalid size {size}")
        out.setdefault(btype, []).append(data[pos + header : pos + size])
        pos += size
    return out


def one_box(boxes: dict[bytes, list[bytes]], btype: bytes, where: str) -> bytes:
    """The first ``btype`` child of a container split by :func:`child_boxes`."""
    found = boxes.get(btype)
    if not found:
        raise Fmp4Error(f"missing {btype.decode('latin-1')} box in {where}")
    return found[0]


@dataclass(frozen=True)
class SampleEntry:
    """What the stsd sample entry tells about the coded stream."""

    codec: str
    width: int = 0
    height: int = 0
    sample_rate: int = 0
    channels: int = 0


def parse_stsd(stsd: bytes, kind: str) -> SampleEntry:
    """Read the first sample entry of an stsd payload into a :class:`SampleEntry`."""
    if len(stsd) < 16:
        raise Fmp4Error("stsd box is truncated")
    size, fourcc = struct.unpack_from(">I4s", stsd, 8)
    entry = stsd[16 : 8 + size]
    name = fourcc.decode("latin-1")
    if kind == "video":
        width, height = struct.unpack_from(">HH", entry, 24)
        children = child_boxes(entry, 78)
        return SampleEntry(_video_codec(name, children), width=width, height=height)
    channels = struct.unpack_from(">H", entry, 16)[0]
    sample_rate = struct.unpack_from(">I", entry, 24)[0] >> 16
    children = child_boxes(entry, 28)
    return SampleEntry(_audio_codec(name, children), sample_rate=sample_rate, channels=channels)


def _video_codec(name: str, children: dict[bytes, list[bytes]]) -> str:
    if name in ("avc1", "avc3") and b"avcC" in children:
        avcc = children[b"avcC"][0]
        return f"{name}.{avcc[1]:02x}{avcc[2]:02x}{avcc[3]:02x}"
    if name in ("hvc1", "hev1") and b"hvcC" in children:
        return _hevc_codec(name, children[b"hvcC"][0])
    if name == "vp09" and b"vpcC" in children:
        vpcc = children[b"vpcC"][0]
        return f"vp09.{vpcc[4]:02d}.{vpcc[5]:02d}.{vpcc[6] >> 4:02d}"
    if name == "av01" and b"av1C" in children:
        av1c = children[b"av1C"][0]
        profile, level, tier = av1c[1] >> 5, av1c[1] & 0x1F, "H" if av1c[2] >> 7 else "M"
        high, twelve = (av1c[2] >> 6) & 1, (av1c[2] >> 5) & 1
        depth = 12 if high and twelve else 10 if high else 8
        return f"av01.{profile}.{level:02d}{tier}.{depth:02d}"
    return name


def _hevc_codec(name: str, hvcc: bytes) -> str:
    space = "" if not hvcc[1] >> 6 else "ABC"[(hvcc[1] >> 6) - 1]
    tier = "H" if hvcc[1] & 0x20 else "L"
    compat = int.from_bytes(hvcc[2:6], "big")
    reversed_compat = int(f"{compat:032b}"[::-1], 2)
    constraints = bytearray(hvcc[6:12])
    while constraints and constraints[-1] == 0:
        constraints.pop()
    parts = [f"{name}.{space}{hvcc[1] & 0x1F}", f"{reversed_compat:x}", f"{tier}{hvcc[12]}"]
    parts += [f"{b:02x}" for b in constraints]
    return ".".join(parts)


def _audio_codec(name: str, children: dict[bytes, list[bytes]]) -> str:
    if name == "mp4a" and b"esds" in children:
        return _esds_codec(children[b"esds"][0])
    return {"Opus": "opus", "fLaC": "flac", ".mp3": "mp4a.6b"}.get(name, name)


def _esds_codec(esds: bytes) -> str:
    """mp4a.OTI[.AOT] from an esds payload (ES_Descriptor > DecoderConfig > SpecificInfo)."""
    pos, oti, aot = 4, 0, 0
    while pos + 2 <= len(esds):
        tag = esds[pos]
        pos += 1
        length = 0
        for _ in range(4):
            byte = esds[pos]
            pos += 1
            length = (length << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        if tag == 0x03:
            flags = esds[pos + 2]
            pos += 3 + (2 if flags & 0x80 else 0) + (2 if flags & 0x20 else 0)
            if flags & 0x40:
                pos += 1 + esds[pos]
        elif tag == 0x04:
            oti = esds[pos]
            pos += 13
        elif tag == 0x05:
            aot = esds[pos] >> 3
            if aot == 31 and pos + 1 < len(esds):
                aot = 32 + (((esds[pos] & 0x07) << 3) | (esds[pos + 1] >> 5))
            break
        else:
            pos += length
    if not oti:
        return "mp4a"
    return f"mp4a.{oti:x}.{aot}" if oti == 0x40 and aot else f"mp4a.{oti:x}"
