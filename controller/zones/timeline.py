"""A screen's layout in its timeline (docs/protocol.md section 4, ``display.layout``).

The builder (``controller.timeline.builder``) calls two things here for a screen with a
layout (``ScreenFacts.layout``, a :class:`~controller.zones.geometry.ScreenLayout`):

- :func:`main_inputs`: the inputs with the screen shrunk to its main area, so slides,
  data slides, QR badges and renditions are made at the main area's size;
- :func:`layout_entry`: ``display.layout`` — the zones in pixels of the whole screen,
  the ticker's text per language with its strip (the controller's PNG, through the
  ``zones`` step; left out when it cannot be drawn, the text stays), the clock's words.

Pure: the strips come from ``inputs.zones`` (``controller.zones.on_screen``), None in a
build without files (the text alone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from controller.slides.spec import badge_box
from controller.zones.clock import clock_words
from controller.zones.geometry import ScreenLayout
from controller.zones.ticker import DataText, StripSpec, texts


class ZoneStep(Protocol):
    """What the builder asks of the strips' step (``controller.zones.on_screen``)."""

    def data_text(self, screen: Any) -> DataText: ...

    def strip(self, spec: StripSpec, media: dict[str, Any]) -> tuple[str, int] | None: ...


def placed(screen: Any) -> ScreenLayout | None:
    layout = getattr(screen, "layout", None)
    return layout if isinstance(layout, ScreenLayout) else None


def main_size(screen: Any) -> tuple[int, int]:
    """The size slides are drawn at on ``screen``: its main area's, or its resolution."""
    layout = placed(screen)
    if layout is None:
        return int(screen.resolution[0]), int(screen.resolution[1])
    return layout.main.width, layout.main.height


def main_screen(screen: Any) -> Any:
    """``screen`` as its main area (no layout): what its playlists are made for. The
    screen itself when it has no layout."""
    if placed(screen) is None:
        return screen
    return replace(screen, resolution=main_size(screen), layout=None)


def main_inputs(inputs: Any) -> Any:
    """``inputs`` with the screen as its main area (no layout): what the playlists are
    built for. The inputs themselves when the screen has no layout."""
    if placed(inputs.screen) is None:
        return inputs
    return replace(inputs, screen=main_screen(inputs.screen))


def _ticker_items(inputs: Any, playlist_id: str) -> list[Mapping[str, Any]]:
    on_air = inputs.playlists.get(playlist_id)
    return list(on_air.items) if on_air is not None else []


def layout_entry(inputs: Any, media: dict[str, Any], timezone: str) -> dict[str, Any]:
    """``display.layout`` for ``inputs.screen``; the strips' files go into ``media``."""
    screen = inputs.screen
    layout = placed(screen)
    assert layout is not None
    main = layout.main
    left, top, right, bottom = badge_box(main.width, main.height)
    entry: dict[str, Any] = {
        "name": layout.name,
        "main": {**main.as_json(), "qr_badge": {"x": left, "y": top, "width": right - left,
                                                "height": bottom - top}},
    }
    step: ZoneStep | None = getattr(inputs, "zones", None)
    ticker = layout.layout.ticker
    if ticker is not None and layout.ticker is not None:
        box = layout.ticker
        on_air = inputs.playlists.get(ticker.playlist)
        data_text = step.data_text(screen) if step is not None else None
        per_lang = texts(_ticker_items(inputs, ticker.playlist), list(screen.languages),
                         data_text)
        strips = []
        for lang, found in per_lang.items():
            strip: dict[str, Any] = {"lang": lang, "text": "   •   ".join(found)}
            made = step.strip(StripSpec(lang, tuple(found), box.height), media) \
                if step is not None else None
            if made is not None:
                strip["media"], strip["width"] = made
            strips.append(strip)
        entry["ticker"] = {
            **box.as_json(), "edge": ticker.edge,
            "playlist": on_air.key if on_air is not None else None,
            "pixels_per_second": max(1, round(ticker.speed / 100.0 * layout.size[0])),
            "strips": strips,
        }
    if layout.clock is not None and layout.layout.clock is not None:
        entry["clock"] = {**layout.clock.as_json(), "corner": layout.layout.clock.corner,
                          "timezone": timezone, "languages": list(screen.languages),
                          "words": clock_words(list(screen.languages))}
        if layout.band is not None:
            entry["band"] = layout.band.as_json()
    return entry
