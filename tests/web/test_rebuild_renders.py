"""Slides of a text change never make the push wait (controller/timeline/ahead.py,
controller/jobs/renders.py): a version submitted in the API has its slides drawn by the
job worker before anyone approves it, so the approval's first push carries them without
asking the worker; an approving import draws them itself before it commits, so its first
push carries them even with no worker running. With no worker and a version approved
before its slides were drawn, the change still goes out within the rebuild's wait (the
item without slides, the page's HTML text) and the slide follows in a later push once a
worker has drawn it."""

from __future__ import annotations

import dataclasses

from web.drawn_ahead import (
    PEOPLE,
    approve,
    asked_for_slides,
    nothing_left_to_draw,
    submit_edit,
)
from web.helpers import Fleet, make_settings, people_tokens, wait_for

from controller.jobs.worker import ThreadWorker
from controller.server import ControllerServer


def welcome(body: dict) -> dict:
    key = body["segments"][0]["playlist"]
    return next(i for i in body["playlists"][key]["items"] if i["id"] == "welcome")


def test_a_submitted_text_is_drawn_before_approval_and_pushed_without_waiting(
        server, fleet, player_of):
    tokens = people_tokens(fleet, PEOPLE)
    player = player_of(server, fleet)
    number = submit_edit(server, tokens, "welcome", "Welcome to Huế, the city")
    # Nobody has approved it yet: the worker draws its slides meanwhile.
    wait_for(lambda: nothing_left_to_draw(fleet, "Welcome to Huế, the city"), 30,
             what="the submitted version's slides drawn by the worker")
    approve(server, tokens, number)
    body = player.next_timeline()
    item = welcome(body)
    assert item["variants"]["en"]["title"] == "Welcome to Huế, the city"
    sha = item["slides"]["*"]
    assert fleet.store.exists(sha) and sha in body["media"]
    assert not asked_for_slides(server)  # the approval's rebuild found them drawn


def test_an_approving_import_draws_its_slides_and_pushes_them_with_no_worker(
        tmp_path, player_of):
    fleet = Fleet(make_settings(tmp_path / "data", jobs_worker="external")).seed()
    server = ControllerServer(fleet.settings).start()
    try:
        server.app.extensions["pano"].publisher.renderer.wait = 1.0
        player = player_of(server, fleet)
        fleet.edit_playlist(tmp_path / "edit", "welcome-hue", "welcome", "Huế welcomes you")
        first = player.next_timeline()
        assert welcome(first)["variants"]["en"]["title"] == "Huế welcomes you"
        assert fleet.store.exists(welcome(first)["slides"]["*"])
        assert not asked_for_slides(server)
    finally:
        server.stop()
        fleet.close()


def test_without_a_worker_the_change_goes_out_and_the_slide_follows(
        tmp_path, player_of):
    fleet = Fleet(make_settings(tmp_path / "data", jobs_worker="external")).seed()
    server = ControllerServer(fleet.settings).start()
    worker = None
    try:
        server.app.extensions["pano"].publisher.renderer.wait = 1.0
        tokens = people_tokens(fleet, PEOPLE)
        player = player_of(server, fleet)
        approve(server, tokens, submit_edit(server, tokens, "welcome", "Huế welcomes you"))
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
