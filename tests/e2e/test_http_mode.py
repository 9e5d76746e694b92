"""A player behind a proxy that refuses WebSocket upgrades (docs/protocol.md, section 3):
the controller accepts Socket.IO over WebSocket only, so the player works over the plain
HTTP routes of section 6 instead, and goes back to the WebSocket once it opens.

A real controller process, a real ``pano-player`` process and, between them, a real TCP
proxy that answers ``400`` to every ``Upgrade: websocket`` request and forwards the rest.
"""

from __future__ import annotations

import json
import logging
import time

from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, call_api, get_json, wait_for
from support.proxy import CorruptingProxy

log = logging.getLogger("pano.test.http_mode")

SCREEN = "a-dot-entry-hall"
POLL = 1.0  # seconds between timeline fetches; the WebSocket is retried every 4–6 polls
PLAYER_FLAGS = ["--backoff-cap", "1", "--http-poll-interval", str(POLL)]
MESSAGES = {"vi": {"title": "Tạm đóng cửa khẩu", "body": "Vui lòng chờ hướng dẫn."},
            "en": {"title": "Border gate closed", "body": "Please wait for instructions."}}


def status(player: Player) -> dict:
    code, body = player.status()
    assert code == 200, body
    return body


def screen(controller: Controller, admin: str) -> dict:
    code, body = get_json(f"{controller.url}/api/v1/screens", admin)
    assert code == 200, body
    return next(s for s in body["screens"] if s["id"] == SCREEN)


def receipt(controller: Controller, admin: str, eid: int) -> str:
    code, body = get_json(f"{controller.url}/api/v1/emergencies/{eid}", admin)
    assert code == 200, body
    return next(row["status"] for row in body["screens"] if row["screen"] == SCREEN)


def test_behind_a_proxy_that_blocks_websockets_the_player_works_over_http_then_returns(
        tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=1.0))
    token = screen_token(data, SCREEN)
    admin = admin_token(data)
    controller = Controller(data, env={"PANO_HEARTBEAT_INTERVAL": "1"}).start()
    proxy = CorruptingProxy(controller.port, corrupt=0, refuse_websocket=True)
    player = Player(f"http://127.0.0.1:{proxy.port}", SCREEN, token, tmp_path / "cache",
                    extra=PLAYER_FLAGS)
    try:
        player.start()

        # 1. HTTP mode: the timeline fetched, stored, its media synced, played, acked.
        first = wait_for(lambda: (s := status(player))["transport"] == "http"
                         and s["now_playing"] and s["timeline_version"]
                         and s["cache"]["missing"] == 0 and s,
                         timeout=30, what="the player playing in HTTP mode, media fetched")
        assert first["connected"] is True
        assert proxy.refused >= 1 and proxy.upgraded == 0
        version = first["timeline_version"]
        saved = json.loads((tmp_path / "cache" / "timeline.json").read_text())
        assert saved["version"] == version
        # The controller sees it through its heartbeats: online, no socket.
        me = wait_for(lambda: (m := screen(controller, admin))["acked_version"] == version
                      and m["now_playing"] and m, timeout=30,
                      what="the ack and a heartbeat at the controller")
        assert me["online"] is True and me["connected"] is False
        assert me["facts"]["software"].startswith("pano-player/")
        assert me["missing_media"] == []
        seen = me["last_seen"]
        wait_for(lambda: screen(controller, admin)["last_seen"] != seen, timeout=10,
                 what="the next heartbeat")

        # 2. A change (an emergency for this screen) arrives with the next poll.
        sent = time.monotonic()
        code, _, body = call_api("POST", f"{controller.url}/api/v1/emergencies", admin,
                                 {"messages": MESSAGES, "targets": {"screens": [SCREEN]},
                                  "duration_minutes": 10})
        assert code == 201, body
        eid = json.loads(body)["id"]
        changed = wait_for(lambda: (s := status(player))["emergency"]
                           and s["emergency"]["id"] == eid and s, timeout=15,
                           what="the emergency fetched over HTTP and shown")
        log.warning("emergency shown %.2f s after it was sent (poll interval %g s)",
                    time.monotonic() - sent, POLL)
        assert changed["timeline_version"] > version and changed["transport"] == "http"
        wait_for(lambda: screen(controller, admin)["acked_version"]
                 == changed["timeline_version"], timeout=10, what="the new version acked")
        # Its receipt goes over HTTP too (POST /api/v1/player/emergency_shown).
        wait_for(lambda: receipt(controller, admin, eid) == "shown", timeout=15,
                 what="the emergency receipt delivered over HTTP")
        # ... and leaves the player's queue once the answer is back (a moment later).
        receipts = tmp_path / "cache" / "emergency_receipts.json"
        wait_for(lambda: json.loads(receipts.read_text())["pending"] == [], timeout=10,
                 what="the receipt out of the player's queue")
        # A technician sees why a remote command cannot reach it.
        code, _, body = call_api("POST", f"{controller.url}/api/v1/screens/{SCREEN}/commands",
                                 admin, {"command": "identify"})
        assert code == 409 and "over HTTP only" in json.loads(body)["message"]
        assert screen(controller, admin)["facts"]["transport"] == "http"

        # 3. The proxy lets upgrades through: the player is back on the WebSocket at its
        #    next retry.
        proxy.refuse_websocket = False
        wait_for(lambda: status(player)["transport"] == "websocket", timeout=30,
                 what="the player back on the WebSocket")
        assert proxy.upgraded >= 1
        wait_for(lambda: screen(controller, admin)["connected"], timeout=10,
                 what="the controller sees the socket")
        assert status(player)["connected"] is True
        assert "Traceback" not in player.output()
    finally:
        player.stop()
        proxy.close()
        controller.stop()
