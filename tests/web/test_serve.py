"""``pano-controller serve`` as a real process, in both async modes: it listens, pushes
timelines, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
from web.helpers import DEADLINE, REPO, Fleet, Player, wait_for

from controller.jobs.renders import WAIT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("mode", ["threading", "gevent"])
def test_serve_pushes_and_stops_cleanly(tmp_path, mode):
    fleet = Fleet.seeded(tmp_path / "data")
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PANO_ASYNC_MODE": mode, "PANO_HEARTBEAT_INTERVAL": "0.5",
           "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "controller.cli", "--data-dir", str(tmp_path / "data"),
             "--port", str(port), "serve"], cwd=REPO, env=env, stdout=out,
            stderr=subprocess.STDOUT)
    player = None
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: url in log.read_text(errors="replace") or proc.poll() is not None,
                 timeout=30, what="listening URL printed")
        assert proc.poll() is None, log.read_text()
        screen = "a-dot-outdoor-pano"
        player = Player(url).connect(screen, fleet.tokens[screen])
        before = player.next_timeline()["version"]
        assert player.call("heartbeat", {"uptime": 1.0, "cpu_temp": 40.0}) == {"ok": True}
        fleet.edit_playlist(tmp_path / "edit", "border-welcome", "friendship", "Friends")
        # A changed text waits for its new slide from the job worker (WAIT at most, then
        # it goes out without it): the push may take that long on a loaded machine.
        assert player.next_timeline(timeout=WAIT + DEADLINE)["version"] == before + 1

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, log.read_text()
        assert player.disconnected.wait(10)
        output = log.read_text(errors="replace")
        assert "stopping" in output and "Traceback" not in output
    finally:
        if player is not None:
            player.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        fleet.close()


def test_the_command_line_parses_without_what_gevent_must_patch_first():
    """``serve`` patches the process for gevent after parsing its arguments and reading
    its settings: neither may have imported SQLAlchemy, Flask, the models or ssl (which
    gevent warns about and which the models pulled in through the roles, 2 s of a
    restart on a loaded machine)."""
    code = ("import sys\n"
            "from controller.cli import build_parser\n"
            "from controller.settings import load_settings\n"
            "build_parser().parse_args(['serve'])\n"
            "heavy = ('sqlalchemy', 'flask', 'flask_socketio', 'socketio', 'ssl',\n"
            "         'controller.models', 'controller.app', 'gevent')\n"
            "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]", out
