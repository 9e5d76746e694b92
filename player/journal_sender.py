"""Sends the play journal to the controller (docs/protocol.md section 5, ``journal``, and
section 6, ``POST /api/v1/player/journal``): oldest first, one batch at a time, the next
only after the answer, from its own thread.

A batch has at most ``MAX_RECORDS`` records and ``MAX_BYTES`` bytes as sent. Batches are
paced at ``PACE`` seconds, just over the controller's steady budget for ``journal`` (one
every 0.25 s after a burst of 10), so a player back from three days offline (about 26,000
records) catches up in about a minute and a half, and heartbeats and timelines — on the
agent's thread and the socket's own — never wait behind it. A ``rate_limited`` answer
pauses the sender ``RATE_LIMITED_PAUSE`` seconds, like emergency receipts
(``player.receipts``). ``stored_through`` in the answer drops what the controller has;
findings are logged once each.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

from player.journal import Journal

log = logging.getLogger("pano.player.journal_sender")

EVENT = "journal"
MAX_RECORDS = 100
MAX_BYTES = 60 * 1024
PACE = 0.26  # seconds between two batches
IDLE = 1.0  # seconds between two looks when there is nothing to send or no link
RATE_LIMITED_PAUSE = 5.0
REFUSED_PAUSE = 60.0  # a batch refused whole (bad_request) or an unknown event
FAILED_PAUSE = 2.0  # no answer (timeout, the link went)
KEEP_FINDINGS = 500

Call = Callable[[str, object], object]


class JournalSender:
    def __init__(self, journal: Journal, call: Call, connected: Callable[[], bool]) -> None:
        self.journal = journal
        self.call = call  # emit and wait for the answer (the agent's, any transport)
        self.connected = connected
        self.pace = PACE
        self._logged: dict[str, None] = {}  # findings already logged (oldest first)
        self._not_before = 0.0
        self._unstored: tuple[int, int] | None = None  # a batch the controller kept out
        self.batches = 0

    def body(self, records: list[dict]) -> dict:
        return {"journal": self.journal.journal_id, "records": records}

    def room(self) -> int:
        """Bytes a batch's records may take: ``MAX_BYTES`` less the rest of the body."""
        return MAX_BYTES - len(json.dumps(self.body([]), separators=(",", ":")))

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            wait = self.send_once()
            stop.wait(wait)

    def send_once(self) -> float:
        """Send one batch if there is one and the link is up; the wait before the next."""
        now = time.monotonic()
        if now < self._not_before:
            return min(IDLE, self._not_before - now)
        if not self.connected():
            return IDLE
        records = self.journal.batch(MAX_RECORDS, self.room())
        if not records:
            return IDLE
        started = time.monotonic()
        try:
            reply = self.call(EVENT, self.body(records))
        except (TimeoutError, ConnectionError) as exc:
            log.info("journal batch %d–%d not sent: %s", records[0]["seq"],
                     records[-1]["seq"], exc)
            self.journal.stored(self.journal.stored_through)  # read them again
            return self._pause(FAILED_PAUSE)
        self.batches += 1
        wait = self.answered(records, reply)
        return max(wait, self.pace - (time.monotonic() - started))

    def answered(self, records: list[dict], reply: object) -> float:
        """Act on the controller's answer to ``records``; the wait before the next."""
        first, last = records[0]["seq"], records[-1]["seq"]
        if not isinstance(reply, dict) or not reply.get("ok"):
            error = reply.get("error") if isinstance(reply, dict) else None
            message = (reply.get("message") if isinstance(reply, dict) else None) or reply
            self.journal.stored(self.journal.stored_through)  # read them again
            if error == "rate_limited":
                log.info("journal: later (%s)", message)
                return self._pause(RATE_LIMITED_PAUSE)
            self._log_once(f"refused: {error}: {message}", logging.ERROR,
                           f"journal batch {first}–{last} refused: %s")
            return self._pause(REFUSED_PAUSE)
        for finding in reply.get("findings") or []:
            self._log_once(json.dumps(finding, ensure_ascii=False, sort_keys=True)[:500],
                           logging.WARNING, "journal finding from the controller: %s")
        stored = reply.get("stored_through")
        if isinstance(stored, bool) or not isinstance(stored, int):
            stored = self.journal.stored_through
        if stored < last:
            # Records the controller did not store (a conflict, a refused record: its
            # findings say why). Sent again once; if still not stored, given up on.
            if self._unstored == (first, last):
                log.warning("journal: the controller did not store records %d–%d after "
                            "two tries; not sent again", max(first, stored + 1), last)
                stored, self._unstored = last, None
            else:
                self._unstored = (first, last)
        else:
            self._unstored = None
        self.journal.stored(stored)
        return 0.0

    def _pause(self, seconds: float) -> float:
        self._not_before = time.monotonic() + seconds
        return seconds

    def _log_once(self, key: str, level: int, message: str) -> None:
        if key in self._logged:
            return
        self._logged[key] = None
        while len(self._logged) > KEEP_FINDINGS:
            self._logged.pop(next(iter(self._logged)))
        log.log(level, message, key)
