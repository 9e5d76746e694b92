"""Remote commands against a real controller: ``POST /api/v1/screens/<id>/commands``
reaches a real python-socketio client acting as the player, its ``command_result`` is
recorded and shown by ``GET …/commands/<id>``; bad bodies, a screen that is not connected,
hostile results, and the screenshot upload and download."""

from __future__ import annotations

import io
import queue
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from PIL import Image
from sqlalchemy import select
from web.helpers import DEADLINE, Player, wait_for

from controller.models import AuditEntry, ScreenCommand

SCREEN = "phu-bai-baggage"
OTHER = "chan-may-gate-kiosk"


class CommandPlayer(Player):
    """A real Socket.IO player that records the ``command`` events it receives."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.commands: queue.Queue[dict[str, Any]] = queue.Queue()
        self.client.on("command", self.commands.put, namespace="/player")

    def next_command(self) -> dict[str, Any]:
        return self.commands.get(timeout=DEADLINE)


@pytest.fixture
def player(server, fleet):
    made = CommandPlayer(server.url).connect(SCREEN, fleet.tokens[SCREEN])
    yield made
    made.close()
    wait_for(lambda: not _connected(fleet, SCREEN), what="the screen disconnected")


def _connected(fleet, screen: str) -> bool:
    from controller.models import ScreenStatus

    with fleet.sessions() as session:
        row = session.get(ScreenStatus, screen)
        return bool(row and row.connected)


def api(server, fleet, method: str, path: str, role: str = "technician",
        **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {fleet.users[role]}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{server.url}/api/v1{path}", headers=headers,
                            timeout=DEADLINE, **kwargs)


def send(server, fleet, body: Any, screen: str = SCREEN, role: str = "technician"
         ) -> requests.Response:
    return api(server, fleet, "POST", f"/screens/{screen}/commands", role, json=body)


def status_of(server, fleet, command_id: str, screen: str = SCREEN) -> dict[str, Any]:
    response = api(server, fleet, "GET", f"/screens/{screen}/commands/{command_id}")
    assert response.status_code == 200, response.text
    return response.json()


def png_bytes(size: tuple[int, int] = (64, 36), color=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def upload(server, token: str, command_id: str, data: bytes,
           content_type: str = "image/png") -> requests.Response:
    return requests.put(f"{server.url}/api/v1/player/screenshot",
                        params={"command": command_id}, data=data, timeout=DEADLINE,
                        headers={"Authorization": f"Bearer {token}",
                                 "Content-Type": content_type})


# --------------------------------------------------------------------------- the round trip

def test_identify_reaches_the_player_and_its_result_is_recorded(server, fleet, player):
    response = send(server, fleet, {"command": "identify", "args": {"seconds": 5}})
    assert response.status_code == 202, response.text
    sent = response.json()
    assert sent["status"] == "sent" and sent["screen"] == SCREEN
    assert sent["command"] == "identify"
    command = player.next_command()
    assert command == {"id": sent["id"], "command": "identify", "args": {"seconds": 5}}
    assert status_of(server, fleet, sent["id"])["status"] == "sent"

    answer = player.call("command_result", {"id": sent["id"], "ok": True,
                                            "message": "showing the name for 5 s",
                                            "seconds": 5})
    assert answer == {"ok": True}
    shown = status_of(server, fleet, sent["id"])
    assert shown["status"] == "done"
    assert shown["message"] == "showing the name for 5 s"
    assert shown["result"] == {"seconds": 5}
    assert shown["finished_at"].endswith("Z") and shown["requested_by"] == "technician-user"
    # The first answer wins: a later one is acknowledged and changes nothing.
    assert player.call("command_result", {"id": sent["id"], "ok": False,
                                          "message": "late"}) == {"ok": True}
    assert status_of(server, fleet, sent["id"])["status"] == "done"
    with fleet.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "screen.command",
            AuditEntry.object_id == SCREEN)).all()[-1]
        assert entry.actor == "technician-user"
        assert entry.after == {"id": sent["id"], "command": "identify",
                               "args": {"seconds": 5}}


def test_a_failed_command_and_defaults(server, fleet, player):
    sent = send(server, fleet, {"command": "identify"}, role="admin").json()
    assert player.next_command()["args"] == {"seconds": 10}
    player.call("command_result", {"id": sent["id"], "ok": False, "message": "unsupported"})
    shown = status_of(server, fleet, sent["id"])
    assert (shown["status"], shown["message"]) == ("failed", "unsupported")
    for name in ("reload", "clear_cache", "screenshot"):
        sent = send(server, fleet, {"command": name, "args": {}})
        assert sent.status_code == 202, sent.text
        assert player.next_command() == {"id": sent.json()["id"], "command": name, "args": {}}


def test_a_command_nobody_answers_is_reported_failed(server, fleet, player):
    sent = send(server, fleet, {"command": "reload"}).json()
    player.next_command()
    with fleet.sessions() as session:  # the command was sent ten minutes ago
        session.get(ScreenCommand, sent["id"]).created_at = (
            datetime.now(UTC) - timedelta(minutes=10))
        session.commit()
    shown = status_of(server, fleet, sent["id"])
    assert shown["status"] == "failed" and "No answer from the player" in shown["message"]
    player.call("command_result", {"id": sent["id"], "ok": True, "message": "too late"})
    assert status_of(server, fleet, sent["id"])["status"] == "failed"


# --------------------------------------------------------------------------- refusals

BAD_BODIES = [
    ({"command": "self_destruct"}, "must be one of"),
    ({"command": None}, "must be one of"),
    ({}, "must be one of"),
    ({"command": "identify", "args": {"seconds": 0}}, "1 to 60"),
    ({"command": "identify", "args": {"seconds": 61}}, "1 to 60"),
    ({"command": "identify", "args": {"seconds": "5"}}, "1 to 60"),
    ({"command": "identify", "args": {"seconds": True}}, "1 to 60"),
    ({"command": "identify", "args": {"colour": "red"}}, "only 'seconds'"),
    ({"command": "identify", "args": [5]}, "'args' must be a JSON object"),
    ({"command": "reload", "args": {"hard": True}}, "takes no arguments"),
    ({"command": "reload", "priority": 1}, "Unknown field"),
    (["identify"], "JSON object"),
]


@pytest.mark.parametrize("body, words", BAD_BODIES, ids=[str(b[0]) for b in BAD_BODIES])
def test_bad_bodies_are_refused_with_a_reason(server, fleet, player, body, words):
    response = send(server, fleet, body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error"] == "bad_request" and words in answer["message"]
    assert player.commands.empty()


def test_not_json_unknown_screen_and_not_connected(server, fleet):
    response = api(server, fleet, "POST", f"/screens/{SCREEN}/commands", data="identify",
                   headers={"Content-Type": "text/plain"})
    assert response.status_code == 400 and "JSON" in response.json()["message"]
    response = api(server, fleet, "POST", f"/screens/{SCREEN}/commands", data="{nope",
                   headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "not valid JSON" in response.json()["message"]
    response = send(server, fleet, {"command": "identify"}, screen="no-such-screen")
    assert response.status_code == 404 and "no-such-screen" in response.json()["message"]
    response = send(server, fleet, {"command": "identify"}, screen=OTHER)
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "conflict"
    assert "not connected" in response.json()["message"]
    response = api(server, fleet, "GET", f"/screens/{SCREEN}/commands/not-a-command")
    assert response.status_code == 404
    assert send(server, fleet, {"command": "identify"}, role="viewer").status_code == 403


def _refused(player, payload: Any) -> str:
    before = len(player.errors)
    answer = player.call("command_result", payload)
    assert answer["ok"] is False and answer["error"] == "bad_request", answer
    wait_for(lambda: len(player.errors) > before, what="the error event")
    assert player.errors[-1]["event"] == "command_result"
    return answer["message"]


def test_hostile_results_are_refused_and_change_nothing(server, fleet, player):
    sent = send(server, fleet, {"command": "reload"}).json()
    player.next_command()
    good = {"id": sent["id"], "ok": True, "message": "reloaded"}
    assert "JSON object" in _refused(player, ["not", "an", "object"])
    assert "JSON object" in _refused(player, "done")
    assert "UUID" in _refused(player, {**good, "id": "../../etc/passwd"})
    assert "UUID" in _refused(player, {**good, "id": 17})
    assert "true or false" in _refused(player, {**good, "ok": "yes"})
    assert "at most 1000" in _refused(player, {**good, "message": "x" * 1001})
    assert "at most 1000" in _refused(player, {**good, "message": {"nested": 1}})
    assert "limit is 4096" in _refused(player, {**good, "junk": "y" * 5000})
    assert "number, a string" in _refused(player, {**good, "removed": [1, 2]})
    assert "field name" in _refused(player, {**good, "Bad-Key": 1})
    assert "extra fields" in _refused(player, {**good, **{f"k{i}": i for i in range(21)}})
    unknown = "00000000-0000-4000-8000-000000000000"
    assert "No command" in _refused(player, {**good, "id": unknown})
    assert status_of(server, fleet, sent["id"])["status"] == "sent"
    # A command of another screen cannot be answered by this one.
    other = CommandPlayer(server.url).connect(OTHER, fleet.tokens[OTHER])
    try:
        theirs = send(server, fleet, {"command": "reload"}, screen=OTHER).json()
        other.next_command()
        assert "No command" in _refused(player, {**good, "id": theirs["id"]})
        assert status_of(server, fleet, theirs["id"], OTHER)["status"] == "sent"
        assert player.commands.empty()  # the other screen's command went to it alone
    finally:
        other.close()
    assert player.call("command_result", good) == {"ok": True}
    assert status_of(server, fleet, sent["id"])["status"] == "done"


# --------------------------------------------------------------------------- screenshots

def test_screenshot_upload_then_download(server, fleet, player):
    response = api(server, fleet, "GET", f"/screens/{SCREEN}/screenshot")
    assert response.status_code == 404 and "No screenshot" in response.json()["message"]
    sent = send(server, fleet, {"command": "screenshot"}).json()
    command_id = player.next_command()["id"]
    token = fleet.tokens[SCREEN]
    picture = png_bytes((64, 36))

    assert upload(server, fleet.tokens[OTHER], command_id, picture).status_code == 404
    assert upload(server, "pst_wrong", command_id, picture).status_code == 401
    bad = upload(server, token, "not-an-id", picture)
    assert bad.status_code == 400 and "command" in bad.json()["message"]
    bad = upload(server, token, command_id, b"GIF89a" + b"\0" * 100, "image/gif")
    assert bad.status_code == 400 and "PNG or JPEG" in bad.json()["message"]
    bad = upload(server, token, command_id, picture[: len(picture) // 2])
    assert bad.status_code == 400, bad.text
    too_big = upload(server, token, command_id, b"\x89PNG\r\n\x1a\n" + b"\0" * (8 << 20))
    assert too_big.status_code == 413 and too_big.json()["error"] == "too_large"
    assert status_of(server, fleet, command_id)["status"] == "sent"

    stored = upload(server, token, command_id, picture)
    assert stored.status_code == 200, stored.text
    assert stored.json()["width"] == 64 and stored.json()["height"] == 36
    assert upload(server, token, command_id, picture).status_code == 409  # done already
    assert player.call("command_result", {"id": command_id, "ok": True,
                                          "message": "uploaded"}) == {"ok": True}
    shown = status_of(server, fleet, sent["id"])
    assert shown["status"] == "done"
    assert shown["screenshot"]["width"] == 64 and shown["screenshot"]["mime"] == "image/png"
    taken = shown["screenshot"]["taken_at"]

    response = api(server, fleet, "GET", f"/screens/{SCREEN}/screenshot", role="admin")
    assert response.status_code == 200
    assert response.content == picture
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Pano-Taken-At"] == taken
    assert response.headers["X-Pano-Command"] == command_id
    assert api(server, fleet, "GET", f"/screens/{SCREEN}/screenshot",
               role="viewer").status_code == 403

    # A newer JPEG replaces it.
    sent = send(server, fleet, {"command": "screenshot"}).json()
    player.next_command()
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 0, 0)).save(out, "JPEG")
    assert upload(server, token, sent["id"], out.getvalue(), "image/jpeg").status_code == 200
    response = api(server, fleet, "GET", f"/screens/{SCREEN}/screenshot")
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.content == out.getvalue()
    folder = fleet.settings.media_dir / "screenshots" / SCREEN
    assert [p.name for p in folder.iterdir()] == [f"{sent['id']}.jpg"]  # only the newest


def test_a_screenshot_reported_but_never_uploaded_fails(server, fleet, player):
    sent = send(server, fleet, {"command": "screenshot"}).json()
    player.next_command()
    player.call("command_result", {"id": sent["id"], "ok": True, "message": "done"})
    shown = status_of(server, fleet, sent["id"])
    assert shown["status"] == "failed" and "none was uploaded" in shown["message"]
    sent = send(server, fleet, {"command": "screenshot"}).json()
    player.next_command()
    player.call("command_result", {"id": sent["id"], "ok": False,
                                   "message": "no screenshot method configured"})
    shown = status_of(server, fleet, sent["id"])
    assert (shown["status"], shown["message"]) == ("failed", "no screenshot method configured")
