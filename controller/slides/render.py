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

import json
import math
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from PIL import Image, ImageDraw

from controller.qr.image import module_px_for, qr_for_screen
from controller.slides import fonts, layout
from controller.slides.layout import Para, PlacedRun

PROVINCE_VI = "Tỉnh Thừa Thiên Huế"
PROVINCE_EN = "Thừa Thiên Huế Province"
# The word on an emergency's stripe, per language; languages without one get none.
EMERGENCY_LABELS = {"vi": "KHẨN CẤP", "en": "EMERGENCY", "lo": "ສຸກເສີນ", "fr": "URGENCE"}
LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English", "lo": "Lao", "fr": "French"}

MODES = ("dual", "single")
KINDS = ("item", "emergency")
MIN_SIDE, MAX_SIDE = 320, 7680

# Sizes, as fractions of the screen's short side (landscape and portrait alike).
MARGIN = 0.045
HEADER = 0.085
ACCENT = 0.006
STRIPE = 0.10
TITLE_START = 0.08  # the primary title's size before any shrinking
TITLE_MIN = 0.044  # … and its smallest: secondary bodies are then ~2 % of the short side
# Sizes relative to the primary title, and space before a paragraph.
PRIMARY_BODY = 0.6
SECONDARY_TITLE = 0.56
SECONDARY_BODY = 0.46
GROUP_GAP = 0.7
BODY_GAP = 0.25
# The short link under the QR code, as fractions of the screen height.
LINK_START = 0.028
LINK_MIN = 0.022

RGB = tuple[int, int, int]


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


class SlideError(ValueError):
    """A slide that cannot be made from its spec (the caller refuses the content)."""


class SlideDoesNotFit(SlideError):
    """The texts do not fit even at the smallest size. ``name`` is the item (or
    emergency), ``lang`` the language whose text takes the most room."""

    def __init__(self, message: str, name: str, lang: str | None) -> None:
        super().__init__(message)
        self.name = name
        self.lang = lang


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(" ".join(line.split()) for line in text.strip().split("\n"))


@dataclass(frozen=True)
class LangText:
    lang: str
    title: str
    body: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _clean(self.title))
        object.__setattr__(self, "body", _clean(self.body))
        if not self.title and not self.body:
            raise SlideError(f"the {self.lang} text is empty")


@dataclass(frozen=True)
class QrSpec:
    data: str  # what the code encodes (the short link's full URL)
    link: str  # the short link printed under it, e.g. "pano.example/q/AB12CD34"


@dataclass(frozen=True)
class SlideSpec:
    """Everything a slide is made from; equal specs give identical slides."""

    width: int
    height: int
    texts: tuple[LangText, ...]  # ordered, primary language first
    mode: str = "dual"  # dual: every language; single: exactly one
    site_vi: str = ""
    site_en: str = ""
    province_vi: str = PROVINCE_VI
    province_en: str = PROVINCE_EN
    qr: QrSpec | None = None
    kind: str = "item"  # item | emergency
    name: str = ""  # the item or emergency, for error messages (not drawn)
    # Keep the bottom-right corner (:func:`badge_box`) free of text for a QR badge that
    # the screen lays over the slide (per-screen codes; the slide stays shared).
    reserve_qr: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", tuple(self.texts))
        for attr in ("site_vi", "site_en", "province_vi", "province_en"):
            object.__setattr__(self, attr, _clean(getattr(self, attr)))
        if not (MIN_SIDE <= self.width <= MAX_SIDE and MIN_SIDE <= self.height <= MAX_SIDE):
            raise SlideError(f"{self.width}×{self.height} is not a screen size "
                             f"({MIN_SIDE}–{MAX_SIDE} px a side)")
        if self.mode not in MODES:
            raise SlideError(f"mode {self.mode!r} is not one of {', '.join(MODES)}")
        if self.kind not in KINDS:
            raise SlideError(f"kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not self.texts:
            raise SlideError(f"{self.name or 'slide'}: no text")
        if self.mode == "single" and len(self.texts) != 1:
            raise SlideError("a single-language slide has exactly one text")
        langs = [t.lang for t in self.texts]
        if len(set(langs)) != len(langs):
            raise SlideError(f"a language appears twice: {langs}")

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(t.lang for t in self.texts)

    def canonical(self) -> str:
        """A canonical serialisation (sorted keys, no spaces, UTF-8 text)."""
        doc = asdict(self)
        if not self.reserve_qr:  # absent when off: the hashes of older specs stay
            del doc["reserve_qr"]
        return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def alternate(self) -> tuple[SlideSpec, ...]:
        """One single-language slide per language (``alternate`` screens)."""
        return tuple(replace(self, texts=(t,), mode="single") for t in self.texts)


# The QR badge's corner (docs/media.md, "QR badges"): sized for a code of up to
# BADGE_MODULES modules with its quiet zone (version 4: short links of up to 62
# characters), its short link printed under it.
BADGE_MODULES = 41
BADGE_PAD = 0.012  # the card's padding, as a fraction of the short side
BADGE_WIDTH = {"landscape": 0.3, "portrait": 0.62}  # the card's width, of the screen's
LINE_HEIGHT = 1.4  # the link's line, as a multiple of its size


def badge_box(width: int, height: int) -> tuple[int, int, int, int]:
    """Where the QR badge goes on a ``width`` × ``height`` screen, in pixels:
    ``(left, top, right, bottom)`` (right and bottom exclusive), at the bottom-right
    corner inside the slide's margin. A slide with ``reserve_qr`` keeps its text out of
    it; the kiosk and the preview paste the badge (exactly this size) there."""
    short = min(width, height)
    margin = round(short * MARGIN)
    count = BADGE_MODULES
    qs = module_px_for(width, height, count) * count
    pad = max(4, round(short * BADGE_PAD))
    line = math.ceil(round(height * LINK_START) * LINE_HEIGHT)
    share = BADGE_WIDTH["landscape" if width >= height else "portrait"]
    card_w = min(max(qs + 2 * pad, round(width * share)), width - 2 * margin)
    card_h = pad + qs + pad // 2 + line + pad
    right, bottom = width - margin, height - margin
    return (right - card_w, bottom - card_h, right, bottom)


def ordered_languages(available: Any, profile: Any, others: bool) -> list[str]:
    """The screen profile's languages that are ``available``, in profile order; then the
    remaining ones when ``others`` (emergencies: "then any others"); all of them when
    the profile has none (docs/protocol.md)."""
    chosen = [lang for lang in profile if lang in available]
    if others or not chosen:
        chosen += [lang for lang in available if lang not in chosen]
    return chosen


def item_specs(item: dict[str, Any], width: int, height: int, languages: list[str],
               bilingual_mode: str, site_vi: str, site_en: str,
               qr: QrSpec | None = None, name: str = "",
               reserve_qr: bool = False) -> tuple[SlideSpec, ...]:
    """The slides of a ``text`` item on a screen: one in ``dual`` mode, one per language
    in ``alternate`` mode."""
    variants = item.get("variants") or {}
    langs = ordered_languages(variants, languages, others=False)
    texts = tuple(LangText(lang, variants[lang].get("title") or "",
                           variants[lang].get("body") or "") for lang in langs)
    spec = SlideSpec(width, height, texts, "dual", site_vi, site_en, qr=qr,
                     name=name or str(item.get("id", "")), reserve_qr=reserve_qr)
    if bilingual_mode == "alternate" and len(texts) > 1:
        return spec.alternate()
    if len(texts) == 1:
        return (replace(spec, mode="single"),)
    return (spec,)


def emergency_spec(messages: dict[str, Any], width: int, height: int, languages: list[str],
                   site_vi: str, site_en: str, qr: QrSpec | None = None,
                   name: str = "emergency", reserve_qr: bool = False) -> SlideSpec:
    """An emergency's slide: every language it has, the screen's first (docs/protocol.md)."""
    langs = ordered_languages(messages, languages, others=True)
    texts = tuple(LangText(lang, messages[lang].get("title") or "",
                           messages[lang].get("body") or "") for lang in langs)
    return SlideSpec(width, height, texts, "dual" if len(texts) > 1 else "single",
                     site_vi, site_en, qr=qr, kind="emergency", name=name,
                     reserve_qr=reserve_qr)


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
    """Province left, site right, each as a bold Vietnamese line over an English one;
    shrunk (to 60 %) when the two sides would meet."""
    left = [(spec.province_vi, True, "vi"), (spec.province_en, False, "en")]
    right = [(spec.site_vi, True, "vi"), (spec.site_en, False, "en")]
    room = spec.width - 2 * margin
    for factor in (1.0, 0.9, 0.8, 0.7, 0.6):
        sizes = (max(8, round(band * 0.3 * factor)), max(8, round(band * 0.23 * factor)))

        def width(lines: list[tuple[str, bool, str]], sizes: tuple[int, int] = sizes) -> float:
            return max(layout.text_width(t, b, s, lg) for (t, b, lg), s in zip(lines, sizes,
                                                                                 strict=True))

        if width(left) + width(right) + margin <= room:
            break
    else:
        raise SlideDoesNotFit(f"{spec.name or 'slide'}: the site name "
                              f"{spec.site_vi!r} / {spec.site_en!r} does not fit in the "
                              f"header of a {spec.width}×{spec.height} slide", spec.name, None)
    metrics = [layout._metrics(t, b, s) for (t, b, _), s in zip(left, sizes, strict=True)]
    total = sum(a + d for a, d in metrics)
    y = (band - total) // 2
    runs: list[PlacedRun] = []
    for i, (a, d) in enumerate(metrics):
        baseline = y + a
        fill = pal.header_text if i == 0 else pal.header_text2
        text, bold, lang = left[i]
        runs += _line_runs(margin, baseline, text, bold, sizes[i], lang, fill)[0]
        text, bold, lang = right[i]
        w = layout.text_width(text, bold, sizes[i], lang)
        runs += _line_runs(spec.width - margin - w, baseline, text, bold, sizes[i], lang,
                           fill)[0]
        y += a + d
    return runs


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


def render_layout(spec: SlideSpec) -> Rendered:
    """Render ``spec`` and report where everything went."""
    w, h = spec.width, spec.height
    short = min(w, h)
    pal = EMERGENCY_PALETTE if spec.kind == "emergency" else ITEM_PALETTE
    margin = round(short * MARGIN)
    band = round(short * HEADER)
    accent = max(2, round(short * ACCENT))
    image = Image.new("RGB", (w, h), pal.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, w - 1, band - 1), fill=pal.header)
    draw.rectangle((0, band, w - 1, band + accent - 1), fill=pal.accent)
    frame_runs = _header(spec, pal, margin, band)
    top = band + accent
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
        link_text = _clean(spec.qr.link)
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
        image.paste(code, (qr_x, qr_y))  # to the margin when it is wider than the code
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

    sizes = layout.size_ladder(round(short * TITLE_START), round(short * TITLE_MIN))
    try:
        placed = layout.fit(_paras(spec, pal), region, sizes)
    except layout.TextDoesNotFit as exc:
        what = "emergency" if spec.kind == "emergency" else "item"
        name = LANGUAGE_NAMES.get(exc.lang, exc.lang)
        raise SlideDoesNotFit(
            f"{what} {spec.name or '(unnamed)'}: the {name} ({exc.lang}) text does not fit "
            f"on a {w}×{h} slide even at the smallest text size ({sizes[-1]} px titles; "
            f"{exc}); shorten it", spec.name, exc.lang) from exc

    for x0, y0, x1, y1, fill in placed.rules:
        draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=fill)
    for run in placed.runs + frame_runs:
        draw.text((run.x, run.baseline), run.text, fill=run.fill, anchor="ls",
                  font=fonts.font(run.script, run.bold, run.size), language=run.language)
    return Rendered(image, region, placed.runs, frame_runs, qr_box, link_box, placed.base,
                    placed.steps, placed.lines)


def render(spec: SlideSpec) -> Image.Image:
    """The slide for ``spec``: an RGB image of exactly ``spec.width`` × ``spec.height``."""
    return render_layout(spec).image
