"""The kiosk page carries a Content-Security-Policy and passes it in real Chromium: a
picture, a text slide and a framed web page play with no ``securitypolicyviolation``
(issue 10, "Security headers … the kiosk page too")."""

from __future__ import annotations

import shutil
import urllib.request

import pytest
from player_helpers import PICTURE, image_item, saved_player_dir, sha, text_item
from support.browser import browser_session

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")

RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def web_item(item_id: str, duration: float, url: str) -> dict:
    variant = {"title": "", "body": "", "media": None, "url": url}
    return {"id": item_id, "type": "web", "duration": duration,
            "variants": {"vi": dict(variant), "en": dict(variant)}}


def test_the_kiosk_page_plays_under_its_policy(tmp_path, run_player):
    items = [image_item("citadel", 1.0, sha(PICTURE)), text_item("hello", 1.0),
             web_item("official", 1.0, "http://127.0.0.1:9/")]  # port 9: nothing answers
    player = run_player(saved_player_dir(tmp_path, items=items))
    with urllib.request.urlopen(player.base + "/", timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    with browser_session() as chromium:
        page = chromium.new_page(viewport={"width": 960, "height": 540})
        page.add_init_script(RECORD)
        console: list[str] = []
        page.on("console", lambda msg: console.append(msg.text)
                if "Content Security Policy" in msg.text else None)
        page.goto(player.base + "/")
        # Every kind of item came on screen at least once: the picture, the text, the frame.
        for selector in (".slide.on img", ".slide.on .caption, .slide.on h1, .slide.on",
                         ".slide.on iframe"):
            page.wait_for_selector(selector, state="attached", timeout=15_000)
        violations = page.evaluate("window.__csp") + console
    assert violations == []
