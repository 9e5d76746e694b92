"""The zones in the preview (``controller.timeline.preview``, docs/zones.md): the screen
with its layout, for ``GET /api/v1/screens/<id>/preview`` (JSON: ``layout``) and its
``preview.png`` (the main area's picture among the zones, as the kiosk page lays them
out: the ticker's strips at the phase the page would show at that instant, the clock).
Read-only: nothing is drawn into the store."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from controller.media.store import MediaStore
from controller.models import Screen
from controller.slides import fonts
from controller.slides.layout import text_width
from controller.zones.clock import date_text
from controller.zones.declarations import stored_layouts
from controller.zones.geometry import place
from controller.zones.on_screen import ZoneFiles
from controller.zones.ticker import BACKGROUND

CLOCK_BACKGROUND = (18, 58, 99)
BAND_BACKGROUND = BACKGROUND
LANG_SECONDS = 5  # the page shows each language's date this long (zones.js)


def with_layout(session: Session, screen: Screen, facts: Any) -> Any:
    """``facts`` with the screen's layout placed on it (unchanged without one)."""
    name = getattr(screen, "layout", None)
    layout = stored_layouts(session).get(name) if name else None
    if layout is None:
        return facts
    return replace(facts, layout=place(layout, int(screen.width), int(screen.height)))


def ticker_playlists(facts: Any) -> list[str]:
    """The ticker's playlist of the screen's layout (loaded with its default)."""
    layout = getattr(getattr(facts, "layout", None), "layout", None)
    return [layout.ticker_playlist] if layout is not None and layout.ticker_playlist else []


def zone_files(session: Session, store: MediaStore | None, at: datetime) -> ZoneFiles | None:
    """The strips already drawn (``make=False``)."""
    return ZoneFiles(session, store, make=False, now=at) if store is not None else None


def _open(store: MediaStore, sha: str | None) -> Image.Image | None:
    if not sha or not store.exists(sha):
        return None
    try:
        with Image.open(store.path_for(sha)) as image:
            return image.convert("RGB")
    except (OSError, ValueError):
        return None


def _ticker(canvas: Image.Image, ticker: dict[str, Any], store: MediaStore, now: float) -> None:
    box = (ticker["x"], ticker["y"], ticker["x"] + ticker["width"],
           ticker["y"] + ticker["height"])
    canvas.paste(BACKGROUND, box)
    strips = [img for s in ticker.get("strips") or []
              if (img := _open(store, s.get("media"))) is not None]
    total = sum(img.width for img in strips)
    if not strips or total <= 0:
        return
    # The page's phase: the track moves pixels_per_second, looping over its strips.
    shift = int((now * float(ticker.get("pixels_per_second") or 100)) % total)
    x = -shift
    region = Image.new("RGB", (ticker["width"], ticker["height"]), BACKGROUND)
    while x < ticker["width"]:
        for img in strips:
            if x + img.width > 0 and x < ticker["width"]:
                region.paste(img, (x, 0))
            x += img.width
    canvas.paste(region, box[:2])


def _clock(canvas: Image.Image, clock: dict[str, Any], now: float) -> None:
    box = (clock["x"], clock["y"], clock["x"] + clock["width"], clock["y"] + clock["height"])
    canvas.paste(CLOCK_BACKGROUND, box)
    try:
        zone = ZoneInfo(clock.get("timezone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = datetime.fromtimestamp(now, UTC).astimezone(zone)
    langs = clock.get("languages") or ["vi"]
    lang = langs[int(now // LANG_SECONDS) % len(langs)]
    lines = [(local.strftime("%H:%M"), True, round(clock["height"] * 0.42)),
             (date_text(lang, local.year, local.month, local.day, local.weekday()), False,
              round(clock["height"] * 0.19))]
    pen = ImageDraw.Draw(canvas)
    y = clock["y"] + clock["height"] * 0.12
    for text, bold, size in lines:
        size = max(6, size)
        while size > 6 and text_width(text, bold, size, lang) > clock["width"] * 0.94:
            size -= 1
        x = clock["x"] + (clock["width"] - text_width(text, bold, size, lang)) / 2
        y += size
        for script, run in fonts.split_runs(text):
            face = fonts.font(script, bold, size)
            language = fonts.run_language(script, lang)
            pen.text((x, y), run, font=face, fill=(255, 255, 255), anchor="ls",
                     language=language)
            x += face.getlength(run, language=language)
        y += size * 0.35


def compose_zones(size: tuple[int, int], layout: dict[str, Any], picture: Image.Image | None,
                  badge: Image.Image | None, overlay: Image.Image | None, store: MediaStore,
                  now: float, compose: Callable[..., bytes]) -> bytes:
    """The screen's PNG: the main area composed by ``compose`` (the preview's own, at the
    main area's size, its badge at ``main.qr_badge``), the band, ticker and clock."""
    main = layout["main"]
    box = main.get("qr_badge")
    inner = compose((main["width"], main["height"]), picture, badge,
                    (box["x"], box["y"]) if box and badge is not None else None, overlay)
    canvas = Image.new("RGB", size, (0, 0, 0))
    with Image.open(io.BytesIO(inner)) as drawn:
        canvas.paste(drawn.convert("RGB"), (main["x"], main["y"]))
    band = layout.get("band")
    if band:
        canvas.paste(BAND_BACKGROUND, (band["x"], band["y"], band["x"] + band["width"],
                                       band["y"] + band["height"]))
    if layout.get("ticker"):
        _ticker(canvas, layout["ticker"], store, now)
    if layout.get("clock"):
        _clock(canvas, layout["clock"], now)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()
