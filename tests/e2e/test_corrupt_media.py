"""A media file damaged in transit is never shown, and is fetched again."""

from __future__ import annotations

import hashlib

from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, get_json, wait_for
from support.proxy import CorruptingProxy

SCREEN = "phu-bai-arrivals"


def test_media_corrupted_in_transit_is_refused_and_refetched(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    token = screen_token(data, SCREEN)
    admin = admin_token(data)
    controller = Controller(data).start()
    proxy = CorruptingProxy(controller.port, corrupt=2)
    cache = tmp_path / "cache"
    player = Player(f"http://127.0.0.1:{proxy.port}", SCREEN, token, cache)
    try:
        player.start()

        def acked_everything() -> bool:
            screens = get_json(f"{controller.url}/api/v1/screens", admin)[1]["screens"]
            me = next(s for s in screens if s["id"] == SCREEN)
            return (me["acked_version"] == me["timeline_version"]
                    and me["missing_media"] == [] and me["timeline_version"])

        wait_for(acked_everything, timeout=30, what="player acks with no missing media")
        assert proxy.corrupted >= 1, "the proxy never damaged a download"

        files = [p for p in (cache / "media").iterdir() if p.is_file()]
        timeline = get_json(f"{controller.url}/api/v1/player/timeline", token)[1]
        # Every file of the timeline (the pictures' renditions, the rendered slides),
        # each once, nothing else.
        assert sorted(f.name for f in files) == sorted(timeline["media"]), files
        assert len(files) >= 3
        for f in files:
            assert hashlib.sha256(f.read_bytes()).hexdigest() == f.name
        log = player.output()
        assert "discarded" in log and "SHA-256" in log, log  # the damage was noticed

        # What the screen shows comes from verified files only.
        status = wait_for(lambda: (s := player.status()[1])["now_playing"] and s,
                          what="player playing")
        assert status["cache"]["missing"] == 0
    finally:
        player.stop()
        proxy.close()
        controller.stop()
