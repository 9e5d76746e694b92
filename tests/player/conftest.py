"""Fixtures for the player tests (the parts themselves are in player_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import socketio
from support.browser import browser_session

# The tests import player_helpers; pytest runs with --import-mode=importlib, which does
# not put test directories on sys.path.
sys.path.insert(0, str(Path(__file__).parent))
from player_helpers import FakeController, MediaApp, PlayerProcess, Served  # noqa: E402


@pytest.fixture
def media_app():
    return MediaApp()


@pytest.fixture
def media_server(media_app):
    served = Served(media_app)
    yield served
    served.close()


@pytest.fixture
def controller(media_app):
    fake = FakeController(media_app)
    served = Served(socketio.WSGIApp(fake.sio, media_app))
    fake.url = served.url
    yield fake
    served.close()


@pytest.fixture
def run_player():
    started: list[PlayerProcess] = []

    def start(cache: Path, display: str = "kiosk") -> PlayerProcess:
        started.append(PlayerProcess(cache, display))
        return started[-1]

    yield start
    for player in started:
        if player.proc.poll() is None:
            player.proc.kill()
            player.proc.wait()


@pytest.fixture
def browser():
    """The test process's real Chromium driven by Playwright (support/browser.py); the
    test's pages are closed after it."""
    with browser_session() as chromium:
        yield chromium
