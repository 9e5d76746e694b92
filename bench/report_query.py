"""`python -m bench.report_query` — how long the reports take over a year of plays for 50
screens (about 10 million play records and their daily sums), on SQLite and PostgreSQL,
against plain baselines in the same process and database.

    python -m bench.report_query                      # 50 screens, a year: ~10 M records
    python -m bench.report_query --records 500000     # a quick run (fewer per day)
    python -m bench.report_query --databases sqlite --runs 3

The data: each screen plays its playlists' items back to back from 06:00 to 22:00 Huế
time every day of 2026 (items of 60–150 s, about 550 records a screen-day), written
straight into ``play_records`` and ``play_daily`` (SQLite: executemany in large
transactions; PostgreSQL: COPY), with a presence interval per screen-day, a handful of
emergencies and findings. The hashes are not a real chain: the reports never read them.

Timed (median of ``--runs``, after one warm-up): the year report grouped by agency and
the month report grouped by day (``GET /api/v1/reports/plays``, from ``play_daily``), a
single screen's day of records (``GET /api/v1/plays``, 1000 of them), the same year's
figures computed from ``play_records`` directly (what ``play_daily`` saves), and the
baselines ``COUNT(*)`` over each table. PostgreSQL needs a server: ``PANO_TEST_PG_URL``
(default postgresql+psycopg://postgres@127.0.0.1:5432/test) names one whose user may
create a database; the bench makes its own and drops it."""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.models import Agency, Playlist, PlayRecord, Screen
from controller.reports.filters import parse_report_query
from controller.reports.plays_report import plays_report
from controller.reports.records import parse_records_query, read_records

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("PANO_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCREENS = 50
YEAR = 2026
DAY_START, DAY_SECONDS = 6 * 3600, 16 * 3600  # 06:00 to 22:00 Huế time
DURATIONS = (60, 90, 120, 150)  # about 548 records a screen-day: 10 M in a year
HUE = timedelta(hours=7)
AGENCIES = ("tourism", "culture", "investment", "border-guard", "foreign-affairs")
LANGS = (["vi", "en"], ["vi"], ["en"], ["vi", "lo"])
NOW = datetime(YEAR + 1, 1, 1, tzinfo=UTC)


def _catalogue(screens: int) -> list[tuple[str, str, str, str, list[str]]]:
    """(screen, site, agency, playlist, languages) of each screen's items."""
    sites = ("chan-may-port", "phu-bai-airport", "a-dot-border-gate", "lang-co-pano")
    return [(f"bench-{n:03d}", sites[n % 4], AGENCIES[n % 5], f"bench-pl-{n % 10}",
             LANGS[n % 4]) for n in range(screens)]


def records(screens: int, days: int, per_day: int | None) -> Iterator[tuple[Any, ...]]:
    """(journal, screen, site, agency, seq, start, end, seconds, playlist, item, langs)."""
    first = date(YEAR, 1, 1)
    for n, (screen, site, agency, playlist, langs) in enumerate(_catalogue(screens)):
        seq = 0
        for d in range(days):
            midnight = datetime.combine(first + timedelta(days=d), datetime.min.time(),
                                        UTC) - HUE
            offset, k = DAY_START, 0
            while offset < DAY_START + DAY_SECONDS and (per_day is None or k < per_day):
                seconds = DURATIONS[(k + n) % 4]
                seq += 1
                start = midnight + timedelta(seconds=offset)
                yield (n + 1, screen, site, agency, seq, start,
                       start + timedelta(seconds=seconds), float(seconds), playlist,
                       f"item-{k % 12}", langs)
                offset += seconds
                k += 1


def daily(screens: int, days: int, per_day: int | None) -> dict[tuple[Any, ...], list[Any]]:
    sums: dict[tuple[Any, ...], list[Any]] = {}
    for (_, screen, site, agency, _, start, _, seconds, playlist, item,
         langs) in records(screens, days, per_day):
        day = (start + HUE).date()
        for lang in ("*", *langs):
            row = sums.setdefault((day, screen, site, agency, playlist, item, lang), [0, 0.0])
            row[0] += 1
            row[1] += seconds
    return sums


def _seed(url: str, screens: int) -> None:
    """Schema, sites, agencies, playlists, screens, journals, presence, emergencies."""
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        import_sites(session, REPO / "config" / "sites.yaml")
        for agency in AGENCIES:
            session.merge(Agency(id=agency, name_vi=agency, name_en=agency))
        for p in range(10):
            session.add(Playlist(id=f"bench-pl-{p}", title_vi="Danh sách", title_en="List",
                                 agency_id=AGENCIES[p % 5], themes=[("tourism", "heritage",
                                                                     "border")[p % 3]]))
        for screen, site, _, _, langs in _catalogue(screens):
            session.add(Screen(id=screen, site_id=site, name_vi="Màn hình", name_en="Screen",
                               orientation="landscape", width=1920, height=1080,
                               languages=langs))
        session.flush()
        for n, (screen, *_rest) in enumerate(_catalogue(screens)):
            session.execute(text("INSERT INTO play_journals (id, screen_id, journal, "
                                 "created_at, stored_through) VALUES (:i, :s, :j, :t, 0)"),
                            {"i": n + 1, "s": screen, "j": str(uuid.UUID(int=n + 1)),
                             "t": datetime(YEAR, 1, 1)})
            for d in range(0, 365, 1):
                since = datetime(YEAR, 1, 1) + timedelta(days=d, hours=-1)
                session.execute(text("INSERT INTO screen_presence (screen_id, since, until, "
                                     "via) VALUES (:s, :a, :b, 'websocket')"),
                                {"s": screen, "a": since, "b": since + timedelta(hours=16)})
        session.commit()


def _time_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


RECORD_COLUMNS = ("journal_id, screen_id, site_id, agency_id, seq, prev_hash, hash, kind, "
                  "start_at, end_at, seconds, ended, source, playlist_id, version, item_id, "
                  "languages, media, timeline_version, body, received_at")
DAILY_COLUMNS = "day, screen_id, site_id, agency_id, playlist_id, item_id, kind, language, " \
                "plays, seconds"
HASH = "ab" * 32
MEDIA = '["' + "cd" * 32 + '"]'


def _record_row(r: tuple[Any, ...], as_text: Callable[[datetime], str]) -> tuple[Any, ...]:
    import json

    return (r[0], r[1], r[2], r[3], r[4], HASH, HASH, "item", as_text(r[5]), as_text(r[6]),
            r[7], "duration", "kiosk", r[8], 1, r[9], json.dumps(r[10]), MEDIA, 1, "{}",
            as_text(r[6]))


def fill_sqlite(path: Path, screens: int, days: int, per_day: int | None) -> int:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    marks = ", ".join("?" * 21)
    count = 0
    batch: list[tuple[Any, ...]] = []
    for r in records(screens, days, per_day):
        batch.append(_record_row(r, _time_text))
        if len(batch) == 100_000:
            db.executemany(f"INSERT INTO play_records ({RECORD_COLUMNS}) VALUES ({marks})",
                           batch)
            db.commit()
            count += len(batch)
            batch = []
    db.executemany(f"INSERT INTO play_records ({RECORD_COLUMNS}) VALUES ({marks})", batch)
    count += len(batch)
    db.executemany(f"INSERT INTO play_daily ({DAILY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, "
                   "'item', ?, ?, ?)",
                   [(k[0].isoformat(), *k[1:], v[0], v[1])
                    for k, v in daily(screens, days, per_day).items()])
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return count


def fill_postgres(url: str, screens: int, days: int, per_day: int | None) -> int:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    count = 0
    with psycopg.connect(plain) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY play_records ({RECORD_COLUMNS}) FROM STDIN") as copy:
            for r in records(screens, days, per_day):
                copy.write_row(_record_row(r, lambda m: m.isoformat()))
                count += 1
        with cur.copy(f"COPY play_daily ({DAILY_COLUMNS}) FROM STDIN") as copy:
            for k, v in daily(screens, days, per_day).items():
                copy.write_row((k[0], *k[1:6], "item", k[6], v[0], v[1]))
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return count


def measure(url: str, runs: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    year = parse_report_query({"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31",
                               "group_by": "agency"})
    month = parse_report_query({"from": f"{YEAR}-03-01", "to": f"{YEAR}-03-31",
                                "group_by": "day"})
    replay = parse_records_query({"screen": "bench-007", "from": f"{YEAR}-06-10T00:00:00+07:00",
                                  "to": f"{YEAR}-06-11T00:00:00+07:00", "limit": "1000"})
    start, end = year.start, year.end
    raw_year = (select(PlayRecord.agency_id, func.count(), func.sum(PlayRecord.seconds))
                .where(PlayRecord.start_at >= start, PlayRecord.start_at < end)
                .group_by(PlayRecord.agency_id))
    cases: dict[str, Callable[[Any], Any]] = {
        "year report (play_daily, by agency)": lambda s: plays_report(s, year, NOW),
        "month report (play_daily, by day)": lambda s: plays_report(s, month, NOW),
        "one screen's day of records (replay)": lambda s: read_records(s, replay),
        "year by agency from play_records": lambda s: s.execute(raw_year).all(),
        "baseline: COUNT(*) play_records": lambda s: s.execute(
            text("SELECT COUNT(*) FROM play_records")).scalar(),
        "baseline: COUNT(*) play_daily": lambda s: s.execute(
            text("SELECT COUNT(*) FROM play_daily")).scalar(),
    }
    times: dict[str, list[float]] = {}
    for name, case in cases.items():
        times[name] = []
        for run in range(runs + 1):
            with factory() as session:
                t0 = time.perf_counter()
                case(session)
                if run:  # the first run warms the caches
                    times[name].append(time.perf_counter() - t0)
    engine.dispose()
    return times


def _pg_database() -> tuple[str, Callable[[], None]] | None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"pano_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server: say so and go on with SQLite
        print(f"# PostgreSQL skipped: {str(exc).splitlines()[0]}", file=sys.stderr)
        return None

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_query",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, help="about this many records (default: "
                        "a full year, ~10 M)")
    parser.add_argument("--screens", type=int, default=SCREENS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    per_day = None
    if args.records:
        per_day = max(1, args.records // (args.screens * 365))
    results: dict[str, dict[str, list[float]]] = {}
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="pano-bench-report-") as tmp:
        for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
            drop = None
            if kind == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'plays.db'}"
            else:
                made = _pg_database()
                if made is None:
                    continue
                url, drop = made
            try:
                t0 = time.perf_counter()
                _seed(url, args.screens)
                fill = fill_sqlite if kind == "sqlite" else fill_postgres
                target: Any = Path(tmp) / "plays.db" if kind == "sqlite" else url
                counts[kind] = fill(target, args.screens, 365, per_day)
                print(f"# {kind}: {counts[kind]:,} records written in "
                      f"{time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
                results[kind] = measure(url, args.runs)
            finally:
                if drop:
                    drop()
    print(table(results, counts, args.runs))
    return 0


def table(results: dict[str, dict[str, list[float]]], counts: dict[str, int],
          runs: int) -> str:
    kinds = list(results)
    out = io.StringIO()
    sizes = ", ".join(f"{k}: {counts[k]:,} records" for k in kinds)
    out.write(f"Median of {runs} runs, ms ({sizes})\n\n")
    out.write("| query | " + " | ".join(kinds) + " |\n|---|" + "---:|" * len(kinds) + "\n")
    for name in next(iter(results.values()), {}):
        cells = [f"{1000 * statistics.median(results[k][name]):,.1f}" for k in kinds]
        out.write(f"| {name} | " + " | ".join(cells) + " |\n")
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
