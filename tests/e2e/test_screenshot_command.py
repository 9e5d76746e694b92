"""A technician's screenshot, end to end: a real controller process, a real kiosk player
process and a real headless Chromium (``/usr/bin/chromium --headless=new
--remote-debugging-port=…``) showing the player's page, the player configured with that
DevTools address. ``POST /api/v1/screens/<id>/commands {"command": "screenshot"}`` ends
``done`` and ``GET …/screenshot`` is a PNG of exactly what Chromium's window shows (its
page area, ``innerWidth × innerHeight`` at the device pixel ratio: headless Chromium
keeps room for a toolbar it does not draw, so the page is what a kiosk screen shows) and
not blank. ``identify`` on the same screen shows its name and id on the page.

Skipped where Chromium is missing (failed under CI=true)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from PIL import Image
from support.devtools import CHROMIUM, DevTools, need
from support.fleet import admin_token, fast_playlists, prepare, screen_token
from support.processes import Controller, Player, Proc, call_api, free_port, wait_for

SCREEN = "chan-may-cruise-terminal"
def _send(base: str, token: str, body: dict) -> dict | None:
    """The command, once the screen is connected (409 until then)."""
    status, _, answer = call_api("POST", f"{base}/api/v1/screens/{SCREEN}/commands", token, body)
    if status == 409:
        return None
    assert status == 202, answer
    return json.loads(answer)


def _finished(base: str, token: str, command_id: str) -> dict | None:
    status, _, body = call_api("GET", f"{base}/api/v1/screens/{SCREEN}/commands/{command_id}",
                           token)
    assert status == 200, body
    answer = json.loads(body)
    return None if answer["status"] == "sent" else answer


def test_a_screenshot_of_the_kiosk_page_reaches_the_technician(tmp_path: Path):
    need(CHROMIUM is not None, "no chromium on this machine")
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=30))
    admin = admin_token(data)
    controller = Controller(data).start()
    cdp_port = free_port()
    player = Player(controller.url, SCREEN, screen_token(data, SCREEN), tmp_path / "cache",
                    display="kiosk", extra=["--devtools-url", f"http://127.0.0.1:{cdp_port}"])
    page_url = f"http://127.0.0.1:{player.http_port}/"
    chromium = Proc([CHROMIUM, "--headless=new", f"--remote-debugging-port={cdp_port}",
                     "--remote-debugging-address=127.0.0.1", "--window-size=1280,720",
                     "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                     "--autoplay-policy=no-user-gesture-required",
                     f"--user-data-dir={tmp_path / 'chromium'}",
                     *(["--no-sandbox"] if os.geteuid() == 0 else []), page_url],
                    tmp_path / "chromium.log")
    try:
        player.start()
        chromium.start()
        devtools = DevTools(cdp_port, page_url)
        wait_for(lambda: devtools.evaluate(
            "!!document.querySelector('.layer.visible .slide.on:not(.idle)')"),
            timeout=60, what="the kiosk page playing in Chromium")

        sent = wait_for(lambda: _send(controller.url, admin, {"command": "screenshot"}),
                        timeout=30, what="the screen connected")
        done = wait_for(lambda: _finished(controller.url, admin, sent["id"]), timeout=60,
                        what="the screenshot command finished")
        assert done["status"] == "done", done
        status, headers, png = call_api("GET", f"{controller.url}/api/v1/screens/{SCREEN}/"
                                    "screenshot", admin)
        assert status == 200, png[:300]
        assert headers["Content-Type"] == "image/png"
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Pano-Taken-At"] == done["screenshot"]["taken_at"]
        picture = Image.open(io.BytesIO(png))
        assert picture.format == "PNG"
        width, height, ratio, window_width, window_height = devtools.evaluate(
            "[innerWidth, innerHeight, devicePixelRatio, outerWidth, outerHeight]")
        assert picture.size == (round(width * ratio), round(height * ratio))
        # The whole width of the window, and its height but for the toolbar headless
        # Chromium reserves (none in a kiosk window).
        assert width == window_width and 0 < height <= window_height
        assert (done["screenshot"]["width"], done["screenshot"]["height"]) == picture.size
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 10, "the screenshot is blank"

        # identify: the page shows the screen's name and id.
        sent = _send(controller.url, admin, {"command": "identify", "args": {"seconds": 30}})
        assert sent is not None
        done = wait_for(lambda: _finished(controller.url, admin, sent["id"]), timeout=30,
                        what="identify finished")
        assert done["status"] == "done", done
        text = wait_for(lambda: devtools.evaluate(
            "(e => e && !e.hidden && e.innerText)(document.getElementById('identify'))"),
            timeout=20, what="the identify overlay")
        assert SCREEN in text, text
        assert "Nhà ga hành khách tàu biển" in text and "Cruise passenger terminal" in text
    except BaseException:
        print(chromium.output()[-3000:], player.output()[-3000:])
        raise
    finally:
        chromium.stop()
        player.stop()
        controller.stop()
