"""A controller process killed without its goodbye must not leave its screens shown
connected: every serving process refreshes its row in ``controller_processes`` and names
its connections after its token; the elected process's beat marks disconnected the
screens of a process not seen for a minute. A real controller, a real player, the
other processes as their rows say (tests/e2e/test_leader_failover.py kills a real one)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
from web.helpers import wait_for

from controller.models import ControllerProcess, ScreenStatus
from controller.players import status
from controller.players.process_liveness import FORGET, TTL, marker, sweep_dead

LIVE, DEAD, GONE = "a1a1a1a1a1a1", "dead0dead0de", "0123456789ab"
HERE_SCREEN, DEAD_SCREEN, LIVE_SCREEN = ("chan-may-cruise-terminal", "phu-bai-arrivals",
                                         "a-dot-entry-hall")


def _connected(server, fleet) -> dict[str, bool]:
    response = requests.get(f"{server.url}/api/v1/screens",
                            headers={"Authorization": f"Bearer {fleet.users['technician']}"},
                            timeout=10)
    assert response.status_code == 200, response.text
    return {s["id"]: s["connected"] for s in response.json()["screens"]}


def _process(session, token: str, seen: datetime) -> None:
    session.merge(ControllerProcess(token=token, host="other", pid=1, started_at=seen,
                                    seen_at=seen))


def test_the_screens_of_a_process_not_seen_for_a_minute_are_shown_disconnected(
        players, fleet, server):
    beat = server.liveness
    assert server.leading and beat is not None
    here = players().connect(HERE_SCREEN, fleet.tokens[HERE_SCREEN])
    here.next_timeline()
    now = datetime.now(UTC)
    with fleet.sessions() as session:
        named = session.get(ScreenStatus, HERE_SCREEN).connection
        assert named.startswith(f"{beat.token}:"), named  # this process's name
        assert session.get(ControllerProcess, beat.token) is not None  # registered
        # Another process that died a while ago, and one alive, each holding a screen;
        # a third gone for more than a day (its row is deleted by the sweep).
        _process(session, DEAD, now - timedelta(seconds=TTL + 30))
        _process(session, LIVE, now)
        _process(session, GONE, now - FORGET - timedelta(hours=1))
        session.commit()
        status.mark_connected(session, DEAD_SCREEN, "10.0.0.7", None,
                              connection=marker(DEAD, "its-socket"))
        status.mark_connected(session, LIVE_SCREEN, "10.0.0.8", None,
                              connection=marker(LIVE, "its-socket"))
    assert all(_connected(server, fleet)[s] for s in (HERE_SCREEN, DEAD_SCREEN, LIVE_SCREEN))
    assert beat.beat() == 1  # the elected process's beat (every 5 s by itself)
    shown = _connected(server, fleet)
    assert (shown[HERE_SCREEN], shown[DEAD_SCREEN], shown[LIVE_SCREEN]) == (True, False, True)
    with fleet.sessions() as session:
        assert session.get(ScreenStatus, DEAD_SCREEN).connection is None
        assert {p.token for p in session.query(ControllerProcess)} >= {DEAD, LIVE}
        assert session.get(ControllerProcess, GONE) is None
    here.close()
    assert here.disconnected.wait(10)
    wait_for(lambda: not _connected(server, fleet)[HERE_SCREEN], timeout=10,
             what="this process's own disconnect still marks its screen")


def test_a_process_taken_for_dead_shows_its_open_connections_again(players, fleet, server):
    """Its beats stopped for longer than the minute (the database out of reach): another
    process's sweep marked its screens disconnected; its next beat names them again —
    but not a screen another connection named meanwhile."""
    beat = server.liveness
    here = players().connect(HERE_SCREEN, fleet.tokens[HERE_SCREEN])
    here.next_timeline()
    other = players().connect(LIVE_SCREEN, fleet.tokens[LIVE_SCREEN])
    other.next_timeline()
    later = datetime.now(UTC) + timedelta(seconds=TTL + 5)
    with fleet.sessions() as session:  # the other leader's sweep, a minute on
        _process(session, LIVE, later)
        session.commit()
        assert sweep_dead(session, later) >= 2
        session.commit()
    with fleet.sessions() as session:  # meanwhile LIVE_SCREEN connected elsewhere
        status.mark_connected(session, LIVE_SCREEN, "10.0.0.8", None,
                              connection=marker(LIVE, "newer"))
    shown = _connected(server, fleet)
    assert (shown[HERE_SCREEN], shown[LIVE_SCREEN]) == (False, True)
    with fleet.sessions() as session:  # this process's row as it stood a minute ago
        row = session.get(ControllerProcess, beat.token)
        row.seen_at = datetime.now(UTC) - timedelta(seconds=TTL + 1)
        session.commit()
    beat.beat()
    assert _connected(server, fleet)[HERE_SCREEN] is True
    with fleet.sessions() as session:
        assert session.get(ScreenStatus, HERE_SCREEN).connection.startswith(beat.token)
        assert session.get(ScreenStatus, LIVE_SCREEN).connection == marker(LIVE, "newer")
    here.close()
    other.close()


def test_a_connection_named_before_tokens_is_left_to_its_own_disconnect(fleet):
    """Rows written before this version name a bare Socket.IO session id: no process
    can be told from it, so no sweep touches it."""
    with fleet.sessions() as session:
        status.mark_connected(session, DEAD_SCREEN, "10.0.0.7", None, connection="bare-sid-1")
        sweep_dead(session, datetime.now(UTC) + timedelta(seconds=TTL + 10))
        session.commit()
        assert session.get(ScreenStatus, DEAD_SCREEN).connected
        status.mark_disconnected(session, DEAD_SCREEN, "bare-sid-1")


def test_a_screen_whose_latest_connection_ended_elsewhere_is_shown_connected_again(
        players, fleet, server):
    """Two devices with one credential, each through another process: the newer one's
    process ends it and marks the screen disconnected (it knows no heir), while this
    process still holds the older one: its next beat names it again."""
    here = players().connect(HERE_SCREEN, fleet.tokens[HERE_SCREEN])
    here.next_timeline()
    with fleet.sessions() as session:  # the other process's newer connect, then its end
        status.mark_connected(session, HERE_SCREEN, "10.0.0.9", None,
                              connection=marker(LIVE, "newer"))
        assert status.mark_disconnected(session, HERE_SCREEN, marker(LIVE, "newer"))
    assert _connected(server, fleet)[HERE_SCREEN] is False
    server.liveness.beat()
    assert _connected(server, fleet)[HERE_SCREEN] is True
    here.close()
    assert here.disconnected.wait(10)
    wait_for(lambda: not _connected(server, fleet)[HERE_SCREEN], timeout=10,
             what="shown disconnected once this process's connection ended too")


def test_a_row_naming_a_connection_of_this_process_no_longer_open_is_cleared(fleet, server):
    """A reassertion that crossed the end of the connection it named (the beat read the
    connection open, the disconnect wrote first): the next beat finds the row naming a
    connection this process no longer holds and clears it, whoever else is named."""
    beat = server.liveness
    with fleet.sessions() as session:
        status.mark_connected(session, DEAD_SCREEN, "10.0.0.7", None,
                              connection=marker(beat.token, "ended-meanwhile"))
        status.mark_connected(session, LIVE_SCREEN, "10.0.0.8", None,
                              connection=marker(LIVE, "open-elsewhere"))
        _process(session, LIVE, datetime.now(UTC))
        session.commit()
    beat.beat()
    shown = _connected(server, fleet)
    assert (shown[DEAD_SCREEN], shown[LIVE_SCREEN]) == (False, True)
