"""Issue 2, point 6: a border gate loses its network for hours.

Real controller process, real ``pano-player`` process, real SQLite file. The controller is
killed (no clean shutdown), the player is restarted while the controller is down, a change
is made while the player is away, and the controller comes back."""

from __future__ import annotations

import time

from support.fleet import admin_token, fast_playlists, prepare, screen_token, set_title
from support.processes import Controller, Player, get_json, wait_for

SCREEN = "a-dot-entry-hall"
PLAYER_FLAGS = ["--backoff-cap", "2"]


def _playing(player: Player) -> dict | None:
    code, body = player.status()
    return body if code == 200 and body.get("now_playing") else None


def _items_seen(player: Player, seconds: float) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = _playing(player)
        if status:
            seen.add(status["now_playing"]["item"])
        time.sleep(0.2)
    return seen


def test_player_plays_through_a_controller_outage_and_catches_up(tmp_path):
    data = tmp_path / "controller"
    playlists = fast_playlists(tmp_path / "playlists", seconds=1.0)
    prepare(data, playlists)
    token = screen_token(data, SCREEN)
    admin = admin_token(data)

    controller = Controller(data, env={"PANO_HEARTBEAT_INTERVAL": "1"}).start()
    player = Player(controller.url, SCREEN, token, tmp_path / "cache", extra=PLAYER_FLAGS)
    try:
        player.start()
        first = wait_for(lambda: (s := _playing(player)) and s["connected"]
                         and s["timeline_version"] and s, what="player connected and playing")
        version = first["timeline_version"]
        assert version >= 1
        # The controller sees it: online, with what it plays.
        wait_for(lambda: any(s["id"] == SCREEN and s["online"] and s["now_playing"]
                             for s in get_json(f"{controller.url}/api/v1/screens", admin)[1]
                             ["screens"]), what="screen online in /api/v1/screens")

        # 1. The controller dies: the player goes on playing, item after item.
        controller.kill()
        wait_for(lambda: _playing(player) and not _playing(player)["connected"],
                 what="player notices the controller is gone")
        assert len(_items_seen(player, 4.0)) >= 2, "player stopped cycling items offline"

        # 2. The player restarts while the controller is still down: it plays the saved
        #    timeline within seconds.
        player.stop()
        started = time.monotonic()
        player.start()
        status = wait_for(lambda: _playing(player), timeout=10, what="offline restart plays")
        assert time.monotonic() - started < 10
        assert status["timeline_version"] == version
        assert status["connected"] is False
        assert len(_items_seen(player, 4.0)) >= 2

        # 3. An operator changes the playlist while the site is cut off.
        set_title(playlists / "border-welcome.yaml", "welcome", "en", "Welcome back")
        prepare(data, playlists)

        # 4. The controller comes back on the same address: the player reconnects and
        #    catches up with the change by itself.
        controller.start()
        wait_for(lambda: (s := _playing(player)) and s["connected"]
                             and s["timeline_version"] > version and s,
                 timeout=30, what="player reconnects and gets the new timeline")
    finally:
        player.stop()
        controller.stop()
