"""The player's HTTP routes as a player without a WebSocket uses them (docs/protocol.md,
sections 3 and 6): receipts over HTTP, an ETag on the timeline, the transport shown to
technicians, commands refused with the reason, and the write routes' budgets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from web.helpers import Api, Fleet, wait_for

HTTP_SCREEN, SOCKET_SCREEN = "lang-co-bay-pano", "chan-may-gate-kiosk"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """A 5 s heartbeat: a screen heard from over HTTP stays "recent" (3 intervals) for
    15 s, not 1.5 s, so a loaded machine does not turn "over HTTP only" into "not
    connected" between the heartbeat and the command."""
    fleet = Fleet.seeded(tmp_path_factory.mktemp("controller"), heartbeat_interval=5.0)
    yield fleet
    fleet.close()


def _screen(server, fleet, screen: str) -> dict:
    status, body = Api(server)("GET", "/screens", fleet.users["technician"])
    assert status == 200
    return next(s for s in body["screens"] if s["id"] == screen)


def test_an_emergency_receipt_over_http_is_kept_once(server, fleet):
    api = Api(server)
    status, sent = api("POST", "/emergencies", fleet.users["admin"], {
        "messages": {"vi": {"title": "Bão"}, "en": {"title": "Storm"}},
        "targets": {"screens": [HTTP_SCREEN]}, "duration_minutes": 5})
    assert status == 201, sent
    token = fleet.tokens[HTTP_SCREEN]
    first = datetime.now(UTC).isoformat()
    assert api("POST", "/player/emergency_shown", token,
               {"id": sent["id"], "shown_at": first}) == (200, {"ok": True})
    assert api("POST", "/player/emergency_shown", token,
               {"id": sent["id"], "shown_at": "2030-01-01T00:00:00Z"})[0] == 200
    status, emergency = api("GET", f"/emergencies/{sent['id']}", fleet.users["admin"])
    mine = next(s for s in emergency["screens"] if s["screen"] == HTTP_SCREEN)
    assert mine["status"] == "shown"
    assert mine["shown_at"][:19] == first[:19]  # the first receipt is kept
    status, refused = api("POST", "/player/emergency_shown", fleet.tokens[SOCKET_SCREEN],
                          {"id": sent["id"], "shown_at": first})
    assert status == 400 and "does not target" in refused["message"]


def test_the_timeline_has_an_etag_and_a_current_one_is_304(server, fleet, tmp_path):
    url = server.url + "/api/v1/player/timeline"
    auth = {"Authorization": f"Bearer {fleet.tokens[HTTP_SCREEN]}"}
    first = requests.get(url, headers=auth, timeout=10)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and str(first.json()["version"]) in tag
    again = requests.get(url, headers={**auth, "If-None-Match": tag}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    fleet.edit_playlist(tmp_path, "welcome-hue", "citadel", "The Citadel, over HTTP")

    def changed() -> requests.Response | None:
        answer = requests.get(url, headers={**auth, "If-None-Match": tag}, timeout=10)
        return answer if answer.status_code == 200 else None

    newer = wait_for(changed, what="a new timeline behind the old ETag")
    assert newer.headers["ETag"] != tag and newer.json()["version"] > first.json()["version"]


def test_technicians_see_how_a_screen_reaches_us_and_commands_say_why_not(
        server, fleet, players):
    api = Api(server)
    assert api("POST", "/player/heartbeat", fleet.tokens[HTTP_SCREEN], {"uptime": 5})[0] == 200
    players().connect(SOCKET_SCREEN, fleet.tokens[SOCKET_SCREEN]).call(
        "heartbeat", {"uptime": 5})
    assert _screen(server, fleet, HTTP_SCREEN)["facts"]["transport"] == "http"
    wait_for(lambda: _screen(server, fleet, SOCKET_SCREEN)["facts"]["transport"]
             == "websocket", what="the socket heartbeat written")
    status, refused = api("POST", f"/screens/{HTTP_SCREEN}/commands",
                          fleet.users["technician"], {"command": "identify"})
    assert status == 409 and "over HTTP only" in refused["message"]
    status, _ = api("POST", f"/screens/{SOCKET_SCREEN}/commands", fleet.users["technician"],
                    {"command": "identify"})
    assert status == 202  # sent to the socket; its answer comes later
