"""The kiosk page in a real Chromium, while a captioned picture's frame is not cached
(or with an older controller that draws none): the page's own caption bar stays beside
the QR badge on a landscape screen and above it on a portrait one, never under it (the
caption once ran under the QR card and was cut, issue 16). With the frame cached, the
page shows the controller's frame and no caption bar of its own."""

from __future__ import annotations

import json
import shutil

import pytest
from player_helpers import PICTURE, image_item, png, saved_player_dir, sha

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")

BADGE = png(40, 28, (255, 255, 255))
FRAME = png(16, 9, (10, 120, 10))
LONG = ("Vịnh Lăng Cô, Khu kinh tế Chân Mây – Lăng Cô: cửa ngõ biển của Huế, với hội "
        "nhập quốc tế và phát triển bền vững")

BOXES_JS = """() => {
  const slide = document.querySelector('.layer.visible .slide.on');
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  return {caption: box(slide.querySelector('.caption')),
          badge: box(slide.querySelector('.qr-badge')),
          rendered: slide.classList.contains('rendered'),
          text: slide.innerText};
}"""


def _cache(tmp_path, resolution: tuple[int, int], with_frame: bool):
    """A saved player whose one item is a picture with a long caption, a link and its
    badge (and its frame when ``with_frame``)."""
    item = image_item("bay", 3600.0, sha(PICTURE))
    for variant in item["variants"].values():
        variant["title"] = LONG
        variant["url"] = "https://hue.gov.vn/"
        variant["qr"] = {"url": "https://pano.example/q/AB12CD34", "badge": sha(BADGE)}
    if with_frame:
        item["slides"] = {"*": sha(FRAME)}
    cache = saved_player_dir(tmp_path, items=[item])
    timeline = json.loads((cache / "timeline.json").read_text())
    width, height = resolution
    timeline["display"]["resolution"] = [width, height]
    timeline["display"]["orientation"] = "landscape" if width >= height else "portrait"
    # The badge box of the controller's layout (controller.slides.spec.badge_box).
    box = {(1920, 1080): (1295, 629, 576, 402), (1080, 1920): (361, 1435, 670, 436)}[resolution]
    timeline["display"]["qr_badge"] = dict(zip(("x", "y", "width", "height"), box, strict=True))
    for data in (BADGE, FRAME):
        timeline["media"][sha(data)] = {"size": len(data), "mime": "image/png"}
        (cache / "media" / sha(data)).write_bytes(data)
    (cache / "timeline.json").write_text(json.dumps(timeline))
    return cache


@pytest.mark.parametrize("resolution", [(1920, 1080), (1080, 1920)], ids=["landscape",
                                                                          "portrait"])
def test_the_page_caption_never_runs_under_the_badge(tmp_path, run_player, browser,
                                                      resolution) -> None:
    player = run_player(_cache(tmp_path, resolution, with_frame=False))
    page = browser.new_page(viewport={"width": resolution[0] // 2,
                                      "height": resolution[1] // 2})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(player.base + "/")
    page.wait_for_function("() => document.querySelector('.layer.visible .slide.on .qr-badge')",
                           timeout=15000)
    seen = page.evaluate(BOXES_JS)
    page.close()
    assert errors == []
    caption, badge = seen["caption"], seen["badge"]
    assert caption is not None and badge is not None and LONG in seen["text"]
    if resolution[0] >= resolution[1]:
        assert caption[2] <= badge[0] + 0.5  # beside it
    else:
        assert caption[3] <= badge[1] + 0.5  # above it


def test_with_its_frame_cached_the_page_shows_the_frame_and_no_caption_of_its_own(
        tmp_path, run_player, browser) -> None:
    player = run_player(_cache(tmp_path, (1920, 1080), with_frame=True))
    page = browser.new_page(viewport={"width": 960, "height": 540})
    page.goto(player.base + "/")
    page.wait_for_function("() => document.querySelector('.layer.visible .slide.on.rendered')",
                           timeout=15000)
    seen = page.evaluate(BOXES_JS)
    page.close()
    assert seen["rendered"] and seen["caption"] is None and seen["badge"] is not None
