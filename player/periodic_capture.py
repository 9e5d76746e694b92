"""Periodic captures for screen truth (docs/operations.md "Is the screen really showing
it?"): every ``capture_interval`` minutes the player captures what the display shows —
the ``screenshot`` command's own capture (player/screenshot.py: Chromium's DevTools or
``screenshot_command``) — and uploads it with what it was showing then
(``PUT /api/v1/player/screenshot?periodic=1&item=<id>&languages=vi,en``, and on a kiosk
``&page_item=<id>``: what its page confirmed drawing then, empty for nothing). The controller
compares it with the frame it expected and keeps a verdict (black, frozen, wrong, ok,
unknown). No command names these captures, so a technician's screenshot stays apart.

When is a picture fair to judge? The player decides what plays; on a kiosk the page
draws it a moment later — at once on an idle machine, seconds later on a Pi whose
Chromium is starved of CPU. A capture taken between the two shows the item before (or a
layer not painted yet) and would be judged ``wrong`` or ``black`` although the screen is
about to be right. (Chromium's DevTools capture waits for the page's main thread, so a
page that is merely busy catches up before it is taken — tried with a page whose script
was blocked 2.5 s of every 3: judged ok with or without what follows; a picture still
decoding, a layer not painted yet, or a ``screenshot_command`` picture of the display do
not wait.) So a kiosk player captures once its page has *confirmed* the item the player
means (the page's ``POST /api/shown``, sent when the item's pictures are decoded on the
visible layer; the play recorder keeps it with its start) and it has stood ``SETTLE``
seconds, and sends the capture only when neither the player's item nor the page's
confirmation changed while it was taken. A page that has not confirmed the item within
``PAGE_WAIT`` seconds is captured as it is, against what the player means: a screen that
wrong for that long is wrong, and the verdict says so. Under the page's ``identify``
overlay the capture names no item (the controller judges it ``unknown``). A headless
player (no page; ``screenshot_command`` captures whatever its display shows) waits
``SETTLE`` seconds after its own decision.

Nothing happens without a capture method or with ``capture_interval: 0``. A failed
capture or upload is logged and tried again at the next interval; nothing is queued."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import requests

from player import screenshot
from player.clock import Clock
from player.config import PlayerConfig
from player.on_screen import OnScreen
from player.state import PlayerState

log = logging.getLogger("pano.player.capture")
SETTLE = 1.5  # seconds a slide is on screen (and confirmed by the page) before a capture
ENDING = 1.0  # seconds: a slide ending sooner is not captured (the next one is)
PAGE_WAIT = 10.0  # seconds: the longest wait for the kiosk page to confirm the item
POLL = 0.1  # seconds between two looks at the page's confirmation

# What the kiosk page confirmed on screen and since when (the corrected clock's
# seconds), None when it confirmed nothing: PlayRecorder.on_screen_since.
PageConfirmed = Callable[[], tuple[OnScreen, float] | None]


def agrees(confirmed: tuple[OnScreen, float], query: dict) -> bool:
    """Whether the page's confirmation names the item and languages the player means."""
    if not query:
        return False
    screen = confirmed[0]
    if screen.kind != "item" or screen.item != query["item"][:64]:
        return False
    return "languages" not in query or ",".join(screen.languages[:8]) == query["languages"]


class PeriodicCapture:
    def __init__(self, config: PlayerConfig, state: PlayerState, clock: Clock,
                 page: PageConfirmed | None = None) -> None:
        self.config = config
        self.state = state
        self.clock = clock
        self.page = page  # None: no kiosk page to wait for (headless, or no journal)
        self.session = requests.Session()

    def showing(self) -> dict:
        """The query naming what the player shows now: its item and the slide's
        language(s); nothing on the idle page."""
        snap = self.state.snapshot()
        if snap.playing is None or snap.emergency is not None:
            return {}
        slide = snap.playing.slide_at(self.clock.now())
        query = {"item": str(snap.playing.item.get("id"))[:200]}
        if slide is not None:
            query["languages"] = ",".join(slide.languages[:8])
        return query

    def once(self) -> dict:
        """Capture and upload now; the controller's answer (its verdict), or
        CaptureError."""
        query, data = self.take()
        return screenshot.upload(self.session, self.config.controller, self.config.token,
                                 None, data, periodic=query)

    def take(self) -> tuple[dict, bytes]:
        """A capture and the query naming what it was meant to show. A capture taken
        while the item, its slide or the page's confirmation changed shows either one:
        it is taken again (once), else CaptureError, so that the controller never
        judges a picture against the wrong expectation."""
        page = f"http://127.0.0.1:{self.config.http_port}/"
        for _attempt in range(2):
            query, confirmed = self._settle()  # what was meant to be on screen
            data, _method = screenshot.capture(self.config.devtools_url,
                                               self.config.screenshot_command, page)
            if self._meant() == (query, confirmed):
                return self._with_page(query, confirmed), data
        raise screenshot.CaptureError("the item on screen changed during both captures; "
                                      "trying again at the next interval")

    def _with_page(self, query: dict, confirmed: tuple[OnScreen, float] | None) -> dict:
        """A kiosk's query also says what its page confirmed drawing (``page_item``: the
        item, or empty for none), so that a verdict finding the screen wrong can say
        whether the page was behind or the display is at fault."""
        if self.page is None:
            return query
        if confirmed is not None and agrees(confirmed, query):
            return {**query, "page_item": query["item"]}
        screen = confirmed[0] if confirmed is not None else None
        named = screen.item if screen is not None and screen.kind == "item" else None
        return {**query, "page_item": (named or "")[:200]}

    def _meant(self) -> tuple[dict, tuple[OnScreen, float] | None]:
        """The query to capture against and the page's confirmation. While the page
        shows the ``identify`` overlay (a technician's command, up to a minute, over
        everything) the capture names no item: it is not the item, and not wrong."""
        query = self.showing()
        confirmed = None if self.page is None else self.page()
        if confirmed is not None and confirmed[0].kind == "identify":
            query = {}
        return query, confirmed

    def _settle(self) -> tuple[dict, tuple[OnScreen, float] | None]:
        """Wait until the capture is fair (the module's docstring); the query and the
        page's confirmation to capture against."""
        deadline = time.monotonic() + PAGE_WAIT
        while True:
            self._settle_slide()
            query, confirmed = self._meant()
            if self.page is None or not query:  # no page; the idle page, an emergency, identify
                return query, confirmed
            left = deadline - time.monotonic()
            if confirmed is not None and agrees(confirmed, query):
                wait = confirmed[1] + SETTLE - self.clock.now()
                if wait <= 0:
                    return query, confirmed
                if wait <= left + SETTLE:  # confirmed in time: let it stand SETTLE
                    time.sleep(min(wait, POLL))
                    continue
            elif left > 0:
                time.sleep(min(left, POLL))
                continue
            log.info("the kiosk page has not confirmed item %r steadily within %.0f s: "
                     "captured as it is", query["item"], PAGE_WAIT)
            return query, confirmed

    def _settle_slide(self) -> None:
        """Wait until the player's slide has been on screen ``SETTLE`` seconds and does
        not end within ``ENDING`` seconds."""
        snap = self.state.snapshot()
        now = self.clock.now()
        slide = snap.playing.slide_at(now) if snap.playing is not None else None
        if slide is None:
            return
        if slide.ends_at - now < ENDING:
            # About to end: the page and this player change at the same instant by their
            # own clocks, a few milliseconds apart, and a capture takes longer than that.
            # Capture the next slide once it has settled instead.
            time.sleep(max(0.0, slide.ends_at - now) + SETTLE)
        elif now - slide.started_at < SETTLE:
            time.sleep(min(SETTLE, SETTLE - (now - slide.started_at)))

    def run(self, stop: threading.Event) -> None:
        every = self.config.capture_interval * 60
        if every <= 0:
            return
        if not (self.config.devtools_url or self.config.screenshot_command):
            log.info("no periodic captures: no capture method (devtools_url or "
                     "screenshot_command) is configured")
            return
        while not stop.wait(every):
            try:
                answer = self.once()
            except screenshot.CaptureError as exc:
                log.warning("periodic capture failed: %s", exc)
                continue
            log.info("periodic capture: %s (%s)", answer.get("verdict"), answer.get("reason"))
