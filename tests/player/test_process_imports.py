"""What the product's processes load when a test starts them: what a production install
would (tests/support/child_site/sitecustomize.py). Neither a controller nor a player
loads aiohttp, which only the benchmark's clients need and which python-engineio imports
whenever it is installed; and the player, which runs on a Pi, loads nothing of the
controller's database stack. Read from the running processes' memory maps: a package
with native modules is there once it is imported."""

from __future__ import annotations

from pathlib import Path

from support.fleet import fast_playlists, prepare, screen_token
from support.processes import Controller, Player

SCREEN = "phu-bai-arrivals"


def _native(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_a_running_controller_and_player_load_what_a_production_install_has(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists"))
    token = screen_token(data, SCREEN)
    controller = Controller(data).start()
    player = None
    try:
        player = Player(controller.url, SCREEN, token, tmp_path / "cache").start()
        served, plays = _native(controller.popen.pid), _native(player.popen.pid)
        assert "/PIL/" in served and "/sqlalchemy/" in served  # their native modules
        assert "/aiohttp/" not in served
        assert "/aiohttp/" not in plays
        assert "/sqlalchemy/" not in plays and "/markupsafe/" not in plays  # no Flask
    finally:
        if player is not None:
            player.stop()
        controller.stop()
