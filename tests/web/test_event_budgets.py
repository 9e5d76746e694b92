"""Per-connection budgets of /player events (docs/protocol.md section 5, "Limits"): an
event over its budget is refused with a sentence saying the limit, told once, and a
connection that keeps sending refused events is closed; other connections never notice."""

from __future__ import annotations

import logging
import time

import pytest
import socketio
from web.helpers import wait_for

from controller.edge.limits import FLOOD_COOLDOWN, FLOOD_REFUSALS, PLAYER_EVENT_BUDGETS

SCREEN, OTHER = "chan-may-cruise-terminal", "a-dot-entry-hall"


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
