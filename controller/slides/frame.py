"""An image item's frame: the photo, its caption and the QR badge's corner laid out by
the controller, so that the screen, the preview, the review and the screen-truth check
show one picture (issue 16, docs/architecture.md "One renderer").

A frame (:class:`FrameSpec`) is a picture at the screen's resolution:

- the **caption**: the item's titles in the slide's languages (primary first, bold and
  largest; the others smaller, regular, lighter), set with the text slides' fonts,
  shaping and line breaking (:mod:`controller.slides.layout`) at the bottom, left-aligned,
  shrunk until it fits a band of at most :data:`CAPTION_MAX` of the height and refused
  (:class:`SlideDoesNotFit`) when it cannot;
- the **QR corner** (:func:`badge_box`) left free when the item has a link: the caption
  stays left of it (landscape) or above it (portrait), and the screen lays the badge
  there as on any slide;
- the **photo**, fitted whole (never cropped) into the largest room the caption and the
  badge leave: above the caption, or (landscape with a badge) left of the badge's
  column when that shows it larger; black around it.

Nothing overlaps: :func:`frame_layout` returns the boxes (photo, caption text, badge)
and the tests check them on every screen kind. The caption's layout does not depend on
the photo, so it can be checked before the photo exists (the submit's fit check)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from controller.slides import fonts, layout
from controller.slides.layout import Para, PlacedRun
from controller.slides.spec import (
    MARGIN,
    MAX_SIDE,
    MIN_SIDE,
    LangText,
    SlideDoesNotFit,
    SlideError,
    badge_box,
    language_list,
)

FRAME_VERSION = 1  # raise whenever the drawing changes
CAPTION_START = 0.05  # the primary title's size before shrinking, of the short side
CAPTION_MIN = 0.026  # … and its smallest
CAPTION_SECONDARY = 0.72  # the other languages' titles, of the primary's size
CAPTION_GAP = 0.3  # space between two languages, of the primary's size
CAPTION_MAX = {"landscape": 0.30, "portrait": 0.25}  # the caption's height, of the screen's
BACKGROUND = (0, 0, 0)
PRIMARY_INK = (255, 255, 255)
SECONDARY_INK = (216, 230, 245)
JPEG_QUALITY = 92
ASSUMED_PHOTO = (1600, 900)  # where the photo's size is not known (fit checks)

Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)


@dataclass(frozen=True)
class FrameSpec:
    """Everything a frame is made from; equal specs give identical frames. ``photo`` is
    the SHA-256 of the picture (the screen's rendition of it), ``captions`` the titles in
    the slide's languages (primary first; languages without a title left out)."""

    width: int
    height: int
    photo: str
    captions: tuple[LangText, ...] = ()
    reserve_qr: bool = False
    name: str = ""  # the item, for error messages (not drawn)
    slide_languages: tuple[str, ...] = ()  # the slide's languages (for logs and keys)
    # A video's caption overlay: no photo, a transparent picture with the caption on a
    # dark band, laid over the playing video by the page (:func:`render_overlay`).
    overlay: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "captions", tuple(self.captions))
        object.__setattr__(self, "slide_languages", tuple(self.slide_languages))
        if not (MIN_SIDE <= self.width <= MAX_SIDE and MIN_SIDE <= self.height <= MAX_SIDE):
            raise SlideError(f"{self.width}×{self.height} is not a screen size "
                             f"({MIN_SIDE}–{MAX_SIDE} px a side)")
        langs = [t.lang for t in self.captions]
        if len(set(langs)) != len(langs):
            raise SlideError(f"a language appears twice: {langs}")

    @property
    def languages(self) -> tuple[str, ...]:
        return self.slide_languages or tuple(t.lang for t in self.captions)

    def canonical(self) -> str:
        doc = asdict(self)
        if not self.overlay:
            del doc["overlay"]
        doc["frame"] = FRAME_VERSION
        return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class FrameLayout:
    """Where everything of a frame goes (pixels of the screen)."""

    photo_room: Box  # the room the photo was fitted into
    photo: Box  # the photo itself
    caption: Box | None  # the caption's lines (line boxes), None without a caption
    caption_region: Box | None  # the room the caption was allowed
    qr: Box | None  # the badge's corner, None without a link
    runs: list[PlacedRun] = field(default_factory=list)
    lines: dict[int, list[str]] = field(default_factory=dict)
    base_size: int = 0


def _paras(spec: FrameSpec) -> list[Para]:
    paras = []
    for i, text in enumerate(t for t in spec.captions if t.title):
        paras.append(Para(text.title, text.lang, i == 0, 1.0 if i == 0 else CAPTION_SECONDARY,
                          PRIMARY_INK if i == 0 else SECONDARY_INK,
                          space_before=CAPTION_GAP if i else 0.0))
    return paras


def _fitted(room: Box, size: tuple[int, int], bottom: bool = False) -> Box:
    """``size`` scaled to fit ``room`` whole, centred in it (at its bottom: just above
    the caption of a portrait screen)."""
    x0, y0, x1, y1 = room
    rw, rh = max(1, x1 - x0), max(1, y1 - y0)
    pw, ph = max(1, size[0]), max(1, size[1])
    scale = min(rw / pw, rh / ph)
    w, h = min(rw, max(1, round(pw * scale))), min(rh, max(1, round(ph * scale)))
    left, top = x0 + (rw - w) // 2, y0 + (rh - h if bottom else (rh - h) // 2)
    return (left, top, left + w, top + h)


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def frame_layout(spec: FrameSpec, photo_size: tuple[int, int] | None = None) -> FrameLayout:
    """Lay ``spec`` out for a photo of ``photo_size`` (16:9 when not known). Raises
    :class:`SlideDoesNotFit` when the caption does not fit at its smallest size."""
    w, h = spec.width, spec.height
    short = min(w, h)
    margin = round(short * MARGIN)
    gap = max(2, margin // 2)
    portrait = h > w
    qr = badge_box(w, h) if spec.reserve_qr else None
    right = qr[0] - margin if qr is not None and not portrait else w - margin
    bottom = qr[1] - margin if qr is not None and portrait else h - margin
    paras = _paras(spec)
    caption = region = None
    runs: list[PlacedRun] = []
    lines: dict[int, list[str]] = {}
    base = 0
    band_top = h
    if paras:
        tall = round(h * CAPTION_MAX["portrait" if portrait else "landscape"])
        region = (margin, max(margin, bottom - tall), right, bottom)
        if region[2] - region[0] < short * 0.2 or region[3] - region[1] < short * 0.05:
            raise SlideError(f"{spec.name or 'image'}: no room for a caption on {w}×{h}")
        sizes = layout.size_ladder(round(short * CAPTION_START), round(short * CAPTION_MIN))
        try:
            placed = layout.fit(paras, region, sizes, valign="bottom")
        except layout.TextDoesNotFit as exc:
            verb = "does" if len(exc.langs) == 1 else "do"
            raise SlideDoesNotFit(
                f"item {spec.name or '(unnamed)'}: the caption in "
                f"{language_list(exc.langs)} {verb} not fit under the picture on a "
                f"{w}×{h} screen even at the smallest size ({sizes[-1]} px; {exc}); "
                f"shorten {'it' if len(exc.langs) == 1 else 'them'}", spec.name,
                exc.lang, exc.langs) from exc
        caption = placed.block
        runs, lines, base = placed.runs, placed.lines, placed.base
        band_top = caption[1] - gap
    size = photo_size or ASSUMED_PHOTO
    if qr is None:
        room: Box = (0, 0, w, band_top)
    elif portrait:
        room = (0, 0, w, min(band_top, qr[1] - gap))
    else:  # above the caption and the badge, or left of the badge's column
        above: Box = (0, 0, w, min(band_top, qr[1] - gap))
        beside: Box = (0, 0, qr[0] - gap, band_top)
        room = max((above, beside), key=lambda r: _area(_fitted(r, size)))
    photo = _fitted(room, size, bottom=portrait and bool(paras))
    return FrameLayout(room, photo, caption, region, qr, runs, lines, base)


def render_frame(spec: FrameSpec, photo: Image.Image) -> tuple[Image.Image, FrameLayout]:
    """The frame of ``spec`` with ``photo`` in it (RGB, exactly the screen's size)."""
    where = frame_layout(spec, photo.size)
    image = Image.new("RGB", (spec.width, spec.height), BACKGROUND)
    x0, y0, x1, y1 = where.photo
    picture = photo.convert("RGB")
    image.paste(picture.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS), (x0, y0))
    draw = ImageDraw.Draw(image)
    for run in where.runs:
        draw.text((run.x, run.baseline), run.text, fill=run.fill, anchor="ls",
                  font=fonts.font(run.script, run.bold, run.size), language=run.language)
    return image, where


OVERLAY_BAND = (0, 0, 0, 178)  # the caption's band over a video: black, 70 % opaque


def overlay_band(spec: FrameSpec, where: FrameLayout) -> Box | None:
    """The dark band behind a video's caption: from above the caption's first line to
    the bottom of the room it was allowed, the whole width of that room's side of the
    screen (never into the badge's box)."""
    if where.caption is None or where.caption_region is None:
        return None
    gap = max(2, round(min(spec.width, spec.height) * MARGIN) // 2)
    portrait = spec.height > spec.width
    right = where.qr[0] - gap if where.qr is not None and not portrait else spec.width
    bottom = where.qr[1] - gap if where.qr is not None and portrait else spec.height
    return (0, where.caption[1] - gap, right, bottom)


def render_overlay(spec: FrameSpec) -> tuple[Image.Image, FrameLayout]:
    """A video's caption overlay: an RGBA picture of the screen's size, transparent but
    for the caption on its band (:func:`overlay_band`)."""
    where = frame_layout(spec)
    image = Image.new("RGBA", (spec.width, spec.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    band = overlay_band(spec, where)
    if band is not None:
        draw.rectangle((band[0], band[1], band[2] - 1, band[3] - 1), fill=OVERLAY_BAND)
    for run in where.runs:
        draw.text((run.x, run.baseline), run.text, fill=(*run.fill, 255), anchor="ls",
                  font=fonts.font(run.script, run.bold, run.size), language=run.language)
    return image, where


def open_photo(path: Path, size: tuple[int, int] | None = None) -> Image.Image:
    """The photo at ``path``, decoded (a large JPEG at the smallest scale still at least
    ``size``: no need to decode 24 megapixels for a 1920×1080 frame); SlideError when it
    cannot be read."""
    try:
        with Image.open(path) as found:
            if size is not None and found.format == "JPEG":
                found.draft("RGB", size)
            found.load()
            return ImageOps.exif_transpose(found).convert("RGB")
    except (OSError, ValueError) as err:
        raise SlideError(f"the picture {path.name[:12]} cannot be read: {err}") from err


def needs_frame(item: dict) -> bool:
    """Whether an image ``item`` is drawn as frames: it has a caption (a title) or a
    link (a QR badge) in some language. Without either the screen shows the picture
    itself, full screen, as before."""
    variants = item.get("variants") or {}
    return item.get("type") == "image" and any(
        isinstance(v, dict) and (str(v.get("title") or "").strip() or v.get("url"))
        for v in variants.values())


def needs_overlay(item: dict) -> bool:
    """Whether a video ``item`` gets a caption overlay: it has a title somewhere."""
    variants = item.get("variants") or {}
    return item.get("type") == "video" and any(
        isinstance(v, dict) and str(v.get("title") or "").strip() for v in variants.values())


def item_overlays(item: dict, width: int, height: int, languages: list[str],
                  reserve_qr: bool) -> tuple[FrameSpec, ...]:
    """The caption overlay of a video ``item`` on a screen: one, with the titles of
    every language it shows there (a video is one slide in every mode), or none."""
    if not needs_overlay(item):
        return ()
    variants = item.get("variants") or {}
    langs = tuple(lang for lang in languages if lang in variants) or tuple(variants)
    captions = tuple(LangText(lang, str(variants[lang].get("title") or ""))
                     for lang in langs if str(variants[lang].get("title") or "").strip())
    return (FrameSpec(width, height, "", captions, reserve_qr, str(item.get("id", "")),
                      langs, overlay=True),)


def item_frames(item: dict, width: int, height: int, languages: list[str],
                bilingual_mode: str, reserve_qr: bool) -> tuple[FrameSpec, ...]:
    """The frames of an image ``item`` on a screen, one per slide as the player plays
    them (``player.timeline.slide_languages``): one with every language (its first
    language's picture, captioned in all), or in ``alternate`` mode one per language
    (that language's picture and caption). Empty when the item needs none
    (:func:`needs_frame`)."""
    if not needs_frame(item):
        return ()
    variants = item.get("variants") or {}
    langs = [lang for lang in languages if lang in variants] or list(variants)
    slides = ([(lang,) for lang in langs] if bilingual_mode == "alternate" and len(langs) > 1
              else [tuple(langs)])
    name = str(item.get("id", ""))
    frames = []
    for slide in slides:
        photo = str((variants.get(slide[0]) or {}).get("media") or "")
        captions = tuple(LangText(lang, str(variants[lang].get("title") or ""))
                         for lang in slide if str(variants[lang].get("title") or "").strip())
        frames.append(FrameSpec(width, height, photo, captions, reserve_qr, name, slide))
    return tuple(frames)


@lru_cache(maxsize=2048)
def caption_too_long(spec: FrameSpec) -> tuple[str, ...]:
    """The languages of ``spec``'s caption that do not fit (empty: it fits); the photo
    plays no part (the submit's fit check, ``controller.review.fit``). Remembered per
    spec, as the text slides' check is."""
    try:
        frame_layout(spec)
    except SlideDoesNotFit as exc:
        return exc.langs
    return ()
