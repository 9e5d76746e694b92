"""A source that turns bad, end to end through the real poller and a real feed server:
whether it times out, answers 500, sends 100 MB (stopped while reading) or an entity
bomb, its status says so in a sentence, its last good records stay as they were (no
change recorded, so no screen is rebuilt), and a good source polled in the same tick is
fetched and stored as usual."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sources.conftest import T0
from sources.feed_server import HUGE
from sources.test_refresh import Clock, _scopes, _state

from controller.sources.polling import SourcePoller
from controller.sources.views import one


def _settle(poller: SourcePoller, what: str) -> None:
    deadline = time.monotonic() + 30
    while poller.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not poller.running(), f"{what}: the poll did not end"


@pytest.mark.parametrize(("bad", "said"), [
    ("/slow", "127.0.0.1 did not answer within 1 s"),
    ("/error", "127.0.0.1 answered HTTP 500 Internal Server Error"),
    ("/huge", "the feed is larger than 65536 bytes (max_bytes): nothing more was read"),
    ("/bomb.xml", "the feed's XML declares entities or refers to external ones, which "
                  "are refused (entity expansion attacks)"),
])
def test_a_source_turning_bad_keeps_its_data_and_disturbs_no_other(db, feeds, bad, said):
    feeds.aliases["/live.rss"] = "/news.rss"
    db.declare({"id": "news", "kind": "rss", "url": feeds.url("/live.rss"), "timeout": 1,
                "max_bytes": 65536},
               {"id": "board", "kind": "json", "url": feeds.url("/board.json"),
                "records": "arrivals"})
    clock = Clock()
    poller = SourcePoller(db.settings, db.sessions, clock, fetchers=4)
    try:
        assert sorted(poller.tick()) == ["board", "news"]
        _settle(poller, "the first poll")
        good = _state(db, "news")
        assert good.status == "ok" and good.record_count == 2
        changes = _scopes(db)
        board_hits = feeds.hits.get("/board.json", 0)

        feeds.aliases["/live.rss"] = bad
        feeds.sent = 0
        feeds.huge_done.clear()
        clock.now = T0 + timedelta(seconds=61)
        assert sorted(poller.tick()) == ["board", "news"]
        _settle(poller, bad)
    finally:
        poller.stop(wait=True)
        feeds.aliases.pop("/live.rss", None)

    with db.sessions() as session:
        view = one(session, "news", clock(), "en")
    assert view["status"] == "error" and view["last_error"].startswith(said), view
    assert view["record_count"] == 2 and not view["stale"]  # the last good data, shown
    kept = _state(db, "news")
    assert kept.records == good.records and kept.digest == good.digest
    assert _scopes(db) == changes  # nothing changed for the timelines
    if bad == "/huge":
        assert feeds.huge_done.wait(10) and feeds.sent < HUGE // 5
    board = _state(db, "board")
    assert board.status == "ok" and board.failures == 0
    assert feeds.hits["/board.json"] > board_hits  # fetched again meanwhile
    assert board.checked_at.replace(tzinfo=T0.tzinfo) == clock.now
