"""Fetch, parse and store, with a real database and a real feed server: a snapshot is
kept through failures, a 304 keeps it and says it was checked, a change of records is
recorded as ``source:<id>``, a CAP feed goes to the CAP ingestion, and the poller runs
each due source on its own, a slow one holding up nobody."""

from __future__ import annotations

import time
from datetime import timedelta

from sources.conftest import T0
from sqlalchemy import select

from controller.models import ChangeLogEntry, DataSourceState
from controller.sources.polling import SourcePoller, refresh
from controller.sources.views import one


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self):
        return self.now


def _state(db, source_id: str) -> DataSourceState:
    with db.sessions() as session:
        state = session.get(DataSourceState, source_id)
        session.expunge(state)
        return state


def _scopes(db) -> list[str]:
    with db.sessions() as session:
        return [f"{e.kind}:{e.key}" for e in session.scalars(select(ChangeLogEntry)
                                                              .order_by(ChangeLogEntry.id))]


def _view(db, source_id: str, clock: Clock, language: str = "en") -> dict:
    with db.sessions() as session:
        return one(session, source_id, clock(), language)


def test_good_data_then_a_failure_keeps_it_then_a_304(db, feeds):
    feeds.set_file("/arrivals.json", feeds.files["/board.json"][0], "application/json")
    db.declare({"id": "arrivals", "kind": "json", "url": feeds.url("/arrivals.json"),
                "records": "arrivals", "timeout": 1, "stale_after": 300})
    clock = Clock()
    assert _view(db, "arrivals", clock)["status"] == "pending"
    assert refresh(db.settings, db.sessions, "arrivals", clock)
    view = _view(db, "arrivals", clock)
    assert (view["status"], view["record_count"], view["stale"], view["age"]) == \
        ("ok", 2, False, 0.0)
    assert _scopes(db) == ["source:arrivals"]
    good = _state(db, "arrivals")
    assert good.records[0]["flight"] == "VN1541" and good.etag

    # The publisher breaks the feed: the error is the status, the data stay.
    feeds.set_file("/arrivals.json", b'{"arrivals": [', "application/json")
    clock.now = T0 + timedelta(minutes=2)
    refresh(db.settings, db.sessions, "arrivals", clock)
    view = _view(db, "arrivals", clock)
    assert view["status"] == "error" and view["failures"] == 1
    assert view["last_error"].startswith("the feed is not acceptable JSON: ")
    assert view["record_count"] == 2 and view["last_success_at"] == T0.isoformat()
    assert _state(db, "arrivals").records == good.records
    assert _scopes(db) == ["source:arrivals"]  # nothing changed for the timelines

    # Fixed, then unchanged: the second poll gets a 304 and only says it checked.
    feeds.set_file("/arrivals.json", feeds.files["/board.json"][0], "application/json")
    clock.now = T0 + timedelta(minutes=4)
    refresh(db.settings, db.sessions, "arrivals", clock)
    assert _scopes(db) == ["source:arrivals"]  # the same records: no change recorded
    hits = feeds.hits["/arrivals.json"]
    clock.now = T0 + timedelta(minutes=6)
    refresh(db.settings, db.sessions, "arrivals", clock)
    assert feeds.hits["/arrivals.json"] == hits + 1
    state = _state(db, "arrivals")
    assert state.status == "ok" and state.failures == 0
    assert state.fetched_at.replace(tzinfo=T0.tzinfo) == T0 + timedelta(minutes=4)
    assert state.checked_at.replace(tzinfo=T0.tzinfo) == T0 + timedelta(minutes=6)

    # Six minutes later nobody could confirm it: the data are stale.
    clock.now = T0 + timedelta(minutes=12)
    view = _view(db, "arrivals", clock)
    assert view["stale"] and view["age"] == 360.0


def test_new_records_are_a_change_of_the_source(db, feeds):
    feeds.set_file("/news-live.rss", feeds.files["/news.rss"][0], "application/rss+xml")
    db.declare({"id": "news", "kind": "rss", "url": feeds.url("/news-live.rss")})
    refresh(db.settings, db.sessions, "news", Clock())
    body = feeds.files["/news.rss"][0].replace("Chợ đêm".encode(), "Chợ đêm Huế".encode())
    feeds.set_file("/news-live.rss", body, "application/rss+xml")
    refresh(db.settings, db.sessions, "news", Clock())
    assert _scopes(db) == ["source:news", "source:news"]
    assert _state(db, "news").records[1]["title"] == "Chợ đêm Huế"


def test_a_timeout_and_a_bomb_are_statuses_not_crashes(db, feeds):
    db.declare({"id": "slow", "kind": "json", "url": feeds.url("/slow"), "timeout": 1},
               {"id": "bomb", "kind": "rss", "url": feeds.url("/bomb.xml")})
    clock = Clock()
    refresh(db.settings, db.sessions, "slow", clock)
    refresh(db.settings, db.sessions, "bomb", clock)
    assert _view(db, "slow", clock)["last_error"] == "127.0.0.1 did not answer within 1 s"
    bomb = _view(db, "bomb", clock)
    assert bomb["status"] == "error" and "entity expansion" in bomb["last_error"]
    assert bomb["record_count"] is None and bomb["stale"]


def test_errors_are_said_in_vietnamese_too(db, feeds):
    db.declare({"id": "broken", "kind": "json", "url": feeds.url("/error")})
    refresh(db.settings, db.sessions, "broken", Clock())
    said = _view(db, "broken", Clock(), "vi")["last_error"]
    assert said.startswith("127.0.0.1 trả lời HTTP 500"), said


def test_a_cap_feed_goes_to_the_cap_ingestion(db, feeds):
    db.declare({"id": "warnings", "kind": "cap", "url": feeds.url("/news.rss")})
    refresh(db.settings, db.sessions, "warnings", Clock())
    view = _view(db, "warnings", Clock())
    said = view["note"] or view["last_error"] or ""
    assert "CAP" in said, view  # the ingestion's own sentence (an RSS feed is not CAP)


def test_the_poller_runs_due_sources_each_on_its_own(db, feeds):
    feeds.release.clear()
    db.declare({"id": "held", "kind": "json", "url": feeds.url("/hold"), "timeout": 20},
               {"id": "board", "kind": "json", "url": feeds.url("/board.json"),
                "records": "arrivals", "every": 60})
    clock = Clock()
    poller = SourcePoller(db.settings, db.sessions, clock, fetchers=4)
    try:
        assert sorted(poller.tick()) == ["board", "held"]
        deadline = time.monotonic() + 10
        while _state(db, "board").status != "ok" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _state(db, "board").status == "ok"
        assert poller.running() == {"held"}  # still waiting on its server
        assert poller.tick() == []  # neither is due again, and held is running
        clock.now = T0 + timedelta(seconds=61)
        assert poller.tick() == ["board"]
    finally:
        feeds.release.set()
        poller.stop(wait=True)
    assert _state(db, "held").last_error is not None
