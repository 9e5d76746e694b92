"""Image items' frames are drawn before their version goes on air, like text slides
(controller/timeline/ahead.py): a submitted caption change has its frames drawn by the
job worker before anyone approves it, so the approval's push carries them without asking
the worker; an approving import draws them itself (no worker running). Their specs name
the original picture, so the rebuild finds the very files drawn ahead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from web.helpers import Api, Fleet, Player, make_settings, people_tokens, wait_for

from controller.models import PlaylistVersion
from controller.server import ControllerServer
from controller.timeline.ahead import missing_specs, showing

SCREEN = "phu-bai-arrivals"
PEOPLE = {"tourism-editor": ("editor", "tourism"), "tourism-approver": ("approver", "tourism")}


def citadel(body: dict) -> dict:
    key = body["segments"][0]["playlist"]
    return next(i for i in body["playlists"][key]["items"] if i["id"] == "citadel")


def submit_edit(server, tokens: dict[str, str], item_id: str, title: str) -> int:
    """The tourism editor changes the English title (caption) of welcome-hue's
    ``item_id`` and submits it; returns the version number."""
    api, editor = Api(server), tokens["tourism-editor"]
    status, body = api("GET", "/playlists/welcome-hue", editor)
    assert status == 200, body
    on_air = next(v["number"] for v in body["versions"] if v["on_air"])
    status, body = api("GET", f"/playlists/welcome-hue/versions/{on_air}", editor)
    assert status == 200, body
    items = body["items"]
    next(i for i in items if i["id"] == item_id)["variants"]["en"]["title"] = title
    status, body = api("PUT", "/playlists/welcome-hue/draft", editor, {"items": items})
    assert status in (200, 201), body
    number = body["version"]["number"]
    status, body = api("POST", f"/playlists/welcome-hue/versions/{number}/submit", editor)
    assert status == 200, body
    return number


def approve(server, tokens: dict[str, str], number: int) -> None:
    status, body = Api(server)("POST", f"/playlists/welcome-hue/versions/{number}/approve",
                               tokens["tourism-approver"])
    assert status == 200, body


def nothing_left_to_draw(fleet: Fleet, title: str) -> bool:
    with fleet.sessions() as session:
        version = session.scalars(select(PlaylistVersion).where(
            PlaylistVersion.playlist_id == "welcome-hue").order_by(
            PlaylistVersion.number.desc())).first()
        assert version is not None and title in str(version.items)
        return not missing_specs(session, showing(session, "welcome-hue"), version.items)


def asked_for_slides(server: ControllerServer) -> bool:
    renderer = server.app.extensions["pano"].publisher.renderer
    return any(kind == "slide" for kind, *_ in renderer.sent)


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

