"""Rendered slides and QR badges end to end: a real controller renders the text item's
slide and the screen's QR badge, a real kiosk player downloads them (HTTP with its screen
credential), a real Chromium shows them, the screenshot's QR code (pyzbar) is the short
link ``/q/<code>``, following it gets a 302 to the official page and records exactly
one scan for that screen, item and language; ``preview.png`` decodes to the same link.

Skipped where Playwright, Chromium or libzbar0 is missing (failed under CI=true)."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import yaml
from PIL import Image
from support.browser import browser_session
from support.devtools import need
from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, free_port, wait_for

SCREEN = "chan-may-cruise-terminal"  # 1920×1080, vi/en dual, default welcome-hue
TARGET = "https://hue.gov.vn/"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _zbar():
    try:
        from pyzbar import pyzbar
        pyzbar.decode(Image.new("L", (8, 8)))
    except Exception as exc:  # noqa: BLE001 - ImportError or libzbar0 missing
        need(False, f"pyzbar cannot run (Debian package libzbar0 missing?): {exc}")
    return pyzbar


def _links(pyzbar, png: bytes) -> list[str]:
    return [f.data.decode() for f in pyzbar.decode(Image.open(io.BytesIO(png)))]


def _playlists(dest: Path) -> Path:
    """The demo playlists, with welcome-hue reduced to its text item, long, with a link."""
    fast_playlists(dest)
    path = dest / "welcome-hue.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["id"] == "welcome")
    item["duration"] = 3600
    for variant in item["variants"].values():
        variant["url"] = TARGET
    data["items"] = [item]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dest


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def _get(url: str, token: str | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.build_opener(_NoRedirect).open(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_the_kiosk_shows_the_slide_and_badge_and_the_code_leads_to_the_page(tmp_path):
    need(CHROMIUM is not None, "no chromium on this machine")
    pyzbar = _zbar()
    data = tmp_path / "controller"
    prepare(data, _playlists(tmp_path / "playlists"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    admin = admin_token(data)
    controller = Controller(data, port=port, env={"PANO_PUBLIC_URL": base}).start()
    player = Player(controller.url, SCREEN, screen_token(data, SCREEN), tmp_path / "cache",
                    display="kiosk")
    try:
        player.start()
        page_api = f"http://127.0.0.1:{player.http_port}"

        def ready() -> dict | None:
            status, _, body = _get(page_api + "/api/upcoming")
            if status != 200:
                return None
            doc = json.loads(body)
            slides = [s for item in doc["items"] for s in item["slides"]
                      if item["item"]["id"] == "welcome"]
            return doc if slides and slides[0]["file"] and slides[0]["badge"] else None

        doc = wait_for(ready, timeout=60, what="the slide and badge cached by the player")
        slide = doc["items"][0]["slides"][0]
        link = slide["badge"]["url"]
        assert link.startswith(base + "/q/")
        # The player downloaded the controller's files: decode them, check their sizes.
        for sha, size in ((slide["file"], (1920, 1080)),
                          (slide["badge"]["file"], tuple(doc["display"]["qr_badge"][k]
                                                         for k in ("width", "height")))):
            status, _, png = _get(page_api + "/media/" + sha)
            assert status == 200
            assert Image.open(io.BytesIO(png)).size == size
        assert _links(pyzbar, png) == [link]  # the badge alone

        with browser_session() as browser:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(page_api + "/")
            page.wait_for_function("""() => {
              const s = document.querySelector('.layer.visible .slide.on.rendered');
              const imgs = s ? Array.from(s.querySelectorAll('img')) : [];
              return imgs.length === 2 && imgs.every(i => i.complete && i.naturalWidth > 0);
            }""", timeout=30000)
            shot = page.screenshot()
        assert errors == []
        assert _links(pyzbar, shot) == [link]

        # The preview draws what the screen shows: the same code.
        at = datetime.fromtimestamp(doc["now"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status, headers, png = _get(f"{controller.url}/api/v1/screens/{SCREEN}/preview.png"
                                    f"?at={at}", admin)
        assert status == 200, png[:300]
        assert headers.get("Content-Type") == "image/png"
        assert Image.open(io.BytesIO(png)).size == (1920, 1080)
        assert _links(pyzbar, png) == [link]

        # A traveller follows the link: a dual screen's code asks the language; choosing
        # English is a 302 to the page and exactly one scan, counted as English.
        status, _, page = _get(link)
        assert status == 200 and b"Choose your language" in page
        assert f'href="/q/{link.rsplit("/", 1)[1]}/en"'.encode() in page
        status, headers, _ = _get(link + "/en")
        assert status == 302 and headers["Location"] == TARGET
        code = link.rsplit("/", 1)[1]
        with sqlite3.connect(data / "pano.db") as db:
            rows = db.execute("SELECT screen_id, playlist_id, item_id, lang FROM qr_scans "
                              "WHERE code = ?", (code,)).fetchall()
        assert rows == [(SCREEN, "welcome-hue", "welcome", "en")]
    finally:
        player.stop()
        controller.stop()
