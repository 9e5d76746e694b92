"""Reconnection delays: full-jitter exponential backoff (protocol section 3), bounded by
the outage's length after a connection that was up.

Why the bound: with plain exponential backoff a player whose first few draws were short
fails its attempts quickly while the controller restarts, and after five failures in
3 s waits up to 32 s more. Among 1000 players some always do: the bench's reconnect
storm had its last player back about 30 s after the restarted controller listened,
although the controller was down for 3-5 s. After a connection that stayed up
(``reset_after``), the ceiling is also at most ``OUTAGE_FACTOR`` times the time since
it dropped, so no player waits much longer than the controller has been gone. The
bound only trims the players whose attempt count ran ahead of the clock: the bulk of
the fleet, and so the rate of attempts the restarted controller meets, stays as it was
(``python -m bench.backoff_storm``: 1000 players, outages of 2-8 s, the busiest second
within 10 %, the last player trying again 6-22 s after the controller is back instead
of 16-47 s). A player that never got in, or whose connections keep dropping within
``reset_after``, backs off exponentially as before.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

BASE = 1.0
CAP = 60.0
RESET_AFTER = 30.0
OUTAGE_FACTOR = 3.0  # after a drop: ceiling ≤ this × the seconds since the drop


def next_delay(
    attempt: int,
    rng: random.Random,
    *,
    refused: bool = False,
    base: float = BASE,
    cap: float = CAP,
    longest: float | None = None,
) -> float:
    """Seconds to wait before connection attempt number ``attempt`` + 1 (0-based).

    delay = random(0, min(cap, base · 2^attempt, longest)); a refused credential waits
    the cap. ``longest`` (None: no bound) is never taken below ``base``.
    """
    if refused:
        return cap
    ceiling = min(cap, base * 2 ** min(max(attempt, 0), 62))
    if longest is not None:
        ceiling = min(ceiling, max(base, longest))
    return rng.uniform(0, ceiling)


class Backoff:
    """Counts failed attempts; a connection that stayed up long enough resets it, and
    the waits that follow are bounded by how long ago it dropped (module docstring)."""

    def __init__(self, rng: random.Random | None = None, *, base: float = BASE,
                 cap: float = CAP, reset_after: float = RESET_AFTER,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rng = rng or random.Random()
        self.base = base
        self.cap = cap
        self.reset_after = reset_after
        self.clock = clock
        self.attempt = 0
        self.dropped_at: float | None = None  # when the last connection that stayed up ended

    def failed(self, *, refused: bool = False) -> float:
        """Record a failed attempt; return how long to wait before the next one."""
        longest = None
        if self.dropped_at is not None:
            longest = OUTAGE_FACTOR * (self.clock() - self.dropped_at)
        delay = next_delay(self.attempt, self.rng, refused=refused, base=self.base,
                           cap=self.cap, longest=longest)
        self.attempt += 1
        return delay

    def disconnected(self, lasted: float) -> float:
        """Record the end of a connection that lasted ``lasted`` s; return the wait."""
        if lasted >= self.reset_after:
            self.attempt = 0
            self.dropped_at = self.clock()
        return self.failed()
