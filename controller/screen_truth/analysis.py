"""Looking at a capture of a screen (pure, Pillow only): is it black, which perceptual
hash does it have, how far is it from the frame the controller expected?

The perceptual hash is a 64-bit difference hash (dHash): the picture in grey, shrunk to
9×8, one bit per pair of horizontal neighbours (is the left one brighter?). Pictures that
look alike differ in few bits whatever their size or compression; a different picture
differs in about half of them. It is a few lines, so no dependency is added for it.

A *black* capture is one whose pixels are almost all darker than ``black_level`` (0-255
grey), or one that is nearly uniform and dark — a screen that went dark, a page that
lost its content, a display showing no signal. A uniform grey or white frame is not
"black"; it is then judged against the expected frame ("wrong")."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError

HASH_SIDE = 8  # 8×8 = 64 bits
BLACK_SHARE = 0.98  # this share of pixels below black_level: black
UNIFORM_STDDEV = 6.0  # grey standard deviation below this: nearly uniform
ANALYSIS_SIDE = 256  # the capture is shrunk to at most this before it is measured
PAGE_BACKGROUND = (0, 0, 0)  # the kiosk page's background (player/display/static/kiosk.css)


class NotAnImage(ValueError):
    """The bytes are not a picture Pillow can decode; ``str()`` says why."""


@dataclass(frozen=True)
class Look:
    """What a capture looks like: its size, its dHash, whether it is black and its
    mean grey (for the reason given with a verdict)."""

    width: int
    height: int
    dhash: int
    black: bool
    mean: float


def decode(data: bytes, max_pixels: int = 64_000_000,
           formats: tuple[str, ...] | None = None) -> Image.Image:
    """The picture in ``data`` (of one of ``formats``, if given), fully decoded, in RGB;
    NotAnImage otherwise. Its size is checked before any pixel is decoded."""
    if not data:
        raise NotAnImage("the capture is empty")
    try:
        with Image.open(io.BytesIO(data), formats=formats) as img:
            if img.width * img.height > max_pixels:
                raise NotAnImage(f"a capture of {img.width}×{img.height} pixels is too large")
            img.load()
            return img.convert("RGB")
    except NotAnImage:
        raise
    except UnidentifiedImageError:
        kinds = " or ".join(formats) if formats else "known"
        raise NotAnImage(f"the capture is not a {kinds} picture") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on bad input
        raise NotAnImage(f"the capture is not a picture ({str(exc)[:160]})") from None


def _small_grey(img: Image.Image) -> Image.Image:
    grey = img.convert("L")
    grey.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE))
    return grey


def dhash(img: Image.Image) -> int:
    """The 64-bit difference hash of ``img``."""
    small = img.convert("L").resize((HASH_SIDE + 1, HASH_SIDE), Image.Resampling.LANCZOS)
    pixels = small.tobytes()  # one byte per pixel (mode L)
    bits = 0
    for row in range(HASH_SIDE):
        for col in range(HASH_SIDE):
            left = pixels[row * (HASH_SIDE + 1) + col]
            right = pixels[row * (HASH_SIDE + 1) + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return bits


def distance(a: int, b: int) -> int:
    """How many of the 64 bits differ."""
    return (a ^ b).bit_count()


def is_black(img: Image.Image, black_level: int) -> tuple[bool, float]:
    """(black?, mean grey) of ``img``."""
    grey = _small_grey(img)
    stat = ImageStat.Stat(grey)
    mean, stddev = stat.mean[0], stat.stddev[0]
    histogram = grey.histogram()
    dark = sum(histogram[:max(0, min(black_level, 256))]) / max(1, grey.width * grey.height)
    uniform_dark = stddev < UNIFORM_STDDEV and mean < black_level * 2
    return dark >= BLACK_SHARE or uniform_dark, mean


def look(img: Image.Image, black_level: int) -> Look:
    black, mean = is_black(img, black_level)
    return Look(img.width, img.height, dhash(img), black, round(mean, 1))


def as_shown(expected: Image.Image, size: tuple[int, int], fill: bool = False) -> Image.Image:
    """The expected picture as the kiosk page shows it on a screen of ``size``: a
    picture whole, centred, on the page's black (``object-fit: contain``); a rendered
    slide (``fill``) stretched over the whole page (``.slide.rendered img { object-fit:
    fill }``: it is drawn for the screen's own size)."""
    if fill:
        return expected.convert("RGB").resize(size, Image.Resampling.BILINEAR)
    return ImageOps.pad(expected.convert("RGB"), size, color=PAGE_BACKGROUND)


def hash_hex(value: int) -> str:
    return f"{value:016x}"
