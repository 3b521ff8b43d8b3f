"""In-process frame grabbing (PyAV): the frame shown at a time, rotation applied, without
spawning ffmpeg.

Also home of :class:`ThumbnailError` and :func:`fit_inside`, shared with the rendering in
:mod:`vpaas.media.thumbnails`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence

import av
from PIL import Image

MAX_FORWARD_DECODE_S = 2.5
TRANSPOSE = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}


class ThumbnailError(ValueError):
    """A frame cannot be grabbed or an image cannot be rendered; ``str(err)`` says why."""


def grab_frame(
    path: str | os.PathLike[str],
    t_seconds: float,
    exact: bool = True,
    *,
    max_size: tuple[int, int] | None = None,
) -> Image.Image:
    """The frame shown at ``t_seconds`` (rotation applied), as an RGB image.

    Seeks to the keyframe at or before ``t``; with ``exact`` decodes forward to the frame
    displayed at ``t``, otherwise returns that keyframe. ``t`` past the end gives the last
    frame. ``max_size`` lets swscale shrink the frame to fit inside (w, h) while converting.
    """
    return grab_frames(path, [t_seconds], keyframes_only=not exact, max_size=max_size)[0]


def grab_frames(
    path: str | os.PathLike[str],
    times: Sequence[float],
    keyframes_only: bool = False,
    *,
    max_size: tuple[int, int] | None = None,
) -> list[Image.Image]:
    """One image per entry of ``times`` (any order), opening the file once.

    ``keyframes_only`` returns the keyframe at or before each time (fast; used for sprites).
    """
    for t in times:
        if not math.isfinite(t):
            raise ThumbnailError(f"capture time must be a finite number, got {t}")
    try:
        container = av.open(os.fspath(path))
    except (av.FFmpegError, OSError) as exc:
        raise ThumbnailError(f"cannot open media file: {exc}") from exc
    with container:
        if not container.streams.video:
            raise ThumbnailError("the media file has no video stream")
        grabber = _Grabber(container, keyframes_only, max_size)
        order = sorted(range(len(times)), key=lambda i: times[i])
        images: dict[int, Image.Image] = {}
        for i in order:
            images[i] = grabber.grab(max(0.0, times[i]))
    return [images[i] for i in range(len(times))]


class _Grabber:
    """Decodes frames of one open container, reusing the decoder for nearby forward times."""

    def __init__(
        self,
        container: av.container.InputContainer,
        keyframes_only: bool,
        max_size: tuple[int, int] | None,
    ) -> None:
        self.container = container
        self.stream = container.streams.video[0]
        self.stream.thread_type = "SLICE"
        self.keyframes_only = keyframes_only
        self.max_size = max_size
        self.frames: Iterator[av.VideoFrame] | None = None
        self.current: av.VideoFrame | None = None
        self.lookahead: av.VideoFrame | None = None
        self.duration = _duration(container, self.stream)

    def grab(self, t: float) -> Image.Image:
        if self.duration is not None:
            t = min(t, self.duration)
        frame = self._keyframe(t) if self.keyframes_only else self._exact(t)
        if frame is None:
            raise ThumbnailError("no video frame could be decoded")
        return _to_image(frame, self.max_size)

    def _seek(self, t: float) -> None:
        assert self.stream.time_base is not None
        target = int(t / self.stream.time_base) + (self.stream.start_time or 0)
        try:
            self.container.seek(target, stream=self.stream, backward=True, any_frame=False)
        except av.FFmpegError:
            self.container.seek(0, stream=self.stream, backward=True)
        self.frames = iter(self.container.decode(self.stream))
        self.current = self.lookahead = None

    def _next(self) -> av.VideoFrame | None:
        assert self.frames is not None
        if self.lookahead is not None:
            frame, self.lookahead = self.lookahead, None
            return frame
        try:
            return next(self.frames)
        except (StopIteration, av.FFmpegError):
            return None

    def _keyframe(self, t: float) -> av.VideoFrame | None:
        self._seek(t)
        frame = self._next()
        if frame is None or _time(frame) > t + 1e-3:
            self._seek(0.0)
            frame = self._next()
        return frame

    def _exact(self, t: float) -> av.VideoFrame | None:
        best = self.current
        if best is None or not (_time(best) <= t <= _time(best) + MAX_FORWARD_DECODE_S):
            self._seek(t)
            best = None
        while True:
            frame = self._next()
            if frame is None:
                break
            if best is not None and _time(frame) > t + 1e-3:
                self.lookahead = frame
                break
            best = frame
        self.current = best
        return best


def _time(frame: av.VideoFrame) -> float:
    return frame.time if frame.time is not None else 0.0


def _duration(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def _to_image(frame: av.VideoFrame, max_size: tuple[int, int] | None) -> Image.Image:
    if max_size is not None:
        width, height = fit_inside(frame.width, frame.height, *max_size)
        if (width, height) != (frame.width, frame.height):
            frame = frame.reformat(width=width, height=height)
    image = frame.to_image()
    rotation = (frame.rotation or 0) % 360
    if rotation in TRANSPOSE:
        image = image.transpose(TRANSPOSE[rotation])
    return image


def fit_inside(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """Size of (width, height) scaled down (never up) to fit inside the box."""
    scale = min(box_w / width, box_h / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))
