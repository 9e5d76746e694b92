"""`python -m bench.panel_feed` — what the panel's live feed costs each second: the
fleet snapshot (every screen's row for the Screens page) and a whole feed round (every
topic, compared with the last round), against the baseline of building the
`GET /api/v1/screens` answer from the same data, all in one process.

    python -m bench.panel_feed                 # 500 screens, 15 runs
    python -m bench.panel_feed --screens 2000 --runs 9

Every screen has a status row with heartbeat facts and a playing item, and a built
timeline; one emergency is running on the A Đớt screens. Medians, fastest and ratios to
the baseline are printed as a Markdown table. The feed round emits nothing (nothing
changes between rounds), so no client is needed."""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bench.rebuild import _database
from controller.api.screens import screen_summary
from controller.app import create_app
from controller.emergencies.request import parse_request
from controller.emergencies.store import create as create_emergency
from controller.models import Screen, ScreenStatus, ScreenTimeline
from controller.panel.fleet.live_source import snapshot as fleet_snapshot
from controller.panel.live import PanelFeed
from controller.review.actor import Actor
from controller.settings import load_settings
from controller.timeline.publisher import TimelinePublisher


def _statuses(factory) -> None:  # noqa: ANN001 - sessionmaker
    now = datetime.now(UTC)
    with factory() as session:
        TimelinePublisher(None, 15).rebuild(session)
        for n, screen_id in enumerate(session.scalars(select(Screen.id))):
            session.add(ScreenStatus(
                screen_id=screen_id, connected=n % 5 != 0, remote_addr="127.0.0.1",
                last_seen=now - timedelta(seconds=5 if n % 5 else 3600), missing_media=[],
                acked_version=1,
                facts={"playing": {"playlist": "welcome-hue@1", "item": "citadel",
                                   "since": now.isoformat()},
                       "cpu_temp": 50 + n % 30, "software": "pano-player/0.1.0",
                       "disk": {"total": 32_000_000_000, "free": 20_000_000_000},
                       "uptime": 86400.0, "load": [0.2, 0.2, 0.2]}))
        request = parse_request({
            "targets": {"sites": ["a-dot-border-gate"]}, "duration_minutes": 120,
            "messages": {"vi": {"title": "Thử", "body": "Thử nghiệm."},
                         "en": {"title": "Test", "body": "A test."},
                         "lo": {"title": "ທົດລອງ", "body": "ທົດລອງ."}}}, now)
        create_emergency(session, request, Actor.system("bench"))
        session.commit()


def _api_screens(session) -> dict:  # noqa: ANN001
    """The GET /api/v1/screens body, as the route builds it (the baseline)."""
    screens = session.scalars(select(Screen).order_by(Screen.site_id, Screen.id)).all()
    statuses = {row.screen_id: row for row in session.scalars(select(ScreenStatus))}
    versions = dict(session.execute(select(ScreenTimeline.screen_id,
                                           ScreenTimeline.version)).all())
    now = datetime.now(UTC)
    return {"screens": [screen_summary(s, statuses.get(s.id), versions.get(s.id), 15, now)
                        for s in screens]}


def _time(runs: int, work: Callable[[], object]) -> list[float]:
    work()  # warm-up: caches, statement compilation
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.panel_feed",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--screens", type=int, default=500)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pano-bench-feed-") as tmp:
        factory = _database(Path(tmp), args.screens, 20)
        _statuses(factory)
        settings = dataclasses.replace(
            load_settings(data_dir=Path(tmp), database_url=f"sqlite:///{Path(tmp) / 'pano.db'}"),
            secret_key="bench-" + "x" * 40)
        app, socketio = create_app(settings)
        feed = PanelFeed(app, socketio)
        with app.app_context(), factory() as session:
            rows = [
                ("GET /api/v1/screens body (baseline)", _time(args.runs,
                                                             lambda: _api_screens(session))),
                ("fleet snapshot", _time(args.runs, lambda: fleet_snapshot(session))),
            ]
        rows.append(("whole feed round (all topics, compared)", _time(args.runs, feed.tick)))
        app.extensions["pano"].engine.dispose()
        factory.kw["bind"].dispose()
    base = statistics.median(rows[0][1])
    print(f"\nPanel live feed, {args.screens} screens + the 7 demo screens, one emergency "
          f"running; {args.runs} runs each.\n")
    print("| work | median ms | fastest ms | median ÷ baseline |")
    print("|---|---:|---:|---:|")
    for name, times in rows:
        median = statistics.median(times)
        print(f"| {name} | {median * 1000:.1f} | {min(times) * 1000:.1f} | "
              f"{median / base:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
