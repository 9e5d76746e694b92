"""When a restarted controller sees its players again, by their backoff alone: ``python -m
bench.backoff_storm`` simulates N players whose connection dropped at 0 and a controller
that refuses every attempt until it is back at D s, with the player's own
``player.backoff.Backoff`` on a simulated clock, once with the outage bound
(docs/protocol.md, "Reconnecting") and once without it (plain doubling). Printed per
outage: when the last player tries again after the controller is back, the median, and
the most attempts in any second (what the restarted controller meets at its busiest).
No sockets: the connection's own time is left out."""

from __future__ import annotations

import argparse
import random
import statistics

from player import backoff as policy
from player.backoff import Backoff


def back_times(players: int, outage: float, seed: int, bounded: bool) -> list[float]:
    """Each player's first attempt after the controller is back, in s after it is."""
    rng = random.Random(seed)
    times = []
    for _ in range(players):
        now = [0.0]  # the simulated clock: the drop at 0, each failed attempt at once
        b = Backoff(random.Random(rng.random()), clock=lambda now=now: now[0])
        wait = b.disconnected(lasted=3600.0)
        if not bounded:
            b.dropped_at = None  # the plain doubling
        while now[0] + wait < outage:
            now[0] += wait
            wait = b.failed()
        times.append(now[0] + wait - outage)
    return sorted(times)


def busiest_second(times: list[float]) -> int:
    starts = [i * 0.25 for i in range(int(max(times) * 4) + 1)]
    return max(sum(1 for t in times if s <= t < s + 1) for s in starts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--outages", default="2,3,5,8", help="seconds, comma-separated")
    parser.add_argument("--seeds", type=int, default=5, help="runs averaged per figure")
    args = parser.parse_args()
    print(f"{args.players} players; outage factor {policy.OUTAGE_FACTOR:g}; means of "
          f"{args.seeds} runs\n")
    print("| outage | backoff | last back after up | median | busiest second |")
    print("|---:|---|---:|---:|---:|")
    for outage in (float(o) for o in args.outages.split(",")):
        for bounded in (False, True):
            runs = [back_times(args.players, outage, seed, bounded)
                    for seed in range(args.seeds)]
            last = statistics.mean(r[-1] for r in runs)
            median = statistics.mean(statistics.median(r) for r in runs)
            busiest = statistics.mean(busiest_second(r) for r in runs)
            print(f"| {outage:g} s | {'bounded' if bounded else 'doubling'} | {last:.1f} s "
                  f"| {median:.1f} s | {busiest:.0f} |")


if __name__ == "__main__":
    main()
