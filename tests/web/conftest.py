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


@pytest.fixture
def player_of() -> Iterator[Callable[[ControllerServer, Fleet], Player]]:
    """Socket.IO players of the Phú Bài arrivals screen on a given server, each after its
    first timeline (test_rebuild_renders.py, test_frames_ahead.py)."""
    made: list[Player] = []

    def connect(server: ControllerServer, fleet: Fleet) -> Player:
        player = Player(server.url).connect("phu-bai-arrivals",
                                            fleet.tokens["phu-bai-arrivals"])
        made.append(player)
        player.next_timeline()
        return player

    yield connect
    for player in made:
        player.close()
