"""Bad input from a player: each gets a clear refusal, is logged, stores nothing, and
the controller goes on serving everyone else."""

from __future__ import annotations

import json
import logging

import pytest
from web.helpers import RawSocket, wait_for

from controller.models import ScreenStatus

SCREEN = "phu-bai-arrivals"
OTHER = "lang-co-bay-pano"  # same playlist: it must keep receiving pushes


def _facts(fleet, screen=SCREEN):
    with fleet.sessions() as session:
        row = session.get(ScreenStatus, screen)
        return dict(row.facts or {}), row.acked_version, row.last_seen


@pytest.fixture
def player(players, fleet):
    p = players().connect(SCREEN, fleet.tokens[SCREEN])
    p.next_timeline()
    return p


def _still_serving(players, fleet, tmp_path, title):
    """Another player still gets a push when a playlist changes."""
    other = players().connect(OTHER, fleet.tokens[OTHER])
    before = other.next_timeline()["version"]
    fleet.edit_playlist(tmp_path, "welcome-hue", "citadel", title)
    pushed = other.next_timeline()
    assert pushed["version"] == before + 1
    titles = [item["variants"]["en"]["title"]
              for item in pushed["playlists"][pushed["segments"][0]["playlist"]]["items"]]
    assert title in titles


def test_unknown_event_gets_an_error_event_and_is_logged(player, caplog):
    caplog.set_level(logging.WARNING, "pano.players")
    answer = player.call("reboot_now", {"please": True})
    assert answer["ok"] is False and answer["error"] == "unknown_event"
    wait_for(lambda: player.errors, what="error event")
    assert player.errors[0]["event"] == "reboot_now"
    assert "Unknown event" in player.errors[0]["message"]
    assert any(r.name == "pano.players" and "reboot_now" in r.getMessage()
               for r in caplog.records)
    assert player.call("time")["ok"] is True  # the connection stays open


@pytest.mark.parametrize(("body", "field"), [
    ({"cpu_temp": 900.0}, "cpu_temp"),
    ({"uptime": -1}, "uptime"),
    ({"uptime": 10 * 315_360_000}, "uptime"),
    ({"load": [1, 2]}, "load"),
    ({"load": [0.1, 0.2, 5000]}, "load"),
    ({"memory": {"total": 100, "available": 200}}, "memory"),
    ({"disk": {"total": 2**61, "free": 1}}, "disk"),
    ({"software": 42}, "software"),
    ({"software": "x" * 101}, "software"),
    ({"clock_offset": float("nan")}, "clock_offset"),
    ({"last_error": "e" * 1001}, "last_error"),
    ({"timeline_version": -3}, "timeline_version"),
    ({"timeline_version": True}, "timeline_version"),
    ({"playing": {"item": "i" * 201}}, "playing"),
    ({"uptime": 5, "cpu_temp": "hot"}, "cpu_temp"),
])
def test_absurd_heartbeat_is_refused_whole(player, fleet, body, field):
    before = _facts(fleet)
    answer = player.call("heartbeat", body)
    assert answer["ok"] is False and answer["error"] == "bad_request"
    assert field in answer["message"]
    assert _facts(fleet)[0] == before[0]
    wait_for(lambda: player.errors, what="error event")
    assert player.errors[-1]["event"] == "heartbeat"


def test_oversized_heartbeat_is_refused(player, fleet):
    before = _facts(fleet)
    answer = player.call("heartbeat", {"uptime": 1.0, "padding": "p" * 20_000})
    assert answer["ok"] is False and "16 KiB" in answer["message"]
    assert _facts(fleet)[0] == before[0]


@pytest.mark.parametrize("event", ["heartbeat", "ack", "timeline_request", "time"])
@pytest.mark.parametrize("payload", ["hello", 42, ["a", "list"]])
def test_payloads_that_are_not_objects_are_refused(player, fleet, event, payload):
    before = _facts(fleet)
    answer = player.call(event, payload)
    assert answer["ok"] is False and answer["message"]
    assert _facts(fleet) [:2] == before[:2]


@pytest.mark.parametrize("body", [
    {"version": "7"}, {"version": -1}, {"missing": []}, {"version": 1, "missing": "abc"},
    {"version": 1, "missing": ["not-a-hash"]}, {"version": 1, "missing": ["A" * 64]},
])
def test_malformed_ack_is_refused(player, fleet, body):
    before = _facts(fleet)
    answer = player.call("ack", body)
    assert answer["ok"] is False and answer["error"] == "bad_request"
    assert _facts(fleet)[1] == before[1]


def test_timeline_request_for_another_screen_is_forbidden(player, caplog):
    caplog.set_level(logging.WARNING, "pano.players")
    answer = player.call("timeline_request", {"screen": "a-dot-entry-hall"})
    assert answer == {"ok": False, "error": "forbidden", "message": answer["message"]}
    assert "a-dot-entry-hall" in answer["message"]
    assert "timeline" not in answer
    assert any("a-dot-entry-hall" in r.getMessage() for r in caplog.records
               if r.name == "pano.players")


def test_an_event_with_several_arguments_is_refused(player):
    answer = player.client.call("heartbeat", ({"uptime": 1}, {"uptime": 2}),
                                namespace="/player", timeout=10)
    assert answer["ok"] is False and "single" in answer["message"]


def test_raw_garbage_frames_are_refused_and_others_keep_getting_pushes(
        players, fleet, tmp_path, caplog):
    caplog.set_level(logging.WARNING, "pano.players")
    # 1. Garbage at the Engine.IO level from an anonymous socket.
    raw = RawSocket(players().url)
    raw.send("this is not engine.io")
    raw.close()
    # 2. Garbage at the Socket.IO level from an authenticated connection: it is told.
    raw = RawSocket(players().url)
    raw.send("40/player," + json.dumps({"screen": SCREEN, "token": fleet.tokens[SCREEN]}))
    raw.wait_frame("40/player,")
    raw.send('42/player,["heartbeat", {"uptime": ')
    error = json.loads(raw.wait_frame('42/player,["error"')[len("42/player,"):])[1]
    assert "Malformed" in error["message"]
    # 3. A forged "connect" event on a live connection is refused, not re-run.
    raw.send('42/player,["connect", {"screen": "a-dot-entry-hall", "token": "x"}]')
    raw.wait_frame('42/player,["error"')
    raw.close()
    assert any(r.name == "pano.players" and "malformed" in r.getMessage().lower()
               for r in caplog.records)
    _still_serving(players, fleet, tmp_path, "Citadel after garbage")


def test_a_message_over_the_size_limit_is_dropped_and_others_are_served(
        players, fleet, tmp_path):
    raw = RawSocket(players().url)
    raw.send("40/player," + json.dumps({"screen": SCREEN, "token": fleet.tokens[SCREEN]}))
    raw.wait_frame("40/player,")
    raw.send('42/player,["heartbeat", {"padding": "' + "x" * 100_000 + '"}]')
    raw.close()
    _still_serving(players, fleet, tmp_path, "Citadel after a flood")
