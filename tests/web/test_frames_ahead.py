"""Image items' frames are drawn before their version goes on air, like text slides
(controller/timeline/ahead.py): a submitted caption change has its frames drawn by the
job worker before anyone approves it, so the approval's push carries them without asking
the worker; an approving import draws them itself (no worker running). Their specs name
the original picture, so the rebuild finds the very files drawn ahead."""

from __future__ import annotations

from web.drawn_ahead import (
    PEOPLE,
    approve,
    asked_for_slides,
    nothing_left_to_draw,
    submit_edit,
)
from web.helpers import Fleet, make_settings, people_tokens, wait_for

from controller.server import ControllerServer


def citadel(body: dict) -> dict:
    key = body["segments"][0]["playlist"]
    return next(i for i in body["playlists"][key]["items"] if i["id"] == "citadel")


def test_a_submitted_caption_is_drawn_before_approval_and_pushed_without_waiting(
        server, fleet, player_of):
    tokens = people_tokens(fleet, PEOPLE)
    player = player_of(server, fleet)
    number = submit_edit(server, tokens, "citadel", "The Imperial City of Huế, by day")
    wait_for(lambda: nothing_left_to_draw(fleet, "The Imperial City of Huế, by day"), 30,
             what="the submitted version's frames drawn by the worker")
    approve(server, tokens, number)
    body = player.next_timeline()
    item = citadel(body)
    assert item["variants"]["en"]["title"] == "The Imperial City of Huế, by day"
    sha = item["slides"]["*"]
    assert fleet.store.exists(sha) and body["media"][sha]["mime"] == "image/jpeg"
    assert not asked_for_slides(server)  # the approval's rebuild found them drawn


def test_an_approving_import_draws_its_frames_with_no_worker(tmp_path, player_of):
    fleet = Fleet(make_settings(tmp_path / "data", jobs_worker="external")).seed()
    server = ControllerServer(fleet.settings).start()
    try:
        server.app.extensions["pano"].publisher.renderer.wait = 1.0
        player = player_of(server, fleet)
        fleet.edit_playlist(tmp_path / "edit", "welcome-hue", "citadel", "Huế's citadel")
        first = player.next_timeline()
        assert citadel(first)["variants"]["en"]["title"] == "Huế's citadel"
        assert fleet.store.exists(citadel(first)["slides"]["*"])
        assert not asked_for_slides(server)
    finally:
        server.stop()
        fleet.close()

