"""What a slide is made from (:class:`SlideSpec`), the specs of playlist items and
emergencies, and the slide geometry the kiosk and the preview share (:func:`badge_box`).
Drawing is in :mod:`controller.slides.render`."""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from controller.qr.image import module_px_for
from controller.refusals import Refusal, joined, refusal

PROVINCE_VI = "Tỉnh Thừa Thiên Huế"
PROVINCE_EN = "Thừa Thiên Huế Province"
# The header's further lines, on screens whose profile has the language (docs/media.md).
PROVINCE_MORE = {"lo": "ແຂວງເທື່ອທຽນເຫວ້", "fr": "Province de Thừa Thiên Huế"}
# The word on an emergency's stripe, per language; languages without one get none.
EMERGENCY_LABELS = {"vi": "KHẨN CẤP", "en": "EMERGENCY", "lo": "ສຸກເສີນ", "fr": "URGENCE"}
LANGUAGE_NAMES = {"vi": refusal("Vietnamese"), "en": refusal("English"), "lo": refusal("Lao"),
                  "fr": refusal("French")}  # in refusals: said in the reader's language

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


class SlideError(ValueError):
    """A slide that cannot be made from its spec (the caller refuses the content)."""


class SlideDoesNotFit(SlideError):
    """The texts do not fit even at the smallest size. ``name`` is the item (or
    emergency), ``langs`` the languages whose texts take more than their share of the
    room (most first), ``lang`` the first of them."""

    def __init__(self, message: str, name: str, lang: str | None,
                 langs: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.lang = lang
        self.langs = tuple(langs) or ((lang,) if lang else ())


def language_list(langs: Sequence[str]) -> Refusal:
    """"the Vietnamese (vi) text" / "the Vietnamese (vi) and Lao (lo) texts"."""
    names = [refusal("%(language)s (%(code)s)", language=LANGUAGE_NAMES.get(code, code),
                     code=code) for code in langs]
    if len(names) == 1:
        return refusal("the %(language)s text", language=names[0])
    return refusal("the %(languages)s and %(last)s texts", languages=joined(", ", names[:-1]),
                   last=names[-1])


def clean_text(text: str) -> str:
    """NFC, one space between words, no blank edges (what a slide draws)."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(" ".join(line.split()) for line in text.strip().split("\n"))


@dataclass(frozen=True)
class LangText:
    lang: str
    title: str
    body: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", clean_text(self.title))
        object.__setattr__(self, "body", clean_text(self.body))
        if not self.title and not self.body:
            raise SlideError(f"the {self.lang} text is empty")


@dataclass(frozen=True)
class QrSpec:
    data: str  # what the code encodes (the short link's full URL)
    link: str  # the short link printed under it, e.g. "pano.example/q/AB12CD34"


PLACEMENTS = ("background", "side-left", "side-right")


@dataclass(frozen=True)
class PhotoSpec:
    """A text item's photo (docs/content.md, "Photos on text slides"): the SHA-256 of a
    stored image and where it goes: the whole room under the header (``background``,
    cropped to cover it, the text on a scrim that keeps it legible) or the left or right
    third of it (``side-left`` / ``side-right``, the text in the rest)."""

    media: str
    placement: str = "background"

    def __post_init__(self) -> None:
        if self.placement not in PLACEMENTS:
            raise SlideError(f"photo placement {self.placement!r} is not one of "
                             f"{', '.join(PLACEMENTS)}")
        if len(self.media) != 64 or any(c not in "0123456789abcdef" for c in self.media):
            raise SlideError(f"photo {self.media[:70]!r} is not a SHA-256")


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
    # Header lines after Vietnamese and English: (language, province, site) each.
    frame_more: tuple[tuple[str, str, str], ...] = ()
    kind: str = "item"  # item | emergency
    name: str = ""  # the item or emergency, for error messages (not drawn)
    # Keep the bottom-right corner (:func:`badge_box`) free of text for a QR badge that
    # the screen lays over the slide (per-screen codes; the slide stays shared).
    reserve_qr: bool = False
    photo: PhotoSpec | None = None  # a text item's photo (absent: no photo)

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", tuple(self.texts))
        if self.photo is not None and self.kind != "item":
            raise SlideError("only an item's slide may carry a photo")
        for attr in ("site_vi", "site_en", "province_vi", "province_en"):
            object.__setattr__(self, attr, clean_text(getattr(self, attr)))
        object.__setattr__(self, "frame_more", tuple(
            (lang, clean_text(province), clean_text(site))
            for lang, province, site in self.frame_more))
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
        if not self.frame_more:
            del doc["frame_more"]
        if self.photo is None:  # absent without a photo: the hashes of older specs stay
            del doc["photo"]
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


def frame_more(languages: Sequence[str], site_names: Mapping[str, str],
               ) -> tuple[tuple[str, str, str], ...]:
    """The header lines a screen with the profile ``languages`` shows after Vietnamese
    and English: one per language of the profile that has a province name, with the
    site's name in it when the site has one (``sites.names``)."""
    return tuple((lang, PROVINCE_MORE[lang], str(site_names.get(lang) or ""))
                 for lang in languages if lang in PROVINCE_MORE)


def photo_of(item: Mapping[str, Any]) -> PhotoSpec | None:
    """The ``photo`` of a stored text item (``{"media": sha, "placement": …}``), or None."""
    photo = item.get("photo")
    if not isinstance(photo, Mapping) or not photo.get("media"):
        return None
    return PhotoSpec(str(photo["media"]), str(photo.get("placement") or "background"))


def item_specs(item: dict[str, Any], width: int, height: int, languages: list[str],
               bilingual_mode: str, site_vi: str, site_en: str,
               qr: QrSpec | None = None, name: str = "",
               reserve_qr: bool = False,
               site_names: Mapping[str, str] | None = None) -> tuple[SlideSpec, ...]:
    """The slides of a ``text`` item on a screen: one in ``dual`` mode, one per language
    in ``alternate`` mode."""
    variants = item.get("variants") or {}
    langs = ordered_languages(variants, languages, others=False)
    texts = tuple(LangText(lang, variants[lang].get("title") or "",
                           variants[lang].get("body") or "") for lang in langs)
    spec = SlideSpec(width, height, texts, "dual", site_vi, site_en, qr=qr,
                     name=name or str(item.get("id", "")), reserve_qr=reserve_qr,
                     frame_more=frame_more(languages, site_names or {}),
                     photo=photo_of(item) if item.get("type", "text") == "text" else None)
    if bilingual_mode == "alternate" and len(texts) > 1:
        return spec.alternate()
    if len(texts) == 1:
        return (replace(spec, mode="single"),)
    return (spec,)


def emergency_spec(messages: dict[str, Any], width: int, height: int, languages: list[str],
                   site_vi: str, site_en: str, qr: QrSpec | None = None,
                   name: str = "emergency", reserve_qr: bool = False,
                   site_names: Mapping[str, str] | None = None) -> SlideSpec:
    """An emergency's slide: every language it has, the screen's first (docs/protocol.md)."""
    langs = ordered_languages(messages, languages, others=True)
    texts = tuple(LangText(lang, messages[lang].get("title") or "",
                           messages[lang].get("body") or "") for lang in langs)
    return SlideSpec(width, height, texts, "dual" if len(texts) > 1 else "single",
                     site_vi, site_en, qr=qr, kind="emergency", name=name,
                     reserve_qr=reserve_qr, frame_more=frame_more(languages, site_names or {}))
