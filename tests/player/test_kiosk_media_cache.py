"""Chromium keeps no copy of the player's media (player/display/kiosk.py): a file the
player no longer serves — deleted as damaged, or gone from the cache — is not shown from
the browser's own cache. In a real Chromium (skipped where Playwright or Chromium is
missing); the header itself is checked in test_cli.py."""

from __future__ import annotations

import shutil

import pytest
from player_helpers import PICTURE, saved_player_dir, sha
from support.browser import browser_session

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")

# Load a picture as the kiosk page does (an <img>); its width, or 0 if it failed.
LOAD_JS = """(src) => new Promise((done) => {
  const img = new Image();
  img.onload = () => done(img.naturalWidth);
  img.onerror = () => done(0);
  img.src = src;
})"""


def test_a_picture_the_player_stopped_serving_is_not_shown_from_the_browser_cache(
        tmp_path, run_player):
    cache = saved_player_dir(tmp_path)
    player = run_player(cache)
    url = f"{player.base}/media/{sha(PICTURE)}"
    with browser_session() as browser:
        context = browser.new_context()
        page = context.new_page()
        page.goto(player.base + "/status")  # the page's origin
        assert page.evaluate(LOAD_JS, url) == 4  # shown once: a 4 × 3 picture
        page.close()
        # The player deletes the file (found damaged on the card, say): it answers 404.
        (cache / "media" / sha(PICTURE)).unlink()
        assert player.get(f"/media/{sha(PICTURE)}")[0] == 404
        page = context.new_page()
        page.goto(player.base + "/status")
        assert page.evaluate(LOAD_JS, url) == 0, "shown from Chromium's own copy"
    player.stop()
