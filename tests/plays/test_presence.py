"""Online intervals (controller/plays/presence_log.py): opened by a WebSocket connect or
an HTTP heartbeat, closed by the disconnect or by the sweeper when the screen goes
silent, at most one open per screen even when two processes open at once, and what a
crash left open closed at start-up at the screen's last heartbeat — against a real
controller, and on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import insert, select
from web.helpers import wait_for

from controller.models import ScreenPresence, ScreenStatus
from controller.plays.presence_log import close_left_open, open_interval

SOCKET_SCREEN, HTTP_SCREEN = "chan-may-cruise-terminal", "a-dot-outdoor-pano"


def utc(moment):
    """SQLite hands back naive times (they are UTC); PostgreSQL aware ones."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None \
        else moment


def intervals(sessions, screen):
    with sessions() as session:
        rows = session.execute(select(ScreenPresence.since, ScreenPresence.until,
                                      ScreenPresence.via)
                               .where(ScreenPresence.screen_id == screen)
                               .order_by(ScreenPresence.id)).all()
    return [(utc(since), utc(until), via) for since, until, via in rows]


def last_seen(sessions, screen):
    with sessions() as session:
        return utc(session.scalar(select(ScreenStatus.last_seen)
                                  .where(ScreenStatus.screen_id == screen)))


def test_a_connection_is_one_interval_closed_by_its_disconnect(players, fleet):
    player = players().connect(SOCKET_SCREEN, fleet.tokens[SOCKET_SCREEN])
    [(since, until, via)] = intervals(fleet.sessions, SOCKET_SCREEN)
    assert until is None and via == "websocket"
    player.client.disconnect()
    wait_for(lambda: intervals(fleet.sessions, SOCKET_SCREEN)[-1][1] is not None,
             what="the interval closed by the disconnect")
    [(_, until, _)] = intervals(fleet.sessions, SOCKET_SCREEN)
    assert until >= since and (until - since).total_seconds() < 5


def test_a_silent_socket_is_closed_at_its_last_heartbeat_and_reopened_when_heard(
        players, fleet):
    before = len(intervals(fleet.sessions, SOCKET_SCREEN))
    player = players().connect(SOCKET_SCREEN, fleet.tokens[SOCKET_SCREEN])
    # The test player sends no heartbeat: after three missed ones the sweeper closes it.
    wait_for(lambda: intervals(fleet.sessions, SOCKET_SCREEN)[-1][1] is not None,
             what="the silent screen's interval closed")
    _, until, _ = intervals(fleet.sessions, SOCKET_SCREEN)[-1]
    assert until == last_seen(fleet.sessions, SOCKET_SCREEN)
    assert player.call("heartbeat", {"uptime": 5}) == {"ok": True}
    wait_for(lambda: len(intervals(fleet.sessions, SOCKET_SCREEN)) == before + 2,
             what="a new interval once the screen is heard again")
    assert intervals(fleet.sessions, SOCKET_SCREEN)[-1][1:] == (None, "websocket")
    player.client.disconnect()


def test_a_second_connection_of_a_screen_does_not_make_two_open_intervals(players, fleet):
    first = players().connect(SOCKET_SCREEN, fleet.tokens[SOCKET_SCREEN])
    second = players().connect(SOCKET_SCREEN, fleet.tokens[SOCKET_SCREEN])
    assert [r[1] is None for r in intervals(fleet.sessions, SOCKET_SCREEN)].count(True) == 1
    first.client.disconnect()
    second.client.disconnect()
    wait_for(lambda: all(r[1] is not None for r in intervals(fleet.sessions, SOCKET_SCREEN)),
             what="every interval closed")


def test_an_http_screen_is_open_while_heard_and_closed_when_silent(server, fleet):
    url = server.url + "/api/v1/player/heartbeat"
    auth = {"Authorization": f"Bearer {fleet.tokens[HTTP_SCREEN]}"}
    for _ in range(2):
        assert requests.post(url, json={"uptime": 1}, headers=auth, timeout=10).ok
    [(since, until, via)] = intervals(fleet.sessions, HTTP_SCREEN)
    assert until is None and via == "http"
    wait_for(lambda: intervals(fleet.sessions, HTTP_SCREEN)[-1][1] is not None,
             what="the HTTP screen's interval closed after its timeout")
    assert intervals(fleet.sessions, HTTP_SCREEN)[-1][1] == last_seen(fleet.sessions,
                                                                     HTTP_SCREEN)


def test_two_processes_opening_at_once_leave_one_interval_open(sessions):
    barrier = threading.Barrier(6)
    now = datetime.now(UTC)

    def one() -> None:
        barrier.wait()
        with sessions() as session:
            open_interval(session, "phu-bai-arrivals", "websocket", now)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    rows = intervals(sessions, "phu-bai-arrivals")
    assert len(rows) == 6 and [r[1] for r in rows].count(None) == 1


def test_intervals_left_open_by_a_crash_close_at_the_last_heartbeat(sessions):
    now = datetime.now(UTC).replace(microsecond=0)
    heard, recent = now - timedelta(minutes=30), now - timedelta(seconds=5)
    with sessions() as session:
        session.execute(insert(ScreenStatus), [
            {"screen_id": "phu-bai-arrivals", "connected": True, "missing_media": [],
             "facts": {}, "remote_addr": "", "last_seen": heard},
            {"screen_id": "a-dot-entry-hall", "connected": True, "missing_media": [],
             "facts": {}, "remote_addr": "", "last_seen": recent}])
        session.execute(insert(ScreenPresence), [
            {"screen_id": "phu-bai-arrivals", "since": now - timedelta(hours=2),
             "via": "websocket"},
            {"screen_id": "a-dot-entry-hall", "since": now - timedelta(hours=1),
             "via": "http"}])
        session.commit()
        # One of several processes: only the silent screen's interval is closed.
        assert close_left_open(session, alone=False, now=now, timeout=47) == 1
    assert intervals(sessions, "phu-bai-arrivals")[0][1] == heard
    assert intervals(sessions, "a-dot-entry-hall")[0][1] is None
    with sessions() as session:  # a lone controller: nobody is connected to it yet
        assert close_left_open(session, alone=True, now=now, timeout=47) == 1
    assert intervals(sessions, "a-dot-entry-hall")[0][1] == recent
