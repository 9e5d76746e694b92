"""The controller's clock, estimated from round trips (protocol section 5, `time`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

SAMPLES = 3


def offset_from_samples(samples: Iterable[tuple[float, float, float]]) -> float:
    """Offset from ``(t_sent, server_time, t_received)`` samples: the shortest round trip.

    offset = server_time − (t_sent + t_received) / 2.
    """
    best = min(samples, key=lambda s: s[2] - s[0])
    t_sent, server_time, t_received = best
    return server_time - (t_sent + t_received) / 2


class Clock:
    """Local clock plus the last measured offset to the controller's clock."""

    def __init__(self, offset: float = 0.0) -> None:
        self._offset = float(offset)
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        with self._lock:
            return self._offset

    def set_offset(self, offset: float) -> None:
        with self._lock:
            self._offset = float(offset)

    def now(self) -> float:
        """The controller's time, in seconds since the epoch."""
        return time.time() + self.offset

    def measure(self, ask_server_time: Callable[[], float], samples: int = SAMPLES) -> float:
        """Ask the server ``samples`` times, keep the best sample, set and return the offset.

        ``ask_server_time`` returns the server's time or raises; failures are skipped,
        and if every sample fails the error of the last one is raised.
        """
        taken: list[tuple[float, float, float]] = []
        error: Exception | None = None
        for _ in range(samples):
            t_sent = time.time()
            try:
                server_time = float(ask_server_time())
            except Exception as exc:  # noqa: BLE001 - any failure just loses a sample
                error = exc
                continue
            taken.append((t_sent, server_time, time.time()))
        if not taken:
            raise error or RuntimeError("no clock sample")
        offset = offset_from_samples(taken)
        self.set_offset(offset)
        return offset
