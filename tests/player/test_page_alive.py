"""Whether the kiosk page is alive: the real page in a real Chromium (skipped where
Playwright or Chromium is missing) reports to its player, whose ``/status`` then says
``display.alive`` with the item on screen; the page closed, it says not alive after
three report intervals; a headless player has no page. Reports that are not the page's,
or not reports, are refused and change nothing."""

from __future__ import annotations

import json
import urllib.request

import pytest
from player_helpers import PICTURE, image_item, saved_player_dir, sha, text_item, wait_for
from support.processes import Player, free_port

from player.page_alive import MISSED, PageAlive, parse_report

INTERVAL = 0.3  # seconds between the page's reports here
NO_PAGE = {"alive": False, "item": None, "frame_at": None, "visible": False}


def start_player(tmp_path, display: str = "kiosk") -> Player:
    cache = saved_player_dir(tmp_path, items=[image_item("citadel", 2, sha(PICTURE)),
                                              text_item("hello", 2)])
    return Player(f"http://127.0.0.1:{free_port()}", "test-screen", "pst_x", cache,
                  display=display, extra=["--page-alive-interval", str(INTERVAL),
                                          "--capture-interval", "0"]).start()


def display_of(player: Player) -> dict:
    status, body = player.status()
    assert status == 200, body
    return body["display"]


def post(player: Player, body: bytes, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{player.http_port}/api/alive",
                                     data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_the_real_page_reports_alive_and_its_absence_is_seen(tmp_path, browser):
    player = start_player(tmp_path)
    try:
        assert display_of(player) == NO_PAGE  # no page attached yet
        page = browser.new_page(viewport={"width": 640, "height": 360})
        page.goto(f"http://127.0.0.1:{player.http_port}/")
        # (a first report may come before the page has drawn a frame: frame_at null)
        shown = wait_for(lambda: (d := display_of(player))["alive"] and d["item"]
                         and d["frame_at"] and d, timeout=15,
                         what="the page's alive report with its item and a frame")
        assert shown["item"] in ("citadel", "hello")
        assert shown["visible"] is True and shown["frame_at"].endswith("Z")
        page.close()
        wait_for(lambda: not display_of(player)["alive"], timeout=10,
                 what="not alive once the page is closed")
        assert display_of(player)["item"] is None
    finally:
        player.stop()


@pytest.mark.parametrize("body, headers, status, says", [
    (b'{"item": "x", "frame_at": null, "visible": true}',
     {"Content-Type": "application/json", "Origin": "http://evil.example"}, 403,
     "come from the kiosk page only"),
    (b'{"item": "x", "frame_at": null, "visible": true}', {"Content-Type": "text/plain"},
     415, "JSON"),
    (b'{"item": "x", "frame_at": "yesterday", "visible": true}',
     {"Content-Type": "application/json"}, 400, "not an ISO 8601 time"),
    (b'{"item": "x", "visible": "yes"}', {"Content-Type": "application/json"}, 400,
     "'visible' must be true or false"),
    (b'null', {"Content-Type": "application/json"}, 400, "a report is a JSON object"),
    (b'{"item": "x", "visible": true, "extra": 1}', {"Content-Type": "application/json"},
     400, "unknown field(s) in the report: extra"),
])
def test_reports_that_are_not_the_pages_are_refused(tmp_path, body, headers, status, says):
    player = start_player(tmp_path)
    try:
        got, answer = post(player, body, headers)
        assert got == status and says in answer["message"], answer
        assert display_of(player) == NO_PAGE
        good, answer = post(player, b'{"item": "hello", "frame_at": "2026-12-06T10:00:00Z", '
                                    b'"visible": true}', {"Content-Type": "application/json"})
        assert good == 200 and answer == {"ok": True, "next_ms": round(INTERVAL * 1000)}
        assert display_of(player) == {"alive": True, "item": "hello", "visible": True,
                                      "frame_at": "2026-12-06T10:00:00.000Z"}
    finally:
        player.stop()


def test_a_headless_player_has_no_page(tmp_path):
    player = start_player(tmp_path, display="headless")
    try:
        assert display_of(player) == NO_PAGE
    finally:
        player.stop()


def test_alive_goes_false_after_missed_intervals():
    now = [100.0]
    alive = PageAlive(2.0, monotonic=lambda: now[0])
    assert alive.document() == NO_PAGE
    alive.report({"item": "citadel", "frame_at": "2026-12-06T10:00:00+07:00",
                  "visible": True})
    assert alive.document() == {"alive": True, "item": "citadel", "visible": True,
                                "frame_at": "2026-12-06T03:00:00.000Z"}
    now[0] += MISSED * 2.0 + 0.01
    assert alive.document() == {"alive": False, "item": None, "visible": False,
                                "frame_at": "2026-12-06T03:00:00.000Z"}
    with pytest.raises(ValueError, match="must name its time zone"):
        parse_report({"item": None, "frame_at": "2026-12-06T10:00:00", "visible": True})
    with pytest.raises(ValueError, match="'item' must be the item's id"):
        parse_report({"item": "x" * 201, "visible": True})
