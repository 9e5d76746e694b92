"""Scaling out (docs/operations.md): two controller processes share PostgreSQL-or-SQLite
data and a Redis message queue; only one runs the change watcher and the scheduler. A
player connected to the *other* process still gets a change within seconds."""

from __future__ import annotations

import os

from support.fleet import fast_playlists, prepare, screen_token, set_title
from support.processes import Controller, Player, wait_for
from support.redis import redis_url  # noqa: F401  (fixture)

SCREEN = "phu-bai-baggage"


def test_change_reaches_a_player_on_the_process_without_the_scheduler(tmp_path, redis_url):  # noqa: F811
    data = tmp_path / "controller"
    playlists = fast_playlists(tmp_path / "playlists")
    prepare(data, playlists)
    token = screen_token(data, SCREEN)
    common = {"PANO_MESSAGE_QUEUE": redis_url,
              # Distinct channel per test run (Flask-SocketIO's default is shared).
              "PANO_MESSAGE_QUEUE_CHANNEL": f"pano-test-{os.getpid()}"}
    leader = Controller(data, env={**common, "PANO_SCHEDULER": "1"}, name="leader").start()
    follower = Controller(data, env={**common, "PANO_SCHEDULER": "0"}, name="follower").start()
    player = Player(follower.url, SCREEN, token, tmp_path / "cache")
    try:
        player.start()
        first = wait_for(lambda: (s := player.status()[1])["connected"]
                         and s["timeline_version"] and s, what="player on the follower")
        set_title(playlists / "welcome-hue.yaml", "citadel", "en", "The Imperial City")
        prepare(data, playlists)  # the change lands in the shared database
        wait_for(lambda: player.status()[1]["timeline_version"] > first["timeline_version"],
                 timeout=15, what="change pushed through Redis to the follower's player")
        assert "change watcher disabled" in follower.output().lower()
    finally:
        player.stop()
        follower.stop()
        leader.stop()
