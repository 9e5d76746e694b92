"""Fixtures for the web-panel tests: a real controller in a background thread over a
seeded SQLite file, people of every role, and headless Debian Chromium via Playwright."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from panel.panel_helpers import add_people
from support.browser import browser_session
from web.helpers import Fleet, make_settings

from controller.server import ControllerServer


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """The test process's Chromium (support/browser.py); the module's pages are closed
    after it."""
    with browser_session() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def seeded() -> Iterator[tuple[Path, dict[str, str], dict[str, str]]]:
    """The demo data and the panel's people, seeded once (a few seconds of slide
    rendering and password hashing); each module gets its own copy of the files."""
    with tempfile.TemporaryDirectory(prefix="pano-panel-seed-") as tmp:
        data = Path(tmp)
        fleet = Fleet.seeded(data)
        add_people(fleet)
        fleet.close()  # the last connection closes: the WAL is folded into pano.db
        yield data, dict(fleet.tokens), dict(fleet.users)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, seeded) -> Iterator[Fleet]:
    source, tokens, users = seeded
    data = tmp_path_factory.mktemp("panel")
    shutil.copytree(source, data, dirs_exist_ok=True)
    fleet = Fleet(make_settings(data))
    fleet.tokens, fleet.users = dict(tokens), dict(users)
    yield fleet
    fleet.close()


@pytest.fixture(scope="module")
def server(fleet: Fleet) -> Iterator[ControllerServer]:
    running = ControllerServer(fleet.settings).start()
    yield running
    running.stop()
