"""GIF on intake (docs/media.md, "GIF"): editors have them, players should not decode
them. The file's blocks are walked first — canvas size, frame count and playing time
are checked against the limits below before anything is decoded — and its metadata
blocks (comments, XMP, other application blocks) are cut out byte for byte, so the
kept original is still the same picture and animation.

- A still GIF (one frame) is stored as that kept original, an image like any other:
  players get PNG renditions of it (``controller.media.renditions``).
- An animated GIF becomes a looping H.264 MP4 made by ffmpeg (transparent pixels on
  black, frames on a 25 fps grid, even width and height); the kept GIF is stored beside
  it and named by the video's ``source_sha256``, so exports carry the GIF.

Refusals are :class:`~controller.media.images.ImageRefused` sentences (refusals, said in
the API caller's language; ffmpeg's own reasons are quoted as they are)."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from controller.media.images import (
    ImageRefused,
    bomb_message,
    check_trailing,
    cut_short,
    decode,
    no_pixels,
)
from controller.media.video import PACKAGE_HINT, VideoRefused, probe, run_ffmpeg, tools
from controller.refusals import refusal

MAX_FRAMES = 3000  # frames in one GIF
MAX_SECONDS = 300  # playing time of one loop
MAX_FRAME_PIXELS = 1_500_000_000  # frames × canvas pixels: the decoding work in all
CONVERT_TIMEOUT = 900  # seconds for ffmpeg
VIDEO_BOX = (3840, 2160)  # larger animations are scaled down to fit (H.264's limits)
FPS = 25
MIN_DELAY, DEFAULT_DELAY = 2, 10  # centiseconds: shorter delays play as 10, as browsers do
# Application blocks that are part of the animation, not metadata.
_LOOP_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


@dataclass
class GifStructure:
    width: int
    height: int
    frames: int = 0
    centiseconds: int = 0  # one loop's playing time
    end: int = 0  # offset just after the trailer (0x3B)
    metadata: list[str] = field(default_factory=list)
    cut: list[tuple[int, int]] = field(default_factory=list)  # metadata blocks' spans


@dataclass
class CleanGif:
    original: Path  # the kept GIF (metadata cut out): the stored image, or the source
    width: int
    height: int
    frames: int
    changes: list[str]
    video: Path | None = None  # animated: the MP4 made of it
    video_width: int = 0
    video_height: int = 0
    duration: float = 0.0


class _TooMany(Exception):
    pass


class _Malformed(ValueError):
    """Blocks that are cut short or malformed (said as the file being damaged)."""


def walk(data: bytes, max_frames: int = MAX_FRAMES) -> GifStructure:
    """The GIF's blocks, up to its trailer. ValueError when it is cut short or malformed;
    _TooMany past ``max_frames`` frames (the walk stops there)."""
    width, height, packed = struct.unpack("<HHB", data[6:11])
    gif = GifStructure(width, height)
    pos = 13 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
    delay = 0
    while True:
        block = data[pos]
        if block == 0x3B:
            gif.end = pos + 1
            return gif
        if block == 0x2C:  # an image: descriptor, local colour table, LZW data
            gif.frames += 1
            if gif.frames > max_frames:
                raise _TooMany
            _, _, w, h, local = struct.unpack("<HHHHB", data[pos + 1:pos + 10])
            if w * h > max(1, width * height) * 4:
                raise _Malformed("a frame far larger than the canvas")
            pos += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
            pos = _skip_sub_blocks(data, pos)
            gif.centiseconds += delay if delay >= MIN_DELAY else DEFAULT_DELAY
            delay = 0
        elif block == 0x21:
            label, start = data[pos + 1], pos
            first = data[pos + 3:pos + 3 + data[pos + 2]]
            pos = _skip_sub_blocks(data, pos + 2)
            if label == 0xF9 and len(first) >= 3:
                delay = struct.unpack("<H", first[1:3])[0]
            elif label == 0xFE or (label == 0xFF and first[:11] not in _LOOP_APPS):
                what = "comment" if label == 0xFE else _app_name(first)
                if what not in gif.metadata:
                    gif.metadata.append(what)
                gif.cut.append((start, pos))
        else:
            raise _Malformed(f"unknown block 0x{block:02x}")


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    while True:
        size = data[pos]
        pos += 1 + size
        if size == 0:
            if pos > len(data):
                raise _Malformed("cut short")
            return pos


def _app_name(first: bytes) -> str:
    if first.startswith(b"XMP Data"):
        return "XMP"
    if first.startswith(b"ICCRGBG1"):
        return "ICC profile"
    return f"application data {first[:8].decode('latin-1', 'replace')!r}"


def prepare_gif(path: Path, max_pixels: int, workdir: Path, shown: str) -> CleanGif:
    """Check the GIF at ``path``, keep it without metadata in ``workdir`` (or as it is)
    and, when animated, make its looping MP4 there."""
    data = path.read_bytes()
    if len(data) < 14:
        raise ImageRefused(refusal("%(name)s is cut short: not even a GIF header.",
                                   name=shown))
    width, height = struct.unpack("<HH", data[6:10])
    if width * height > max_pixels:  # the header's claim, before anything is decoded
        raise ImageRefused(bomb_message(shown, (width, height), max_pixels))
    if width == 0 or height == 0:
        raise ImageRefused(no_pixels(shown, width, height))
    try:
        gif = walk(data)
    except _TooMany:
        raise ImageRefused(refusal("%(name)s has more than %(most)d frames, the limit for "
                                   "an animated GIF; shorten it or upload it as a video.",
                                   name=shown, most=MAX_FRAMES)) from None
    except (IndexError, struct.error, ValueError):
        raise ImageRefused(cut_short(shown, "GIF")) from None
    _check_limits(gif, shown)
    changes = list(gif.metadata)
    check_trailing(data[gif.end:], shown, changes)
    kept = _kept(data, gif)
    original = path
    if kept != data:
        original = workdir / "original.gif"
        original.write_bytes(kept)
    if gif.frames == 1:
        decode(original, "image/gif", max_pixels, shown).close()  # whole, under the guard
        return CleanGif(original, width, height, 1, changes)
    return _animated(original, gif, workdir, shown, changes)


def _check_limits(gif: GifStructure, shown: str) -> None:
    if gif.frames == 0:
        raise ImageRefused(refusal("%(name)s holds no picture (a GIF without frames).",
                                   name=shown))
    seconds = gif.centiseconds / 100
    if gif.frames > 1 and seconds > MAX_SECONDS:
        raise ImageRefused(refusal("%(name)s plays for %(seconds)s s, longer than the "
                                   "%(most)d s an animated GIF may last; upload it as a "
                                   "video instead.", name=shown,
                                   seconds=format(seconds, "g"), most=MAX_SECONDS))
    if gif.frames * gif.width * gif.height > MAX_FRAME_PIXELS:
        raise ImageRefused(refusal(
            "%(name)s has %(frames)d frames of %(width)d×%(height)d pixels, more than the "
            "%(most)s pixels in all an animated GIF may hold; make it smaller or shorter, "
            "or upload it as a video.", name=shown, frames=gif.frames, width=gif.width,
            height=gif.height, most=format(MAX_FRAME_PIXELS, ",")))


def _kept(data: bytes, gif: GifStructure) -> bytes:
    """The GIF up to its trailer, without its metadata blocks."""
    parts, pos = [], 0
    for start, end in gif.cut:
        parts.append(data[pos:start])
        pos = end
    parts.append(data[pos:gif.end])
    return b"".join(parts)


def _animated(original: Path, gif: GifStructure, workdir: Path, shown: str,
              changes: list[str]) -> CleanGif:
    found = tools()
    if found is None:
        raise ImageRefused(refusal("%(name)s is an animated GIF, which is stored as a "
                                   "video, but ffprobe/ffmpeg are missing on this server; "
                                   "the administrator must %(hint)s.", name=shown,
                                   hint=PACKAGE_HINT))
    ffprobe, ffmpeg = found
    out = workdir / "animation.mp4"
    box_w, box_h = VIDEO_BOX
    filters = (f"premultiply=inplace=1,scale=w='min(iw,{box_w})':h='min(ih,{box_h})':"
               "force_original_aspect_ratio=decrease,pad=ceil(iw/2)*2:ceil(ih/2)*2,"
               f"fps={FPS},format=yuv420p")
    command = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y", "-i",
               str(original), "-map", "0:v:0", "-an", "-vf", filters, "-c:v", "libx264",
               "-preset", "veryfast", "-crf", "20", "-map_metadata", "-1",
               "-fflags", "+bitexact", "-flags:v", "+bitexact", "-movflags", "+faststart",
               "-f", "mp4", str(out)]
    try:
        failed = run_ffmpeg(command, out, CONVERT_TIMEOUT,
                            refusal("%(name)s: turning the animated GIF into a video took "
                                    "longer than %(seconds)d s; the file is refused.",
                                    name=shown, seconds=CONVERT_TIMEOUT))
    except VideoRefused as exc:
        raise ImageRefused(str(exc)) from None
    if failed is not None:
        raise ImageRefused(refusal("%(name)s is an animated GIF that could not be turned "
                                   "into a video (%(why)s): it is damaged.", name=shown,
                                   why=failed))
    try:
        info = probe(ffprobe, out, shown)
    except VideoRefused as exc:
        raise ImageRefused(str(exc)) from None
    stream = next(s for s in info["streams"] if s.get("codec_type") == "video")
    changes.append(f"animation of {gif.frames} frames made a looping MP4 video")
    return CleanGif(original, gif.width, gif.height, gif.frames, changes, out,
                    int(stream["width"]), int(stream["height"]),
                    round(float(info["format"]["duration"]), 3))
