"""The kiosk page in a real Chromium shows the language ``alternate_timing`` says
(skipped where Playwright or Chromium is missing). Long items, far from any boundary:
no timing race."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from player_helpers import saved_player_dir, text_item
from support.browser import browser_session

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")

SLIDE_TEXT = """() => {
  const slide = document.querySelector('.layer.visible .slide.on:not(.idle)');
  return slide ? slide.innerText : null;
}"""


@pytest.mark.parametrize("timing, shown, hidden", [("repeat", "Xin chào hello", "Hello hello"),
                                                   ("split", "Hello hello", "Xin chào hello")])
def test_the_page_shows_the_language_of_the_timing(tmp_path, run_player, timing, shown,
                                                   hidden):
    # One 400 s item started 300 s ago: repeat shows vi for 0-400 s, split en for 200-400 s.
    cache = saved_player_dir(tmp_path, start=time.time() - 300, mode="alternate",
                             items=[text_item("hello", 400), text_item("next", 400)])
    saved = json.loads((cache / "timeline.json").read_text())
    saved["display"]["alternate_timing"] = timing
    (cache / "timeline.json").write_text(json.dumps(saved))
    player = run_player(cache)
    with browser_session() as browser:
        page = browser.new_page(viewport={"width": 960, "height": 540})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(player.base + "/")
        page.wait_for_function(f"() => ({SLIDE_TEXT})() !== null", timeout=15000)
        texts = []
        for _ in range(10):
            texts.append(page.evaluate(SLIDE_TEXT))
            page.wait_for_timeout(50)
    assert errors == []
    assert all(shown in t and hidden not in t for t in texts), texts
