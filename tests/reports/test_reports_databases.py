"""The same report over the same data on SQLite and on a real PostgreSQL: the SQL is
shared, the numbers must be too (day boundaries, per-language rows, availability)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from reports.plays_data import ARRIVALS, EXPECTED, build_march
from support.postgres import pg_url  # noqa: F401  (fixture)
from web.helpers import REPO

from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.reports.filters import ReportQuery, parse_report_query
from controller.reports.plays_report import plays_report
from controller.reports.records import parse_records_query, read_records
from controller.review.agencies import import_agencies
from controller.zones.declarations import import_layouts

NOW = datetime(2026, 12, 6, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'pano.db'}" if request.param == "sqlite" else \
        request.getfixturevalue("pg_url")
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
        import_sites(session, REPO / "config" / "sites.yaml")
        import_agencies(session, REPO / "config" / "agencies.yaml")
        import_playlists(session, REPO / "playlists", MediaStore(tmp_path / "media"),
                         REPO / "media", approve=True)
        build_march(session)
        session.commit()
        yield session
    engine.dispose()


def _query(**args) -> ReportQuery:
    return parse_report_query({"from": "2026-03-01", "to": "2026-03-31", **args})


def test_the_numbers_are_the_same_on_both(session):
    whole = plays_report(session, _query(), NOW)
    assert (whole["totals"]["plays"], whole["totals"]["airtime_seconds"]) == (7, 105.0)
    assert whole["totals"]["qr_scans"] == 2
    by_language = plays_report(session, _query(group_by="language"), NOW)["rows"]
    assert {r["key"]["language"]: (r["plays"], r["airtime_seconds"]) for r in by_language} \
        == EXPECTED["language"]
    months = plays_report(session, parse_report_query(
        {"from": "2026-02-01", "to": "2026-04-30", "group_by": "month"}), NOW)["rows"]
    assert [(r["key"]["month"], r["plays"]) for r in months] == [
        ("2026-02", 1), ("2026-03", 7), ("2026-04", 1)]
    screens = {s["screen"]: s["availability"] for s in whole["availability"]["screens"]}
    assert screens[ARRIVALS] == round(EXPECTED["availability"][ARRIVALS], 6)
    assert whole["emergencies"][0]["first_screen_seconds"] == 2.0


def test_records_and_paging_are_the_same_on_both(session):
    query = parse_records_query({"screen": ARRIVALS, "from": "2026-03-10T00:00:00Z",
                                 "to": "2026-03-11T00:00:00Z", "limit": "2"})
    first = read_records(session, query)
    query.after = parse_records_query({**{"screen": ARRIVALS, "from": "2026-03-10T00:00:00Z",
                                          "to": "2026-03-11T00:00:00Z"},
                                       "cursor": first["next_cursor"]}).after
    second = read_records(session, query)
    assert [r["seq"] for r in first["records"] + second["records"]] == [1, 2, 3, 4]
    assert first["records"][0]["start"] == "2026-03-10T01:00:00Z"
