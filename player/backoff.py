"""Reconnection delays: full-jitter exponential backoff (protocol section 3)."""

from __future__ import annotations

import random

BASE = 1.0
CAP = 60.0
RESET_AFTER = 30.0


def next_delay(
    attempt: int,
    rng: random.Random,
    *,
    refused: bool = False,
    base: float = BASE,
    cap: float = CAP,
) -> float:
    """Seconds to wait before connection attempt number ``attempt`` + 1 (0-based).

    delay = random(0, min(cap, base · 2^attempt)); a refused credential waits the cap.
    """
    if refused:
        return cap
    ceiling = min(cap, base * 2 ** min(max(attempt, 0), 62))
    return rng.uniform(0, ceiling)


class Backoff:
    """Counts failed attempts; a connection that stayed up long enough resets it."""

    def __init__(self, rng: random.Random | None = None, *, base: float = BASE,
                 cap: float = CAP, reset_after: float = RESET_AFTER) -> None:
        self.rng = rng or random.Random()
        self.base = base
        self.cap = cap
        self.reset_after = reset_after
        self.attempt = 0

    def failed(self, *, refused: bool = False) -> float:
        """Record a failed attempt; return how long to wait before the next one."""
        delay = next_delay(self.attempt, self.rng, refused=refused, base=self.base, cap=self.cap)
        self.attempt += 1
        return delay

    def disconnected(self, lasted: float) -> float:
        """Record the end of a connection that lasted ``lasted`` s; return the wait."""
        if lasted >= self.reset_after:
            self.attempt = 0
        return self.failed()
