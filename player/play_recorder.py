"""Turns what is on screen (``player.on_screen``) into play-journal records: one record
from the moment something appears until it leaves, with the reason it left (docs/protocol.md
section 5, ``journal``).

A record is written when its thing leaves the screen (protocol section 7, point 7). The
one on screen now is kept in ``open.json`` (its start and the last moment it was known to
be shown, saved every ``MARK_EVERY`` seconds), so that:

- a stop ends it with ``stop``, now;
- after a crash or a power cut the next start ends it with ``restart`` at the last moment
  it was known to be shown;
- a kiosk page that falls silent (Chromium gone, the page hung) for ``PAGE_SILENCE``
  seconds ends it with ``restart`` at its last report.

Times are on the corrected clock (``player.clock``). A record longer than 24 hours (an
idle page for days) is cut at 24 hours (``duration``) and the next one goes on.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

from player.clock import Clock
from player.journal import Journal
from player.journal_record import MAX_SPAN, iso_ms
from player.on_screen import OnScreen
from player.store import write_json_atomic

log = logging.getLogger("pano.player.plays")

OPEN_FILE = "open.json"  # in the journal's folder
MARK_EVERY = 5.0  # seconds between two saves of the open record's last moment
PAGE_SILENCE = 10.0  # seconds without a report from the kiosk page (it reports every 2 s)
DUE = 1.0  # seconds: leaving this close to its planned end is "duration"


@dataclass
class _Open:
    screen: OnScreen
    start: float
    seen: float
    saved: float


def ended_reason(old: OnScreen, new: OnScreen | None, now: float) -> str:
    """Why ``old`` left the screen for ``new`` (None: nothing confirmed) at ``now``."""
    if new is not None and new.kind == "identify":
        return "identify"
    if new is not None and new.kind == "emergency":
        return "emergency"
    if old.planned_end is not None and now >= old.planned_end - DUE:
        return "duration"
    return "schedule"


class PlayRecorder:
    """Thread-safe: the playback loop or the kiosk page's reports call ``observe``."""

    def __init__(self, journal: Journal, clock: Clock) -> None:
        self.journal = journal
        self.clock = clock
        self._lock = threading.Lock()
        self._open: _Open | None = None
        self.open_path = journal.directory / OPEN_FILE

    def resume(self) -> None:
        """At start: end the record left open by a crash (``restart``)."""
        try:
            data = json.loads(self.open_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            data = {"unreadable": str(exc)}
        try:
            fields, start, seen = dict(data["fields"]), float(data["start"]), float(data["seen"])
        except (KeyError, TypeError, ValueError) as exc:
            log.error("the record open at the last stop is unusable (%s): dropped", exc)
        else:
            seen = min(max(seen, start), start + MAX_SPAN)
            record = self.journal.append(dict(fields, start=iso_ms(start), end=iso_ms(seen),
                                              ended="restart"))
            log.info("journal: record %d (%s) ended by the restart, last seen %s",
                     record["seq"], fields.get("kind"), record["end"])
        self.open_path.unlink(missing_ok=True)

    def observe(self, screen: OnScreen | None, now: float | None = None) -> None:
        """``screen`` is on screen at ``now`` (None: nothing confirmed)."""
        now = self.clock.now() if now is None else now
        with self._lock:
            current = self._open
            if current is not None and screen is not None and current.screen.key == screen.key:
                current.seen = max(current.seen, now)
                self._split_long(current)
                if current.seen - current.saved >= MARK_EVERY:
                    self._save_open()
                return
            if current is not None:
                self._close(ended_reason(current.screen, screen, now), now)
            if screen is not None:
                self._open = _Open(screen, now, now, now)
                self._save_open()

    def tick(self, now: float | None = None) -> None:
        """Called often: end a kiosk record whose page fell silent."""
        now = self.clock.now() if now is None else now
        with self._lock:
            current = self._open
            if current is not None and current.screen.source == "kiosk" \
                    and now - current.seen > PAGE_SILENCE:
                log.warning("the kiosk page has not reported for %.0f s: record ended",
                            now - current.seen)
                self._close("restart", current.seen)

    def stop(self, now: float | None = None) -> None:
        """The player stops: end the open record (``stop``)."""
        now = self.clock.now() if now is None else now
        with self._lock:
            if self._open is not None:
                self._close("stop", max(now, self._open.seen)
                            if self._open.screen.source == "headless" else self._open.seen)

    def on_screen_since(self) -> tuple[OnScreen, float] | None:
        """What is on screen and since when (on a kiosk: since its page confirmed it);
        None when nothing is (player/periodic_capture.py waits for it)."""
        with self._lock:
            current = self._open
            return None if current is None else (current.screen, current.start)

    # --- under the lock --------------------------------------------------------------

    def _close(self, ended: str, end: float) -> None:
        current, self._open = self._open, None
        if current is None:
            return
        end = min(max(end, current.start), current.start + MAX_SPAN)
        self.journal.append(dict(current.screen.fields(), start=iso_ms(current.start),
                                 end=iso_ms(end), ended=ended))
        self.open_path.unlink(missing_ok=True)

    def _split_long(self, current: _Open) -> None:
        while current.seen - current.start >= MAX_SPAN:
            cut = current.start + MAX_SPAN
            self.journal.append(dict(current.screen.fields(), start=iso_ms(current.start),
                                     end=iso_ms(cut), ended="duration"))
            current.start = cut
            self._save_open()

    def _save_open(self) -> None:
        current = self._open
        if current is None:
            return
        current.saved = current.seen
        try:
            write_json_atomic(self.open_path, {"fields": current.screen.fields(),
                                               "start": current.start, "seen": current.seen})
        except OSError as exc:
            log.error("cannot save the record on screen: %s", exc)

