"""``make run`` starts ``pano-controller run``: a newcomer's first minutes."""

from __future__ import annotations

import os
import re
import sys

import pytest
from support.processes import REPO, Proc, controller_cli, free_port, get_json, wait_for

SCREEN = "phu-bai-arrivals"


def _run(tmp_path, port: int, player_port: int, name: str) -> Proc:
    # A relative data dir, as in `make run` (var/ under the checkout).
    data_dir = os.path.relpath(tmp_path / "var", REPO)
    return Proc([sys.executable, "-m", "controller.cli", "--data-dir", data_dir,
                 "--port", str(port), "run", "--player-screen", SCREEN],
                tmp_path / f"{name}.log", env={"PANO_PLAYER_PORT": str(player_port)}).start()


def _command_lines() -> list[str]:
    """Every process's command line, as ps shows them to any local user."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    out.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                continue
    return out


# Two whole `pano-controller run`s (a fresh install drawing every demo slide, then a
# restart): beside the suite's heaviest files this took more than the default 120 s.
@pytest.mark.timeout(300)
def test_run_prepares_everything_and_starts_a_player(tmp_path):
    port, player_port = free_port(), free_port()
    status_url = f"http://127.0.0.1:{player_port}/status"
    first = _run(tmp_path, port, player_port, "first")
    try:
        # About 10 s on an idle machine (the demo's slides are drawn for every screen);
        # the suite starts its heaviest files together, so allow for a loaded one.
        try:
            wait_for(lambda: (s := get_json(status_url)[1]).get("connected")
                     and s["timeline_version"], timeout=90, what="demo player connected")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; run's output:\n{first.output()[-3000:]}") from None
        out = first.output()
        assert "schedules.yaml: schedules:" in out  # config/schedules.yaml came in too
        assert "agencies.yaml: agencies:" in out
        password = re.search(r"password:\s*(\S+)", out)
        assert password, out
        assert len(password.group(1)) >= 12
        assert f"http://127.0.0.1:{port}/" in out and f"http://127.0.0.1:{player_port}/" in out
        # The player starts once the controller answers: started before, while the first
        # start drew the demo's slides, it was refused and backed off for up to a minute.
        assert out.index("Pano controller listening") < out.index(f"Player '{SCREEN}'"), out
        status = get_json(status_url)[1]
        assert status["screen"] == SCREEN and status["timeline_version"] >= 1
        # The demo player's credential is in a file only its owner reads, not on a
        # command line every local user sees in ps.
        players = [c for c in _command_lines()  # this run's player (tests run in parallel)
                   if "player.cli" in c and str(tmp_path.resolve()) in c]
        assert players and not any("pst_" in c for c in players), players
        token_file = tmp_path / "var" / f"player-{SCREEN}.token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        assert token_file.read_text().startswith("pst_")
        wait_for(lambda: get_json(status_url)[1]["now_playing"], what="demo player playing")
        # Every demo picture reached the player (served from the relative data dir).
        wait_for(lambda: get_json(status_url)[1]["cache"]["missing"] == 0, timeout=20,
                 what="all media cached")
        # The admin account works: a personal token lists the screens.
        token = re.search(r"\bpat_\S+", controller_cli(tmp_path / "var", "users", "token",
                                                        "admin").stdout).group(0)
        code, body = get_json(f"http://127.0.0.1:{port}/api/v1/screens", token)
        assert code == 200
        assert {s["id"] for s in body["screens"]} >= {SCREEN, "a-dot-entry-hall"}
    finally:
        first.stop()

    # A second run keeps the account and never prints a password again.
    second = _run(tmp_path, port, player_port, "second")
    try:
        wait_for(lambda: get_json(status_url)[1].get("connected"), timeout=40,
                 what="demo player connected again")
        assert "password:" not in second.output()
    finally:
        second.stop()
