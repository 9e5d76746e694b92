"""Issue 16 end to end: an image item with a long caption and a QR link, on real kiosk
players at 1920×1080 (dual), 1280×720 and 1080×1920 (alternate), in real Chromium. The
page shows the controller's frame (picture, caption drawn, QR corner free) with the
screen's badge over it, and the screenshot is the controller's ``preview.png`` of that
screen at that instant, and the review's picture of that item of the version on air for
that screen and language, within a small tolerance (JPEG decoding and Chromium's
compositing).

Skipped where Playwright or Chromium is missing (failed under CI=true)."""

from __future__ import annotations

import io
import json
import shutil
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import yaml
from PIL import Image, ImageChops, ImageStat
from support.browser import browser_session
from support.devtools import need
from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, free_port, wait_for

SCREENS = [("chan-may-cruise-terminal", (1920, 1080)),  # vi/en dual
           ("phu-bai-baggage", (1280, 720)),  # vi/en alternate
           ("chan-may-gate-kiosk", (1080, 1920))]  # vi/en alternate, portrait
TARGET = "https://hue.gov.vn/"
CAPTIONS = {
    "vi": "Vịnh Lăng Cô, Khu kinh tế Chân Mây – Lăng Cô: cửa ngõ biển của Huế, với hội "
          "nhập quốc tế và phát triển bền vững",
    "en": "Lăng Cô Bay, Chân Mây – Lăng Cô Economic Zone: Huế's gateway to the sea, open "
          "to the world and growing sustainably",
}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _playlists(dest: Path) -> Path:
    """The demo playlists, welcome-hue reduced to its picture of the citadel, an hour
    long, with long captions and a link in every language."""
    fast_playlists(dest)
    path = dest / "welcome-hue.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["type"] == "image")
    item["duration"] = 3600
    for lang, variant in item["variants"].items():
        variant["url"] = TARGET
        variant["title"] = CAPTIONS.get(lang, variant["title"])
    data["items"] = [item]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dest


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """Mean absolute difference per channel (0–255) and the share of pixels off by
    more than 48 in some channel."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mean = sum(ImageStat.Stat(diff).mean) / 3
    far = diff.convert("L").point(lambda v: 255 if v > 48 else 0)
    share = ImageStat.Stat(far).mean[0] / 255
    return mean, share


def test_the_kiosk_shows_the_frame_the_preview_draws_on_every_screen_kind(tmp_path):
    need(CHROMIUM is not None, "no chromium on this machine")
    data = tmp_path / "controller"
    prepare(data, _playlists(tmp_path / "playlists"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    admin = admin_token(data)
    controller = Controller(data, port=port, env={"PANO_PUBLIC_URL": base}).start()
    try:
        with browser_session() as browser:
            for screen, size in SCREENS:
                _check_screen(browser, controller, data, tmp_path, admin, screen, size)
    finally:
        controller.stop()


def _check_screen(browser, controller, data, tmp_path, admin, screen, size) -> None:
    player = Player(controller.url, screen, screen_token(data, screen),
                    tmp_path / f"cache-{screen}", display="kiosk")
    try:
        player.start()
        page_api = f"http://127.0.0.1:{player.http_port}"

        def ready() -> dict | None:
            status, body = _get(page_api + "/api/upcoming")
            if status != 200:
                return None
            doc = json.loads(body)
            slides = [s for item in doc["items"] for s in item["slides"]
                      if item["item"]["type"] == "image"]
            return doc if slides and all(s["file"] and s["badge"] for s in slides) else None

        try:
            doc = wait_for(ready, timeout=90, what=f"{screen}: the frame and badge cached")
        except AssertionError as exc:  # what the controller and the player said meanwhile
            raise AssertionError(f"{exc}\n--- controller:\n{controller.output()[-4000:]}"
                                 f"\n--- player:\n{player.output()[-3000:]}") from None
        frame_sha = doc["items"][0]["slides"][0]["file"]
        status, frame = _get(page_api + "/media/" + frame_sha)
        assert status == 200 and Image.open(io.BytesIO(frame)).size == size

        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_api + "/")
        page.wait_for_function("""() => {
          const s = document.querySelector('.layer.visible .slide.on.rendered');
          const imgs = s ? Array.from(s.querySelectorAll('img')) : [];
          return imgs.length === 2 && imgs.every(i => i.complete && i.naturalWidth > 0)
            && !s.querySelector('.caption');
        }""", timeout=30000)
        shot = Image.open(io.BytesIO(page.screenshot()))
        _, body = _get(page_api + "/api/upcoming")
        upcoming = json.loads(body)
        now = upcoming["now"]
        page.close()
        assert errors == []
        entry = upcoming["items"][0]
        slide = next(s for s in entry["slides"] if s["started_at"] <= now < s["ends_at"])

        at = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status, png = _get(f"{controller.url}/api/v1/screens/{screen}/preview.png?at={at}",
                           admin)
        assert status == 200, png[:300]
        preview = Image.open(io.BytesIO(png))
        assert preview.size == shot.size == size
        mean, share = _difference(shot, preview)
        assert mean < 2.0 and share < 0.002, (screen, mean, share)

        # The review's picture of that item of the version on air, for that screen and
        # the language on screen: the same frame (docs/api-admin.md, "Previews").
        playlist, version = entry["playlist"].split("@")
        lang = f"&lang={slide['languages'][0]}" if len(slide["languages"]) == 1 else ""
        status, png = _get(f"{controller.url}/api/v1/playlists/{playlist}/versions/{version}"
                           f"/preview.png?screen={screen}&item={entry['item']['id']}{lang}",
                           admin)
        assert status == 200, png[:300]
        mean, share = _difference(shot, Image.open(io.BytesIO(png)))
        assert mean < 2.0 and share < 0.002, (screen, "review", mean, share)
    finally:
        player.stop()
