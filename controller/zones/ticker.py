"""The ticker's text and its picture (docs/zones.md "Ticker").

What scrolls, per language of the screen, comes from the approved version of the
layout's ticker playlist, item by item in its order:

- a ``text`` item: its title, then its body when it has one (one line);
- a ``data`` item: its title, then the records through its template, cells of a record
  separated by spaces and records by " · ", then "updated at" in the site's time zone —
  or, when the data are stale or missing, the item's fallback texts (nothing without);
- other items (pictures, videos, pages) have no place in a ticker: left out.

An item's text in one language is at most :data:`MAX_ITEM_CHARS` characters: the import
refuses a ticker playlist over it (``controller.zones.checks``); one that arrives later
(a new approved version) is cut with "…" and logged, never dropped silently. The strip
is drawn by the controller — one PNG per language, as high as the strip and as wide as
its text, with the same fonts and shaping as the slides — so the preview and the screen
agree; the page scrolls it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from controller.slides import fonts
from controller.slides.cache import encode_png
from controller.slides.layout import text_width

MAX_ITEM_CHARS = 300  # one item's text in one language
MAX_ITEMS = 30  # items of the playlist that scroll
MAX_STRIP_WIDTH = 40_000  # pixels: longer texts are cut with "…"
SEPARATOR = "   •   "
GAP = "      "  # after the last item, before the text starts again
BACKGROUND = (10, 26, 46)
FOREGROUND = (255, 255, 255)
ACCENT = (255, 212, 0)
RENDER_VERSION = 1  # bump when the drawing changes: every strip is drawn again

DataText = Callable[[Mapping[str, Any], str], "str | None"]


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def cut(text: str, most: int = MAX_ITEM_CHARS) -> str:
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


def item_text(item: Mapping[str, Any], lang: str, data_text: DataText | None = None,
              ) -> str | None:
    """The ticker text of ``item`` in ``lang`` (uncut), or None when it has none."""
    kind = item.get("type")
    if kind == "data":
        return data_text(item, lang) if data_text is not None else None
    if kind != "text":
        return None
    variant = (item.get("variants") or {}).get(lang)
    if not isinstance(variant, Mapping):
        return None
    parts = [one_line(variant.get(key) or "") for key in ("title", "body")]
    text = " — ".join(p for p in parts if p)
    return text or None


def too_long(items: Sequence[Mapping[str, Any]], languages: Sequence[str],
             data_text: DataText | None = None) -> list[tuple[str, str, int]]:
    """(item id, language, characters) of each item text over :data:`MAX_ITEM_CHARS`."""
    out = []
    for item in items[:MAX_ITEMS]:
        for lang in languages:
            text = item_text(item, lang, data_text)
            if text is not None and len(text) > MAX_ITEM_CHARS:
                out.append((str(item.get("id")), lang, len(text)))
    return out


def texts(items: Sequence[Mapping[str, Any]], languages: Sequence[str],
          data_text: DataText | None = None) -> dict[str, list[str]]:
    """Per language, the items' texts in order (cut to the limit); a language with
    none is left out."""
    out: dict[str, list[str]] = {}
    for lang in languages:
        found = [cut(t) for item in items[:MAX_ITEMS]
                 if (t := item_text(item, lang, data_text))]
        if found:
            out[lang] = found
    return out


@dataclass(frozen=True)
class StripSpec:
    """One language's strip: its texts, drawn ``height`` pixels high."""

    lang: str
    texts: tuple[str, ...]
    height: int

    @property
    def size(self) -> int:
        return max(8, round(self.height * 0.56))

    def canonical(self) -> str:
        return json.dumps({"kind": "ticker", "v": RENDER_VERSION, "lang": self.lang,
                           "texts": list(self.texts), "height": self.height,
                           "fonts": fonts.fonts_digest()}, ensure_ascii=False,
                          sort_keys=True)


def input_hash(spec: StripSpec) -> str:
    """The strip's key in ``rendered_slides`` (content-addressed like a slide)."""
    return hashlib.sha256(spec.canonical().encode()).hexdigest()


def _pieces(spec: StripSpec) -> list[tuple[str, bool]]:
    """(text, is separator) in drawing order, the gap before the loop starts again."""
    out: list[tuple[str, bool]] = []
    for i, text in enumerate(spec.texts):
        if i:
            out.append((SEPARATOR, True))
        out.append((text, False))
    out.append((GAP, True))
    return out


def draw(spec: StripSpec) -> Image.Image:
    """The strip: the texts on one line, vertically centred, as wide as they are (at
    most :data:`MAX_STRIP_WIDTH`; the end is cut with "…")."""
    size = spec.size
    pieces = _pieces(spec)
    width = 0.0
    kept: list[tuple[str, bool]] = []
    for text, sep in pieces:
        w = text_width(text, False, size, spec.lang)
        if width + w > MAX_STRIP_WIDTH - 4 * size:
            kept.append(("…", False))
            width += text_width("…", False, size, spec.lang)
            kept.append((GAP, True))
            width += text_width(GAP, False, size, spec.lang)
            break
        kept.append((text, sep))
        width += w
    image = Image.new("RGB", (max(1, round(width)), spec.height), BACKGROUND)
    pen = ImageDraw.Draw(image)
    baseline = round(spec.height / 2 + size * 0.36)
    x = 0.0
    for text, sep in kept:
        fill = ACCENT if sep else FOREGROUND
        for script, run in fonts.split_runs(text):
            language = fonts.run_language(script, spec.lang)
            face = fonts.font(script, False, size)
            pen.text((x, baseline), run, font=face, fill=fill, anchor="ls",
                     language=language)
            x += face.getlength(run, language=language)
    return image


def png_bytes(spec: StripSpec) -> tuple[bytes, int]:
    """The strip's PNG and its width in pixels, encoded as the slides are. Not with
    Pillow's ``optimize``: a live ticker is drawn again at every change of its data, and
    on a four-item Vietnamese strip (3892 x 90) optimizing took 67 ms of CPU against
    17 ms for a file only 4 % smaller (33.5 against 34.9 KB); drawing it takes 16 ms."""
    image = draw(spec)
    return encode_png(image), image.width
