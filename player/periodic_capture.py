"""Periodic captures for screen truth (docs/operations.md "Is the screen really showing
it?"): every ``capture_interval`` minutes the player captures what the display shows —
the ``screenshot`` command's own capture (player/screenshot.py: Chromium's DevTools or
``screenshot_command``) — and uploads it with what it was showing then
(``PUT /api/v1/player/screenshot?periodic=1&item=<id>&languages=vi,en``). The controller
compares it with the frame it expected and keeps a verdict (black, frozen, wrong, ok,
unknown). No command names these captures, so a technician's screenshot stays apart.

Nothing happens without a capture method or with ``capture_interval: 0``. A failed
capture or upload is logged and tried again at the next interval; nothing is queued."""

from __future__ import annotations

import logging
import threading
import time

import requests

from player import screenshot
from player.clock import Clock
from player.config import PlayerConfig
from player.state import PlayerState

log = logging.getLogger("pano.player.capture")
SETTLE = 1.5  # seconds a slide is on screen before it is captured
ENDING = 1.0  # seconds: a slide ending sooner is not captured (the next one is)


class PeriodicCapture:
    def __init__(self, config: PlayerConfig, state: PlayerState, clock: Clock) -> None:
        self.config = config
        self.state = state
        self.clock = clock
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
        CaptureError. A capture taken while the item or its slide changed shows either
        one: it is taken again (once), else not sent, so that the controller never
        judges a picture against the wrong expectation."""
        page = f"http://127.0.0.1:{self.config.http_port}/"
        for _attempt in range(2):
            self._settle()
            query = self.showing()  # what was meant to be on screen at the capture
            data, _method = screenshot.capture(self.config.devtools_url,
                                               self.config.screenshot_command, page)
            if self.showing() == query:
                return screenshot.upload(self.session, self.config.controller,
                                         self.config.token, None, data, periodic=query)
        raise screenshot.CaptureError("the item on screen changed during both captures; "
                                      "trying again at the next interval")

    def _settle(self) -> None:
        """Wait until the slide on screen has been there ``SETTLE`` seconds (the page
        shows a new item once its pictures are decoded, up to a second after the
        player's decision) and is not ending within ``ENDING`` seconds."""
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
