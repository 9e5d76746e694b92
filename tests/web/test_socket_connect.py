"""Connecting to /player: credentials, welcome and timeline, disconnect, revocation."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import socketio
from web.helpers import DEADLINE, wait_for

from controller.models import ScreenStatus

SCREEN = "phu-bai-arrivals"


def _refused(players, screen, token, auth_extra=None):
    player = players()
    with pytest.raises(socketio.exceptions.ConnectionError):
        player.connect(screen, token, **(auth_extra or {}))
    wait_for(lambda: player.connect_errors, what="connect_error")
    return player.connect_errors[0]["message"]


def _status(fleet, screen):
    with fleet.sessions() as session:
        return session.get(ScreenStatus, screen)


def test_missing_credential_is_refused_with_a_reason(players, caplog):
    caplog.set_level(logging.WARNING, "pano.security")
    message = _refused(players, SCREEN, None)
    assert "Missing credential" in message
    message = _refused(players, None, None)
    assert "Missing credential" in message
    assert any(r.name == "pano.security" and SCREEN in r.getMessage() for r in caplog.records)


def test_wrong_credential_is_refused_and_logged(players, caplog):
    caplog.set_level(logging.WARNING, "pano.security")
    message = _refused(players, SCREEN, "pst_not-the-right-one")
    assert "Wrong or revoked credential" in message and SCREEN in message
    record = next(r for r in caplog.records if r.name == "pano.security")
    assert SCREEN in record.getMessage() and "127.0.0.1" in record.getMessage()


def test_a_token_of_another_screen_is_refused(players, fleet):
    message = _refused(players, SCREEN, fleet.tokens["phu-bai-baggage"])
    assert "Wrong or revoked" in message


def test_unknown_screen_is_refused(players, fleet):
    assert "Unknown screen" in _refused(players, "no-such-screen", fleet.tokens[SCREEN])


def test_connect_gets_welcome_then_its_timeline_and_is_marked_connected(players, fleet):
    player = players().connect(SCREEN, fleet.tokens[SCREEN], software="test-player/1")
    timeline = player.next_timeline()
    assert player.welcomes[0]["screen"] == SCREEN
    assert player.welcomes[0]["protocol"] == 1
    assert player.welcomes[0]["heartbeat_interval"] == fleet.settings.heartbeat_interval
    assert timeline["screen"] == SCREEN and timeline["version"] >= 1
    assert timeline["segments"][0]["playlist"].startswith("welcome-hue@")
    assert timeline["generated_at"].endswith("Z")
    key = timeline["segments"][0]["playlist"]
    media = {v["media"] for item in timeline["playlists"][key]["items"]
             for v in item["variants"].values() if v["media"]}
    assert media and media <= set(timeline["media"])
    status = wait_for(lambda: (s := _status(fleet, SCREEN)) and s.connected and s,
                      what="connected in ScreenStatus")
    assert status.facts.get("software") == "test-player/1"

    player.client.disconnect()
    wait_for(lambda: not _status(fleet, SCREEN).connected, what="connected=false")


def test_two_connections_for_one_screen_both_get_the_timeline(players, fleet):
    first = players().connect(SCREEN, fleet.tokens[SCREEN])
    second = players().connect(SCREEN, fleet.tokens[SCREEN])
    assert first.next_timeline()["version"] == second.next_timeline()["version"]


def test_revoked_credential_cuts_the_connection_and_is_refused_afterwards(
        players, fleet, caplog):
    caplog.set_level(logging.WARNING, "pano.security")
    screen = "phu-bai-baggage"
    old = fleet.tokens[screen]
    player = players().connect(screen, old)
    player.next_timeline()
    bystander = players().connect("lang-co-bay-pano", fleet.tokens["lang-co-bay-pano"])
    bystander.next_timeline()

    new = fleet.new_token(screen)
    # The issue wakes the controller, which closes the connection within about a second
    # (credentials are checked at connect, not per event; tests/web/test_revocation.py
    # sends events meanwhile).
    assert player.disconnected.wait(DEADLINE)
    assert any("revoked" in e["message"].lower() for e in player.errors)
    assert any(screen in r.getMessage() for r in caplog.records if r.name == "pano.security")

    assert "Wrong or revoked" in _refused(players, screen, old)
    again = players().connect(screen, new)
    assert again.next_timeline()["screen"] == screen
    # Nobody else was affected.
    assert bystander.client.connected
    assert bystander.call("time")["ok"] is True


def test_silent_connection_is_cut_when_its_credential_is_revoked(players, fleet):
    screen = "chan-may-gate-kiosk"
    player = players().connect(screen, fleet.tokens[screen])
    player.next_timeline()
    fleet.new_token(screen)
    assert player.disconnected.wait(DEADLINE), "a revoked connection stayed open"


def test_a_client_that_acks_inside_its_timeline_handler_is_heard(players, fleet):
    """The first timeline arrives after the namespace is connected, so a client may
    answer it straight from its event handler (many third-party players do)."""
    player = players()
    acked: list[Any] = []

    def on_timeline(body):
        try:
            player.client.emit("ack", {"version": body["version"], "missing": []},
                               namespace="/player", callback=acked.append)
        except socketio.exceptions.BadNamespaceError as exc:  # the bug this guards
            acked.append({"ok": False, "message": str(exc)})

    player.client.on("timeline", on_timeline, namespace="/player")
    player.connect(SCREEN, fleet.tokens[SCREEN])
    wait_for(lambda: acked, what="ack answered")
    assert acked[0]["ok"] is True, acked
    wait_for(lambda: (s := _status(fleet, SCREEN)) and s.acked_version, what="ack stored")
