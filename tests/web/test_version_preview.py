"""``GET /api/v1/playlists/<id>/versions/<n>/preview.png?screen=&item=[&lang=]`` over
real HTTP (issue 16): one item of any version, a draft included, drawn for one screen by
the code that draws the screens — the version on air's item is pixel for pixel what the
screen's own ``preview.png`` shows while it plays; a draft's new caption is drawn
before anything is stored; clear 4xx for what does not exist."""

from __future__ import annotations

import hashlib
import io

import pytest
import requests
from PIL import Image, ImageChops
from sqlalchemy import select

from controller.models import DRAFT, Playlist, PlaylistVersion

SCREEN = "phu-bai-arrivals"  # 1920×1080, vi/en dual, default welcome-hue
ALTERNATE = "phu-bai-baggage"  # 1280×720, vi/en alternate
# welcome (8 s), then citadel (10 s) from local midnight: 10 s in, citadel plays.
CITADEL_AT = "2031-03-10T00:00:10%2B07:00"


def get(server, path: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(server.url + path, headers=headers, timeout=30)


def picture(response: requests.Response) -> Image.Image:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def error(response: requests.Response, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    assert fragment in response.json()["message"], response.json()


def on_air(fleet) -> int:
    with fleet.sessions() as session:
        return session.get(Playlist, "welcome-hue").current_version


def url(number: int, query: str) -> str:
    return f"/api/v1/playlists/welcome-hue/versions/{number}/preview.png?{query}"


def test_the_item_on_air_is_what_the_screen_preview_shows(server, fleet) -> None:
    viewer = fleet.users["viewer"]
    number = on_air(fleet)
    shown = picture(get(server, f"/api/v1/screens/{SCREEN}/preview.png?at={CITADEL_AT}",
                        viewer))
    drawn = picture(get(server, url(number, f"screen={SCREEN}&item=citadel"), viewer))
    assert drawn.size == (1920, 1080)
    assert ImageChops.difference(shown, drawn).getbbox() is None
    # An alternate screen: one slide per language, each its own picture and caption.
    vi = picture(get(server, url(number, f"screen={ALTERNATE}&item=citadel&lang=vi"), viewer))
    en = picture(get(server, url(number, f"screen={ALTERNATE}&item=citadel&lang=en"), viewer))
    assert vi.size == en.size == (1280, 720)
    assert ImageChops.difference(vi, en).getbbox() is not None


def test_a_draft_is_drawn_before_it_is_stored_or_submitted(server, fleet) -> None:
    viewer = fleet.users["viewer"]
    number = on_air(fleet)
    with fleet.sessions() as session:
        current = session.scalar(select(PlaylistVersion).where(
            PlaylistVersion.playlist_id == "welcome-hue", PlaylistVersion.number == number))
        items = [dict(item) for item in current.items]
        citadel = next(item for item in items if item["id"] == "citadel")
        citadel["variants"] = {lang: {**v, "title": v["title"] + " — bản nháp mới"}
                               for lang, v in citadel["variants"].items()}
        huge = dict(citadel, id="huge", variants={
            lang: {**v, "title": " ".join(["Kinh thành Huế, di sản thế giới."] * 40)}
            for lang, v in citadel["variants"].items()})
        items.append(huge)
        session.add(PlaylistVersion(playlist_id="welcome-hue", number=number + 1,
                                    items=items, state=DRAFT, source="test",
                                    content_hash=hashlib.sha256(repr(items).encode())
                                    .hexdigest()))
        session.commit()
    before = picture(get(server, url(number, f"screen={SCREEN}&item=citadel"), viewer))
    draft = picture(get(server, url(number + 1, f"screen={SCREEN}&item=citadel"), viewer))
    assert ImageChops.difference(before, draft).getbbox() is not None  # the new caption
    error(get(server, url(number + 1, f"screen={SCREEN}&item=huge"), viewer), 422,
          "not fit under the picture")


@pytest.mark.parametrize(("query", "status", "fragment"), [
    ("item=citadel", 400, "Missing 'screen'"),
    (f"screen={SCREEN}", 400, "Missing 'item'"),
    (f"screen={'x' * 65}&item=citadel", 400, "too long"),
    (f"screen={SCREEN}&item=citadel&lang=Tiếng", 400, "not a language code"),
    ("screen=nowhere&item=citadel", 404, "No screen 'nowhere'"),
    (f"screen={SCREEN}&item=nothing", 404, "has no item 'nothing'"),
    (f"screen={SCREEN}&item=citadel&lang=lo", 404, "shows no 'lo' slide"),
])
def test_what_does_not_exist_is_a_clear_refusal(server, fleet, query, status,
                                                 fragment) -> None:
    response = get(server, url(on_air(fleet), query), fleet.users["viewer"])
    error(response, status, fragment)


def test_unknown_versions_and_playlists_and_credentials(server, fleet) -> None:
    viewer = fleet.users["viewer"]
    error(get(server, url(999, f"screen={SCREEN}&item=citadel"), viewer), 404, "no version 999")
    response = get(server, f"/api/v1/playlists/nope/versions/1/preview.png?screen={SCREEN}"
                   "&item=citadel", viewer)
    assert response.status_code == 404
    assert get(server, url(1, f"screen={SCREEN}&item=citadel")).status_code == 401
