"""A text slide's photo (docs/content.md, "Photos on text slides"): where it goes, and
the **contrast rule** that keeps the text on it legible.

- ``background``: the photo covers the whole room under the header (scaled and cropped
  about its centre, never stretched); the text keeps its usual region.
- ``side-left`` / ``side-right``: the photo covers the left or right third of the room
  under the header; the text is laid out in the rest (a margin away from the photo), so
  text and photo never overlap.

The contrast rule (WCAG 2.x): the text of a slide with a background photo sits on a
**scrim**, a rectangle round all its runs (padded by half the margin), black with light
ink or white with dark ink. Its opacity is the smallest of 0, 5 %, 10 % … 100 % at which
*every* pixel under it, after blending, has a contrast ratio of at least
:data:`MIN_CONTRAST` with *every* ink colour of the text, where the contrast ratio is
``(L1 + 0.05) / (L2 + 0.05)`` of the two colours' relative luminances ``L = 0.2126 R +
0.7152 G + 0.0722 B`` (sRGB channels linearised). The ink (light or dark) is the one
that needs the lighter scrim (light on a tie). A fully opaque scrim gives at least 7:1
with either ink, so no photo can make the text unreadable. A side photo needs no scrim:
the text is on the slide's own background.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
from PIL import Image, ImageOps

from controller.slides.layout import PlacedRun
from controller.slides.spec import RGB, SlideError, SlideSpec

Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)

MIN_CONTRAST = 4.5
TARGET = 4.6  # what the scrim aims at: a little above the rule, for rounding
STEPS = 20  # the scrim's opacity in steps of 5 %
SIDE_SHARE = 3  # a side photo takes a third of the width
# Light ink on a photo: each colour of the item palette's texts becomes a light one.
LIGHT_INK: dict[RGB, RGB] = {
    (31, 22, 51): (255, 255, 255),  # title
    (43, 43, 43): (250, 250, 250),  # body
    (74, 44, 110): (236, 226, 252),  # secondary title
    (88, 76, 110): (228, 222, 238),  # secondary body
}
DARK_SCRIM: RGB = (0, 0, 0)
LIGHT_SCRIM: RGB = (255, 255, 255)


def photo_box(spec: SlideSpec, top: int) -> Box | None:
    """Where ``spec``'s photo goes, ``top`` being the first row under the header."""
    if spec.photo is None:
        return None
    w, h = spec.width, spec.height
    third = w // SIDE_SHARE
    return {"background": (0, top, w, h), "side-left": (0, top, third, h),
            "side-right": (w - third, top, w, h)}[spec.photo.placement]


def text_region(spec: SlideSpec, region: Box, box: Box | None, margin: int) -> Box:
    """``region`` (the text's room) narrowed to keep clear of a side photo."""
    if spec.photo is None or box is None or spec.photo.placement == "background":
        return region
    left, top, right, bottom = region
    if spec.photo.placement == "side-left":
        left = max(left, box[2] + margin)
    else:
        right = min(right, box[0] - margin)
    if right - left < 4 * margin:
        raise SlideError(f"{spec.name or 'slide'}: no room for text beside the photo on a "
                         f"{spec.width}×{spec.height} slide")
    return (left, top, right, bottom)


def paste_cover(image: Image.Image, photo: Image.Image, box: Box) -> None:
    """``photo`` scaled and cropped about its centre to cover ``box`` of ``image``."""
    size = (box[2] - box[0], box[3] - box[1])
    image.paste(ImageOps.fit(photo.convert("RGB"), size, Image.Resampling.LANCZOS),
                box[:2])


def _linear(values: np.ndarray) -> np.ndarray:
    c = values / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(pixels: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of ``pixels`` (…, 3) in 0–255 sRGB."""
    lin = _linear(np.asarray(pixels, dtype=np.float64))
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def contrast(a: RGB, b: RGB) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = (float(luminance(np.array(c))) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def blend(pixels: np.ndarray, colour: RGB, alpha: float) -> np.ndarray:
    """``pixels`` under a ``colour`` scrim of opacity ``alpha``, rounded as drawn."""
    out = pixels.astype(np.float64) * (1.0 - alpha) + np.array(colour, np.float64) * alpha
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def worst_contrast(pixels: np.ndarray, inks: Iterable[RGB]) -> float:
    """The lowest contrast between any pixel of ``pixels`` and any of ``inks``."""
    lum = luminance(pixels)
    lo, hi = float(lum.min()), float(lum.max())
    worst = 21.0
    for ink in inks:
        li = float(luminance(np.array(ink)))
        for lp in (lo, hi):
            worst = min(worst, (max(li, lp) + 0.05) / (min(li, lp) + 0.05))
    return worst


def _needed(pixels: np.ndarray, scrim: RGB, inks: list[RGB]) -> int:
    for step in range(STEPS + 1):
        if worst_contrast(blend(pixels, scrim, step / STEPS), inks) >= TARGET:
            return step
    return STEPS + 1


def scrim_box(runs: list[PlacedRun], photo: Box, margin: int) -> Box | None:
    """The rectangle round every run (padded by half the margin), inside the photo."""
    if not runs:
        return None
    pad = max(2, margin // 2)
    box = (max(photo[0], min(r.bbox[0] for r in runs) - pad),
           max(photo[1], min(r.bbox[1] for r in runs) - pad),
           min(photo[2], max(r.bbox[2] for r in runs) + pad),
           min(photo[3], max(r.bbox[3] for r in runs) + pad))
    return box if box[0] < box[2] and box[1] < box[3] else None


def legible(image: Image.Image, runs: list[PlacedRun], box: Box,
            ) -> tuple[list[PlacedRun], RGB, float]:
    """Apply the contrast rule to the scrim ``box`` of ``image`` (drawn in place): the
    runs in the chosen ink, the scrim's colour and its opacity."""
    pixels = np.asarray(image.crop(box).convert("RGB"))
    dark = sorted({r.fill for r in runs})
    light = sorted({LIGHT_INK.get(c, (255, 255, 255)) for c in dark})
    light_step = _needed(pixels, DARK_SCRIM, light)
    dark_step = _needed(pixels, LIGHT_SCRIM, dark)
    if light_step <= dark_step:
        runs = [replace(r, fill=LIGHT_INK.get(r.fill, (255, 255, 255))) for r in runs]
        colour, step = DARK_SCRIM, light_step
    else:
        colour, step = LIGHT_SCRIM, dark_step
    alpha = min(step, STEPS) / STEPS
    if alpha > 0:
        image.paste(Image.fromarray(blend(pixels, colour, alpha), "RGB"), box[:2])
    return runs, colour, alpha
