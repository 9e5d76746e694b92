"""The incremental rebuild's queries on PostgreSQL (the property test runs on SQLite):
one fixed sequence of every kind of change, ids that name nothing among them (a number
beyond PostgreSQL's INTEGER too), each followed by ``rebuild_for`` and a fresh
publisher's full rebuild that must find nothing to change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support.postgres import pg_url  # noqa: F401  (fixture)
from timeline_incremental import edits
from timeline_incremental.conftest import Clock, populate

from controller.changes import Scope
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.timeline.publisher import TimelinePublisher

START = datetime(2026, 11, 27, 14, 50, tzinfo=UTC)  # 21:50 in Huế, 23:50 in Tokyo


def test_every_kind_of_change_on_postgresql(pg_url, tmp_path) -> None:  # noqa: ANN001, F811
    upgrade(pg_url)
    engine = make_engine(pg_url)
    clock = Clock(START)
    try:
        with make_session_factory(engine)() as session:
            populate(session, MediaStore(tmp_path / "media"))
            publisher = TimelinePublisher(None, 15, clock=clock)
            publisher.rebuild(session)
            steps = [
                lambda: edits.approve_new_version(session, "invest-hue", 12),
                lambda: edits.create_schedule(session, "a", "sea-islands", "tags", "kiosk",
                                              22, 1),
                lambda: edits.edit_schedule(session, 0, "sea-islands", "sites",
                                            "chan-may-port"),
                lambda: edits.send_emergency(session, clock.now, "sites", "phu-bai-airport", 15),
                lambda: edits.set_default(session, "x-02", "border-welcome"),
                lambda: edits.move_screen(session, tmp_path, "x-06", "chan-may-port", "old"),
                lambda: [Scope("schedule", "99999999999"), Scope("emergency", "4" * 30),
                         Scope("media", "f" * 64), Scope("playlist", "none")],
                lambda: edits.delete_schedule(session, 0, by_slug=False),
                lambda: (setattr(clock, "now", clock.now + timedelta(minutes=20)), [])[1],
                lambda: edits.rename_playlist(session, "welcome-hue", "Welcome"),
            ]
            for number, step in enumerate(steps):
                scopes = step()
                session.commit()
                before = publisher.screens_built
                publisher.rebuild_for(session, scopes)
                assert publisher.screens_built - before < 31 or number == 9
                missed = TimelinePublisher(None, 15, clock=clock).rebuild(session)
                assert missed == [], f"step {number} ({scopes}): a full rebuild changed {missed}"
    finally:
        engine.dispose()
