"""``restart`` and ``reboot`` end to end: a real controller process and real player
processes (headless). A restart makes the player answer ``done``, stop cleanly and
re-execute itself (the same PID, a new ``started_at`` in its /status) and connect again;
a reboot runs the player's ``--reboot-command`` (here one that writes a file) and is
``done``; a reboot command that does not exist is ``failed`` with the reason."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, call_api, wait_for

SCREEN = "phu-bai-baggage"
BROKEN = "chan-may-gate-kiosk"


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def send(self, screen: str, body: dict) -> dict | None:
        """The command once the screen is connected (409 until then)."""
        status, _, answer = call_api("POST", f"{self.base}/api/v1/screens/{screen}/commands",
                                     self.token, body)
        if status == 409:
            return None
        assert status == 202, answer
        return json.loads(answer)

    def finished(self, screen: str, command_id: str) -> dict | None:
        status, _, answer = call_api(
            "GET", f"{self.base}/api/v1/screens/{screen}/commands/{command_id}", self.token)
        assert status == 200, answer
        body = json.loads(answer)
        return None if body["status"] == "sent" else body

    def run(self, screen: str, body: dict) -> dict:
        sent = wait_for(lambda: self.send(screen, body), timeout=30,
                        what=f"{screen} connected")
        return wait_for(lambda: self.finished(screen, sent["id"]), timeout=30,
                        what=f"{body['command']} finished")


def test_restart_and_reboot_from_the_api(tmp_path: Path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    api_token = admin_token(data)
    controller = Controller(data).start()
    marker = tmp_path / "rebooted"
    writes = shlex.join([sys.executable, "-c",
                         f"open({str(marker)!r}, 'w').write('reboot requested')"])
    player = Player(controller.url, SCREEN, screen_token(data, SCREEN), tmp_path / "cache",
                    extra=["--reboot-command", writes])
    broken = Player(controller.url, BROKEN, screen_token(data, BROKEN), tmp_path / "cache2",
                    extra=["--reboot-command", str(tmp_path / "no-such-reboot")])
    api = Api(controller.url, api_token)
    try:
        player.start()
        broken.start()
        wait_for(lambda: player.status()[1]["connected"], what="the player connected")
        before = player.status()[1]
        pid = player.popen.pid

        done = api.run(SCREEN, {"command": "restart"})
        assert done["status"] == "done", done
        assert done["result"]["pid"] == pid
        # The same process (execv), started again, connected again.
        after = wait_for(lambda: (lambda s: s if s.get("started_at") not in (
            None, before["started_at"]) and s["connected"] else None)(player.status()[1]),
            what="the player started again and connected")
        assert player.alive() and player.popen.pid == pid
        assert after["software"] == before["software"]
        log = player.output()
        assert "restarting:" in log and "Traceback" not in log
        assert log.count("for screen " + SCREEN) == 2  # started twice

        done = api.run(SCREEN, {"command": "reboot", "confirm": True})
        assert done["status"] == "done", done
        assert "exit 0" in done["message"]
        assert marker.read_text() == "reboot requested"

        failed = api.run(BROKEN, {"command": "reboot", "confirm": True})
        assert failed["status"] == "failed", failed
        assert failed["message"] == ("cannot run the reboot command: "
                                     f"{tmp_path / 'no-such-reboot'} not found")
        assert broken.alive()
    except BaseException:
        print(player.output()[-3000:], broken.output()[-2000:])
        raise
    finally:
        broken.stop()
        player.stop()
        controller.stop()
