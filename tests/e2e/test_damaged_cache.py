"""Issue 10, defect 1: an SD card damages cached files while the site is offline.

Real controller and real ``pano-player`` (kiosk display) processes. The player caches
everything, both stop; 4 KiB in the middle of a picture and of a rendered slide are
overwritten and another picture is cut to half its size; the player restarts with the
controller down. It must count the three files missing, refuse to serve them (even a
Range request), never play the damaged pictures, and once the controller is back fetch
them again, check them and play everything."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from support.fleet import fast_playlists, prepare, screen_token
from support.processes import Controller, Player, wait_for

SCREEN = "phu-bai-arrivals"  # welcome-hue: a text item with its slide, three pictures
PLAYER_FLAGS = ["--backoff-cap", "2"]


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _damage_middle(path: Path) -> None:
    """Overwrite 4 KiB in the middle with other bytes: same size, another hash."""
    data = path.read_bytes()
    assert len(data) > 3 * 4096, f"{path.name} is too small to damage in the middle"
    start = len(data) // 2 - 2048
    with open(path, "r+b") as f:
        f.seek(start)
        f.write(bytes(b ^ 0xFF for b in data[start:start + 4096]))


def _truncate_half(path: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _items_seen(player: Player, seconds: float) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        playing = player.status()[1]["now_playing"]
        if playing:
            seen.add(playing["item"])
        time.sleep(0.1)
    return seen


def test_files_damaged_on_disk_are_never_shown_offline_and_fetched_again(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=1.0))
    token = screen_token(data, SCREEN)
    controller = Controller(data).start()
    cache = tmp_path / "cache"
    player = Player(controller.url, SCREEN, token, cache, display="kiosk", extra=PLAYER_FLAGS)
    base = f"http://127.0.0.1:{player.http_port}"
    try:
        player.start()
        wait_for(lambda: (s := player.status()[1])["connected"] and s["timeline_version"]
                 and s["cache"]["missing"] == 0 and s["now_playing"],
                 timeout=30, what="player caches everything and plays")
        timeline = json.loads((cache / "timeline.json").read_text(encoding="utf-8"))
        items = {i["id"]: i for i in timeline["playlists"][
            next(k for k in timeline["playlists"] if k.startswith("welcome-hue"))]["items"]}
        picture = items["citadel"]["variants"]["en"]["media"]
        cut = items["perfume-river"]["variants"]["en"]["media"]
        slide = next(iter(items["welcome"]["slides"].values()))
        damaged = {picture, cut, slide}
        assert len(damaged) == 3
        sound = {sha: (cache / "media" / sha).read_bytes() for sha in damaged}

        player.stop()
        controller.stop()
        _damage_middle(cache / "media" / picture)
        _damage_middle(cache / "media" / slide)
        _truncate_half(cache / "media" / cut)

        # Restarted with the controller down: the three files are found and refused.
        player.start()
        status = wait_for(lambda: (s := player.status()[1])["cache"]["missing"] == 3 and s,
                          timeout=20, what="the three damaged files counted missing")
        assert status["connected"] is False
        assert status["cache"]["damaged"] == 3
        assert "damaged" in status["last_error"], status["last_error"]
        for sha in damaged:
            assert not (cache / "media" / sha).exists(), "a damaged file was kept"
            for headers in ({}, {"Range": "bytes=0-"}, {"Range": "bytes=100-200"}):
                code, answer_headers, body = _get(f"{base}/media/{sha}", headers)
                assert code == 404, (sha[:12], headers, code)
                assert answer_headers["Content-Type"].startswith("application/json")
                answer = json.loads(body)
                assert answer["error"] == "damaged", answer
                assert sha[:12] in answer["message"] and "downloaded again" in answer["message"]
        # What plays: never the damaged pictures; the text item still plays (the page
        # draws its text itself: its slide file is never offered).
        seen = _items_seen(player, 5.0)
        assert seen and not seen & {"citadel", "perfume-river"}, seen
        assert {"welcome", "lang-co"} <= seen, seen
        plan = json.loads(_get(f"{base}/api/upcoming")[2])
        offered = {s["file"] for i in plan["items"] for s in i["slides"]}
        assert slide not in offered and {i["item"]["id"] for i in plan["items"]} \
            .isdisjoint({"citadel", "perfume-river"}), plan["items"]

        # The controller comes back: the files are fetched again, checked, and play.
        controller.start()
        wait_for(lambda: (s := player.status()[1])["connected"]
                 and s["cache"] == {"files": len(timeline["media"]), "missing": 0,
                                    "unchecked": 0, "damaged": 0},
                 timeout=30, what="damaged files fetched again")
        for sha in damaged:
            assert hashlib.sha256((cache / "media" / sha).read_bytes()).hexdigest() == sha
            code, _, body = _get(f"{base}/media/{sha}")
            assert code == 200 and body == sound[sha]
        assert player.status()[1]["last_error"] is None
        seen = _items_seen(player, 5.0)
        assert {"citadel", "perfume-river", "welcome", "lang-co"} <= seen, seen
        log = player.output()
        assert "damaged" in log and "Traceback" not in log
    finally:
        player.stop()
        controller.stop()
