"""How long a change takes to reach its first screen, and where a rebuild's time goes.

The change watcher notes when it was woken (``ChangeClock.woken``: the commit hook, a
NOTIFY, a datagram, Redis); the publisher reads that instant when it emits the first
timeline of a rebuild and observes ``pano_change_first_push_seconds`` (wake → first
``timeline`` emitted, so the wake's own delivery is not in it). A rebuild not caused by
a wake (start-up, roll-over, a first connect) observes nothing.

``Stages`` times one rebuild's steps (look-up, load, build, store, commit, push,
bookkeeping); the publisher logs them on one line at INFO when the rebuild stored
something, at DEBUG otherwise.
"""

from __future__ import annotations

import threading
import time

from prometheus_client import Histogram

from controller.metrics.registry import REGISTRY

CHANGE_FIRST_PUSH_SECONDS = Histogram(
    "pano_change_first_push_seconds",
    "Seconds from the change watcher's wake to the first timeline it emitted for it.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY)


class ChangeClock:
    """Wakes and the pass that answers them (thread-safe): ``woken`` notes the earliest
    wake since the last pass began, ``begin`` (the watcher, as a pass starts) makes it
    the one this pass answers, ``first_push`` (the publisher, at its first emit) takes it
    once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: float | None = None
        self._current: float | None = None

    def woken(self) -> None:
        with self._lock:
            if self._pending is None:
                self._pending = time.monotonic()

    def begin(self) -> None:
        with self._lock:
            self._current, self._pending = self._pending, None

    def first_push(self) -> float | None:
        """Observe wake → now for the pass under way, once; returns it (seconds)."""
        with self._lock:
            since, self._current = self._current, None
        if since is None:
            return None
        waited = time.monotonic() - since
        CHANGE_FIRST_PUSH_SECONDS.observe(waited)
        return waited


class Stages:
    """Milliseconds per step of one rebuild, in the order first met."""

    def __init__(self) -> None:
        self._started = self._last = time.perf_counter()
        self.ms: dict[str, float] = {}
        self.first_push_ms: float | None = None  # since the rebuild began
        self.woken_ms: float | None = None  # since the watcher's wake (a woken change)

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.ms[step] = self.ms.get(step, 0.0) + (now - self._last) * 1000
        self._last = now

    def pushed(self) -> None:
        if self.first_push_ms is None:
            self.first_push_ms = (time.perf_counter() - self._started) * 1000

    def describe(self) -> str:
        steps = ", ".join(f"{step} {ms:.0f}" for step, ms in self.ms.items())
        first = ("" if self.first_push_ms is None
                 else f"; first push at {self.first_push_ms:.0f}")
        if self.woken_ms is not None:
            first += f" ({self.woken_ms:.0f} after the wake)"
        total = (time.perf_counter() - self._started) * 1000
        return f"{steps} ms{first}; total {total:.0f} ms"
