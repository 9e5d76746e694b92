"""`python -m bench.alerts_eval` — what one pass of the alerts' rules costs
(controller/alerts/incidents.evaluate, every ``alerts_interval`` seconds, 30 by default,
in the elected controller process), against a baseline measured in the same run.

    python -m bench.alerts_eval                    # 500, 2000 and 5000 screens, 7 runs
    python -m bench.alerts_eval --screens 1000 --runs 9

Every screen is installed and healthy (a recent heartbeat with the facts a Raspberry Pi
player sends), so the pass reads every screen and finds nothing: the steady state of a
fleet. Then a push in flight: every screen holds a stored timeline newer than its last
ack, as while a change of every screen is being acked, so ``timeline_not_acked`` holds
for the whole fleet and the pass inserts a pending incident for every screen
(``in flight``); the acks arrive, and the next pass drops them all (``acked``). The
baseline reads what any pass must read at least — every screen's status row
with its facts decoded — in one query. The pass runs in a thread beside the players'
sockets (controller/off_loop.py), but Python holds one lock: its milliseconds are taken
from the pushes and acks that fall in it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.rebuild import _database
from controller.alerts import incidents, rules
from controller.models import AlertIncident, ScreenStatus, ScreenTimeline

FACTS = {"disk": {"total": 15_000_000_000, "free": 9_000_000_000}, "cpu_temp": 52.5,
         "clock_offset": 0.012, "uptime": 86400, "player_version": "1.0",
         "display": {"alive": True, "item": "citadel", "frame_at": "2026-12-07T08:00:00Z",
                     "visible": True}}


def _fleet(root: Path, screens: int):  # noqa: ANN202 - sessionmaker
    factory = _database(root, screens, 0)
    now = datetime.now(UTC)
    with factory() as session:
        session.add_all(ScreenStatus(screen_id=f"bench-{n:04d}", connected=True,
                                     last_seen=now, missing_media=[], facts=FACTS)
                        for n in range(screens))
        session.add_all(ScreenTimeline(screen_id=f"bench-{n:04d}", version=1,
                                       content_hash="0" * 64, body={}, built_at=now)
                        for n in range(screens))
        session.commit()
    return factory


def _acked(factory, version: int) -> None:  # noqa: ANN001
    """Every screen's last ack: ``version`` (its stored timeline is version 1)."""
    with factory() as session:
        session.execute(ScreenStatus.__table__.update().values(acked_version=version))
        session.commit()


def _timed(factory, run) -> float:  # noqa: ANN001
    with factory() as session:
        started = time.perf_counter()
        run(session)
        return (time.perf_counter() - started) * 1000


def _baseline(session) -> None:  # noqa: ANN001
    status = ScreenStatus.__table__
    session.execute(select(status.c.screen_id, status.c.facts)).all()


def _expect_pending(factory, count: int) -> None:  # noqa: ANN001
    """The pass did what the row says it measures (or the figure would mean nothing)."""
    with factory() as session:
        pending = session.scalar(select(func.count()).select_from(AlertIncident)
                                 .where(AlertIncident.state == "pending"))
    if pending != count:
        raise SystemExit(f"expected {count} pending incident(s) after the pass, "
                         f"found {pending}")


def measure(screens: int, runs: int) -> dict[str, list[float]]:
    config = rules.defaults()
    times: dict[str, list[float]] = {name: [] for name in NAMES}
    with tempfile.TemporaryDirectory(prefix="pano-bench-alerts-") as tmp:
        factory = _fleet(Path(tmp), screens)

        def evaluate(session) -> None:  # noqa: ANN001
            incidents.evaluate(session, config, 15.0, "", datetime.now(UTC))

        _acked(factory, 1)
        _timed(factory, evaluate)  # warm-up, not counted
        for n in range(runs):  # interleaved, the order flipped every run
            order = ("baseline", "healthy") if n % 2 == 0 else ("healthy", "baseline")
            for name in order:
                times[name].append(_timed(factory, _baseline if name == "baseline"
                                          else evaluate))
            _acked(factory, 0)  # a push in flight: a pending incident for every screen
            times["in flight"].append(_timed(factory, evaluate))
            _expect_pending(factory, screens)
            _acked(factory, 1)  # the acks are in: every pending incident dropped
            times["acked"].append(_timed(factory, evaluate))
            _expect_pending(factory, 0)
    return times


NAMES = ("baseline", "healthy", "in flight", "acked")


def table(results: dict[int, dict[str, list[float]]]) -> str:
    lines = ["| screens | pass | median ms | fastest ms | per screen µs | ÷ baseline |",
             "|---:|---|---:|---:|---:|---:|"]
    for screens, times in results.items():
        base = statistics.median(times["baseline"])
        for name in NAMES:
            median = statistics.median(times[name])
            lines.append(f"| {screens} | {name} | {median:.1f} | {min(times[name]):.1f} | "
                         f"{median / screens * 1000:.0f} | {median / base:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.alerts_eval",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--screens", default="500,2000,5000",
                        help="comma-separated fleet sizes (default 500,2000,5000)")
    parser.add_argument("--runs", type=int, default=7, help="passes of each (default 7)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.screens.split(",")]
    except ValueError:
        parser.error(f"--screens must be whole numbers separated by commas, got "
                     f"{args.screens!r}")
    if not sizes or min(sizes) < 1 or max(sizes) > 9999:
        parser.error("--screens: each size must be between 1 and 9999")
    if not 1 <= args.runs <= 100:
        parser.error("--runs must be between 1 and 100")
    results = {n: measure(n, args.runs) for n in sizes}
    print(f"\nOne pass of the alerts' rules, {args.runs} runs each, interleaved with the "
          "baseline (every status row and its facts read once): over a healthy fleet; "
          "while a push to every screen is in flight (a pending incident inserted for "
          "each); once its acks are in (every one dropped).\n")
    print(table(results))


if __name__ == "__main__":
    main()
