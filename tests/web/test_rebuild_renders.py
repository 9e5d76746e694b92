"""Slides of a rebuild are drawn by the job worker (controller/jobs/renders.py), not by
the process that serves the sockets: a changed text item reaches its screen with its new
slide in the first push; with no worker running, the change still goes out within the
rebuild's wait (the item without slides, the page's HTML text) and the slide follows in
a later push once a worker has drawn it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from web.helpers import Fleet, Player, make_settings

from controller.jobs.worker import ThreadWorker
from controller.server import ControllerServer

SCREEN = "phu-bai-arrivals"


def welcome(body: dict) -> dict:
    key = body["segments"][0]["playlist"]
    return next(i for i in body["playlists"][key]["items"] if i["id"] == "welcome")


@pytest.fixture
def player_of() -> Iterator:
    made: list[Player] = []

    def connect(server: ControllerServer, fleet: Fleet) -> Player:
        player = Player(server.url).connect(SCREEN, fleet.tokens[SCREEN])
        made.append(player)
        player.next_timeline()
        return player

    yield connect
    for player in made:
        player.close()


def test_a_changed_slide_is_drawn_by_the_worker_and_in_the_first_push(
        server, fleet, player_of, tmp_path):
    player = player_of(server, fleet)
    fleet.edit_playlist(tmp_path, "welcome-hue", "welcome", "Welcome to Huế, the city")
    body = player.next_timeline()
    item = welcome(body)
    assert item["variants"]["en"]["title"] == "Welcome to Huế, the city"
    sha = item["slides"]["*"]
    assert fleet.store.exists(sha) and sha in body["media"]
    renderer = server.app.extensions["pano"].publisher.renderer
    assert any(kind == "slide" for kind, *_ in renderer.sent)  # asked, not drawn here


def test_without_a_worker_the_change_goes_out_and_the_slide_follows(
        tmp_path, player_of):
    fleet = Fleet(make_settings(tmp_path / "data", jobs_worker="external")).seed()
    server = ControllerServer(fleet.settings).start()
    worker = None
    try:
        server.app.extensions["pano"].publisher.renderer.wait = 1.0
        player = player_of(server, fleet)
        fleet.edit_playlist(tmp_path / "edit", "welcome-hue", "welcome", "Huế welcomes you")
        first = player.next_timeline()
        assert welcome(first)["variants"]["en"]["title"] == "Huế welcomes you"
        assert "slides" not in welcome(first)  # the page shows the item's HTML text
        worker = ThreadWorker(dataclasses.replace(fleet.settings)).start()
        later = player.next_timeline(timeout=30)
        assert later["version"] == first["version"] + 1
        assert fleet.store.exists(welcome(later)["slides"]["*"])
    finally:
        if worker is not None:
            worker.stop()
        server.stop()
        fleet.close()
