"""`python -m bench.alike` — what building one body for screens alike saves, in one
process: the fleet of `python -m bench` (sites of 100 screens; every tenth screen shows a
playlist of its own) with slides and QR badges (a media store and a public address),
rebuilt by one publisher with ``group_alike`` on and off, alternated.

    python -m bench.alike                     # 500 screens, 8 rebuilds each way
    python -m bench.alike --screens 1000 --runs 5

Each rebuild follows a change of the heartbeat interval, so every timeline changes and
is stored, but no slide is drawn (they are drawn once, before the timing). Nothing is
pushed: the publisher runs without a socket. The table gives the median and fastest
rebuild each way, per screen, and the ratio of the medians (docs/performance.md)."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml
from sqlalchemy.orm import Session, sessionmaker

from bench.pano_system import TENTH, sites_yaml
from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.review.agencies import import_agencies
from controller.timeline.publisher import TimelinePublisher
from controller.zones.declarations import import_layouts

REPO = Path(__file__).resolve().parents[1]
BASE_URL = "https://pano.example.vn"


def fleet(root: Path, screens: int) -> tuple[sessionmaker[Session], MediaStore]:
    """The bench's fleet of ``screens`` in a new SQLite database under ``root``."""
    url = f"sqlite:///{root / 'pano.db'}"
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    store = MediaStore(root / "media")
    tenth = yaml.safe_load((REPO / "playlists" / "welcome-hue.yaml").read_text("utf-8"))
    tenth["id"] = TENTH
    (root / "playlists").mkdir()
    (root / "playlists" / f"{TENTH}.yaml").write_text(
        yaml.safe_dump(tenth, allow_unicode=True), encoding="utf-8")
    (root / "sites.yaml").write_text(
        yaml.safe_dump(sites_yaml(screens, TENTH), allow_unicode=True), encoding="utf-8")
    with sessions() as session:
        import_layouts(session, REPO / "config" / "layouts.yaml")
        import_sites(session, REPO / "config" / "sites.yaml")
        import_agencies(session, REPO / "config" / "agencies.yaml")
        import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
        import_playlists(session, root / "playlists", store, REPO / "media", approve=True)
        import_sites(session, root / "sites.yaml")
        session.commit()
    return sessions, store


def measure(screens: int, runs: int) -> dict[bool, list[float]]:
    """Seconds per full rebuild with screens alike grouped (True) and not (False)."""
    times: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory(prefix="pano-bench-alike-") as folder:
        sessions, store = fleet(Path(folder), screens)
        publisher = TimelinePublisher(None, 15, store=store, base_url=BASE_URL)
        with sessions() as session:
            publisher.rebuild(session)  # draws every slide and badge once
        for _ in range(runs):
            for grouped in (True, False):
                publisher.group_alike = grouped
                publisher.heartbeat_interval += 1  # every timeline changes
                with sessions() as session:
                    started = time.perf_counter()
                    changed = publisher.rebuild(session)
                    times[grouped].append(time.perf_counter() - started)
                if len(changed) < screens:
                    raise SystemExit(f"only {len(changed)} of {screens} timelines changed")
    return times


def table(screens: int, times: dict[bool, list[float]]) -> str:
    base = statistics.median(times[False])
    lines = ["| build | median ms | fastest ms | per screen µs | median ÷ per screen |",
             "|---|---:|---:|---:|---:|"]
    for grouped, name in ((False, "every screen its own body"), (True, "screens alike")):
        median = statistics.median(times[grouped])
        lines.append(f"| {name} | {median * 1000:.0f} | {min(times[grouped]) * 1000:.0f} | "
                     f"{median / screens * 1e6:.0f} | {median / base:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.alike", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screens", type=int, default=500)
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args(argv)
    if args.screens < 1 or args.runs < 1:
        parser.error("--screens and --runs must be at least 1")
    times = measure(args.screens, args.runs)
    print(f"\nA full rebuild of {args.screens} bench screens (and the demo fleet), "
          f"{args.runs} runs each way, alternated:\n")
    print(table(args.screens, times))


if __name__ == "__main__":
    main()
