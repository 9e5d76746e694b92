"""Push-to-ack latency: when this process pushed which timeline version to a screen, so
the screen's ack of that version can be timed (``pano_push_ack_seconds``).

In memory, per process, one entry per screen (a newer push replaces the older one):
no database work on the push or the ack. An ack counts only when it arrives at the
process that pushed; with several processes (docs/operations.md, "Scaling out") the
rebuilding process pushes through the message queue to screens connected elsewhere,
whose acks are not timed. The timeline a screen gets when it connects (pushed by the
process it connects to) is always timed.
"""

from __future__ import annotations

import threading
import time

from controller.metrics.registry import PUSH_ACK_SECONDS

MAX_SCREENS = 20_000  # entries kept; the oldest push is forgotten beyond


class PushClock:
    def __init__(self, limit: int = MAX_SCREENS) -> None:
        self._pushed: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def pushed(self, screen_id: str, version: object) -> None:
        """This process sent ``version`` of ``screen_id``'s timeline now."""
        if not isinstance(version, int):
            return
        with self._lock:
            self._pushed.pop(screen_id, None)  # re-insert: the dict stays oldest-first
            self._pushed[screen_id] = (version, time.monotonic())
            if len(self._pushed) > self._limit:
                del self._pushed[next(iter(self._pushed))]

    def acked(self, screen_id: str, version: int) -> None:
        """``screen_id`` acked ``version``: observe the time since its push, once."""
        with self._lock:
            entry = self._pushed.get(screen_id)
            if entry is None or entry[0] != version:
                return
            del self._pushed[screen_id]
        PUSH_ACK_SECONDS.observe(time.monotonic() - entry[1])


PUSHES = PushClock()
