"""``screen_media``: which files each screen may fetch (controller/timeline/
media_access.py), kept in the transaction that stores timelines; the lookup a player's
every download makes is one primary-key search; migration 0008 fills it from the
timelines already stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from controller.content.sites_import import import_sites
from controller.db import make_session_factory, upgrade
from controller.models import ScreenMedia, ScreenMediaDigest
from controller.timeline.media_access import _LOOKUP, GRACE, may_fetch, media_digest, record
from controller.timeline.store import Row, store_batch
from controller.zones.declarations import import_layouts

from .conftest import REPO, engine_at

SCREEN, OTHER = "phu-bai-arrivals", "phu-bai-baggage"
A, B, C = "a" * 64, "b" * 64, "c" * 64
T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def body(*shas: str) -> dict:
    return {"media": {sha: {"size": 1, "mime": "image/png"} for sha in shas}}


def rows(session) -> dict[tuple[str, str], datetime | None]:
    return {(r.screen_id, r.sha256): r.dropped_at for r in session.scalars(select(ScreenMedia))}


def test_the_rows_follow_the_stored_timelines(session):
    import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
    import_sites(session, REPO / "config" / "sites.yaml")
    store_batch(session, [Row(SCREEN, None, 1, "h1", body(A, B), T0),
                          Row(OTHER, None, 1, "h1", body(C), T0)])
    session.commit()
    assert rows(session) == {(SCREEN, A): None, (SCREEN, B): None, (OTHER, C): None}
    assert may_fetch(session, SCREEN, A, T0) and not may_fetch(session, SCREEN, C, T0)

    # B leaves the timeline: still fetchable during the grace period, then not.
    later = T0 + timedelta(hours=1)
    store_batch(session, [Row(SCREEN, (1, "h1"), 2, "h2", body(A), later)])
    session.commit()
    assert rows(session)[(SCREEN, B)] is not None
    assert may_fetch(session, SCREEN, B, later + GRACE - timedelta(seconds=1))
    assert not may_fetch(session, SCREEN, B, later + GRACE + timedelta(seconds=1))

    # B comes back: named again, whatever happened in between.
    back = later + timedelta(hours=2)
    store_batch(session, [Row(SCREEN, (2, "h2"), 3, "h3", body(A, B), back)])
    session.commit()
    assert rows(session)[(SCREEN, B)] is None

    # Dropped again, and a rebuild after the grace period deletes the row for good.
    store_batch(session, [Row(SCREEN, (3, "h3"), 4, "h4", body(A), back)])
    store_batch(session, [Row(SCREEN, (4, "h4"), 5, "h5", body(A), back + GRACE * 2)])
    session.commit()
    assert (SCREEN, B) not in rows(session)
    assert rows(session)[(OTHER, C)] is None  # other screens untouched


def test_the_lookup_is_one_primary_key_search(session):
    plan = session.execute(text("EXPLAIN QUERY PLAN " + str(_LOOKUP.compile(
        compile_kwargs={"literal_binds": False}))),
        {"screen": SCREEN, "sha": A, "cutoff": T0}).all()
    details = " ".join(str(row[-1]) for row in plan)
    # SQLite's index of the (screen_id, sha256) primary key, both columns used.
    assert "SEARCH screen_media USING INDEX" in details, details
    assert "(screen_id=? AND sha256=?)" in details, details


def test_migration_0008_fills_the_table_from_stored_timelines(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = engine_at(url, "0007")
    with engine.begin() as conn:  # a screen and a timeline as a 0007 controller stored them
        # (plain SQL: today's models describe a newer schema)
        conn.execute(text("INSERT INTO sites (id, name_vi, name_en, timezone, updated_at) "
                          "VALUES ('phu-bai-airport', 'Phú Bài', 'Phu Bai', "
                          "'Asia/Ho_Chi_Minh', '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO screens (id, site_id, name_vi, name_en, orientation, width, height, "
            "languages, bilingual_mode, alternate_timing, timezone, tags, updated_at) "
            "VALUES (:s, 'phu-bai-airport', 'Sảnh đến', 'Arrivals', 'landscape', 1920, 1080, "
            "'[\"vi\", \"en\"]', 'dual', 'split', 'Asia/Ho_Chi_Minh', '[]', "
            "'2026-01-01 00:00:00')"), {"s": SCREEN})
        conn.execute(text("INSERT INTO screen_timelines (screen_id, version, content_hash, "
                          "body, built_at) VALUES (:s, 3, 'h', :b, '2026-12-01 00:00:00')"),
                     {"s": SCREEN, "b": json.dumps({"media": {A: {"size": 1}, B: {}}})})
    upgrade(url)
    with make_session_factory(engine)() as session:
        assert rows(session) == {(SCREEN, A): None, (SCREEN, B): None}
        assert may_fetch(session, SCREEN, A, datetime.now(UTC))
        assert session.get(ScreenMediaDigest, SCREEN).digest == media_digest([B, A])
        record(session, [])  # nothing stored, nothing changes
        assert len(rows(session)) == 2
    engine.dispose()
