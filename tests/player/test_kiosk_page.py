"""The kiosk page in a real Chromium (skipped where Playwright or Chromium is missing):
items follow each other with no empty screen between them, bilingual text in both modes."""

from __future__ import annotations

import shutil
import time

import pytest
from player_helpers import PICTURE, image_item, saved_player_dir, sha, text_item

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")

# What the screen shows right now: the visible layers and what is in them.
SCREEN_JS = """() => {
  const visible = [...document.querySelectorAll('.layer.visible')];
  const layer = visible[0];
  if (!layer) return {visible: 0};
  const slide = layer.querySelector('.slide.on');
  const img = slide && slide.querySelector('img');
  return {
    visible: visible.length,
    text: slide ? slide.innerText : '',
    image: img ? img.complete && img.naturalWidth > 0 : null,
    idle: !!(slide && slide.classList.contains('idle')),
  };
}"""


def watch(browser, url: str, seconds: float) -> tuple[list[dict], list[str]]:
    page = browser.new_page(viewport={"width": 960, "height": 540})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_function("() => document.querySelector('.layer.visible .slide.on:not(.idle)')",
                           timeout=15000)
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(page.evaluate(SCREEN_JS))
        page.wait_for_timeout(40)
    page.close()
    return seen, errors


def test_images_and_dual_language_text_follow_each_other_without_a_gap(
        tmp_path, run_player, browser):
    items = [image_item("citadel", 1.0, sha(PICTURE)), text_item("hello", 1.0)]
    player = run_player(saved_player_dir(tmp_path, items=items))
    seen, errors = watch(browser, player.base + "/", 4.5)
    assert errors == []
    assert all(s["visible"] == 1 and not s["idle"] for s in seen)  # never an empty screen
    texts = [s["text"] for s in seen if s["image"] is None]
    images = [s for s in seen if s["image"] is not None]
    assert images and all(s["image"] for s in images)  # the picture, decoded
    # A picture carries its caption in both languages, Vietnamese first.
    assert all(s["text"].index("Ảnh") < s["text"].index("Picture") for s in images)
    assert texts and all("Xin chào hello" in t and "Hello hello" in t for t in texts)
    # Both kinds came round more than once: the playlist loops.
    changes = sum(1 for a, b in zip(seen, seen[1:], strict=False)
                  if (a["image"] is None) != (b["image"] is None))
    assert changes >= 2


def test_alternate_mode_shows_one_language_at_a_time(tmp_path, run_player, browser):
    items = [text_item("hello", 2.0), image_item("citadel", 2.0, sha(PICTURE))]
    player = run_player(saved_player_dir(tmp_path, items=items, mode="alternate"))
    seen, errors = watch(browser, player.base + "/", 4.5)
    assert errors == []
    texts = [s["text"] for s in seen]
    assert any("Xin chào hello" in t and "Hello hello" not in t for t in texts)
    assert any("Hello hello" in t and "Xin chào hello" not in t for t in texts)
    assert all(s["visible"] == 1 for s in seen)
    # Pictures too: one caption language at a time.
    captions = {s["text"].strip() for s in seen if s["image"]}
    assert {"Ảnh", "Picture"} <= captions, captions


OVERLAY_JS = """() => {
  const o = document.getElementById('emergency');
  return {shown: !o.hidden && getComputedStyle(o).display !== 'none',
          text: o.hidden ? '' : o.innerText,
          onTop: document.elementFromPoint(innerWidth / 2, innerHeight / 2) ?
                 o.contains(document.elementFromPoint(innerWidth / 2, innerHeight / 2)) : false};
}"""


def test_an_emergency_covers_everything_in_both_languages_then_ends_by_itself(
        tmp_path, run_player, browser):
    import json

    from player_helpers import iso, wait_for

    cache = saved_player_dir(tmp_path)
    timeline = json.loads((cache / "timeline.json").read_text())
    # Long enough for a loaded machine to start the player and open the page before it
    # ends (6 s was not: the page came up after the end and waited for it in vain).
    until = time.time() + 12
    timeline["emergencies"] = [{
        "id": 3, "from": iso(time.time() - 5), "until": iso(until), "url": "https://hue.vn/x",
        "messages": {"en": {"title": "Gate closed", "body": "Please wait."},
                     "vi": {"title": "Đóng cửa khẩu", "body": "Vui lòng chờ."}}}]
    (cache / "timeline.json").write_text(json.dumps(timeline))
    player = run_player(cache)
    page = browser.new_page(viewport={"width": 960, "height": 540})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(player.base + "/")
    page.wait_for_function("() => !document.getElementById('emergency').hidden", timeout=15000)
    shown = page.evaluate(OVERLAY_JS)
    assert shown["shown"] and shown["onTop"]
    text = shown["text"]
    # The screen's languages, primary (vi) first, whatever the order of the message.
    assert text.index("Đóng cửa khẩu") < text.index("Gate closed")
    assert "THÔNG BÁO KHẨN" in text and "https://hue.vn/x" in text
    assert player.json("/status")["emergency"]["id"] == 3
    page.screenshot(path=str(tmp_path / "emergency.png"))
    page.wait_for_function("() => document.getElementById('emergency').hidden",
                           timeout=int((until - time.time() + 10) * 1000))
    assert time.time() >= until - 1.5
    assert page.evaluate(SCREEN_JS)["visible"] == 1
    wait_for(lambda: player.json("/status")["emergency"] is None, timeout=5,
             what="/status without the emergency")
    page.close()
    assert errors == []


# Counts the frames the page asks for (kiosk.js and alive.js), installed before they run.
COUNT_FRAMES_JS = """(() => {
  const ask = window.requestAnimationFrame.bind(window);
  window.__framesAsked = 0;
  window.requestAnimationFrame = (f) => { window.__framesAsked += 1; return ask(f); };
})();"""


def test_a_page_with_nothing_to_change_does_not_draw_every_frame(tmp_path, run_player,
                                                                  browser):
    """A Pi's CPU (and temperature) is not spent redrawing a still screen 60 times a
    second: the page looks at its plan a few times a second and at each change."""
    items = [text_item("hello", 30.0)]
    player = run_player(saved_player_dir(tmp_path, items=items))
    page = browser.new_page(viewport={"width": 960, "height": 540})
    page.add_init_script(COUNT_FRAMES_JS)
    page.goto(player.base + "/")
    page.wait_for_function("() => document.querySelector('.layer.visible .slide.on:not(.idle)')",
                           timeout=15000)
    before = page.evaluate("() => window.__framesAsked")
    start = page.evaluate("() => performance.now()")
    page.wait_for_timeout(3000)
    asked = page.evaluate("() => window.__framesAsked") - before
    seconds = (page.evaluate("() => performance.now()") - start) / 1000
    assert "Xin chào hello" in page.inner_text(".layer.visible .slide.on")
    page.close()
    # Every frame would be ~60 a second; the plan is looked at every 250 ms at most,
    # plus one frame before each alive report.
    assert asked <= 6 * seconds + 2, f"{asked} frames asked in {seconds:.1f} s"
