"""Screen truth on a screen with zones (docs/zones.md, docs/operations.md 2.6): the
capture is compared with the expected frame in the **main area** only, since that is
where the item plays; the ticker moves and the clock ticks, so the rest of the screen
says nothing about the item."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PIL import Image

Box = tuple[int, int, int, int, int, int]  # x, y, width, height of a width × height screen


def main_box(display: Mapping[str, Any] | None) -> Box | None:
    """The main area of a timeline's ``display`` with a layout, None without one."""
    layout = (display or {}).get("layout")
    resolution = (display or {}).get("resolution")
    main = layout.get("main") if isinstance(layout, Mapping) else None
    try:
        x, y, w, h = (int(main[k]) for k in ("x", "y", "width", "height"))  # type: ignore[index]
        width, height = (int(v) for v in resolution)  # type: ignore[union-attr]
    except (TypeError, KeyError, ValueError):
        return None
    if min(w, h, width, height) <= 0:
        return None
    return x, y, w, h, width, height


def crop_main(picture: Image.Image, box: Box | None) -> Image.Image:
    """The part of a capture (of any size: scaled from the screen's resolution) that
    shows the main area; the capture itself without a box."""
    if box is None:
        return picture
    x, y, w, h, width, height = box
    sx, sy = picture.width / width, picture.height / height
    left, top = round(x * sx), round(y * sy)
    right, bottom = max(left + 1, round((x + w) * sx)), max(top + 1, round((y + h) * sy))
    return picture.crop((left, top, min(right, picture.width), min(bottom, picture.height)))
