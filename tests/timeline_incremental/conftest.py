"""A real SQLite fleet for the incremental rebuild tests: the repository's sites and
approved playlists plus 24 screens more (two resolutions, tags, several default
playlists, one site in another time zone so midnights differ). Built once per test
module and copied per test (or per generated example): a copy costs milliseconds where
importing costs most of a second."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.models import Screen, Site
from controller.review.agencies import import_agencies
from controller.zones.declarations import import_layouts

REPO = Path(__file__).resolve().parents[2]
SITES = ("chan-may-port", "phu-bai-airport", "a-dot-border-gate", "lang-co-pano")
TAGS = ("indoor", "outdoor", "kiosk", "arrivals", "cruise")
DEFAULTS = ("welcome-hue", "welcome-hue", "invest-hue", "sea-islands", None)
EXTRA = 24


class Clock:
    """The publishers' clock, moved on by the tests."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Queue:
    """The job queue as the serving process sees it: requests sent, nobody drawing yet
    (the tests draw them with the job worker's ``make_files`` when they choose)."""

    def __init__(self) -> None:
        self.sent: list[tuple] = []

    def __call__(self, requests: list[tuple], deadline: float) -> None:
        self.sent += requests


def extra_screen(n: int) -> Screen:
    portrait = n % 3 == 2
    return Screen(
        id=f"x-{n:02d}", site_id=SITES[n % len(SITES)], name_vi=f"Màn hình {n}",
        name_en=f"Screen {n}", orientation="portrait" if portrait else "landscape",
        width=1080 if portrait else 1920, height=1920 if portrait else 1080,
        languages=["vi", "en"], bilingual_mode="dual", timezone="",
        tags=list(dict.fromkeys([TAGS[n % len(TAGS)], TAGS[(n // 2) % len(TAGS)]])),
        default_playlist_id=DEFAULTS[n % len(DEFAULTS)])


def store_of(sessions: sessionmaker[Session]) -> MediaStore:
    """The media store of a copy made by ``fleet``."""
    database = Path(str(sessions.kw["bind"].url.database))
    return MediaStore(database.parent.parent / "media")


def populate(session: Session, store: MediaStore) -> None:
    """The test fleet in an empty (upgraded) database; commits."""
    import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
    import_sites(session, REPO / "config" / "sites.yaml")
    import_agencies(session, REPO / "config" / "agencies.yaml")
    import_playlists(session, REPO / "playlists", store, REPO / "media", approve=True)
    session.flush()
    session.get(Site, "lang-co-pano").timezone = "Asia/Tokyo"  # midnight 2 h earlier
    for n in range(EXTRA):
        session.add(extra_screen(n))
    session.commit()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fleet")
    url = f"sqlite:///{root / 'db' / 'pano.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        populate(session, MediaStore(root / "media"))
    engine.dispose()  # checkpoints the WAL: the one file is the whole database
    return root


@pytest.fixture
def fleet(template: Path, tmp_path: Path) -> Iterator[Callable[[], sessionmaker[Session]]]:
    """Call it for a fresh copy of the template (as often as needed in one test): its
    database in ``db/pano.db`` and its media store in ``media/`` (``store_of``)."""
    engines = []

    def fresh() -> sessionmaker[Session]:
        target = tmp_path / f"copy-{len(engines)}"
        shutil.copytree(template, target)
        engine = make_engine(f"sqlite:///{target / 'db' / 'pano.db'}")
        engines.append(engine)
        return make_session_factory(engine)

    yield fresh
    for engine in engines:
        engine.dispose()
