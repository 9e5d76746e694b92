"""Which files each screen may fetch, kept per set (controller/timeline/media_access.py):
the rule a player's every download meets (its current timeline's files, and the files
of the one before for a day), kept by the transaction that stores timelines, on SQLite
and on PostgreSQL; a change of screens alike writes one set, nothing per screen; sets no
timeline names are swept, never one a rebuild is storing; a corrupted set opens
nothing; migration 0023 keeps every file a screen could fetch under 0022."""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, text, update
from support.postgres import new_database

from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.models import MediaSet, Screen, ScreenTimeline
from controller.timeline import media_access
from controller.timeline.media_access import (
    _CURRENT,
    GRACE,
    KNOWN_SETS,
    MediaSets,
    may_fetch,
    media_digest,
    sweep,
)
from controller.timeline.store import Row, store_batch
from controller.zones.declarations import import_layouts

from .conftest import REPO, engine_at

SCREEN, OTHER = "phu-bai-arrivals", "phu-bai-baggage"
FILES = [c * 64 for c in "abcdef"]
A, B, C = FILES[:3]
T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Both databases a controller runs on (this module's ``session`` is on it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'pano.db'}"
        upgrade(url)
        yield url
        return
    with new_database("pano_media") as url:
        upgrade(url)
        yield url


@pytest.fixture(autouse=True)
def _fresh_memory() -> Iterator[None]:
    """Each test reads its sets from its own database (the memory is per process)."""
    KNOWN_SETS._files.clear()
    KNOWN_SETS._reported.clear()
    yield
    KNOWN_SETS._files.clear()


def body(*shas: str) -> dict:
    return {"media": {sha: {"size": 1, "mime": "image/png"} for sha in shas}}


def screens(session) -> list[str]:
    import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
    import_sites(session, REPO / "config" / "sites.yaml")
    session.commit()
    return sorted(session.scalars(select(Screen.id)))


def store(session, stored: dict[str, tuple[int, str]], named: dict[str, set[str]],
          at: datetime) -> None:
    """Store a new version of each screen's timeline naming its files, and commit."""
    rows = []
    for screen, shas in named.items():
        old = stored.get(screen)
        version = old[0] + 1 if old else 1
        rows.append(Row(screen, old, version, f"h{version}", body(*shas), at))
    assert store_batch(session, rows) == rows
    session.commit()
    for row in rows:
        stored[row.screen_id] = (row.version, row.content_hash)


def test_a_screen_fetches_its_timelines_files_and_the_ones_before_for_a_day(session):
    screens(session)
    stored: dict[str, tuple[int, str]] = {}
    store(session, stored, {SCREEN: {A, B}, OTHER: {C}}, T0)
    assert may_fetch(session, SCREEN, A, T0) and may_fetch(session, SCREEN, B, T0)
    assert not may_fetch(session, SCREEN, C, T0)  # another screen's file
    assert not may_fetch(session, "no-such-screen", A, T0)

    # B leaves the timeline: still fetchable during the grace period, then not.
    later = T0 + timedelta(hours=1)
    store(session, stored, {SCREEN: {A}}, later)
    assert may_fetch(session, SCREEN, B, later + GRACE - timedelta(seconds=1))
    assert not may_fetch(session, SCREEN, B, later + GRACE + timedelta(seconds=1))
    assert may_fetch(session, SCREEN, A, later + GRACE * 3)  # named now: always

    # A new version naming the same files keeps the set before (and its time).
    store(session, stored, {SCREEN: {A}}, later + timedelta(hours=2))
    assert may_fetch(session, SCREEN, B, later + GRACE - timedelta(seconds=1))

    # B comes back: named again, whatever happened in between.
    back = later + timedelta(hours=3)
    store(session, stored, {SCREEN: {A, B}}, back)
    assert may_fetch(session, SCREEN, B, back + GRACE * 3)
    assert may_fetch(session, OTHER, C, back) and not may_fetch(session, OTHER, A, back)


def test_only_the_set_just_before_stays_open(session):
    """Two changes in a row: the files of the timeline two versions back are closed
    (the documented rule: a player holding that one gets the current one on connecting)."""
    screens(session)
    stored: dict[str, tuple[int, str]] = {}
    store(session, stored, {SCREEN: {A}}, T0)
    store(session, stored, {SCREEN: {B}}, T0 + timedelta(minutes=1))
    store(session, stored, {SCREEN: {C}}, T0 + timedelta(minutes=2))
    now = T0 + timedelta(minutes=3)
    assert may_fetch(session, SCREEN, C, now) and may_fetch(session, SCREEN, B, now)
    assert not may_fetch(session, SCREEN, A, now)


def test_random_changes_open_what_a_per_screen_model_opens(session):
    """Screens sharing a few sets that change now and then, changes hours apart (some
    past the grace): every (screen, file, time) answer is the model's."""
    fleet = screens(session)[:6]
    rng = random.Random(14)
    current: dict[str, set[str]] = {}
    before: dict[str, tuple[set[str], datetime]] = {}
    stored: dict[str, tuple[int, str]] = {}
    sets = [set(rng.sample(FILES, rng.randint(0, 4))) for _ in range(3)]
    for step in range(40):
        now = T0 + timedelta(hours=3 * step)
        if step % 5 == 0:
            sets[rng.randrange(3)] = set(rng.sample(FILES, rng.randint(0, 4)))
        named = {screen: set(sets[rng.randrange(3)])
                 for screen in rng.sample(fleet, rng.randint(1, len(fleet)))}
        for screen, shas in named.items():
            if screen in current and current[screen] != shas:
                before[screen] = (current[screen], now)
            current[screen] = shas
        store(session, stored, named, now)
        for ask in (now, now + GRACE - timedelta(minutes=1), now + GRACE + timedelta(hours=1)):
            for screen in fleet:
                for sha in FILES:
                    shas, until = before.get(screen, (set(), T0))
                    want = sha in current.get(screen, set()) or (
                        sha in shas and until > ask - GRACE)
                    assert may_fetch(session, screen, sha, ask) == want, (step, screen, sha)


def test_a_change_of_screens_alike_writes_one_set_and_nothing_per_screen(session):
    fleet = screens(session)
    stored: dict[str, tuple[int, str]] = {}
    store(session, stored, {screen: {A, B} for screen in fleet}, T0)
    writes: list[tuple[str, int]] = []

    def seen(_conn, _cursor, statement, parameters, _context, many) -> None:
        if statement.startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append((statement.split("(")[0].split(" SET")[0].strip(),
                           len(parameters) if many else 1))

    event.listen(session.get_bind(), "before_cursor_execute", seen)
    media_access._SWEPT.at = float("inf")  # no sweep in this change (tested below)
    try:
        store(session, stored, {screen: {A, C} for screen in fleet}, T0 + timedelta(hours=1))
    finally:
        media_access._SWEPT.at = time.monotonic()
        event.remove(session.get_bind(), "before_cursor_execute", seen)
    # The timelines' one UPDATE (a parameter row per screen, as before) and one set.
    assert writes == [("UPDATE screen_timelines", len(fleet)), ("INSERT INTO media_sets", 1)]
    later = T0 + timedelta(hours=2)
    for screen in fleet:
        assert may_fetch(session, screen, C, later) and may_fetch(session, screen, B, later)
    assert session.scalar(select(MediaSet.files).where(
        MediaSet.digest == media_digest([A, C]))) == " ".join(sorted([A, C]))


def test_the_lookup_is_a_primary_key_search(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'plan.db'}"  # SQLite's plan is what this test reads
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as session:
        plan = session.execute(text("EXPLAIN QUERY PLAN " + str(_CURRENT.compile())),
                               {"screen": SCREEN}).all()
    engine.dispose()
    details = " ".join(str(row[-1]) for row in plan)
    assert "SEARCH screen_timelines USING INDEX" in details, details
    assert "(screen_id=?)" in details, details


def test_the_sweep_deletes_only_sets_no_timeline_names(session):
    screens(session)
    stored: dict[str, tuple[int, str]] = {}
    store(session, stored, {SCREEN: {A}, OTHER: {C}}, T0)
    store(session, stored, {SCREEN: {B}}, T0 + timedelta(hours=1))  # {A} is SCREEN's before
    store(session, stored, {OTHER: {A, B, C}}, T0 + timedelta(hours=2))  # {C}: OTHER's before
    orphan = media_digest([FILES[5]])
    session.add(MediaSet(digest=orphan, files=FILES[5], used_at=T0))  # named by no row
    session.commit()

    def digests() -> set[str]:
        return set(session.scalars(select(MediaSet.digest)))

    assert sweep(session, T0 + timedelta(hours=3)) == 0  # everything used less than a day ago
    session.commit()
    assert sweep(session, T0 + GRACE + timedelta(minutes=30)) == 1  # the orphan alone
    session.commit()
    assert orphan not in digests() and media_digest([A]) in digests()
    # A day after SCREEN replaced {A}: it goes; {C}, replaced an hour later, stays.
    assert sweep(session, T0 + timedelta(hours=1) + GRACE + timedelta(minutes=1)) == 1
    session.commit()
    assert media_digest([A]) not in digests() and media_digest([C]) in digests()
    assert sweep(session, T0 + timedelta(hours=2) + GRACE + timedelta(minutes=1)) == 1
    session.commit()
    assert digests() == {media_digest([B]), media_digest([A, B, C])}  # what is named now
    assert may_fetch(session, SCREEN, B, T0 + GRACE * 5)
    assert may_fetch(session, OTHER, C, T0 + GRACE * 5)


def test_a_rebuild_sweeps_once_an_hour_has_passed(session):
    screens(session)
    orphan = media_digest([FILES[5]])
    session.add(MediaSet(digest=orphan, files=FILES[5], used_at=T0))
    session.commit()
    stored: dict[str, tuple[int, str]] = {}
    store(session, stored, {SCREEN: {A}}, T0 + GRACE * 2)  # within the hour: kept
    assert session.get(MediaSet, orphan) is not None
    media_access._SWEPT.at = time.monotonic() - media_access.SWEEP_EVERY  # an hour on
    try:
        store(session, stored, {SCREEN: {B}}, T0 + GRACE * 2)
    finally:
        media_access._SWEPT.at = time.monotonic()
    session.expire_all()
    assert session.get(MediaSet, orphan) is None
    assert may_fetch(session, SCREEN, A, T0 + GRACE * 2)  # the set before: kept


def test_a_set_a_rebuild_is_storing_survives_a_sweep_at_the_same_moment(db_url):
    """Another process sweeps while this one stores a timeline naming an old, unnamed
    set: the sweep waits for the rebuild's touch (its row locked) and keeps the set."""
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    old = T0 - GRACE * 2
    with sessions() as setup:
        screens(setup)
        setup.add(MediaSet(digest=media_digest([A]), files=A, used_at=old))  # unnamed
        setup.commit()
    with sessions() as rebuild, sessions() as sweeper:
        assert store_batch(rebuild, [Row(SCREEN, None, 1, "h", body(A), T0)])  # not committed
        deleted: list[int] = []
        done = threading.Event()

        def sweep_now() -> None:
            try:
                deleted.append(sweep(sweeper, T0))
                sweeper.commit()
            finally:
                done.set()

        worker = threading.Thread(target=sweep_now)
        worker.start()
        done.wait(1.0)  # SQLite: waits for the write lock; PostgreSQL: for the row lock
        rebuild.commit()
        worker.join(20)
        assert done.is_set() and deleted == [0]
    with sessions() as check:
        assert may_fetch(check, SCREEN, A, T0)
    engine.dispose()


def test_a_corrupted_set_opens_nothing_until_a_rebuild_stores_it_again(session, caplog):
    screens(session)
    stored: dict[str, tuple[int, str]] = {}
    store(session, stored, {SCREEN: {A, B}}, T0)
    digest = media_digest([A, B])
    session.execute(update(MediaSet).where(MediaSet.digest == digest)
                    .values(files=f"{A} {C}"))  # a damaged row now names C
    session.commit()
    KNOWN_SETS._files.clear()  # a process that has not read it yet
    with caplog.at_level(logging.ERROR, logger="pano.media"):
        assert not may_fetch(session, SCREEN, C, T0)
        assert not may_fetch(session, SCREEN, A, T0)
    assert any(digest in r.getMessage() and "corrupted" in r.getMessage()
               for r in caplog.records)
    store(session, stored, {SCREEN: {A, B}}, T0 + timedelta(minutes=1))  # same set again
    assert may_fetch(session, SCREEN, A, T0) and not may_fetch(session, SCREEN, C, T0)


def test_sets_of_one_batch_are_computed_once_per_shared_part():
    shared = body(A, B)["media"]
    sets = MediaSets()
    digests = {sets.of({"media": shared}) for _ in range(3)} | {sets.of({"media": {A: {}, B: {}}})}
    assert digests == {media_digest([B, A])} and sets.texts == {media_digest([A, B]): f"{A} {B}"}
    assert sets.of({}) == media_digest([])  # a timeline without files names the empty set


def test_migration_0023_keeps_what_each_screen_could_fetch(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = engine_at(url, "0022")
    now = datetime.now(UTC)
    recent, long_ago = now - timedelta(hours=2), now - GRACE - timedelta(hours=1)
    with engine.begin() as conn:  # what a 0022 controller stored (plain SQL: older schema)
        conn.execute(text("INSERT INTO sites (id, name_vi, name_en, timezone, updated_at) "
                          "VALUES ('phu-bai-airport', 'Phú Bài', 'Phu Bai', "
                          "'Asia/Ho_Chi_Minh', '2026-01-01 00:00:00')"))
        for screen in (SCREEN, OTHER):
            conn.execute(text(
                "INSERT INTO screens (id, site_id, name_vi, name_en, orientation, width, "
                "height, languages, bilingual_mode, alternate_timing, timezone, tags, "
                "updated_at) VALUES (:s, 'phu-bai-airport', 'Sảnh', 'Hall', 'landscape', "
                "1920, 1080, '[\"vi\", \"en\"]', 'dual', 'split', 'Asia/Ho_Chi_Minh', '[]', "
                "'2026-01-01 00:00:00')"), {"s": screen})
        conn.execute(text("INSERT INTO screen_timelines (screen_id, version, content_hash, "
                          "body, built_at) VALUES (:s, 3, 'h', :b, '2026-12-01 00:00:00')"),
                     {"s": SCREEN, "b": json.dumps(body(A, B))})
        conn.execute(text("INSERT INTO screen_timelines (screen_id, version, content_hash, "
                          "body, built_at) VALUES (:s, 1, 'h', '{}', '2026-12-01 00:00:00')"),
                     {"s": OTHER})
        for sha, dropped in ((A, None), (B, None), (C, recent), (FILES[3], long_ago)):
            conn.execute(text("INSERT INTO screen_media (screen_id, sha256, dropped_at) "
                              "VALUES (:s, :sha, :d)"),
                         {"s": SCREEN, "sha": sha,
                          "d": dropped and dropped.replace(tzinfo=None).isoformat(" ")})
    upgrade(url)
    with make_session_factory(engine)() as session:
        assert [may_fetch(session, SCREEN, sha, now) for sha in FILES[:4]] == [
            True, True, True, False]  # live, live, dropped 2 h ago, dropped over a day ago
        assert not may_fetch(session, SCREEN, C, recent + GRACE + timedelta(minutes=1))
        assert not any(may_fetch(session, OTHER, sha, now) for sha in FILES)
        row = session.get(ScreenTimeline, SCREEN)
        assert row.media_set == media_digest([A, B])
    from alembic import command

    from controller.db import alembic_config

    command.downgrade(alembic_config(url), "0022")  # and back: the rows as they were
    with engine.connect() as conn:
        rows = set(conn.execute(text("SELECT sha256, dropped_at IS NULL FROM screen_media "
                                     "WHERE screen_id = :s"), {"s": SCREEN}))
    assert rows == {(A, 1), (B, 1), (C, 0)}
    engine.dispose()
