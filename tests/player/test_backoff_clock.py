"""Reconnection backoff and the clock offset."""

from __future__ import annotations

import random
import time

from player.backoff import Backoff, next_delay
from player.clock import Clock, offset_from_samples


def test_delays_are_full_jitter_under_a_doubling_ceiling_capped_at_a_minute():
    rng = random.Random(7)
    for attempt in range(12):
        ceiling = min(60.0, 2.0 ** attempt)
        delays = [next_delay(attempt, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # really spread over the whole range
    assert next_delay(10_000, rng) <= 60.0  # no overflow after days offline


def test_a_refused_credential_waits_the_cap():
    assert next_delay(0, random.Random(1), refused=True) == 60.0
    assert Backoff(random.Random(1)).failed(refused=True) == 60.0


def test_the_same_seed_gives_the_same_delays():
    assert [next_delay(a, random.Random(3)) for a in range(5)] == \
        [next_delay(a, random.Random(3)) for a in range(5)]


def test_a_connection_that_lasted_30_s_resets_the_backoff_a_short_one_does_not():
    backoff = Backoff(random.Random(2))
    for _ in range(8):
        backoff.failed()
    backoff.disconnected(lasted=5.0)
    assert backoff.attempt == 9
    assert backoff.disconnected(lasted=31.0) <= 1.0  # first attempt again: ≤ base
    assert backoff.attempt == 1


def test_offset_uses_the_sample_with_the_shortest_round_trip():
    samples = [(100.0, 200.0, 104.0),   # rtt 4 → offset 98
               (110.0, 210.6, 111.0),   # rtt 1 → offset 100.1
               (120.0, 250.0, 123.0)]   # rtt 3
    assert abs(offset_from_samples(samples) - 100.1) < 1e-9


def test_clock_measures_a_server_100_s_ahead_and_skips_failed_samples():
    calls = []

    def server_time():
        calls.append(1)
        if len(calls) == 2:
            raise TimeoutError("lost")
        return time.time() + 100.0

    clock = Clock()
    offset = clock.measure(server_time)
    assert len(calls) == 3
    assert 99.0 < offset < 101.0
    assert 99.0 < clock.now() - time.time() < 101.0
