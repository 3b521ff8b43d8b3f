"""Index fragmented MP4 (CMAF) files: init range, codec, and byte range + time of each fragment.

Only box headers and the small metadata boxes (moov, moof, sidx) are read; media payloads
(mdat) are skipped with a seek, so indexing a multi-GB file costs a few kilobytes of reads
per fragment. The result, :class:`TrackIndex`, is what HLS and DASH manifests are built from
and is JSON-serialisable so it can be stored next to the flavor.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

MAX_META_BOX = 64 * 1024 * 1024
MAX_FRAGMENTS = 500_000
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"moof", b"traf"}
FRAGMENT_PREFIX = {b"styp", b"prft", b"emsg"}


class Fmp4Error(ValueError):
    """The file is not a fragmented MP4 this module can index; ``str(err)`` says why."""


@dataclass(frozen=True)
class Fragment:
    """One moof+mdat pair (plus any styp/prft/emsg right before it)."""

    offset: int
    length: int
    start_time_s: float
    duration_s: float

    @property
    def end_time_s(self) -> float:
        """Decode time of the first sample after this fragment, in seconds."""
        return self.start_time_s + self.duration_s


@dataclass(frozen=True)
class TrackIndex:
    """Everything a manifest needs to know about a single-track fragmented MP4 file."""

    kind: str
    codec: str
    timescale: int
    init_range: tuple[int, int]
    fragments: tuple[Fragment, ...]
    file_size: int
    width: int = 0
    height: int = 0
    frame_rate: float | None = None
    sample_rate: int = 0
    channels: int = 0
    language: str = "und"
    index_range: tuple[int, int] | None = None

    @property
    def duration_s(self) -> float:
        """Sum of all fragment durations."""
        return sum(f.duration_s for f in self.fragments)

    @property
    def max_fragment_duration_s(self) -> float:
        """Longest fragment, for HLS TARGETDURATION."""
        return max((f.duration_s for f in self.fragments), default=0.0)

    @property
    def average_bitrate(self) -> int:
        """Average bits per second over all fragments (init segment excluded)."""
        duration = self.duration_s
        if duration <= 0:
            return 0
        return round(sum(f.length for f in self.fragments) * 8 / duration)

    @property
    def peak_bitrate(self) -> int:
        """Highest bits per second of any single fragment (HLS BANDWIDTH)."""
        rates = [f.length * 8 / f.duration_s for f in self.fragments if f.duration_s > 0]
        return round(max(rates, default=0.0))

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON-ready form; fragments become ``[offset, length, start, duration]``."""
        return {
            "kind": self.kind,
            "codec": self.codec,
            "timescale": self.timescale,
            "init_range": list(self.init_range),
            "index_range": list(self.index_range) if self.index_range else None,
            "file_size": self.file_size,
            "width": self.width,
            "height": self.height,
            "frame_rate": self.frame_rate,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "language": self.language,
            "fragments": [
                [f.offset, f.length, f.start_time_s, f.duration_s] for f in self.fragments
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrackIndex:
        """Inverse of :meth:`to_dict`."""
        index_range = data.get("index_range")
        return cls(
            kind=str(data["kind"]),
            codec=str(data["codec"]),
            timescale=int(data["timescale"]),
            init_range=(int(data["init_range"][0]), int(data["init_range"][1])),
            index_range=(int(index_range[0]), int(index_range[1])) if index_range else None,
            file_size=int(data["file_size"]),
            width=int(data.get("width", 0)),
            height=int(data.get("height", 0)),
            frame_rate=data.get("frame_rate"),
            sample_rate=int(data.get("sample_rate", 0)),
            channels=int(data.get("channels", 0)),
            language=str(data.get("language", "und")),
            fragments=tuple(
                Fragment(int(o), int(n), float(s), float(d)) for o, n, s, d in data["fragments"]
            ),
        )


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


def _read_payload(f: BinaryIO, box: Box) -> bytes:
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


def _one(boxes: dict[bytes, list[bytes]], btype: bytes, where: str) -> bytes:
    found = boxes.get(btype)
    if not found:
        raise Fmp4Error(f"missing {btype.decode('latin-1')} box in {where}")
    return found[0]


@dataclass
class _MoovInfo:
    track_id: int
    timescale: int
    kind: str
    language: str
    sample_entry: SampleEntry
    trex_duration: int


def _parse_moov(moov: bytes) -> _MoovInfo:
    boxes = child_boxes(moov)
    traks = boxes.get(b"trak", [])
    if len(traks) != 1:
        raise Fmp4Error(f"expected exactly one track, found {len(traks)}")
    trak = child_boxes(traks[0])
    tkhd = _one(trak, b"tkhd", "trak")
    track_id = struct.unpack_from(">I", tkhd, 20 if tkhd[0] == 1 else 12)[0]
    mdia = child_boxes(_one(trak, b"mdia", "trak"))
    timescale, language = _parse_mdhd(_one(mdia, b"mdhd", "mdia"))
    handler = _one(mdia, b"hdlr", "mdia")[8:12]
    kind = {b"vide": "video", b"soun": "audio"}.get(handler)
    if kind is None:
        raise Fmp4Error(f"unsupported track handler {handler!r} (only video and audio)")
    stbl = child_boxes(_one(child_boxes(_one(mdia, b"minf", "mdia")), b"stbl", "minf"))
    entry = parse_stsd(_one(stbl, b"stsd", "stbl"), kind)
    trex_duration = 0
    for mvex in boxes.get(b"mvex", []):
        for trex in child_boxes(mvex).get(b"trex", []):
            if struct.unpack_from(">I", trex, 4)[0] == track_id:
                trex_duration = struct.unpack_from(">I", trex, 12)[0]
    return _MoovInfo(track_id, timescale, kind, language, entry, trex_duration)


def _parse_mdhd(mdhd: bytes) -> tuple[int, str]:
    if mdhd[0] == 1:
        timescale = struct.unpack_from(">I", mdhd, 20)[0]
        lang_bits = struct.unpack_from(">H", mdhd, 32)[0]
    else:
        timescale = struct.unpack_from(">I", mdhd, 12)[0]
        lang_bits = struct.unpack_from(">H", mdhd, 20)[0]
    if timescale <= 0:
        raise Fmp4Error("track timescale is zero")
    chars = [((lang_bits >> shift) & 0x1F) + 0x60 for shift in (10, 5, 0)]
    language = bytes(chars).decode("latin-1") if all(0x61 <= c <= 0x7A for c in chars) else "und"
    return timescale, language


def _parse_moof(moof: bytes, info: _MoovInfo) -> tuple[int | None, int, int]:
    """Return (tfdt base decode time or None, total duration in ticks, sample count)."""
    trafs = child_boxes(moof).get(b"traf", [])
    for raw in trafs:
        traf = child_boxes(raw)
        tfhd = _one(traf, b"tfhd", "traf")
        flags = int.from_bytes(tfhd[1:4], "big")
        if struct.unpack_from(">I", tfhd, 4)[0] != info.track_id:
            continue
        pos = 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
        default_duration = info.trex_duration
        if flags & 0x08:
            default_duration = struct.unpack_from(">I", tfhd, pos)[0]
        base: int | None = None
        if b"tfdt" in traf:
            tfdt = traf[b"tfdt"][0]
            fmt = ">Q" if tfdt[0] == 1 else ">I"
            base = struct.unpack_from(fmt, tfdt, 4)[0]
        duration, samples = 0, 0
        for trun in traf.get(b"trun", []):
            d, n = _trun_duration(trun, default_duration)
            duration += d
            samples += n
        return base, duration, samples
    raise Fmp4Error(f"moof without a traf for track {info.track_id}")


def _trun_duration(trun: bytes, default_duration: int) -> tuple[int, int]:
    flags = int.from_bytes(trun[1:4], "big")
    count = struct.unpack_from(">I", trun, 4)[0]
    pos = 8 + (4 if flags & 0x001 else 0) + (4 if flags & 0x004 else 0)
    if not flags & 0x100:
        return count * default_duration, count
    stride = 4 * bin(flags & 0xF00).count("1")
    if pos + stride * count > len(trun):
        raise Fmp4Error("trun sample table is truncated")
    total = sum(
        struct.unpack_from(">I", trun, pos + i * stride)[0] for i in range(count)
    )
    return total, count


def _parse_sidx(sidx: bytes, sidx_end: int) -> tuple[int, list[tuple[int, int, int, int]]]:
    """Return (timescale, [(offset, length, start_ticks, duration_ticks)]) of media refs."""
    version = sidx[0]
    timescale = struct.unpack_from(">I", sidx, 8)[0]
    if version == 0:
        earliest, first_offset = struct.unpack_from(">II", sidx, 12)
        pos = 20
    else:
        earliest, first_offset = struct.unpack_from(">QQ", sidx, 12)
        pos = 28
    count = struct.unpack_from(">H", sidx, pos + 2)[0]
    pos += 4
    offset, start, refs = sidx_end + first_offset, earliest, []
    for _ in range(count):
        ref, duration, _sap = struct.unpack_from(">III", sidx, pos)
        pos += 12
        if ref >> 31:
            raise Fmp4Error("hierarchical sidx (references to other sidx) is not supported")
        size = ref & 0x7FFFFFFF
        refs.append((offset, size, start, duration))
        offset += size
        start += duration
    return timescale, refs


def index_fmp4(path: str | os.PathLike[str], *, use_sidx: bool = True) -> TrackIndex:
    """Index a single-track fragmented MP4 file.

    Fragments come from the moof boxes (tfdt start, trun/tfhd/trex durations). When the
    file carries a top-level sidx and ``use_sidx`` is true, its references are used instead
    and no moof is read. Raises :class:`Fmp4Error` for anything that is not a valid
    single-track fragmented MP4.
    """
    file_size = os.path.getsize(path)
    with open(path, "rb") as f:
        return _index(f, file_size, use_sidx)


def _index(f: BinaryIO, file_size: int, use_sidx: bool) -> TrackIndex:
    info: _MoovInfo | None = None
    init_end = 0
    sidx: tuple[Box, bytes] | None = None
    pending: int | None = None
    fragments: list[Fragment] = []
    next_start = 0
    for box in iter_boxes(f, 0, file_size):
        if box.type in (b"ftyp", b"moov") and not fragments and pending is None:
            if box.type == b"moov":
                info = _parse_moov(_read_payload(f, box))
            init_end = box.end
        elif box.type == b"sidx" and sidx is None:
            sidx = (box, _read_payload(f, box))
            if use_sidx and info is not None:
                break
        elif box.type in FRAGMENT_PREFIX and pending is None:
            pending = box.offset
        elif box.type == b"moof":
            if info is None:
                raise Fmp4Error("moof before moov: not an indexable fragmented MP4")
            base, ticks, _ = _parse_moof(_read_payload(f, box), info)
            start = base if base is not None else next_start
            next_start = start + ticks
            offset = pending if pending is not None else box.offset
            fragments.append(Fragment(offset, 0, start / info.timescale, ticks / info.timescale))
            pending = None
        elif box.type == b"mdat" and fragments:
            last = fragments[-1]
            fragments[-1] = Fragment(
                last.offset, box.end - last.offset, last.start_time_s, last.duration_s
            )
        if len(fragments) > MAX_FRAGMENTS:
            raise Fmp4Error(f"more than {MAX_FRAGMENTS} fragments")
    if info is None:
        raise Fmp4Error("no moov box: not an MP4 file")
    index_range = (sidx[0].offset, sidx[0].size) if sidx else None
    if sidx is not None and use_sidx:
        fragments = _fragments_from_sidx(sidx[0], sidx[1])
    if not fragments or any(fr.length == 0 for fr in fragments):
        raise Fmp4Error("no complete moof+mdat fragments: file is not fragmented")
    return _build_index(info, init_end, fragments, file_size, index_range, f)


def _fragments_from_sidx(box: Box, payload: bytes) -> list[Fragment]:
    timescale, refs = _parse_sidx(payload, box.end)
    if timescale <= 0:
        raise Fmp4Error("sidx timescale is zero")
    return [Fragment(o, n, s / timescale, d / timescale) for o, n, s, d in refs]


def _build_index(
    info: _MoovInfo,
    init_end: int,
    fragments: list[Fragment],
    file_size: int,
    index_range: tuple[int, int] | None,
    f: BinaryIO,
) -> TrackIndex:
    entry = info.sample_entry
    frame_rate = None
    if info.kind == "video":
        frame_rate = _frame_rate(f, fragments[0], info)
    if fragments[-1].offset + fragments[-1].length > file_size:
        raise Fmp4Error("fragment extends past the end of the file")
    return TrackIndex(
        kind=info.kind,
        codec=entry.codec,
        timescale=info.timescale,
        init_range=(0, init_end),
        fragments=tuple(fragments),
        file_size=file_size,
        width=entry.width,
        height=entry.height,
        frame_rate=frame_rate,
        sample_rate=entry.sample_rate,
        channels=entry.channels,
        language=info.language,
        index_range=index_range,
    )


def _frame_rate(f: BinaryIO, first: Fragment, info: _MoovInfo) -> float | None:
    """Frames per second measured on the first fragment (rounded to 3 decimals)."""
    for box in iter_boxes(f, first.offset, first.offset + first.length):
        if box.type == b"moof":
            _, ticks, samples = _parse_moof(_read_payload(f, box), info)
            if ticks > 0 and samples > 0:
                return round(samples * info.timescale / ticks, 3)
    return None


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
