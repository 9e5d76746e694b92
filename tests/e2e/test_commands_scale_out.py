"""Remote commands across controller processes (docs/operations.md, "Scaling out"): the
technician talks to one process, the player is connected to the other; the command goes
through the Redis message queue, the answer and the screenshot land in the shared
database and media directory, and the first process reports them."""

from __future__ import annotations

import io
import json
import os

from PIL import Image
from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, call_api, wait_for
from support.redis import redis_url  # noqa: F401  (fixture)

SCREEN = "phu-bai-baggage"


def test_a_command_sent_to_one_process_reaches_a_player_on_the_other(tmp_path, redis_url):  # noqa: F811
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    token = screen_token(data, SCREEN)
    admin = admin_token(data)
    common = {"PANO_MESSAGE_QUEUE": redis_url,
              "PANO_MESSAGE_QUEUE_CHANNEL": f"pano-test-commands-{os.getpid()}"}
    leader = Controller(data, env={**common, "PANO_SCHEDULER": "1"}, name="leader").start()
    follower = Controller(data, env={**common, "PANO_SCHEDULER": "0"}, name="follower").start()
    shot = tmp_path / "shot.png"
    Image.new("RGB", (48, 27), (250, 200, 0)).save(shot, "PNG")
    player = Player(follower.url, SCREEN, token, tmp_path / "cache",
                    extra=["--screenshot-command", f"cat {shot}"])
    base = f"{leader.url}/api/v1/screens/{SCREEN}"

    def send(body: dict) -> dict | None:
        status, _, answer = call_api("POST", base + "/commands", admin, body)
        if status == 409:  # not connected yet
            return None
        assert status == 202, answer
        return json.loads(answer)

    def finished(command_id: str) -> dict | None:
        status, _, answer = call_api("GET", f"{base}/commands/{command_id}", admin)
        assert status == 200, answer
        body = json.loads(answer)
        return None if body["status"] == "sent" else body

    try:
        player.start()
        wait_for(lambda: player.status()[1]["connected"], what="player on the follower")
        sent = wait_for(lambda: send({"command": "identify", "args": {"seconds": 3}}),
                        timeout=20, what="the screen connected")
        done = wait_for(lambda: finished(sent["id"]), timeout=20, what="identify answered")
        assert done["status"] == "done", done

        sent = send({"command": "screenshot"})
        assert sent is not None
        done = wait_for(lambda: finished(sent["id"]), timeout=30, what="screenshot answered")
        assert done["status"] == "done", done
        status, headers, png = call_api("GET", base + "/screenshot", admin)
        assert status == 200 and png == shot.read_bytes()
        assert headers["X-Pano-Command"] == sent["id"]
        assert Image.open(io.BytesIO(png)).size == (48, 27)
    finally:
        player.stop()
        follower.stop()
        leader.stop()
