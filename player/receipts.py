"""Delivery receipts of emergencies: when the playback loop first shows an emergency, a
receipt ``{"id", "shown_at"}`` is queued in a small JSON file in the cache directory and
sent as ``emergency_shown`` whenever the player is connected (at once, or after a
reconnect or a restart). Sending twice is harmless: the controller keeps the first time.
A receipt leaves the queue once the controller answered it (accepted or refused)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from player.facts import iso
from player.store import write_json_atomic

# After a rate_limited answer: well over the controller's pace for receipts (one a
# second after a burst), so the refusals do not add up to a flood (docs/protocol.md 5).
RATE_LIMITED_PAUSE = 5.0

log = logging.getLogger("pano.player.receipts")

RECEIPTS_FILE = "emergency_receipts.json"
EVENT = "emergency_shown"
KEEP_SENT = 200  # ids remembered as answered, so a restart does not queue them again


class Receipts:
    def __init__(self, state_dir: Path | str) -> None:
        self.path = Path(state_dir) / RECEIPTS_FILE
        self._lock = threading.Lock()
        self._pending: list[dict] = []
        self._sent: list[int] = []
        self._not_before = 0.0  # monotonic: after a rate_limited answer, wait
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._pending = [{"id": int(r["id"]), "shown_at": str(r["shown_at"])}
                             for r in data.get("pending", [])]
            self._sent = [int(i) for i in data.get("sent", [])][-KEEP_SENT:]
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.error("receipts file %s is unusable, starting afresh: %s", self.path, exc)

    def _save(self) -> None:
        try:
            write_json_atomic(self.path, {"pending": self._pending, "sent": self._sent})
        except OSError as exc:
            log.error("cannot save emergency receipts: %s", exc)

    def shown(self, emergency_id: int, at: float) -> None:
        """Queue a receipt, unless this emergency already has one."""
        with self._lock:
            if emergency_id in self._sent or any(r["id"] == emergency_id
                                                 for r in self._pending):
                return
            self._pending.append({"id": emergency_id, "shown_at": iso(at)})
            self._save()

    def pending(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._pending]

    def send(self, call: Callable[[str, object], object]) -> int:
        """Send what is queued with ``call(event, data)`` (emit and wait for the answer;
        raises on timeout or disconnection). Returns how many were answered."""
        answered = 0
        if time.monotonic() < self._not_before:
            return 0
        for receipt in self.pending():
            try:
                reply = call(EVENT, receipt)
            except (TimeoutError, ConnectionError) as exc:
                log.info("emergency receipt %d not sent yet: %s", receipt["id"], exc)
                break
            if isinstance(reply, dict) and reply.get("error") == "rate_limited":
                # Over the controller's budget (many receipts after a long time
                # offline): keep it and the rest for the next round.
                log.info("emergency receipt %d: later (%s)", receipt["id"],
                         reply.get("message"))
                self._not_before = time.monotonic() + RATE_LIMITED_PAUSE
                break
            if isinstance(reply, dict) and not reply.get("ok", True):
                log.warning("emergency receipt %d refused: %s", receipt["id"],
                            reply.get("message") or reply)
            else:
                log.info("emergency %d: receipt delivered (shown at %s)", receipt["id"],
                         receipt["shown_at"])
            with self._lock:
                self._pending = [r for r in self._pending if r["id"] != receipt["id"]]
                self._sent = (self._sent + [receipt["id"]])[-KEEP_SENT:]
                self._save()
            answered += 1
        return answered
