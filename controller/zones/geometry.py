"""Where a layout's zones fall on a screen, in pixels (docs/zones.md).

- the **ticker** strip spans the whole width along its edge, ``height`` % of the
  screen's height high — shortened by the clock's width when the clock sits in a corner
  of the same edge;
- the **clock** is its corner's box; on the other edge than the ticker it makes a band
  of its height along that edge (the rest of the band is plain, drawn by the page), so
  the main area stays a rectangle;
- the **main** area is what is left: the full width, between the bands.

Rounded to whole pixels so the zones tile the screen exactly (no gap, no overlap).
"""

from __future__ import annotations

from dataclasses import dataclass

from controller.zones.declarations import Layout


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    def as_json(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)


@dataclass(frozen=True)
class ScreenLayout:
    """A layout placed on a screen of ``size``; what the timeline builder uses."""

    layout: Layout
    size: tuple[int, int]
    main: Box
    ticker: Box | None
    clock: Box | None
    band: Box | None  # the clock's band when it is not beside the ticker

    @property
    def name(self) -> str:
        return self.layout.name


def _px(percent: float, whole: int) -> int:
    return max(1, round(whole * percent / 100.0))


def place(layout: Layout, width: int, height: int) -> ScreenLayout:
    """``layout`` on a ``width`` × ``height`` screen."""
    top = bottom = 0  # pixels taken from each edge
    ticker = clock = band = None
    t, c = layout.ticker, layout.clock
    strip_h = _px(t.height, height) if t is not None else 0
    clock_w = _px(c.width, width) if c is not None else 0
    if c is not None:
        edge, side = c.corner.split("-")
        beside = t is not None and t.edge == edge
        clock_h = strip_h if beside else _px(c.height, height)
        x = 0 if side == "left" else width - clock_w
        y = 0 if edge == "top" else height - clock_h
        clock = Box(x, y, clock_w, clock_h)
        if not beside:
            band = Box(0, y, width, clock_h)
            if edge == "top":
                top += clock_h
            else:
                bottom += clock_h
    if t is not None:
        y = 0 if t.edge == "top" else height - strip_h
        x, w = 0, width
        if clock is not None and band is None:  # the clock ends the strip
            w = width - clock.width
            x = clock.width if clock.x == 0 else 0
        ticker = Box(x, y, w, strip_h)
        if t.edge == "top":
            top += strip_h
        else:
            bottom += strip_h
    main = Box(0, top, width, height - top - bottom)
    return ScreenLayout(layout, (width, height), main, ticker, clock, band)


def main_area_size(layout: Layout | None, width: int, height: int) -> tuple[int, int]:
    """The size a screen of ``width`` × ``height`` plays its items at: its main area's
    with ``layout``, the whole screen without."""
    if layout is None:
        return width, height
    main = place(layout, width, height).main
    return main.width, main.height
