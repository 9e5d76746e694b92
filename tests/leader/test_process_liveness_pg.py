"""The sweep of dead controller processes' screens and a late process's reassertion on
PostgreSQL (the web tests run them on SQLite against a real controller): the same
statements, the names' prefix read with ``substr`` on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from support.postgres import pg_url  # noqa: F401  (fixture)

from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.models import ControllerProcess, ScreenStatus
from controller.players import status
from controller.players.process_liveness import TTL, marker, reassert, sweep_dead
from controller.zones.declarations import import_layouts

SITES = Path(__file__).resolve().parents[2] / "config" / "sites.yaml"
DEAD, LIVE = "dead0dead0de", "a1a1a1a1a1a1"


def test_dead_processes_screens_swept_and_a_late_one_reasserted_on_postgresql(
        pg_url: str) -> None:  # noqa: F811
    upgrade(pg_url)
    engine = make_engine(pg_url)
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    with sessions() as session:
        import_layouts(session, SITES.with_name("layouts.yaml"))
        import_sites(session, SITES)
        for token, seen in ((DEAD, now - timedelta(seconds=TTL + 1)), (LIVE, now)):
            session.add(ControllerProcess(token=token, host="h", pid=1, started_at=seen,
                                          seen_at=seen))
        session.commit()
        for screen, name in (("phu-bai-arrivals", marker(DEAD, "s1")),
                             ("a-dot-entry-hall", marker(LIVE, "s2")),
                             ("chan-may-cruise-terminal", "bare-sid")):
            status.mark_connected(session, screen, "10.0.0.1", None, connection=name)
        assert sweep_dead(session, now) == 1
        session.commit()
        shown = {r.screen_id: r.connected for r in session.scalars(select(ScreenStatus))}
        assert shown == {"phu-bai-arrivals": False, "a-dot-entry-hall": True,
                         "chan-may-cruise-terminal": True}
        reassert(session, {"phu-bai-arrivals": marker(DEAD, "s1"),
                           "a-dot-entry-hall": marker(DEAD, "s9")})
        session.commit()
        rows = {r.screen_id: r.connection for r in session.scalars(select(ScreenStatus))}
        assert rows["phu-bai-arrivals"] == marker(DEAD, "s1")  # named again
        assert rows["a-dot-entry-hall"] == marker(LIVE, "s2")  # another's: left
    engine.dispose()
