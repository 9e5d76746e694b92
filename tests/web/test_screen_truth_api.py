"""Screen truth against a real controller: periodic captures uploaded with a screen's
credential (``PUT /api/v1/player/screenshot?periodic=1``) are judged against the frame
the controller expected (the item's rendered slide or rendition, from the files in its
media store) and the previous capture, and shown by ``GET /api/v1/screens/<id>/truth``;
a body that is not a picture is refused and changes nothing."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from PIL import Image, ImageDraw
from sqlalchemy import func, select
from support.processes import Player
from web.helpers import DEADLINE, Fleet, make_settings, wait_for

from controller.models import ScreenCommand, ScreenTimeline
from controller.screen_truth import intake
from controller.screen_truth.verdicts import latest_verdict

SCREEN = "a-dot-entry-hall"
OTHER_SCREEN = "phu-bai-arrivals"  # the player process's
TEXT_ITEM, OTHER_TEXT, IMAGE_ITEM = "welcome", "friendship", "citadel"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory):
    # Captures may follow each other at once here (the spacing has its own test).
    made = Fleet(make_settings(tmp_path_factory.mktemp("controller"),
                               screen_truth_min_spacing=0)).seed()
    yield made
    made.close()


def _timeline(fleet: Fleet) -> dict[str, Any] | None:
    with fleet.sessions() as session:
        row = session.get(ScreenTimeline, SCREEN)
        return None if row is None else row.body


def _item(body: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(item for playlist in body["playlists"].values()
                for item in playlist["items"] if item["id"] == item_id)


def _slide_bytes(server, fleet: Fleet, item_id: str, lang: str = "vi") -> bytes:
    body = wait_for(lambda: _timeline(fleet), what="the screen's timeline")
    sha = _item(body, item_id)["slides"][lang]
    return fleet.store.path_for(sha).read_bytes()


def _jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def capture(server, fleet: Fleet, data: bytes, item: str | None,
            languages: str = "vi", content_type: str = "image/png",
            page_item: str | None = None) -> requests.Response:
    params = {"periodic": "1", "languages": languages, **({"item": item} if item else {}),
              **({"page_item": page_item} if page_item is not None else {})}
    return requests.put(f"{server.url}/api/v1/player/screenshot", params=params, data=data,
                        timeout=DEADLINE, headers={
                            "Authorization": f"Bearer {fleet.tokens[SCREEN]}",
                            "Content-Type": content_type})


def truth(server, fleet: Fleet, suffix: str = "") -> requests.Response:
    return requests.get(f"{server.url}/api/v1/screens/{SCREEN}/truth{suffix}",
                        timeout=DEADLINE,
                        headers={"Authorization": f"Bearer {fleet.users['technician']}"})


def _captures(fleet: Fleet) -> int:
    with fleet.sessions() as session:
        return session.scalar(select(func.count()).select_from(ScreenCommand).where(
            ScreenCommand.screen_id == SCREEN, ScreenCommand.command == "capture")) or 0


def test_captures_are_judged_and_shown(server, fleet: Fleet) -> None:
    assert truth(server, fleet).json() == {"screen": SCREEN, "page": None, "verdict": None,
                                           "capture": None, "expected": None}
    slide = _slide_bytes(server, fleet, TEXT_ITEM)
    # What the screen shows is the slide, scaled and recompressed by the capture: ok.
    shown = _jpeg(Image.open(io.BytesIO(slide)).resize((960, 540)))
    answer = capture(server, fleet, shown, TEXT_ITEM)
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] == "ok", answer.json()
    seen = truth(server, fleet).json()
    assert seen["verdict"]["verdict"] == "ok"
    assert seen["capture"]["item"] == TEXT_ITEM and seen["capture"]["mime"] == "image/jpeg"
    assert seen["expected"]["what"] == "slide"
    got = truth(server, fleet, "/capture")
    assert got.status_code == 200 and got.content == shown
    assert truth(server, fleet, "/expected").content == slide
    with fleet.sessions() as session:
        verdict = latest_verdict(session, SCREEN)
    assert verdict is not None and verdict["verdict"] == "ok"
    assert verdict["at"].tzinfo is not None and verdict["at"].utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - verdict["at"]).total_seconds()) < 600

    # The player moved on to another item, the screen still shows the first: frozen.
    answer = capture(server, fleet, shown, OTHER_TEXT)
    assert answer.json()["verdict"] == "frozen", answer.json()
    # A clearly different picture for the image item: wrong.
    odd = Image.new("RGB", (960, 540), (250, 250, 250))
    ImageDraw.Draw(odd).ellipse((100, 50, 500, 450), fill=(200, 0, 0))
    answer = capture(server, fleet, _jpeg(odd), IMAGE_ITEM)
    assert answer.json()["verdict"] == "wrong", answer.json()
    # Its expected frame is the controller's frame (picture and caption drawn, issue 16).
    assert truth(server, fleet).json()["expected"]["what"] == "frame"
    # A black screen while the player says it shows an item: black.
    answer = capture(server, fleet, _jpeg(Image.new("RGB", (960, 540))), TEXT_ITEM)
    assert answer.json()["verdict"] == "black", answer.json()
    assert "black" in truth(server, fleet).json()["verdict"]["reason"]
    # The technician's screenshot is apart: periodic captures are not it.
    shot = truth(server, fleet, "/../screenshot")
    assert shot.status_code == 404


@pytest.mark.parametrize("page_item, says", [
    (OTHER_TEXT, f"Its kiosk page said it showed '{OTHER_TEXT}' instead: the page is behind"),
    ("", "Its kiosk page had confirmed no item on screen"),
    (TEXT_ITEM, "Its kiosk page confirmed drawing this item, so the page is not behind"),
])
def test_a_kiosk_says_what_its_page_confirmed_and_the_verdict_says_where_to_look(
        server, fleet: Fleet, page_item: str, says: str) -> None:
    """A black capture of a kiosk whose page was behind, drew nothing, or drew the item:
    the reason tells the technician whether to look at the page or at the display."""
    answer = capture(server, fleet, _jpeg(Image.new("RGB", (960, 540))), TEXT_ITEM,
                     page_item=page_item)
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] == "black" and says in answer.json()["reason"]
    seen = truth(server, fleet).json()
    assert says in seen["verdict"]["reason"] and seen["capture"]["page_item"] == page_item
    # A capture judged ok says nothing of the page; one without page_item (a headless
    # player) says nothing either.
    slide = _slide_bytes(server, fleet, TEXT_ITEM)
    ok = capture(server, fleet, slide, TEXT_ITEM, page_item=page_item).json()
    assert ok["verdict"] == "ok" and "kiosk page" not in ok["reason"]
    headless = capture(server, fleet, _jpeg(Image.new("RGB", (960, 540))), TEXT_ITEM).json()
    assert "kiosk page" not in headless["reason"] and headless["page_item"] is None


@pytest.mark.parametrize("data", [b"", b"GIF89a not really", b"\x89PNG\r\n\x1a\n broken",
                                  b"<html>hello</html>"])
def test_a_capture_that_is_not_a_picture_is_refused_and_changes_nothing(
        server, fleet: Fleet, data: bytes) -> None:
    capture(server, fleet, _jpeg(Image.new("RGB", (64, 36))), TEXT_ITEM)
    before, rows = truth(server, fleet).json(), _captures(fleet)
    answer = capture(server, fleet, data, TEXT_ITEM)
    assert answer.status_code == 400, answer.text
    message = answer.json()["message"]
    assert "Nothing was stored; the previous verdict stands." in message
    assert truth(server, fleet).json() == before
    assert _captures(fleet) == rows


@pytest.mark.parametrize("params, says", [
    ({"item": "x" * 201}, "'item' must be the item's id"),
    ({"item": "a\nb"}, "control character"),  # the strict request layer's
    ({"languages": "vi,<script>"}, "'languages' must be at most 8 language codes"),
    ({"item": "welcome", "page_item": "y" * 201}, "'page_item' must be the id of the item"),
])
def test_bad_query_is_refused(server, fleet: Fleet, params: dict[str, str], says: str) -> None:
    rows = _captures(fleet)
    answer = requests.put(f"{server.url}/api/v1/player/screenshot",
                          params={"periodic": "1", **params},
                          data=_jpeg(Image.new("RGB", (64, 36))), timeout=DEADLINE,
                          headers={"Authorization": f"Bearer {fleet.tokens[SCREEN]}",
                                   "Content-Type": "image/jpeg"})
    assert answer.status_code == 400 and says in answer.json()["message"]
    assert _captures(fleet) == rows


def test_a_capture_too_soon_after_the_last_is_refused(server, fleet: Fleet) -> None:
    capture(server, fleet, _jpeg(Image.new("RGB", (64, 36))), TEXT_ITEM)
    spaced = dataclasses.replace(fleet.settings, screen_truth_min_spacing=3600)
    rows = _captures(fleet)
    with fleet.sessions() as session, pytest.raises(intake.CaptureRefused) as refused:
        intake.receive(session, spaced, SCREEN, _jpeg(Image.new("RGB", (64, 36))),
                       TEXT_ITEM, ["vi"])
    assert refused.value.status == 429 and "at most every 3600 s" in str(refused.value)
    assert _captures(fleet) == rows


def test_truth_needs_a_person_with_the_role(server, fleet: Fleet) -> None:
    answer = requests.get(f"{server.url}/api/v1/screens/{SCREEN}/truth", timeout=DEADLINE,
                          headers={"Authorization": f"Bearer {fleet.users['viewer']}"})
    assert answer.status_code == 403
    assert truth(server, fleet).status_code == 200
    missing = requests.get(f"{server.url}/api/v1/screens/nope/truth", timeout=DEADLINE,
                           headers={"Authorization": f"Bearer {fleet.users['admin']}"})
    assert missing.status_code == 404


def test_a_player_sends_periodic_captures_by_itself(server, fleet: Fleet, tmp_path) -> None:
    """A real headless player process whose capture method prints a black picture:
    its periodic captures name the item it plays and are judged black; it has no page,
    and its heartbeats say so."""
    black = tmp_path / "black.png"
    black.write_bytes(_jpeg(Image.new("RGB", (320, 180))))
    player = Player(server.url, OTHER_SCREEN, fleet.tokens[OTHER_SCREEN], tmp_path / "cache",
                    extra=["--screenshot-command", f"cat {black}",
                           "--capture-interval", "0.01", "--heartbeat-interval", "0.5"])
    try:
        player.start()

        def judged() -> dict | None:
            answer = requests.get(f"{server.url}/api/v1/screens/{OTHER_SCREEN}/truth",
                                  timeout=DEADLINE, headers={
                                      "Authorization": f"Bearer {fleet.users['admin']}"})
            body = answer.json()
            # A capture taken before the first item started names none (judged
            # "unknown": nothing was expected yet); the next ones name it.
            named = body["capture"] and body["capture"]["item"] is not None
            return body if named and body["verdict"] and body["page"] else None

        seen = wait_for(judged, what="a periodic capture of an item and a heartbeat")
        playing = player.status()[1]["now_playing"]
        assert seen["verdict"]["verdict"] == "black", seen
        assert seen["capture"]["item"] is not None and playing is not None
        assert seen["page"] == {"alive": False, "item": None, "frame_at": None,
                                "visible": False}
    finally:
        player.stop()


def test_only_the_newest_capture_rows_are_kept(server, fleet: Fleet, monkeypatch) -> None:
    monkeypatch.setattr(intake, "KEEP", 3)
    for _ in range(5):
        assert capture(server, fleet, _jpeg(Image.new("RGB", (64, 36))),
                       TEXT_ITEM).status_code == 200
    assert _captures(fleet) == 3
    assert truth(server, fleet, "/capture").status_code == 200
