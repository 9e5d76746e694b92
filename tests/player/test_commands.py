"""Remote commands on a real player process (``python -m player.cli``) connected to a
real python-socketio controller stand-in: identify shows at the kiosk page's local API,
reload changes the page's token and asks for the timeline again, clear_cache removes
and downloads again, screenshot runs the configured command and uploads the picture;
failures are answered ``ok: false`` and the player keeps going."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import socketio
from player_helpers import (
    SCREEN,
    TOKEN,
    FakeController,
    MediaApp,
    Served,
    image_item,
    make_timeline,
    png,
    sha,
    text_item,
)
from support.browser import browser_session
from support.processes import Player, wait_for

from player.cache import MediaCache
from player.clock import Clock
from player.commands import CommandRunner, DisplayControl
from player.config import PlayerConfig
from player.state import PlayerState
from player.timeline import parse_timeline

PICTURE = png(8, 6, (20, 160, 40))
OLD = b"a file an older timeline needed"


class UploadApp:
    """``PUT /api/v1/player/screenshot`` (what the controller answers), else media."""

    def __init__(self, media: MediaApp) -> None:
        self.media = media
        self.uploads: list[tuple[str, str, bytes]] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response):
        if environ.get("PATH_INFO") != "/api/v1/player/screenshot":
            return self.media(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        with self.lock:
            self.uploads.append((environ.get("QUERY_STRING", ""),
                                 environ.get("HTTP_AUTHORIZATION", ""), body))
        answer = json.dumps({"ok": True, "width": 8, "height": 6}).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(answer)))])
        return [answer]


def timeline(version: int = 1) -> dict:
    now = datetime.now().timestamp()
    digest = sha(PICTURE)
    return make_timeline([(now - 600, now + 3 * 86400, "a@1")],
                         {"a@1": [image_item("pic", 30, digest), text_item("hello", 30)]},
                         media={digest: {"size": len(PICTURE), "mime": "image/png"}},
                         version=version)


@pytest.fixture
def rig(media_app):
    media_app.add(PICTURE)
    uploads = UploadApp(media_app)
    fake = FakeController(media_app)
    served = Served(socketio.WSGIApp(fake.sio, uploads))
    fake.url = served.url
    fake.timeline = timeline()
    fake.uploads = uploads
    yield fake
    served.close()


@pytest.fixture
def start(rig, tmp_path):
    started: list[Player] = []

    def run(display: str = "kiosk", extra: list[str] | None = None) -> Player:
        cache = tmp_path / "cache"
        (cache / "media").mkdir(parents=True, exist_ok=True)
        player = Player(rig.url, SCREEN, TOKEN, cache, display=display, extra=extra).start()
        started.append(player)
        wait_for(lambda: rig.received("ack"), timeout=20, what="the player's first ack")
        return player

    yield run
    for player in started:
        player.stop()


def command(rig, name: str, args: dict | None = None, timeout: float = 30) -> dict:
    """Push a command; the player's command_result for it."""
    command_id = str(uuid.uuid4())
    payload: dict = {"id": command_id, "command": name}
    if args is not None:
        payload["args"] = args
    rig.push("command", payload)
    return wait_for(lambda: next((r for r in rig.received("command_result")
                                  if isinstance(r, dict) and r.get("id") == command_id),
                                 None), timeout=timeout, what=f"the result of {name}")


def upcoming(player: Player) -> dict:
    url = f"http://127.0.0.1:{player.http_port}/api/upcoming"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_identify_shows_the_name_and_id_at_the_kiosk_api(rig, start):
    player = start()
    assert upcoming(player)["identify"] is None
    result = command(rig, "identify", {"seconds": 30})
    assert result["ok"] is True and result["seconds"] == 30, result
    shown = upcoming(player)["identify"]
    assert shown["id"] == SCREEN
    assert shown["name"] == {"vi": "Sảnh đến", "en": "Arrivals"}
    until = datetime.fromisoformat(shown["until"].replace("Z", "+00:00")).timestamp()
    now = upcoming(player)["now"]
    assert now + 20 < until <= now + 31
    for bad in ({"seconds": 0}, {"seconds": 61}, {"seconds": "ten"}, [1]):
        result = command(rig, "identify", bad)  # type: ignore[arg-type]
        assert result["ok"] is False and "bad command" in result["message"], result


def test_reload_changes_the_token_and_asks_for_the_timeline(rig, start):
    player = start()
    before = upcoming(player)["reload_token"]
    requests_before = len(rig.received("timeline_request"))
    result = command(rig, "reload")
    assert result["ok"] is True and "page reload requested" in result["message"], result
    assert upcoming(player)["reload_token"] != before
    wait_for(lambda: len(rig.received("timeline_request")) > requests_before,
             what="a timeline_request")


def test_clear_cache_removes_everything_and_downloads_again(rig, start, tmp_path):
    media = tmp_path / "cache" / "media"
    media.mkdir(parents=True)
    (media / sha(OLD)).write_bytes(OLD)  # not in the timeline
    player = start()
    assert (media / sha(PICTURE)).exists()
    # Playing before (the loop's first tick may follow the first ack by a moment).
    wait_for(lambda: player.status()[1]["now_playing"], timeout=10, what="an item playing")
    path = f"/media/{sha(PICTURE)}"
    fetched = sum(1 for p, _ in rig.media.requests if p == path)
    epoch = upcoming(player)["media_epoch"]
    result = command(rig, "clear_cache")
    assert result["ok"] is True, result
    assert (result["removed"], result["downloaded"]) == (2, 1)
    assert sorted(p.name for p in media.iterdir()) == [sha(PICTURE)]
    assert (media / sha(PICTURE)).read_bytes() == PICTURE
    assert sum(1 for p, _ in rig.media.requests if p == path) == fetched + 1
    assert upcoming(player)["media_epoch"] == epoch + 1
    assert player.status()[1]["cache"] == {"files": 1, "missing": 0, "unchecked": 0,
                                           "damaged": 0}  # still playing
    assert player.status()[1]["now_playing"] is not None


def test_screenshot_runs_the_command_and_uploads_the_picture(rig, start, tmp_path):
    shot = tmp_path / "shot.png"
    shot.write_bytes(png(40, 30))
    player = start(extra=["--screenshot-command", f"cat {shot}"])
    result = command(rig, "screenshot")
    assert result["ok"] is True, result
    assert (result["width"], result["height"], result["method"]) == (40, 30, "command")
    query, auth, body = rig.uploads.uploads[-1]
    assert query == f"command={result['id']}" and auth == f"Bearer {TOKEN}"
    assert body == shot.read_bytes()
    assert player.alive()


def test_failing_commands_are_answered_and_the_player_goes_on(rig, start, tmp_path):
    player = start(display="headless",
                   extra=["--screenshot-command", "echo broken >&2; exit 3"])
    result = command(rig, "screenshot")
    assert result["ok"] is False and "exit 3" in result["message"] and "broken" in \
        result["message"], result
    assert command(rig, "self_destruct") == {"id": rig.received("command_result")[-1]["id"],
                                      "ok": False, "message": "unsupported"}
    result = command(rig, "identify")
    assert result["ok"] is True and "log" in result["message"], result
    result = command(rig, "reload", {"hard": True})
    assert result["ok"] is False and "no arguments" in result["message"]
    assert player.alive() and player.status()[0] == 200
    assert player.status()[1]["connected"] is True
    assert command(rig, "identify", {"seconds": 1})["ok"] is True  # still answering
    assert "IDENTIFY: this is screen test-screen" in player.output()


def test_no_screenshot_method_is_a_clear_answer(rig, start):
    start(display="headless")
    result = command(rig, "screenshot")
    assert result["ok"] is False
    assert result["message"].startswith("no screenshot method configured")


# --------------------------------------------------------------------------- offline

def _runner(tmp_path: Path, url: str) -> tuple[CommandRunner, Path]:
    config = PlayerConfig(controller=url, screen=SCREEN, token=TOKEN, cache_dir=tmp_path,
                          display="kiosk")
    state = PlayerState(parse_timeline(timeline()))
    cache = MediaCache(tmp_path, url, TOKEN)
    (cache.media_dir / sha(PICTURE)).write_bytes(PICTURE)
    (cache.media_dir / sha(OLD)).write_bytes(OLD)
    return CommandRunner(config, state, cache, Clock(), DisplayControl()), cache.media_dir


def test_clear_cache_refuses_offline_and_keeps_every_file(tmp_path):
    runner, media = _runner(tmp_path, "http://127.0.0.1:9")
    runner.connected = lambda: False  # the agent's view: no socket
    result = runner.execute({"id": "c1", "command": "clear_cache"})
    assert result == {"id": "c1", "ok": False, "message": "offline: not clearing the cache"}
    assert len(list(media.iterdir())) == 2
    # Connected, but the controller stops answering during the downloads: nothing lost.
    runner.connected = lambda: True
    result = runner.execute({"id": "c2", "command": "clear_cache"})
    assert result["ok"] is False and result["message"].startswith("offline"), result
    assert sorted(p.name for p in media.iterdir()) == sorted([sha(PICTURE), sha(OLD)])
    assert (media / sha(PICTURE)).read_bytes() == PICTURE


# --------------------------------------------------------------------------- in Chromium

def test_the_kiosk_page_shows_identify_and_reloads_itself(rig, start):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on this machine")
    player = start()
    with browser_session() as browser:
        page = browser.new_page(viewport={"width": 960, "height": 540})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"http://127.0.0.1:{player.http_port}/")
        page.wait_for_function("() => document.querySelector('.layer.visible .slide.on')",
                               timeout=15000)
        assert page.evaluate("document.getElementById('identify').hidden") is True
        assert command(rig, "identify", {"seconds": 20})["ok"] is True
        page.wait_for_function("() => !document.getElementById('identify').hidden",
                               timeout=10000)
        text = page.inner_text("#identify")
        assert "Sảnh đến" in text and "Arrivals" in text and SCREEN in text
        box = page.evaluate("(r => [r.width, r.height])(document.getElementById("
                            "'identify').getBoundingClientRect())")
        assert box == [960, 540]  # over the whole screen

        page.evaluate("window.beforeReload = true")
        assert command(rig, "reload")["ok"] is True
        page.wait_for_function("() => window.beforeReload === undefined", timeout=10000)
        page.wait_for_function("() => document.querySelector('.layer.visible .slide.on')",
                               timeout=15000)
        assert errors == []
