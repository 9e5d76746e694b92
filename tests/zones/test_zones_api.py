"""On a screen with a layout, what the panel shows an editor or approver is the size
the screen plays it at (docs/zones.md): the review's list of screen kinds
(``GET /api/v1/playlists/<id>/screen-kinds``) names the main area's size, the item
previews drawn for that kind have that size, and the data catalogue's slide preview
(``GET /api/v1/data-catalog/preview.png``) is drawn at it too. A real controller
(werkzeug + Flask-SocketIO, its job worker drawing the slides), real SQLite, real
files, the shipped layouts."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import requests
from PIL import Image
from sqlalchemy import select, update
from web.helpers import Fleet
from zones.conftest import REPO

from controller.dataslides.templates import import_templates
from controller.models import Playlist, PlaylistVersion, Screen, utcnow
from controller.server import ControllerServer
from controller.zones.declarations import import_layouts, stored_layouts
from controller.zones.geometry import main_area_size

SCREEN = "phu-bai-arrivals"  # 1920×1080, shows welcome-hue
PLAIN = "chan-may-cruise-terminal"  # 1920×1080 too, no layout
LAYOUT = "hall-ticker-clock"
ARRIVALS = [{"flight": "VN1541", "from.vi": "Hà Nội", "from.en": "Hanoi",
             "scheduled": "10:35", "status": "Đã hạ cánh"}]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Fleet, str]]:
    from dataitems.sample import add_source

    fleet = Fleet.seeded(tmp_path_factory.mktemp("controller"))
    with fleet.sessions() as session:
        import_layouts(session, REPO / "config" / "layouts.yaml")
        session.execute(update(Screen).where(Screen.id == SCREEN).values(layout=LAYOUT))
        import_templates(session, REPO / "config" / "data_templates.yaml")
        add_source(session, "arrivals", ARRIVALS, at=utcnow(), stale_after=86_400)
        session.commit()
    server = ControllerServer(fleet.settings).start()
    yield fleet, server.url
    server.stop()
    fleet.close()


def _get(fleet: Fleet, url: str) -> requests.Response:
    return requests.get(url, headers={"Authorization": f"Bearer {fleet.users['admin']}"},
                        timeout=60)


def _main_size(fleet: Fleet) -> tuple[int, int]:
    with fleet.sessions() as session:
        return main_area_size(stored_layouts(session)[LAYOUT], 1920, 1080)


def _size(response: requests.Response) -> tuple[int, int]:
    assert response.status_code == 200, response.text
    return Image.open(io.BytesIO(response.content)).size


def test_the_review_names_the_main_area_and_its_previews_have_that_size(running) -> None:
    fleet, url = running
    main = _main_size(fleet)
    assert main[0] == 1920 and main[1] < 1080  # the ticker strip takes the bottom
    kinds = _get(fleet, f"{url}/api/v1/playlists/welcome-hue/screen-kinds").json()["kinds"]
    by_screen = {kind["screen"]: kind for kind in kinds}
    assert by_screen[SCREEN]["resolution"] == list(main)
    assert by_screen[PLAIN]["resolution"] == [1920, 1080]  # no layout: the whole screen

    with fleet.sessions() as session:
        number = session.get(Playlist, "welcome-hue").current_version
        items = session.scalar(select(PlaylistVersion.items).where(
            PlaylistVersion.playlist_id == "welcome-hue", PlaylistVersion.number == number))
    item = next(entry for entry in items if entry["type"] == "text")["id"]
    for screen in (SCREEN, PLAIN):
        picture = _get(fleet, f"{url}/api/v1/playlists/welcome-hue/versions/{number}/"
                              f"preview.png?screen={screen}&item={item}")
        assert list(_size(picture)) == by_screen[screen]["resolution"], screen


def test_the_data_catalogue_draws_the_slide_at_the_main_area_size(running) -> None:
    fleet, url = running
    base = f"{url}/api/v1/data-catalog/preview.png?source=arrivals&template=arrivals-board"
    assert _size(_get(fleet, f"{base}&screen={SCREEN}")) == _main_size(fleet)
    assert _size(_get(fleet, f"{base}&screen={PLAIN}")) == (1920, 1080)
