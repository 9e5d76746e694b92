"""`python -m bench.rebuild` — how long the controller takes to rebuild every screen's
timeline, with schedules against the baseline of default playlists only, in one process.

    python -m bench.rebuild                  # 500 screens; 0, 20 and 200 schedules
    python -m bench.rebuild --screens 100 --runs 9

Each configuration is timed over several full rebuilds from a changed input (so every
timeline is really rebuilt and compared, none is skipped) and the table gives the median,
the fastest and the ratio of medians to the no-schedule baseline. Nothing is pushed: the
publisher runs without a socket.

A second table (``--incremental 500,1000``; ``0`` skips it) compares, for one change,
the full rebuild with ``rebuild_for`` (only the screens the change's scopes reach,
docs/architecture.md "Incremental rebuilds"): a new version of a playlist that a
schedule shows on a tenth of the screens, and one of the playlist every screen shows."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from controller import changes
from controller.changes import Scope
from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.models import APPROVED, Playlist, PlaylistVersion, Schedule, Screen
from controller.review.agencies import import_agencies
from controller.timeline.builder import _schedule_claims
from controller.timeline.publisher import TimelinePublisher
from controller.zones.declarations import import_layouts

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SITES = ("chan-may-port", "phu-bai-airport", "a-dot-border-gate", "lang-co-pano")
TAGS = ("arrivals", "indoor", "outdoor", "pano", "kiosk")


def _database(root: Path, screens: int, schedules: int):  # noqa: ANN202 - sessionmaker
    url = f"sqlite:///{root / 'pano.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        import_layouts(session, REPO / "config" / "layouts.yaml")  # the sites name them
        import_sites(session, REPO / "config" / "sites.yaml")
        import_agencies(session, REPO / "config" / "agencies.yaml")
        import_playlists(session, REPO / "playlists", MediaStore(root / "media"),
                         REPO / "media", approve=True)
        for n in range(screens):
            session.add(Screen(
                id=f"bench-{n:04d}", site_id=SITES[n % len(SITES)], name_vi="Màn hình",
                name_en="Screen", orientation="landscape", width=1920, height=1080,
                languages=["vi", "en"], bilingual_mode="dual", timezone="Asia/Ho_Chi_Minh",
                tags=[TAGS[n % 5], TAGS[(n // 5) % 5]], default_playlist_id="welcome-hue"))
        for n in range(schedules):
            kind = ("sites", "tags", "screens")[n % 3]
            target = {"sites": [SITES[n % 4]], "tags": [TAGS[n % 5]],
                      "screens": [f"bench-{(n * 37) % screens:04d}"]}[kind]
            session.add(Schedule(
                slug=f"bench-{n}", playlist_id=("border-welcome", "welcome-hue")[n % 2],
                playlist_version=None, targets={kind: target},
                weekdays=[n % 7, (n + 3) % 7, (n + 5) % 7],
                windows=[[f"{(6 + n) % 24:02d}:00", f"{(9 + n) % 24:02d}:30"]],
                priority=n % 3, created_seq=n + 1, source="bench"))
        changes.bump(session)
        session.commit()
    return factory


def _time_rebuilds(factory, runs: int) -> list[float]:  # noqa: ANN001
    """Seconds per full rebuild. Each run moves the clock a day on, so every timeline's
    window (and content hash) changes and the rebuild does all of its work."""
    times = []
    with factory() as session:
        for day in range(runs + 1):
            publisher = TimelinePublisher(None, 15, clock=lambda d=day: NOW.replace(
                day=NOW.day + d % 3))
            _schedule_claims.cache_clear()
            started = time.perf_counter()
            publisher.rebuild(session)
            if day:  # the first run also inserts every row: a warm-up
                times.append(time.perf_counter() - started)
    return times


def _incremental_database(root: Path, screens: int):  # noqa: ANN202 - sessionmaker
    """``screens`` screens showing welcome-hue; a schedule shows invest-hue all day on
    the tenth tagged ``tenth``."""
    factory = _database(root, screens, 0)
    with factory() as session:
        for screen in session.scalars(select(Screen).where(Screen.id.like("bench-%"))):
            if int(screen.id.removeprefix("bench-")) % 10 == 0:
                screen.tags = [*screen.tags, "tenth"]
        session.add(Schedule(slug="tenth", playlist_id="invest-hue", playlist_version=None,
                             targets={"tags": ["tenth"]}, weekdays=list(range(7)),
                             windows=[], priority=1, created_seq=1, source="bench"))
        session.commit()
    return factory


def _new_version(session, playlist_id: str) -> list[Scope]:  # noqa: ANN001
    """Approve a new version of ``playlist_id`` (its first item a second longer)."""
    playlist = session.get(Playlist, playlist_id)
    current = session.scalar(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == playlist_id,
        PlaylistVersion.number == playlist.current_version))
    number = session.scalar(select(func.max(PlaylistVersion.number)).where(
        PlaylistVersion.playlist_id == playlist_id)) + 1
    items = [dict(item) for item in current.items]
    items[0]["duration"] = int(items[0].get("duration") or 10) + 1
    session.add(PlaylistVersion(playlist_id=playlist_id, number=number, items=items,
                                content_hash=f"{number:064x}", state=APPROVED))
    playlist.current_version = number
    session.commit()
    return [Scope("playlist", playlist_id)]


def _time_change(factory, playlist_id: str, runs: int) -> tuple[list[float], list[float],
                                                                 int]:  # noqa: ANN001
    """Seconds of a full rebuild and of ``rebuild_for`` after a new version of
    ``playlist_id``, alternated; and how many screens the incremental one built."""
    full, incremental, built = [], [], 0
    with factory() as session:
        publisher = TimelinePublisher(None, 15, clock=lambda: NOW)
        publisher.rebuild(session)  # fills the reverse index (and the rows)
        for _ in range(runs):
            scopes = _new_version(session, playlist_id)
            started = time.perf_counter()
            publisher.rebuild(session)
            full.append(time.perf_counter() - started)
            scopes = _new_version(session, playlist_id)
            before = publisher.screens_built
            started = time.perf_counter()
            publisher.rebuild_for(session, scopes)
            incremental.append(time.perf_counter() - started)
            built = publisher.screens_built - before
    return full, incremental, built


def incremental_table(sizes: list[int], runs: int) -> None:
    print(f"\nOne change: full rebuild vs rebuild_for (only the screens it reaches), "
          f"{runs} runs each, medians.\n")
    print("| screens | change | screens rebuilt | full ms | incremental ms | "
          "incremental ÷ full |")
    print("|---:|---|---:|---:|---:|---:|")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="pano-bench-incremental-") as tmp:
            factory = _incremental_database(Path(tmp), size)
            for label, playlist in (("a playlist on 10 %", "invest-hue"),
                                    ("a playlist on 100 %", "welcome-hue")):
                full, inc, built = _time_change(factory, playlist, runs)
                f, i = statistics.median(full), statistics.median(inc)
                print(f"| {size} | {label} | {built} | {f * 1000:.0f} | {i * 1000:.0f} | "
                      f"{i / f:.2f} |")
            factory.kw["bind"].dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--screens", type=int, default=500)
    parser.add_argument("--schedules", default="0,20,200",
                        help="comma-separated schedule counts; the first is the baseline")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--incremental", default="500,1000",
                        help="screen counts for the full vs incremental table (0: none)")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.schedules.split(",")]
    rows = []
    for count in counts:
        with tempfile.TemporaryDirectory(prefix="pano-bench-rebuild-") as tmp:
            factory = _database(Path(tmp), args.screens, count)
            times = _time_rebuilds(factory, args.runs)
            factory.kw["bind"].dispose()
        rows.append((count, statistics.median(times), min(times)))
    base = rows[0][1]
    print(f"\nRebuild of every timeline ({args.screens} screens + the 7 demo screens), "
          f"{args.runs} runs each; baseline: {counts[0]} schedules.\n")
    print("| schedules | median ms | fastest ms | per screen µs | median ÷ baseline |")
    print("|---:|---:|---:|---:|---:|")
    for count, median, fastest in rows:
        print(f"| {count} | {median * 1000:.0f} | {fastest * 1000:.0f} | "
              f"{median / args.screens * 1e6:.0f} | {median / base:.2f} |")
    sizes = [int(n) for n in args.incremental.split(",") if int(n) > 0]
    if sizes:
        incremental_table(sizes, max(5, args.runs // 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
