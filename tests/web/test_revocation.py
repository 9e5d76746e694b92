"""A credential re-issued by the CLI in another process cuts off the screen's open
connections (silent or busy) at once, with the controller's poll a minute away: the
issue is a recorded change that wakes the controller, which checks credentials at
connect only and otherwise refuses the events of a connection it found revoked."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from web.helpers import DEADLINE, REPO, Fleet, Player, wait_for

from controller.server import ControllerServer

SCREENS = {"leader": "phu-bai-arrivals", "follower": "chan-may-gate-kiosk"}
BYSTANDER = "lang-co-bay-pano"
SLOW_POLL = 60.0  # the safety-net poll and sweep: far beyond what the test waits


@pytest.fixture(scope="module")
def servers(fleet: Fleet) -> Iterator[dict[str, ControllerServer]]:
    """The leader (its change watcher hears the CLI's notification) and a follower
    (it hears none: it reads the change log once a second)."""
    slow = dataclasses.replace(fleet.settings, change_poll_interval=SLOW_POLL)
    leader = ControllerServer(slow).start()
    follower = ControllerServer(slow).start()
    assert leader.leading and not follower.leading
    yield {"leader": leader, "follower": follower}
    follower.stop()
    leader.stop()


def _cli_token(fleet: Fleet, screen: str) -> str:
    """``pano-controller screens token SCREEN`` in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANO_")}
    env.update(PYTHONPATH=str(REPO), PANO_INSECURE_FAST_PASSWORD_HASH="1")
    done = subprocess.run(
        [sys.executable, "-m", "controller.cli", "--data-dir", str(fleet.settings.data_dir),
         "screens", "token", screen],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    match = re.search(r"\b(pst_[A-Za-z0-9_\-]+)", done.stdout)
    assert done.returncode == 0 and match, done.stderr
    return match.group(1)


class Talker:
    """Sends ``time`` every 1.2 s (within its budget of one a second after a burst of
    six: faster, a slow run exhausts the burst and gets ``rate_limited`` before the cut)
    until its connection is closed, keeping each answer."""

    def __init__(self, player: Player) -> None:
        self.player = player
        self.answers: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self.player.disconnected.is_set():
            try:
                self.answers.append(self.player.client.call(
                    "time", {"client_time": time.time()}, namespace="/player",
                    timeout=DEADLINE))
            except (socketio.exceptions.TimeoutError,
                    socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.DisconnectedError):
                return
            time.sleep(1.2)

    def join(self) -> None:
        self._thread.join(DEADLINE)


@pytest.mark.parametrize("role", ["leader", "follower"])
def test_a_credential_issued_by_the_cli_cuts_silent_and_busy_connections(fleet, servers,
                                                                         role):
    server, screen = servers[role], SCREENS[role]
    old = fleet.tokens[screen]
    silent = Player(server.url).connect(screen, old)
    busy = Player(server.url).connect(screen, old)
    bystander = Player(server.url).connect(BYSTANDER, fleet.tokens[BYSTANDER])
    try:
        for player in (silent, busy, bystander):
            player.next_timeline()
        talker = Talker(busy)
        wait_for(lambda: len(talker.answers) >= 2, what="the busy player's first answers")
        assert all(a["ok"] for a in talker.answers)

        new = _cli_token(fleet, screen)

        # Both are closed, told why, though the controller's poll is a minute away.
        assert silent.disconnected.wait(DEADLINE), "the silent connection stayed open"
        assert busy.disconnected.wait(DEADLINE), "the busy connection stayed open"
        talker.join()
        for player in (silent, busy):
            assert any("revoked" in e["message"].lower() for e in player.errors)
        # Once refused, the busy connection's events are never accepted again.
        refused = [i for i, a in enumerate(talker.answers) if not a["ok"]]
        if refused:
            assert all(a["error"] == "unauthorized" and "revoked" in a["message"].lower()
                       for a in talker.answers[refused[0]:])

        # The old credential is refused from now on, the new one works, nobody else was
        # touched.
        again = Player(server.url)
        with pytest.raises(socketio.exceptions.ConnectionError):
            again.connect(screen, old)
        wait_for(lambda: again.connect_errors, what="connect_error")
        assert "Wrong or revoked" in again.connect_errors[0]["message"]
        fresh = Player(server.url).connect(screen, new)
        assert fresh.next_timeline()["screen"] == screen
        fresh.close()
        assert bystander.client.connected
        assert bystander.call("time")["ok"] is True
    finally:
        for player in (silent, busy, bystander):
            player.close()
