"""Python's full garbage collections moved off the push path (issue 14, "first push").

CPython collects its heap in three generations; a collection of the oldest walks every
object that survived two younger ones. A serving controller holds hundreds of thousands
of such objects (its modules, and about 200 per connected player: sockets, greenlets,
queues), and a rebuild of every screen allocates enough to set one off every second or
third change, in the middle of it: 60–110 ms on the bench's 2-core machine with 500
players (280 000 objects), before the first screen was pushed in one change of four
(``python -m bench``, the server's log; docs/performance.md).

``QuietCollector`` keeps the automatic collections and makes them walk few objects:
what has lived through a quiet collection is *frozen* (``gc.freeze``: left out of every
later collection, an O(1) step), so a collection, automatic or not, walks only what was
made since. At a quiet moment (``quiet`` seconds after the change watcher's last
rebuild, at most every ``spacing`` seconds, and only when something happened since: a
rebuild, or an automatic full collection) it collects what is not frozen and freezes
what survived. A frozen object is still freed when its last reference goes; only a
*cycle* of frozen objects (a closed connection's, typically) needs a collection of the
whole heap (``gc.unfreeze`` first), which a quiet collection is at most every
``full_spacing`` seconds and every 50 times as long as the last whole one took (so at
most 2 % of the time), and at least every ``longest`` seconds (then after the next
rebuild, quiet or not). From its first collection on, the youngest generation is
collected every ``young`` allocations instead of 700. The change watcher
(``controller.timeline.watcher``) calls it from its loop; ``stop()`` unfreezes and gives
Python its thresholds back.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger("pano.timeline")

QUIET = 1.0  # seconds without a rebuild before a collection
SPACING = 5.0  # at least this long between two quiet collections
FULL_SPACING = 60.0  # at least this long between two collections of the whole heap,
FULL_RATIO = 50  # and at least this many times as long as the last one took
LONGEST = 600.0  # at most this long between two of the whole heap, quiet or not
# Allocations between two collections of the youngest generation (Python's default: 700).
# A rebuild or a round of acks makes hundreds of thousands of short-lived objects; most
# are freed by reference counting before a larger threshold is reached, so the young
# collections walk far fewer objects in all.
YOUNG = 10_000


class QuietCollector:
    """Not thread-safe: one caller (the change watcher's loop)."""

    def __init__(self, quiet: float = QUIET, spacing: float = SPACING,
                 full_spacing: float = FULL_SPACING, longest: float = LONGEST,
                 young: int = YOUNG, ratio: float = FULL_RATIO,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet, self.spacing, self.longest = quiet, spacing, longest
        self.full_spacing, self.ratio, self.young = full_spacing, ratio, young
        self.clock = clock
        self.collections = 0  # quiet collections made (whole or not), for tests and logs
        self.full_collections = 0  # of them, of the whole heap
        self.last_ms = self.last_full_ms = 0.0  # how long the last ones took
        self._thresholds: tuple[int, int, int] | None = None  # Python's, while ours apply
        self._busy_at: float | None = None  # the last rebuild since the last collection
        self._collected_at = self._full_at = float("-inf")
        self._full_seen = self._automatic_full()

    @staticmethod
    def _automatic_full() -> int:
        return int(gc.get_stats()[2]["collections"])

    def busy(self) -> None:
        """A rebuild has just run: collect once the process is quiet again."""
        self._busy_at = self.clock()

    def _pending(self) -> bool:
        """Something may have left garbage since the last collection: a rebuild, or
        enough new objects for Python to have made a full collection itself (players
        connecting)."""
        return self._busy_at is not None or self._automatic_full() != self._full_seen

    def due_in(self) -> float | None:
        """Seconds until a collection is due (0: now); None when none is pending."""
        if not self._pending():
            return None
        now = self.clock()
        if now - self._full_at >= self.longest:
            return 0.0
        since_busy = now - self._busy_at if self._busy_at is not None else float("inf")
        return max(0.0, self.quiet - since_busy, self.spacing - (now - self._collected_at))

    def maybe_collect(self) -> bool:
        """Collect if due now; True when it did."""
        due = self.due_in()
        if due is None or due > 0:
            return False
        self.collect()
        return True

    def _full_due(self) -> bool:
        spacing = max(self.full_spacing, self.ratio * self.last_full_ms / 1000)
        return self.clock() - self._full_at >= spacing

    def collect(self, full: bool | None = None) -> None:
        """Collect what is not frozen (``full``: the whole heap; None: when it is due)
        and freeze what survived."""
        full = self._full_due() if full is None else full
        started = time.perf_counter()
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            gc.set_threshold(self.young, *self._thresholds[1:])
        if full:
            gc.unfreeze()
        freed = gc.collect()
        gc.freeze()
        self.last_ms = (time.perf_counter() - started) * 1000
        self.collections += 1
        self._collected_at, self._busy_at = self.clock(), None
        if full:
            self.full_collections += 1
            self.last_full_ms, self._full_at = self.last_ms, self._collected_at
        self._full_seen = self._automatic_full()
        if log.isEnabledFor(logging.DEBUG):  # the frozen count walks every frozen object
            log.debug("heap collected at a quiet moment (%s): %d freed, %d frozen, %.0f ms",
                      "whole" if full else "since the last", freed, gc.get_freeze_count(),
                      self.last_ms)

    def stop(self) -> None:
        """Give the frozen objects back to the automatic collections, and Python its
        thresholds."""
        gc.unfreeze()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
