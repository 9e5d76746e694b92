"""The reconnection backoff after a connection that stayed up: its ceiling is bounded by
how long ago the connection dropped (player/backoff.py), and only then."""

from __future__ import annotations

import random

from player.backoff import CAP, OUTAGE_FACTOR, Backoff


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fast_failures(backoff: Backoff, clock: Clock, count: int, step: float) -> list[float]:
    """``count`` failed attempts ``step`` s apart (a controller that refuses at once)."""
    delays = []
    for _ in range(count):
        clock.now += step
        delays.append(backoff.failed())
    return delays


def test_after_a_drop_no_wait_exceeds_three_times_the_outage_so_far():
    for seed in range(50):
        clock = Clock()
        backoff = Backoff(random.Random(seed), clock=clock)
        backoff.disconnected(lasted=600.0)
        dropped = clock.now
        for _ in range(12):
            clock.now += 0.2  # each attempt refused at once, whatever the wait drawn
            elapsed = clock.now - dropped
            assert backoff.failed() <= max(1.0, OUTAGE_FACTOR * elapsed)


def test_without_the_bound_the_same_failures_would_wait_far_longer():
    """The same six quick failures: a player that never got in (no drop to count from)
    draws from the doubling ceiling, a dropped one from the outage's."""
    fresh_waits, dropped_waits = [], []
    for seed in range(200):
        clock = Clock()
        fresh = Backoff(random.Random(seed), clock=clock)
        fresh_waits.append(_fast_failures(fresh, clock, 6, 0.1)[-1])
        clock = Clock()
        dropped = Backoff(random.Random(seed), clock=clock)
        dropped.disconnected(lasted=600.0)
        dropped_waits.append(_fast_failures(dropped, clock, 6, 0.1)[-1])
    assert max(fresh_waits) > 16.0  # attempt 6: up to 64 s, capped at 60
    assert max(dropped_waits) <= OUTAGE_FACTOR * 0.6  # 0.6 s after the drop: ≤ 1.8 s


def test_a_long_outage_backs_off_to_the_cap_as_before():
    clock = Clock()
    backoff = Backoff(random.Random(3), clock=clock)
    backoff.disconnected(lasted=600.0)
    _fast_failures(backoff, clock, 8, 10.0)  # 80 s down: the bound (240 s) is past the cap
    waits = _fast_failures(backoff, clock, 200, 0.0)
    assert max(waits) <= CAP
    assert max(waits) > CAP * 0.9  # the whole range up to the cap is used again


def test_a_short_connection_neither_resets_nor_restarts_the_outage_clock():
    clock = Clock()
    backoff = Backoff(random.Random(4), clock=clock)
    backoff.disconnected(lasted=600.0)
    dropped_at = backoff.dropped_at
    clock.now += 5.0
    backoff.disconnected(lasted=2.0)  # in and out again within reset_after
    assert backoff.dropped_at == dropped_at
    assert backoff.attempt == 2


def test_a_refused_credential_still_waits_the_cap_after_a_drop():
    clock = Clock()
    backoff = Backoff(random.Random(5), clock=clock)
    backoff.disconnected(lasted=600.0)
    assert backoff.failed(refused=True) == CAP
