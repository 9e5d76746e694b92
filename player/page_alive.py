"""Whether the kiosk page is alive (docs/protocol.md section 5, heartbeat ``display``):
the page (``static/alive.js``) says every ``interval`` seconds which item it has on
screen, when it last drew a frame (``requestAnimationFrame``) and whether the document
is visible; the player puts the latest in its heartbeat and ``/status``.

``alive`` is false when no report came for ``MISSED`` intervals — no page attached (a
headless player, Chromium not started or crashed), or a page whose script stopped — so
the controller learns of a dead page although the player itself is well. A page that
reports while it draws no frame (a renderer stuck) shows as an old ``frame_at``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

DEFAULT_INTERVAL = 5.0  # seconds between the page's reports
MISSED = 3  # intervals without a report: not alive
MAX_ITEM = 200
MAX_TIME = 40


def _frame_at(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TIME:
        raise ValueError(f"'frame_at' must be an ISO 8601 time of at most {MAX_TIME} "
                         "characters, or null")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'frame_at' {value[:MAX_TIME]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError("'frame_at' must name its time zone (…Z)")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_report(body: object) -> dict:
    """The page's report ``{"item": str|null, "frame_at": ISO|null, "visible": bool}``,
    checked; ValueError with the reason otherwise."""
    if not isinstance(body, Mapping):
        raise ValueError("a report is a JSON object {\"item\", \"frame_at\", \"visible\"}")
    unknown = sorted(str(k)[:40] for k in body if k not in ("item", "frame_at", "visible"))
    if unknown:
        raise ValueError(f"unknown field(s) in the report: {', '.join(unknown)}")
    item = body.get("item")
    if item is not None and (not isinstance(item, str) or not 0 < len(item) <= MAX_ITEM):
        raise ValueError(f"'item' must be the item's id (1 to {MAX_ITEM} characters) or null")
    visible = body.get("visible")
    if not isinstance(visible, bool):
        raise ValueError("'visible' must be true or false")
    return {"item": item, "frame_at": _frame_at(body.get("frame_at")), "visible": visible}


class PageAlive:
    """The kiosk page's latest report, and whether it came recently enough."""

    def __init__(self, interval: float = DEFAULT_INTERVAL,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last: dict | None = None
        self._at: float | None = None

    def report(self, body: object) -> None:
        """Record a report (ValueError, and nothing changes, when it is not one)."""
        checked = parse_report(body)
        with self._lock:
            self._last, self._at = checked, self._monotonic()

    def document(self) -> dict:
        """The heartbeat's ``display``: ``{"alive", "item", "frame_at", "visible"}``."""
        with self._lock:
            last, at = self._last, self._at
        alive = at is not None and self._monotonic() - at <= MISSED * self.interval
        if not alive or last is None:
            return {"alive": False, "item": None,
                    "frame_at": None if last is None else last["frame_at"], "visible": False}
        return {"alive": True, **last}


NO_PAGE = {"alive": False, "item": None, "frame_at": None, "visible": False}
