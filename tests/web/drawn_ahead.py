"""Shared by the tests of what is drawn before a version goes on air
(test_rebuild_renders.py: text slides; test_frames_ahead.py: image frames): the tourism
editor's submitted edit of welcome-hue, its approval, whether anything is left to draw,
whether the rebuild asked the worker, and Socket.IO players of the Phú Bài arrivals
screen."""

from __future__ import annotations

from sqlalchemy import select
from web.helpers import Api, Fleet

from controller.models import PlaylistVersion
from controller.server import ControllerServer
from controller.timeline.ahead import missing_specs, showing

SCREEN = "phu-bai-arrivals"
PEOPLE = {"tourism-editor": ("editor", "tourism"), "tourism-approver": ("approver", "tourism")}


def submit_edit(server, tokens: dict[str, str], item_id: str, title: str) -> int:
    """The tourism editor changes the English title of welcome-hue's item ``item_id``
    (an image's caption) and submits it; returns the version number."""
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
