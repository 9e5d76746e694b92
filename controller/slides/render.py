"""Drawing a bilingual text slide (a playlist ``text`` item, an emergency) with Pillow.

The slide (docs/media.md, "Rendered slides"):

- a **frame** on every slide: a header band with the province name (Vietnamese, then
  English) on the left and the site name (Vietnamese, then English) on the right;
- an emergency adds a white stripe "KHẨN CẤP · EMERGENCY · …" under the header and is
  drawn white on red, so it cannot be mistaken for ordinary content;
- the **texts**: in ``dual`` mode every language, primary first and largest, the others
  below it, smaller, in another colour and after a rule; in ``single`` mode (what the
  ``alternate`` screens show, one slide per language) one language. Titles bold, bodies
  regular; wrapped and shrunk until everything fits (:mod:`controller.slides.layout`);
- an optional **QR code** at the bottom-right corner, drawn by
  :func:`controller.qr.image.qr_for_screen`, with its short link printed under it in
  plain text at least 2.2 % of the screen height. The text area never reaches it:
  in landscape the text is left of the code's column, in portrait above its row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from PIL import Image, ImageDraw

from controller.qr.image import qr_for_screen
from controller.slides import fonts, layout
from controller.slides import photo as photos
from controller.slides.layout import Para, PlacedRun
from controller.slides.spec import (  # noqa: F401  (re-exported)
    ACCENT,
    BADGE_MODULES,
    BADGE_PAD,
    BADGE_WIDTH,
    BODY_GAP,
    EMERGENCY_LABELS,
    GROUP_GAP,
    HEADER,
    KINDS,
    LINE_HEIGHT,
    LINK_MIN,
    LINK_START,
    MARGIN,
    MAX_SIDE,
    MIN_SIDE,
    MODES,
    PRIMARY_BODY,
    PROVINCE_EN,
    PROVINCE_VI,
    RGB,
    SECONDARY_BODY,
    SECONDARY_TITLE,
    STRIPE,
    TITLE_MIN,
    TITLE_START,
    LangText,
    QrSpec,
    SlideDoesNotFit,
    SlideError,
    SlideSpec,
    badge_box,
    clean_text,
    emergency_spec,
    item_specs,
    language_list,
    ordered_languages,
)


@dataclass(frozen=True)
class Palette:
    background: RGB
    header: RGB
    header_text: RGB
    header_text2: RGB
    accent: RGB
    title: RGB
    body: RGB
    title2: RGB
    body2: RGB
    rule: RGB
    link: RGB
    stripe: RGB = (255, 255, 255)
    stripe_text: RGB = (0, 0, 0)


ITEM_PALETTE = Palette(  # Huế purple and royal gold on a warm white
    background=(250, 247, 242), header=(74, 44, 110), header_text=(255, 255, 255),
    header_text2=(222, 208, 240), accent=(201, 162, 39), title=(31, 22, 51),
    body=(43, 43, 43), title2=(74, 44, 110), body2=(88, 76, 110), rule=(201, 162, 39),
    link=(31, 22, 51))
EMERGENCY_PALETTE = Palette(  # white on red, about 7:1
    background=(183, 18, 18), header=(110, 0, 0), header_text=(255, 255, 255),
    header_text2=(255, 220, 220), accent=(255, 255, 255), title=(255, 255, 255),
    body=(255, 255, 255), title2=(255, 228, 228), body2=(255, 228, 228),
    rule=(255, 255, 255), link=(255, 255, 255), stripe=(255, 255, 255),
    stripe_text=(183, 18, 18))


@dataclass
class Rendered:
    """A rendered slide and where things went (the tests check these boxes)."""

    image: Image.Image
    text_region: tuple[int, int, int, int]
    text_runs: list[PlacedRun] = field(default_factory=list)  # the item's texts
    frame_runs: list[PlacedRun] = field(default_factory=list)  # header, stripe, link
    qr_box: tuple[int, int, int, int] | None = None
    link_box: tuple[int, int, int, int] | None = None
    base_size: int = 0
    steps: int = 0  # shrink steps taken (0: the largest size fitted)
    lines: dict[int, list[str]] = field(default_factory=dict)
    photo_box: tuple[int, int, int, int] | None = None  # a text item's photo
    scrim_box: tuple[int, int, int, int] | None = None  # under the text on a photo
    scrim: tuple[tuple[int, int, int], float] | None = None  # its colour and opacity
    rules: list[tuple[int, int, int, int]] = field(default_factory=list)  # between languages


def _line_runs(x: float, baseline: int, text: str, bold: bool, size: int, lang: str,
               fill: RGB) -> tuple[list[PlacedRun], float]:
    runs = []
    for script, run in fonts.split_runs(text):
        language = fonts.run_language(script, lang)
        f = fonts.font(script, bold, size)
        left, top, right, bottom = f.getbbox(run, anchor="ls", language=language)
        runs.append(PlacedRun(round(x), baseline, run, script, bold, size, language, fill,
                              (round(x) + left, baseline + top, round(x) + right,
                               baseline + bottom)))
        x += f.getlength(run, language=language)
    return runs, x


def _header(spec: SlideSpec, pal: Palette, margin: int, band: int) -> list[PlacedRun]:
    """Province left, site right, each as a bold Vietnamese line over an English one and,
    on screens whose profile has them, a Lao and a French line (``frame_more``); shrunk
    (to 50 %) when the two sides would meet or the lines overflow the band."""
    left = [(spec.province_vi, True, "vi"), (spec.province_en, False, "en")]
    right = [(spec.site_vi, True, "vi"), (spec.site_en, False, "en")]
    for lang, province, site in spec.frame_more:
        left.append((province, False, lang))
        right.append((site, False, lang))
    room = spec.width - 2 * margin
    # Two lines: 30 % and 23 % of the band; more share the same height.
    first, rest = (0.3, 0.23) if len(left) == 2 else (0.24, 0.5 / (len(left) - 1))
    for factor in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
        sizes = [max(8, round(band * (first if i == 0 else rest) * factor))
                 for i in range(len(left))]

        def width(lines: list[tuple[str, bool, str]], sizes: list[int] = sizes) -> float:
            return max(layout.text_width(t, b, s, lg) for (t, b, lg), s in zip(lines, sizes,
                                                                                 strict=True))

        metrics = [_line_metrics(left[i], right[i], sizes[i]) for i in range(len(left))]
        if (width(left) + width(right) + margin <= room
                and sum(a + d for a, d in metrics) <= band):
            break
    else:
        raise SlideDoesNotFit(f"{spec.name or 'slide'}: the site name "
                              f"{spec.site_vi!r} / {spec.site_en!r} does not fit in the "
                              f"header of a {spec.width}×{spec.height} slide", spec.name, None)
    total = sum(a + d for a, d in metrics)
    y = (band - total) // 2
    runs: list[PlacedRun] = []
    for i, (a, d) in enumerate(metrics):
        baseline = y + a
        fill = pal.header_text if i == 0 else pal.header_text2
        text, bold, lang = left[i]
        runs += _line_runs(margin, baseline, text, bold, sizes[i], lang, fill)[0]
        text, bold, lang = right[i]
        if text:
            w = layout.text_width(text, bold, sizes[i], lang)
            runs += _line_runs(spec.width - margin - w, baseline, text, bold, sizes[i], lang,
                               fill)[0]
        y += a + d
    return runs


def _line_metrics(left: tuple[str, bool, str], right: tuple[str, bool, str],
                  size: int) -> tuple[int, int]:
    """Ascent and descent of a header line: the larger of its two sides (Lao is taller)."""
    a1, d1 = layout._metrics(left[0], left[1], size)
    a2, d2 = layout._metrics(right[0], right[1], size) if right[0] else (0, 0)
    return max(a1, a2), max(d1, d2)


def _stripe(spec: SlideSpec, pal: Palette, top: int, height: int,
            margin: int) -> list[PlacedRun]:
    labels = [EMERGENCY_LABELS[lang] for lang in spec.languages if lang in EMERGENCY_LABELS]
    text = " · ".join(labels or [EMERGENCY_LABELS["vi"], EMERGENCY_LABELS["en"]])
    for size in layout.size_ladder(round(height * 0.55), max(8, round(height * 0.25))):
        w = layout.text_width(text, True, size, spec.languages[0])
        if w <= spec.width - 2 * margin:
            break
    asc, desc = layout._metrics(text, True, size)
    baseline = top + (height - asc - desc) // 2 + asc
    return _line_runs((spec.width - w) / 2, baseline, text, True, size, spec.languages[0],
                      pal.stripe_text)[0]


def _paras(spec: SlideSpec, pal: Palette) -> list[Para]:
    paras = []
    for i, t in enumerate(spec.texts):
        primary = i == 0
        group = []
        if t.title:
            group.append(Para(t.title, t.lang, True, 1.0 if primary else SECONDARY_TITLE,
                              pal.title if primary else pal.title2))
        if t.body:
            group.append(Para(t.body, t.lang, False,
                              PRIMARY_BODY if primary else SECONDARY_BODY,
                              pal.body if primary else pal.body2,
                              space_before=BODY_GAP if t.title else 0.0))
        if not primary:
            group[0] = replace(group[0], space_before=GROUP_GAP, rule_before=pal.rule)
        paras += group
    return paras


def framed_canvas(spec: SlideSpec, pal: Palette,
                  ) -> tuple[Image.Image, ImageDraw.ImageDraw, list[PlacedRun], int]:
    """A ``spec``-sized canvas in ``pal``'s background with the frame's header band and
    accent line drawn, the header's runs (drawn by the caller with the rest), and the
    top of the room under the frame (data slides share it: controller.dataslides)."""
    w, h = spec.width, spec.height
    short = min(w, h)
    margin = round(short * MARGIN)
    band = round(short * HEADER)
    accent = max(2, round(short * ACCENT))
    image = Image.new("RGB", (w, h), pal.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, w - 1, band - 1), fill=pal.header)
    draw.rectangle((0, band, w - 1, band + accent - 1), fill=pal.accent)
    return image, draw, _header(spec, pal, margin, band), band + accent


def render_layout(spec: SlideSpec, photo: Image.Image | None = None, *,
                  paint: bool = True) -> Rendered:
    """Render ``spec`` and report where everything went. ``photo``: the picture of
    ``spec.photo`` (:mod:`controller.slides.photo`); without it its room stays the
    slide's background (the fit checks: the layout does not depend on the picture).

    ``paint=False`` lays the slide out without drawing its texts, rules, QR code or
    photo (half the CPU of a drawing, Pillow's glyph rendering being the other half):
    for the fit checks, which only ask whether it fits and where things go. The boxes
    and lines are the same; the image is the frame's background and no scrim is chosen
    (that needs the drawn photo)."""
    w, h = spec.width, spec.height
    short = min(w, h)
    pal = EMERGENCY_PALETTE if spec.kind == "emergency" else ITEM_PALETTE
    margin = round(short * MARGIN)
    image, draw, frame_runs, top = framed_canvas(spec, pal)
    photo_box = photos.photo_box(spec, top)
    if photo_box is not None and photo is not None and paint:
        photos.paste_cover(image, photo, photo_box)
    if spec.kind == "emergency":
        stripe = round(short * STRIPE)
        draw.rectangle((0, top, w - 1, top + stripe - 1), fill=pal.stripe)
        frame_runs += _stripe(spec, pal, top, stripe, margin)
        top += stripe
        border = max(4, round(short * 0.012))  # a white border round the red
        draw.rectangle((0, top, w - 1, h - 1), outline=pal.stripe, width=border)
    top += margin

    qr_box = link_box = None
    region = (margin, top, w - margin, h - margin)
    if spec.qr is not None:
        code = qr_for_screen(spec.qr.data, w, h).convert("RGB")
        qs = code.width
        link_text = clean_text(spec.qr.link)
        max_link = (w - 2 * margin) if h > w else round(w * 0.4)
        sizes = layout.size_ladder(round(h * LINK_START), math.ceil(h * LINK_MIN))
        for size in sizes:
            lw = layout.text_width(link_text, False, size, "en")
            if lw <= max_link:
                break
        else:
            raise SlideError(f"{spec.name or 'slide'}: the short link {link_text!r} is too "
                             f"long to print under the QR code on a {w}×{h} screen")
        asc, desc = layout._metrics(link_text, False, size)
        col = max(qs, math.ceil(lw))
        col_x = w - margin - col
        link_top = h - margin - (asc + desc)
        qr_y = link_top - max(4, round(h * 0.006)) - qs
        if qr_y < top:
            raise SlideError(f"{spec.name or 'slide'}: no room for the QR code on {w}×{h}")
        qr_x = w - margin - qs  # the corner; the link is centred under it, or right-aligned
        if paint:  # to the margin when it is wider than the code
            image.paste(code, (qr_x, qr_y))
        qr_box = (qr_x, qr_y, qr_x + qs, qr_y + qs)
        link_x = qr_x + (qs - lw) / 2 if lw <= qs else w - margin - lw
        link_runs, _ = _line_runs(link_x, link_top + asc, link_text, False, size, "en",
                                  pal.link)
        frame_runs += link_runs
        link_box = (min(r.bbox[0] for r in link_runs), min(r.bbox[1] for r in link_runs),
                    max(r.bbox[2] for r in link_runs), max(r.bbox[3] for r in link_runs))
        if w >= h:
            region = (margin, top, col_x - margin, h - margin)
        else:
            region = (margin, top, w - margin, qr_y - margin)

    elif spec.reserve_qr:
        x0, y0, _, _ = badge_box(w, h)
        if y0 - margin <= top:
            raise SlideError(f"{spec.name or 'slide'}: no room for a QR badge on {w}×{h}")
        region = ((margin, top, x0 - margin, h - margin) if w >= h
                  else (margin, top, w - margin, y0 - margin))

    region = photos.text_region(spec, region, photo_box, margin)
    sizes = layout.size_ladder(round(short * TITLE_START), round(short * TITLE_MIN))
    try:
        placed = layout.fit(_paras(spec, pal), region, sizes)
    except layout.TextDoesNotFit as exc:
        what = "emergency" if spec.kind == "emergency" else "item"
        verb = "does" if len(exc.langs) == 1 else "do"
        raise SlideDoesNotFit(
            f"{what} {spec.name or '(unnamed)'}: {language_list(exc.langs)} {verb} not fit "
            f"on a {w}×{h} slide even at the smallest text size ({sizes[-1]} px titles; "
            f"{exc}); shorten {'it' if len(exc.langs) == 1 else 'them'}", spec.name,
            exc.lang, exc.langs) from exc

    runs, scrim_box, scrim = placed.runs, None, None
    if (paint and photo_box is not None and spec.photo is not None
            and spec.photo.placement == "background"):
        scrim_box = photos.scrim_box(runs, photo_box, margin)
        if scrim_box is not None:
            runs, colour, alpha = photos.legible(image, runs, scrim_box)
            scrim = (colour, alpha)
    for x0, y0, x1, y1, fill in placed.rules if paint else ():
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=fill)
    for run in runs + frame_runs if paint else ():
        draw.text((run.x, run.baseline), run.text, fill=run.fill, anchor="ls",
                  font=fonts.font(run.script, run.bold, run.size), language=run.language)
    return Rendered(image, region, runs, frame_runs, qr_box, link_box, placed.base,
                    placed.steps, placed.lines, photo_box, scrim_box, scrim,
                    [rule[:4] for rule in placed.rules])


def render(spec: SlideSpec, photo: Image.Image | None = None) -> Image.Image:
    """The slide for ``spec``: an RGB image of exactly ``spec.width`` × ``spec.height``
    (``photo``: the picture of ``spec.photo``, see :func:`render_layout`)."""
    return render_layout(spec, photo).image
