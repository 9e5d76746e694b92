"""Drawing a QR code that scans from across a hall.

The rule (docs/media.md):

- error correction level **M** (15 % of the code may be unreadable: glare, a scratch);
- a quiet zone of **4 modules** of white around the code, as the standard requires;
- modules drawn as whole pixels, never scaled after drawing (no blur between modules);
- the module size for a screen is ``max(MIN_MODULE_PX, short side // 135)`` pixels —
  8 px on 1920×1080 and 1080×1920, 5 px on 1280×720, 16 px on 3840×2160 — and at least
  enough for the whole code to be ``TARGET_SHARE`` (28 %) of the screen's short side
  when the link is short. With the controller's short links (``/q/`` + 8 characters)
  the code is version 2–3 (25–29 modules), so about 300 px on a 1080p screen: some
  17 cm on a 55-inch panel, which phones read from 1.5–2 m.
"""

from __future__ import annotations

import qrcode
import qrcode.constants
from PIL import Image

QUIET_ZONE = 4
MIN_MODULE_PX = 4
TARGET_SHARE = 0.28
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


def modules(data: str) -> list[list[bool]]:
    """The code's modules, quiet zone included (``True`` = dark)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def module_px_for(width: int, height: int, count: int) -> int:
    """Pixels per module for a code of ``count`` modules (quiet zone included) on a
    ``width`` × ``height`` screen."""
    short = min(width, height)
    floor = max(MIN_MODULE_PX, short // 135)
    return max(floor, int(short * TARGET_SHARE) // count)


def qr_image(data: str, module_px: int) -> Image.Image:
    """A black-on-white ``L`` image of the code, ``module_px`` pixels per module."""
    if module_px < 1:
        raise ValueError("module_px must be at least 1")
    grid = modules(data)
    size = len(grid)
    small = Image.new("L", (size, size), 255)
    small.putdata([0 if dark else 255 for row in grid for dark in row])
    return small.resize((size * module_px, size * module_px), Image.Resampling.NEAREST)


def qr_for_screen(data: str, width: int, height: int) -> Image.Image:
    """The code sized by the rule above for a ``width`` × ``height`` screen."""
    count = len(modules(data))
    return qr_image(data, module_px_for(width, height, count))
