"""The production path: gunicorn with deploy/gunicorn.conf.py serving controller.wsgi."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from support.fleet import fast_playlists, prepare, screen_token
from support.processes import REPO, Player, Proc, free_port, get_json, wait_for

SCREEN = "chan-may-cruise-terminal"


def test_gunicorn_gevent_worker_serves_players(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    token = screen_token(data, SCREEN)
    port = free_port()
    gunicorn = Proc([str(Path(sys.executable).parent / "gunicorn"), "-c",
                     str(REPO / "deploy" / "gunicorn.conf.py")], tmp_path / "gunicorn.log",
                    env={"PANO_DATA_DIR": str(data), "PANO_PORT": str(port),
                         "PANO_ASYNC_MODE": "gevent", "PANO_MAX_PLAYERS": "50"}).start()
    player = Player(f"http://127.0.0.1:{port}", SCREEN, token, tmp_path / "cache")
    try:
        wait_for(lambda: "Booting worker" in gunicorn.output(), timeout=30,
                 what="gunicorn worker")
        # Ready once the worker's app answers (its first rebuild done): a player started
        # earlier may find the WebSocket not opening in time and poll over HTTP a while.
        wait_for(lambda: get_json(f"http://127.0.0.1:{port}/healthz")[0] == 200,
                 timeout=60, what="the worker's app answering /healthz")
        player.start()
        status = wait_for(lambda: (s := player.status()[1])["connected"]
                          and s["now_playing"] and s["cache"]["missing"] == 0 and s,
                          timeout=30, what="player connected through gunicorn")
        assert status["timeline_version"] >= 1
        assert status["transport"] == "websocket", status  # not a long-polling fallback
        # With the request deadlines of controller/edge/http_server.py.
        assert "Using worker: controller.edge.gunicorn_worker.BoundedGeventWorker" in \
            gunicorn.output()
        wait_for(lambda: "acked timeline" in player.output(), what="player acked")
        # The ack is kept: batched in memory, written within 0.5 s or when the worker exits.
        player.stop()
        gunicorn.stop()
        with sqlite3.connect(data / "pano.db") as db:
            acked, built = db.execute(
                "SELECT s.acked_version, t.version FROM screen_status s JOIN screen_timelines t"
                " ON t.screen_id = s.screen_id WHERE s.screen_id = ?", (SCREEN,)).fetchone()
        assert acked == built == status["timeline_version"]
    finally:
        player.stop()
        gunicorn.stop()
