"""When a periodic capture is taken (player/periodic_capture.py): on a kiosk, once the
page has confirmed the item the player means and it has stood a moment, so that a page
drawing late on a starved Pi is not judged ``wrong`` or ``black``; a page that never
confirms it is captured as it is, against what the player means (that screen is
wrong); a capture during which the page's confirmation changed is taken again.

Real parts: the player's state, its timeline resolution, its play recorder and journal,
the page's reports parsed as the kiosk route parses them, and a real capture command
(``cat`` of the "screen", a PNG the simulated page paints). Only the page is simulated:
it shows what the player decided ``lag`` seconds ago."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from player_helpers import make_timeline, png, text_item

from player import periodic_capture, screenshot
from player.clock import Clock
from player.config import PlayerConfig
from player.journal import Journal
from player.on_screen import reported
from player.periodic_capture import PeriodicCapture
from player.play_recorder import PlayRecorder
from player.state import PlayerState
from player.timeline import resolve

ITEMS = ("harbour", "citadel", "lang-co")
COLOURS = {"harbour": (10, 60, 200), "citadel": (200, 30, 30), "lang-co": (20, 160, 40),
           "old": (90, 90, 90)}
ITEM_SECONDS = 6.0


def picture(item: str) -> bytes:
    return png(8, 6, COLOURS[item])


class Kiosk:
    """The player's loop deciding what plays, and a page drawing it ``lag`` seconds
    later: it paints the screen file, then confirms (``POST /api/shown``)."""

    def __init__(self, tmp_path: Path, lag: float, stuck: str | None = "") -> None:
        start = float(int(time.time()) - 60)
        self.timeline = make_timeline(
            [(start, start + 3600, "fleet@1")],
            {"fleet@1": [text_item(item, ITEM_SECONDS) for item in ITEMS]})
        self.clock = Clock()
        self.state = PlayerState(self.timeline)
        self.journal = Journal(tmp_path / "journal", source="kiosk")
        self.recorder = PlayRecorder(self.journal, self.clock)
        self.screen = tmp_path / "screen.png"
        self.screen.write_bytes(picture("old"))
        self.flag = tmp_path / "captured"
        self.lag, self.stuck = lag, stuck
        self.unstick_at = float("inf")
        self.reconfirm_once = False  # the page reloads when the first capture is taken
        self.stop = threading.Event()
        self.state.set_playing(resolve(self.timeline, self.clock.now()))
        self.threads = [threading.Thread(target=self._player, daemon=True),
                        threading.Thread(target=self._page, daemon=True)]
        for thread in self.threads:
            thread.start()

    def capture(self, command: str | None = None) -> PeriodicCapture:
        config = PlayerConfig(controller="http://127.0.0.1:9", screen="s", token="t",
                              cache_dir=self.journal.directory,
                              screenshot_command=command or f"cat {self.screen}")
        return PeriodicCapture(config, self.state, self.clock, self.recorder.on_screen_since)

    def _player(self) -> None:
        while not self.stop.wait(0.02):
            self.state.set_playing(resolve(self.timeline, self.clock.now()))

    def _report(self, item: str, key: str) -> dict:
        return {"kind": "item", "key": key, "playlist": "fleet@1", "item": item,
                "languages": ["vi", "en"], "media": [], "timeline_version": 1}

    def _page(self) -> None:
        key = None
        while not self.stop.wait(0.02):
            if self.stuck == "identify":  # the identify overlay over everything
                self.recorder.observe(reported({"kind": "identify", "key": "x",
                                                "languages": ["vi"]}, None))
                continue
            if self.stuck != "" and time.monotonic() >= self.unstick_at:
                self.stuck = ""  # the page catches up
            if self.stuck != "":  # a page stuck on one item, or confirming nothing
                self.recorder.observe(None if self.stuck is None else
                                      reported(self._report(self.stuck, "stuck"), None))
                continue
            playing = resolve(self.timeline, self.clock.now() - self.lag)
            item = str(playing.item["id"])
            if self.reconfirm_once and self.flag.exists():
                self.reconfirm_once, key = False, None  # reloaded: confirmed again
            if key != f"{item}@{playing.started_at}":
                key = f"{item}@{playing.started_at}"
                self.screen.write_bytes(picture(item))  # painted, then confirmed
                self.recorder.observe(None)
            self.recorder.observe(reported(self._report(item, key), None))

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        self.journal.close()


@pytest.fixture
def kiosk_factory(tmp_path):
    made: list[Kiosk] = []

    def make(lag: float, stuck: str | None = "") -> Kiosk:
        made.append(Kiosk(tmp_path, lag, stuck))
        return made[-1]

    yield make
    for kiosk in made:
        kiosk.close()


@pytest.mark.timeout(90)
def test_a_page_drawing_late_is_captured_once_it_shows_the_item(kiosk_factory):
    """The page draws each item 1.8 s after the player decided it (a starved Chromium):
    a capture 1.5 s after the player's decision would show the item before. Every
    capture shows the item its query names."""
    kiosk = kiosk_factory(lag=1.8)
    capture = kiosk.capture()
    seen = []
    for pause in (0.0, 1.9, 3.1):  # three phases of the item cycle
        time.sleep(pause)
        query, data = capture.take()
        seen.append(query["item"])
        assert data == picture(query["item"]), (query, seen)
        assert query["languages"] == "vi,en" and query["page_item"] == query["item"]
    assert set(seen) <= set(ITEMS)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("stuck", ["old", None], ids=["stuck-on-an-old-item",
                                                      "confirming-nothing"])
def test_a_page_that_never_shows_the_item_is_captured_as_it_is(kiosk_factory, monkeypatch,
                                                               stuck):
    """The page stays on an item of an older timeline, or confirms nothing (its picture
    never decodes): after PAGE_WAIT the capture is taken anyway and named for what the
    player means, so that the controller judges that screen wrong."""
    monkeypatch.setattr(periodic_capture, "PAGE_WAIT", 1.0)
    kiosk = kiosk_factory(lag=0.0, stuck=stuck)
    query, data = kiosk.capture().take()
    assert query["item"] in ITEMS
    assert data == picture("old")
    # What the page confirmed goes with it: the verdict can say the page is behind.
    assert query["page_item"] == (stuck or "")


@pytest.mark.timeout(60)
def test_a_page_confirming_the_item_at_the_last_moment_is_let_stand(kiosk_factory,
                                                                     monkeypatch, tmp_path):
    """The page catches up just before PAGE_WAIT runs out: the capture still waits until
    its confirmation has stood SETTLE seconds (its first frame may not be painted yet)."""
    monkeypatch.setattr(periodic_capture, "PAGE_WAIT", 2.0)
    kiosk = kiosk_factory(lag=0.0, stuck="old")
    kiosk.unstick_at = time.monotonic() + 1.7
    times = tmp_path / "times"
    query, data = kiosk.capture(f"date +%s.%N >> {times}; cat {kiosk.screen}").take()
    confirmed = kiosk.recorder.on_screen_since()
    assert confirmed is not None and confirmed[0].item == query["item"]
    assert data == picture(query["item"])
    taken = float(times.read_text().split()[-1])
    assert taken >= confirmed[1] + periodic_capture.SETTLE - 0.05


@pytest.mark.timeout(60)
def test_a_capture_during_which_the_page_confirmed_again_is_taken_again(kiosk_factory,
                                                                        tmp_path):
    """The page confirms its item anew (a reload) while the first capture is taken: that
    picture may show the page before or after the reload, so it is not sent; the second
    capture is."""
    kiosk = kiosk_factory(lag=0.0)
    kiosk.reconfirm_once = True
    count = tmp_path / "count"
    command = f"cat {kiosk.screen}; echo x >> {count}; touch {kiosk.flag}; sleep 0.3"
    query, data = kiosk.capture(command).take()
    assert count.read_text().count("x") == 2
    assert data == picture(query["item"])


@pytest.mark.timeout(30)
def test_a_capture_under_the_identify_overlay_names_no_item(kiosk_factory, monkeypatch):
    """A technician's identify overlay covers the item for up to a minute: the capture
    is not judged against the item (it would be "wrong"), and is not held back."""
    monkeypatch.setattr(periodic_capture, "PAGE_WAIT", 30.0)
    kiosk = kiosk_factory(lag=0.0, stuck="identify")
    query, data = kiosk.capture().take()
    assert query == {"page_item": ""} and data == picture("old")


@pytest.mark.timeout(30)
def test_a_headless_player_captures_its_own_decision(kiosk_factory):
    """No page to wait for: the capture follows the player's decision once it has
    stood SETTLE seconds."""
    kiosk = kiosk_factory(lag=0.0)
    config = kiosk.capture().config
    capture = PeriodicCapture(config, kiosk.state, kiosk.clock)
    query, data = capture.take()
    assert query["item"] in ITEMS and data.startswith(screenshot.PNG_MAGIC)
    assert "page_item" not in query  # no page to speak of
