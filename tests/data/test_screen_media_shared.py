"""``screen_media`` kept from the files screens share (controller/timeline/media_access.py):
random changes give the rows a plain per-screen model gives, on SQLite and on
PostgreSQL (each has its own ``INSERT … ON CONFLICT``), screens sharing a stored set of
files have their live rows read once, from one of them, and their rows are written by
group, not by row."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select
from support.postgres import new_database

from controller.content.sites_import import import_sites
from controller.db import upgrade
from controller.models import Screen, ScreenMedia
from controller.timeline.media_access import GRACE
from controller.timeline.store import Row, store_batch
from controller.zones.declarations import import_layouts

from .conftest import REPO

FILES = [c * 64 for c in "abcdef"]
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


def _body(shas: set[str]) -> dict:
    return {"media": {sha: {"size": 1, "mime": "image/png"} for sha in shas}}


def _screens(session) -> list[str]:
    import_layouts(session, REPO / "config" / "layouts.yaml")
    import_sites(session, REPO / "config" / "sites.yaml")
    session.commit()
    return sorted(session.scalars(select(Screen.id)))


def _rows(session) -> dict[tuple[str, str], datetime | None]:
    """Every row's time it was dropped (None: live), as an aware UTC time."""
    return {(r.screen_id, r.sha256): r.dropped_at and r.dropped_at.replace(tzinfo=UTC)
            for r in session.scalars(select(ScreenMedia))}


def test_random_changes_give_the_rows_of_a_per_screen_model(session):
    screens = _screens(session)[:6]
    rng = random.Random(14)
    model: dict[tuple[str, str], datetime | None] = {}
    stored: dict[str, tuple[int, str]] = {}
    sets = [set(rng.sample(FILES, rng.randint(0, 4))) for _ in range(3)]
    for step in range(40):
        now = T0 + timedelta(hours=3 * step)  # some drops outlive GRACE
        if step % 5 == 0:  # the fleet's few sets of files change now and then
            sets[rng.randrange(3)] = set(rng.sample(FILES, rng.randint(0, 4)))
        chosen = rng.sample(screens, rng.randint(1, len(screens)))
        batch = []
        for screen in chosen:
            shas = sets[rng.randrange(3)]  # screens share a set, as fleets do
            version = stored[screen][0] + 1 if screen in stored else 1
            batch.append(Row(screen, stored.get(screen), version, f"h{step}", _body(shas), now))
            # The model: the screen's rows dropped before GRACE are gone; named files
            # are live; files it named until now are dropped now.
            for key in [k for k in model if k[0] == screen]:
                if model[key] is not None and model[key] < now - GRACE:
                    del model[key]
            for key, dropped in list(model.items()):
                if key[0] == screen and dropped is None and key[1] not in shas:
                    model[key] = now
            for sha in shas:
                model[(screen, sha)] = None
        store_batch(session, batch)
        session.commit()
        for row in batch:
            stored[row.screen_id] = (row.version, row.content_hash)
        assert _rows(session) == model, f"step {step}"


def test_screens_sharing_their_files_have_their_live_rows_read_once(session):
    screens = _screens(session)
    store_batch(session, [Row(s, None, 1, "h1", _body({FILES[0], FILES[1]}), T0)
                          for s in screens])
    session.commit()
    reads: list[tuple[str, dict]] = []
    writes: list[tuple[str, bool]] = []

    def seen(_conn, _cursor, statement, parameters, _context, many) -> None:
        if statement.startswith("SELECT screen_media.screen_id, screen_media.sha256"):
            reads.append((statement, parameters))
        if statement.startswith(("INSERT INTO screen_media ", "UPDATE screen_media ")):
            writes.append((statement, many))

    event.listen(session.get_bind(), "before_cursor_execute", seen)
    later = T0 + timedelta(hours=1)
    store_batch(session, [Row(s, (1, "h1"), 2, "h2", _body({FILES[0], FILES[2]}), later)
                          for s in screens])
    session.commit()
    event.remove(session.get_bind(), "before_cursor_execute", seen)
    live_read = [params for statement, params in reads if "dropped_at IS NULL" in statement]
    assert len(live_read) == 1
    # One screen's id: all of them share the stored set (SQLite binds a tuple, psycopg a
    # dict; either way one value).
    assert len(live_read[0]) == 1
    # One statement drops FILES[1] for every screen, one names FILES[2] for every
    # screen: not a parameter row per screen and file (an executemany).
    assert [many for _, many in writes] == [False, False], writes
    rows = _rows(session)
    for screen in screens:
        assert rows[(screen, FILES[0])] is None and rows[(screen, FILES[2])] is None
        assert rows[(screen, FILES[1])] == later
