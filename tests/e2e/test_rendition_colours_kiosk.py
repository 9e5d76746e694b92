"""A 16-bit grey picture larger than the screen, as a player gets it (issue 12, point
8): the controller's rendition for 1920×1080, placed in a player's cache with a timeline
naming it, shown by the real kiosk page in a real Chromium. The screenshot's grey is the
one sRGB gives a 16-bit value of 25 % (64), not the white Pillow's plain conversion made
of it.

Skipped where Playwright or Chromium is missing."""

from __future__ import annotations

import io
import json
import shutil
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from controller.db import make_engine, make_session_factory, upgrade
from controller.media.renditions import rendition_for
from controller.media.store import MediaStore

sys.path.insert(0, str(Path(__file__).parents[1] / "player"))
sys.path.insert(0, str(Path(__file__).parents[1] / "data"))
from colour_samples import png16  # noqa: E402
from player_helpers import PlayerProcess, image_item, make_timeline  # noqa: E402
from support.browser import browser_session

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _rendition(tmp_path: Path) -> tuple[str, bytes]:
    """The 1920×1080 rendition of a 2400×1800 16-bit grey PNG, made by the controller."""
    url = f"sqlite:///{tmp_path / 'pano.db'}"
    upgrade(url)
    engine = make_engine(url)
    store = MediaStore(tmp_path / "store")
    src = tmp_path / "grey16.png"
    src.write_bytes(png16((2400, 1800), (0x4000,)))
    with make_session_factory(engine)() as session:
        media = store.put_file(session, src, "grey16.png", "image/png", "image")
        row = rendition_for(session, store, media.sha256, "1920x1080")
        assert row is not None
        session.commit()
        digest = row.rendition_sha256
    engine.dispose()
    return digest, store.path_for(digest).read_bytes()


def test_kiosk_shows_a_16_bit_grey_in_its_srgb_shade(tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine")
    digest, data = _rendition(tmp_path)
    start = time.time() - 60
    timeline = make_timeline([(start, start + 3600, "grey@1")],
                             {"grey@1": [image_item("grey", 3600.0, digest)]},
                             media={digest: {"size": len(data), "mime": "image/jpeg"}})
    cache = tmp_path / "cache"
    (cache / "media").mkdir(parents=True)
    (cache / "media" / digest).write_bytes(data)
    (cache / "timeline.json").write_text(json.dumps(timeline))
    (cache / "clock.json").write_text(json.dumps({"clock_offset": 0.0}))
    player = PlayerProcess(cache, "kiosk")
    try:
        with browser_session() as browser:
            page = browser.new_page(viewport={"width": 960, "height": 540})
            page.goto(player.base + "/")
            page.wait_for_function(
                "() => { const i = document.querySelector('.layer.visible .slide.on img');"
                " return i && i.complete && i.naturalWidth > 0; }", timeout=15000)
            page.wait_for_timeout(500)  # the cross-fade ends
            shot = page.screenshot()
    finally:
        player.proc.kill()
        player.proc.wait()
    screen = Image.open(io.BytesIO(shot)).convert("RGB")
    # The picture (4:3) is centred on the 16:9 screen; sample its middle, above the
    # caption band.
    for x, y in ((480, 150), (420, 200), (540, 120)):
        assert all(abs(c - 64) <= 3 for c in screen.getpixel((x, y))), (
            f"pixel {(x, y)} is {screen.getpixel((x, y))}, sRGB says (64, 64, 64)")
