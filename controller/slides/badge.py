"""The QR badge a screen lays over a slide, an image or a video (docs/media.md, "QR
badges"): a white card of exactly :func:`~controller.slides.render.badge_box`'s size with
the code (:func:`controller.qr.image.qr_for_screen`, by the sizing rule) at the top and
the short link printed under it in plain text, large enough to type (2.8 % of the screen
height, never below 2.2 %: the slide renderer's rule).

Codes are per screen, so badges are separate files from the (shared) slides; they are
cached like slides (``rendered_slides``, keyed by the SHA-256 of everything that goes
into them) and stored as PNG without metadata (same spec, same bytes).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from controller.media.store import MediaStore
from controller.metrics.registry import SLIDES_RENDERED
from controller.models import Media
from controller.qr.image import modules, qr_for_screen, qr_image
from controller.slides import fonts, layout
from controller.slides.cache import cached, encode_png, hash_inputs, store_png
from controller.slides.render import (
    BADGE_PAD,
    LINK_MIN,
    LINK_START,
    MAX_SIDE,
    MIN_SIDE,
    SlideError,
    _line_runs,
    badge_box,
)

BADGE_VERSION = 1
CARD = (255, 255, 255)
BORDER = (190, 190, 190)
INK = (20, 20, 20)

# Badges actually rendered by this process (the tests read it).
render_count = 0


def printed_link(url: str) -> str:
    """The short link as printed: without its ``http://`` or ``https://``."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return url[len(scheme):]
    return url


@dataclass(frozen=True)
class BadgeSpec:
    """A badge for a ``width`` × ``height`` screen holding ``url`` (the short link)."""

    width: int
    height: int
    url: str

    def __post_init__(self) -> None:
        if not (MIN_SIDE <= self.width <= MAX_SIDE and MIN_SIDE <= self.height <= MAX_SIDE):
            raise SlideError(f"{self.width}×{self.height} is not a screen size")
        if not self.url:
            raise SlideError("a QR badge needs a link")

    def canonical(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))


def render_badge(spec: BadgeSpec) -> Image.Image:
    """The badge: an RGB image of exactly the size of ``badge_box(width, height)``."""
    w, h = spec.width, spec.height
    x0, y0, x1, y1 = badge_box(w, h)
    cw, ch = x1 - x0, y1 - y0
    pad = max(4, round(min(w, h) * BADGE_PAD))
    image = Image.new("RGB", (cw, ch), CARD)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, cw - 1, ch - 1), outline=BORDER, width=max(1, pad // 4))
    text = printed_link(spec.url)
    for size in layout.size_ladder(round(h * LINK_START), math.ceil(h * LINK_MIN)):
        lw = layout.text_width(text, False, size, "en")
        if lw <= cw - 2 * pad:
            break
    else:
        raise SlideError(f"the short link {text!r} is too long to print under its QR code "
                         f"on a {w}×{h} screen")
    asc, desc = layout._metrics(text, False, size)
    room = ch - 2 * pad - pad // 2 - (asc + desc)  # what is left for the code
    code = qr_for_screen(spec.url, w, h)
    if code.width > min(room, cw - 2 * pad):  # a long link: smaller whole-pixel modules
        count = len(modules(spec.url))
        px = min(room, cw - 2 * pad) // count
        if px < 2:
            raise SlideError(f"the short link {text!r} is too long for a QR badge on {w}×{h}")
        code = qr_image(spec.url, px)
    image.paste(code.convert("RGB"), ((cw - code.width) // 2, pad))
    baseline = pad + code.height + pad // 2 + asc
    for run in _line_runs((cw - lw) / 2, baseline, text, False, size, "en", INK)[0]:
        draw.text((run.x, run.baseline), run.text, fill=run.fill, anchor="ls",
                  font=fonts.font(run.script, run.bold, run.size), language=run.language)
    return image


def input_hash(spec: BadgeSpec) -> str:
    return hash_inputs({"badge": BADGE_VERSION}, spec.canonical())


def png_bytes(spec: BadgeSpec) -> bytes:
    global render_count
    image = render_badge(spec)
    render_count += 1
    return encode_png(image)


def stored_badge(session: Session, store: MediaStore, spec: BadgeSpec) -> Media | None:
    """The stored badge of ``spec`` if there is one (nothing is rendered)."""
    return cached(session, store, input_hash(spec))


def badge_media(session: Session, store: MediaStore, spec: BadgeSpec) -> Media:
    """The stored PNG of ``spec`` (origin ``slide``), rendered only when new. Raises
    :class:`SlideError` when it cannot be drawn. The caller commits."""
    found = stored_badge(session, store, spec)
    if found is not None:
        return found
    key = input_hash(spec)
    x0, y0, x1, y1 = badge_box(spec.width, spec.height)
    data = png_bytes(spec)
    SLIDES_RENDERED.inc()
    return store_png(session, store, key, data, f"qr-badge-{key[:12]}.png",
                     (x1 - x0, y1 - y0))
