"""Fixtures for the web-panel tests: a real controller in a background thread over a
seeded SQLite file, people of every role, and headless Debian Chromium via Playwright."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from panel.panel_helpers import CHROMIUM, add_people
from web.helpers import Fleet, make_settings

from controller.server import ControllerServer


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per test module. Not per session: a running sync Playwright holds
    an event loop in this thread, and the player and e2e tests start their own."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


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
