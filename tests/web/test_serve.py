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


def test_a_signal_to_the_whole_group_stops_the_worker_once_and_quietly(tmp_path):
    """systemd (KillMode=control-group), a terminal's Ctrl-C and the bench send SIGTERM to
    the controller and its embedded job worker at once: the worker stops first, and the
    controller must neither call that a crash nor start a new worker while it stops."""
    Fleet.seeded(tmp_path / "data").close()
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PANO_ASYNC_MODE": "gevent", "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "controller.cli", "--data-dir", str(tmp_path / "data"),
             "--port", str(port), "serve"], cwd=REPO, env=env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: "job worker vm:" in log.read_text(errors="replace")
                 or proc.poll() is not None, timeout=30, what="the job worker running")
        assert proc.poll() is None, log.read_text()
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()
        output = log.read_text(errors="replace")
        assert output.count("job worker started") == 1, output
        assert "died with exit status" not in output, output
        assert "job worker stopped" in output, output
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
