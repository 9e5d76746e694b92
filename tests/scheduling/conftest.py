"""Fixtures for the schedule tests that need a database: a real SQLite file with the
repository's sites and playlists imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.content.playlists_write import import_playlists
from controller.content.sites_import import import_sites
from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.review.agencies import import_agencies
from controller.zones.declarations import import_layouts

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sessions(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'db' / 'pano.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        import_layouts(session, REPO / "config" / "layouts.yaml")  # named by sites.yaml
        import_sites(session, REPO / "config" / "sites.yaml")
        import_agencies(session, REPO / "config" / "agencies.yaml")
        import_playlists(session, REPO / "playlists", MediaStore(tmp_path / "media"),
                         REPO / "media", approve=True)
        session.commit()
    yield factory
    engine.dispose()


@pytest.fixture
def session(sessions):
    with sessions() as s:
        yield s
