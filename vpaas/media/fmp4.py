"""Index fragmented MP4 (CMAF) files: init range, codec, and byte range + time of each fragment.

Only box headers and the small metadata boxes (moov, moof, sidx) are read; media payloads
(mdat) are skipped with a seek, so indexing a multi-GB file costs a few kilobytes of reads
per fragment. The result, :class:`TrackIndex`, is what HLS and DASH manifests are built from
and is JSON-serialisable so it can be stored next to the flavor.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

from vpaas.media.mp4_boxes import (
    Box,
    Fmp4Error,
    SampleEntry,
    child_boxes,
    iter_boxes,
    one_box,
    parse_stsd,
    read_payload,
)

MAX_FRAGMENTS = 500_000
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"moof", b"traf"}
FRAGMENT_PREFIX = {b"styp", b"prft", b"emsg"}


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
    tkhd = one_box(trak, b"tkhd", "trak")
    track_id = struct.unpack_from(">I", tkhd, 20 if tkhd[0] == 1 else 12)[0]
    mdia = child_boxes(one_box(trak, b"mdia", "trak"))
    timescale, language = _parse_mdhd(one_box(mdia, b"mdhd", "mdia"))
    handler = one_box(mdia, b"hdlr", "mdia")[8:12]
    kind = {b"vide": "video", b"soun": "audio"}.get(handler)
    if kind is None:
        raise Fmp4Error(f"unsupported track handler {handler!r} (only video and audio)")
    stbl = child_boxes(one_box(child_boxes(one_box(mdia, b"minf", "mdia")), b"stbl", "minf"))
    entry = parse_stsd(one_box(stbl, b"stsd", "stbl"), kind)
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
        tfhd = one_box(traf, b"tfhd", "traf")
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
                info = _parse_moov(read_payload(f, box))
            init_end = box.end
        elif box.type == b"sidx" and sidx is None:
            sidx = (box, read_payload(f, box))
            if use_sidx and info is not None:
                break
        elif box.type in FRAGMENT_PREFIX and pending is None:
            pending = box.offset
        elif box.type == b"moof":
            if info is None:
                raise Fmp4Error("moof before moov: not an indexable fragmented MP4")
            base, ticks, _ = _parse_moof(read_payload(f, box), info)
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
            _, ticks, samples = _parse_moof(read_payload(f, box), info)
            if ticks > 0 and samples > 0:
                return round(samples * info.timescale / ticks, 3)
    return None
