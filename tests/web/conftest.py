"""Fixtures for the web layer: a real controller (werkzeug + Flask-SocketIO) listening on
a free 127.0.0.1 port in a background thread, over a real SQLite file seeded from the
repository's config/sites.yaml and playlists/, and real python-socketio clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from web.helpers import Fleet, Player

from controller.server import ControllerServer


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    fleet = Fleet.seeded(tmp_path_factory.mktemp("controller"))
    yield fleet
    fleet.close()


@pytest.fixture(scope="module")
def server(fleet: Fleet) -> Iterator[ControllerServer]:
    running = ControllerServer(fleet.settings).start()
    yield running
    running.stop()


@pytest.fixture
def players(server: ControllerServer) -> Iterator[Callable[[], Player]]:
    made: list[Player] = []

    def make() -> Player:
        player = Player(server.url)
        made.append(player)
        return player

    yield make
    for player in made:
        player.close()
