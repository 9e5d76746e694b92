"""``/metrics`` on the production path: gunicorn with deploy/gunicorn.conf.py (gevent
worker, the embedded job worker) and a real player process; the scrape is read by
Prometheus' own parser (docs/operations.md, section 7)."""

from __future__ import annotations

import sys
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families
from support.fleet import fast_playlists, prepare, screen_token
from support.processes import REPO, Player, Proc, free_port, wait_for

SCREEN, SITE = "chan-may-cruise-terminal", "chan-may-port"


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = requests.get(url + "/metrics", timeout=5)
    assert response.status_code == 200, response.text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for f in text_string_to_metric_families(response.text) for s in f.samples}


def test_a_real_player_shows_in_the_metrics_of_a_gunicorn_controller(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    token = screen_token(data, SCREEN)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # No scheduler: none of these metrics comes from it (the first rebuild, pushes, acks
    # and heartbeats happen without it), and it would only slow the start.
    gunicorn = Proc([str(Path(sys.executable).parent / "gunicorn"), "-c",
                     str(REPO / "deploy" / "gunicorn.conf.py")], tmp_path / "gunicorn.log",
                    env={"PANO_DATA_DIR": str(data), "PANO_PORT": str(port),
                         "PANO_ASYNC_MODE": "gevent", "PANO_MAX_PLAYERS": "50",
                         "PANO_HEARTBEAT_INTERVAL": "1", "PANO_SCHEDULER": "0"}).start()
    player = Player(url, SCREEN, token, tmp_path / "cache")
    try:
        # Answering first: a player that finds no controller falls back to HTTP mode,
        # where nothing is pushed to it.
        wait_for(lambda: requests.get(url + "/healthz", timeout=2).ok, timeout=60,
                 what="the controller answering")
        player.start()
        wait_for(lambda: "acked timeline" in player.output(), timeout=30, what="player acked")

        def seen() -> dict | None:
            found = scrape(url)
            ready = (found[("pano_sockets_connected", ())] == 1
                     and found[("pano_push_ack_seconds_count", ())] >= 1
                     and found[("pano_heartbeats_total", (("transport", "websocket"),))] >= 1
                     and found.get(("pano_screens_online", (("site", SITE),)), 0) >= 1)
            return found if ready else None

        found = wait_for(seen, timeout=30, what="the player in /metrics")
        assert found[("pano_timeline_rebuild_seconds_count", ())] >= 1
        assert found[("pano_screens", (("site", SITE),))] >= 1
        assert found[("process_resident_memory_bytes", ())] > 0
        # Through nginx without proxy_count, the address rule does not open.
        relayed = requests.get(url + "/metrics", timeout=5,
                               headers={"X-Forwarded-For": "198.51.100.7"})
        assert relayed.status_code == 403 and "metrics_allow" in relayed.json()["message"]
        player.stop()
        wait_for(lambda: scrape(url)[("pano_sockets_connected", ())] == 0,
                 what="the socket gauge back to 0")
    finally:
        player.stop()
        gunicorn.stop()
