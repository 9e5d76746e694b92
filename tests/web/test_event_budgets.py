"""Per-connection budgets of /player events (docs/protocol.md section 5, "Limits"): an
event over its budget is refused with a sentence saying the limit, told once, and a
connection that keeps sending refused events is closed; other connections never notice."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
import requests
import socketio
from web.helpers import Api, Fleet, wait_for

from controller.edge.limits import (
    FLOOD_COOLDOWN,
    FLOOD_REFUSALS,
    PLAYER_EVENT_BUDGETS,
    event_budgets,
)
from controller.players.event_budget import EventBudgets

SCREEN, OTHER = "chan-may-cruise-terminal", "a-dot-entry-hall"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """A controller at the default heartbeat interval (15 s), whose heartbeat budget is
    the table's (the tests' usual 0.5 s interval allows one every 0.17 s)."""
    fleet = Fleet.seeded(tmp_path_factory.mktemp("controller"), heartbeat_interval=15.0)
    yield fleet
    fleet.close()


def test_the_heartbeat_budget_follows_the_interval_the_controller_asks_for():
    """A player beating every second for a minute, as a controller set to 1 s asks: all
    let through; the table's budget alone (one every 5 s) would refuse most of them."""
    assert event_budgets(15.0) is PLAYER_EVENT_BUDGETS
    assert event_budgets(1.0)["heartbeat"].every == pytest.approx(1 / 3, abs=1e-3)
    assert event_budgets(1.0)["time"] == PLAYER_EVENT_BUDGETS["time"]
    fast, table = EventBudgets(0.0, heartbeat_interval=1.0), EventBudgets(0.0)
    beats = [float(second) for second in range(60)]
    assert all(fast.allow("heartbeat", at) for at in beats)
    assert sum(table.allow("heartbeat", at) for at in beats) < 20


def test_heartbeats_over_budget_are_refused_and_told_once(players, fleet, caplog):
    caplog.set_level(logging.WARNING, "pano.players")
    player = players().connect(SCREEN, fleet.tokens[SCREEN])
    burst = PLAYER_EVENT_BUDGETS["heartbeat"].burst
    answers = [player.call("heartbeat", {"uptime": 1.0}) for _ in range(burst + 4)]
    assert [a["ok"] for a in answers] == [True] * burst + [False] * 4
    refused = answers[-1]
    assert refused["error"] == "rate_limited"
    assert (f"at most {burst} at once, then one every "
            f"{PLAYER_EVENT_BUDGETS['heartbeat'].every:g} s") in refused["message"]
    # Told once (an error event and a log line), not once per refused event.
    wait_for(lambda: player.errors, what="the error event")
    time.sleep(0.3)
    assert [e["event"] for e in player.errors] == ["heartbeat"]
    assert sum("refused heartbeat" in r.getMessage() for r in caplog.records) == 1
    # Other kinds have their own budgets; the connection is still fine.
    assert player.call("time")["ok"] is True
    assert player.client.connected


def test_the_budget_refills(players, fleet):
    player = players().connect(SCREEN, fleet.tokens[SCREEN])
    budget = PLAYER_EVENT_BUDGETS["timeline_request"]
    for _ in range(budget.burst):
        assert player.call("timeline_request", {})["ok"] is True
    assert player.call("timeline_request", {})["error"] == "rate_limited"
    time.sleep(budget.every + 0.5)
    assert player.call("timeline_request", {})["ok"] is True


def test_a_connection_that_keeps_sending_refused_events_is_closed(players, fleet):
    other = players().connect(OTHER, fleet.tokens[OTHER])
    flooder = players().connect(SCREEN, fleet.tokens[SCREEN])
    for _ in range(int(FLOOD_REFUSALS.value) + 5):
        if flooder.disconnected.is_set():
            break
        flooder.client.emit("no_such_event", {}, namespace="/player")
        flooder.client.emit("heartbeat", {"uptime": 1.0}, namespace="/player")
    wait_for(flooder.disconnected.is_set, what="the flooding connection closed")
    assert any("disconnecting" in e["message"] for e in flooder.errors), flooder.errors
    # The other screen's connection is untouched and answered.
    assert other.client.connected and not other.disconnected.is_set()
    assert other.call("heartbeat", {"uptime": 2.0}) == {"ok": True}
    # Reconnecting at once is refused for the cool-down (the flood must not cost the
    # controller a connect, a timeline and a disconnect many times a second)...
    refused = players()
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(SCREEN, fleet.tokens[SCREEN])
    wait_for(lambda: refused.connect_errors, what="the refusal")
    assert "disconnected for flooding" in str(refused.connect_errors[-1])
    # ... and once it is over, the screen comes back with fresh budgets.
    time.sleep(FLOOD_COOLDOWN.value + 0.5)
    again = players().connect(SCREEN, fleet.tokens[SCREEN])
    assert again.call("heartbeat", {"uptime": 3.0}) == {"ok": True}


def test_the_http_write_routes_have_the_events_budgets_per_screen(server, fleet):
    api = Api(server)
    token = fleet.tokens["a-dot-outdoor-pano"]
    burst = PLAYER_EVENT_BUDGETS["heartbeat"].burst
    # Refused heartbeats spend nothing: the budget bounds what is written.
    for _ in range(burst + 2):
        assert api("POST", "/player/heartbeat", token, {"uptime": -1})[0] == 400
    for _ in range(burst):
        assert api("POST", "/player/heartbeat", token, {"uptime": 1})[0] == 200
    response = requests.post(server.url + "/api/v1/player/heartbeat", json={"uptime": 1},
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"] == "rate_limited"
    assert "per screen" in response.json()["message"]
    # Another screen has its own budget.
    assert api("POST", "/player/heartbeat", fleet.tokens["a-dot-entry-hall"],
               {"uptime": 1})[0] == 200
