"""``restart`` and ``reboot`` through ``POST /api/v1/screens/<id>/commands`` against a
real controller and real python-socketio clients acting as players: a reboot needs
``"confirm": true`` (refused in the caller's language otherwise, nothing recorded or
sent), roles, the audit entry, a restart whose answer is lost finished by the player's
reconnect, and the fleet's ``software`` summary of ``GET /api/v1/screens`` with two
players reporting different versions."""

from __future__ import annotations

import queue

import pytest
from sqlalchemy import func, select
from web.helpers import DEADLINE, Player, wait_for
from web.test_screen_commands import CommandPlayer, api, send, status_of

from controller.models import AuditEntry, ScreenCommand, ScreenStatus

SCREEN = "phu-bai-baggage"
OTHER = "chan-may-gate-kiosk"


@pytest.fixture
def player(server, fleet):
    made = CommandPlayer(server.url).connect(SCREEN, fleet.tokens[SCREEN])
    yield made
    made.close()
    wait_for(lambda: not made.client.connected, what="the client closed")


def _commands(fleet) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(func.count()).select_from(ScreenCommand))


def _nothing_sent(player: CommandPlayer) -> bool:
    try:
        player.commands.get(timeout=0.3)
    except queue.Empty:
        return True
    return False


def test_a_reboot_without_confirmation_is_refused_and_nothing_is_sent(server, fleet, player):
    before = _commands(fleet)
    for body in ({"command": "reboot"}, {"command": "reboot", "confirm": False}):
        response = send(server, fleet, body)
        assert response.status_code == 400, response.text
        assert '"confirm": true' in response.json()["message"]
        assert "Nothing was sent" in response.json()["message"]
    response = send(server, fleet, {"command": "reboot", "confirm": "yes"})
    assert response.status_code == 400 and "'confirm'" in response.json()["message"]
    # In Vietnamese for a caller who asks for it (docs/api-admin.md "Language of answers").
    response = api(server, fleet, "POST", f"/screens/{SCREEN}/commands",
                   json={"command": "reboot"}, headers={"Accept-Language": "vi"})
    assert response.status_code == 400
    assert "Không có gì được gửi" in response.json()["message"], response.json()
    assert _commands(fleet) == before
    assert _nothing_sent(player)


def test_a_confirmed_reboot_and_a_restart_reach_the_player(server, fleet, player):
    response = send(server, fleet, {"command": "reboot", "confirm": True}, role="admin")
    assert response.status_code == 202, response.text
    sent = response.json()
    assert player.next_command() == {"id": sent["id"], "command": "reboot", "args": {}}
    player.call("command_result", {"id": sent["id"], "ok": False,
                                   "message": "cannot run the reboot command: "
                                              "/usr/bin/systemctl not found"})
    shown = status_of(server, fleet, sent["id"])
    assert (shown["status"], shown["message"]) == (
        "failed", "cannot run the reboot command: /usr/bin/systemctl not found")
    with fleet.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "screen.command", AuditEntry.object_id == SCREEN)
            .order_by(AuditEntry.id)).all()[-1]
        assert (entry.actor, entry.after) == ("admin-user", {
            "id": sent["id"], "command": "reboot", "args": {}, "confirmed": True})

    sent = send(server, fleet, {"command": "restart"}).json()
    assert player.next_command() == {"id": sent["id"], "command": "restart", "args": {}}
    player.call("command_result", {"id": sent["id"], "ok": True, "message": "restarting",
                                   "pid": 4242})
    shown = status_of(server, fleet, sent["id"])
    assert (shown["status"], shown["result"]) == ("done", {"pid": 4242})
    response = send(server, fleet, {"command": "restart", "args": {"now": 1}})
    assert response.status_code == 400 and "no arguments" in response.json()["message"]


def test_roles(server, fleet, player):
    for role in ("viewer",):
        response = send(server, fleet, {"command": "reboot", "confirm": True}, role=role)
        assert response.status_code == 403, response.text
    response = api(server, fleet, "POST", f"/screens/{SCREEN}/commands",
                   json={"command": "restart"}, headers={"Authorization": "Bearer pat_nobody"})
    assert response.status_code == 401
    assert _nothing_sent(player)


def test_a_restart_whose_answer_is_lost_is_done_when_the_player_comes_back(server, fleet):
    first = CommandPlayer(server.url).connect(SCREEN, fleet.tokens[SCREEN])
    sent = send(server, fleet, {"command": "restart"}).json()
    assert first.next_command()["command"] == "restart"
    first.client.disconnect()  # gone without answering, as a restarting process may
    assert status_of(server, fleet, sent["id"])["status"] == "sent"
    again = CommandPlayer(server.url).connect(SCREEN, fleet.tokens[SCREEN])
    try:
        shown = wait_for(lambda: (lambda s: s if s["status"] != "sent" else None)(
            status_of(server, fleet, sent["id"])), what="the restart finished")
        assert shown["status"] == "done"
        assert "connected again" in shown["message"]
    finally:
        again.close()


def test_the_fleet_software_summary_shows_different_versions(server, fleet):
    def summary() -> dict:
        response = api(server, fleet, "GET", "/screens")
        assert response.status_code == 200, response.text
        return response.json()

    one, two = Player(server.url), Player(server.url)
    try:
        one.connect(SCREEN, fleet.tokens[SCREEN], software="pano-player/0.1.0")
        two.connect(OTHER, fleet.tokens[OTHER], software="pano-player/0.2.0")
        body = wait_for(lambda: (lambda b: b if {
            s["id"]: s["facts"]["software"] for s in b["screens"]}.get(OTHER)
            == "pano-player/0.2.0" else None)(summary()), what="versions reported")
        software = body["software"]
        assert software["mixed"] is True
        counts = {v["software"]: v["screens"] for v in software["versions"]}
        assert counts == {"pano-player/0.1.0": 1, "pano-player/0.2.0": 1}
        assert software["unknown"] == len(body["screens"]) - 2
        # A heartbeat with the same version as the other: one version again.
        heartbeat = {"software": "pano-player/0.1.0", "uptime": 12.0}
        assert two.call("heartbeat", heartbeat) == {"ok": True}
        body = wait_for(lambda: (lambda b: b if not b["software"]["mixed"] else None)(
            summary()), timeout=DEADLINE, what="one version")
        assert body["software"]["versions"] == [{"software": "pano-player/0.1.0",
                                                 "screens": 2}]
    finally:
        one.close()
        two.close()


def test_a_done_reboot_says_when_the_device_came_back(server, fleet, player):
    sent = send(server, fleet, {"command": "reboot", "confirm": True}).json()
    assert player.next_command()["command"] == "reboot"
    # A device that has been up for a day: the reboot has not happened yet.
    assert player.call("heartbeat", {"software": "pano-player/0.1.0",
                                     "uptime": 86400.0}) == {"ok": True}
    player.call("command_result", {"id": sent["id"], "ok": True,
                                   "message": "reboot command run (exit 0)", "exit_code": 0})
    wait_for(lambda: _uptime(fleet) == 86400.0, what="the heartbeat stored")
    shown = status_of(server, fleet, sent["id"])
    assert (shown["status"], shown["booted_at"]) == ("done", None)
    # Its first heartbeat after the reboot: the system started after the command.
    assert player.call("heartbeat", {"software": "pano-player/0.1.0",
                                     "uptime": 0.001}) == {"ok": True}
    wait_for(lambda: _uptime(fleet) == 0.001, what="the heartbeat stored")
    shown = status_of(server, fleet, sent["id"])
    assert shown["booted_at"] is not None and shown["booted_at"] > shown["created_at"]
    # Other commands carry no such field.
    sent = send(server, fleet, {"command": "restart"}).json()
    assert "booted_at" not in status_of(server, fleet, sent["id"])


def _uptime(fleet) -> float | None:
    with fleet.sessions() as session:
        row = session.get(ScreenStatus, SCREEN)
        return (row.facts or {}).get("uptime") if row else None
