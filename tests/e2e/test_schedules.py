"""Schedules end to end: a schedule imported with the CLI reaches a real player, which
then — with its controller dead — switches to the scheduled playlist at the window's
start and back to its fallback at the window's end, by itself.

The window is computed from the current time in Huế once the player plays its fallback
with every file cached: it starts 15 s later (whole seconds: windows may name seconds)
and lasts 6 s, so the test waits about 20 s for the clock whatever the minute. A window
that would cross midnight starts just after it instead, so the test is safe around
midnight too."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from support.fleet import fast_playlists, prepare, screen_token
from support.processes import Controller, Player, controller_cli, wait_for

SCREEN = "phu-bai-arrivals"
HUE = ZoneInfo("Asia/Ho_Chi_Minh")
LEAD = timedelta(seconds=25)  # import, rebuild, push, fetch, kill: room on a busy machine
LENGTH = timedelta(seconds=6)
FALLBACK, SCHEDULED = "welcome-hue@1", "border-welcome@1"


def _window() -> tuple[datetime, datetime]:
    start = (datetime.now(HUE) + LEAD + timedelta(seconds=1)).replace(microsecond=0)
    if (start + LENGTH).date() != start.date():
        start = (start + LENGTH).replace(hour=0, minute=0, second=1)
    return start, start + LENGTH


def _playlist(player: Player) -> str | None:
    code, body = player.status()
    playing = body.get("now_playing") if code == 200 else None
    return playing["playlist"] if playing else None


def _saved_timeline(cache: Path) -> dict | None:
    for path in cache.rglob("timeline.json"):
        return json.loads(path.read_text(encoding="utf-8"))
    return None


def test_offline_player_switches_to_the_schedule_and_back(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=1.0))
    token = screen_token(data, SCREEN)
    controller = Controller(data).start()
    cache = tmp_path / "cache"
    player = Player(controller.url, SCREEN, token, cache, extra=["--backoff-cap", "2"])
    try:
        player.start()
        wait_for(lambda: (s := player.status()[1]) and s.get("connected")
                 and s.get("timeline_version"), what="player connected with a timeline")
        wait_for(lambda: _playlist(player) == FALLBACK, what="the fallback playing")
        wait_for(lambda: not player.status()[1]["cache"].get("missing"),
                 what="media fetched")

        # The schedule arrives while the controller runs, imported by another process.
        start, end = _window()
        schedules = tmp_path / "schedules.yaml"
        schedules.write_text(
            "schedules:\n"
            "  - id: e2e-window\n"
            "    playlist: border-welcome\n"
            f"    targets: {{screens: [{SCREEN}]}}\n"
            f"    windows: [\"{start:%H:%M:%S}-{end:%H:%M:%S}\"]\n"
            "    priority: 5\n", encoding="utf-8")
        result = controller_cli(data, "import", "--schedules", str(schedules))
        assert "schedules: 1 created" in result.stdout
        saved = wait_for(lambda: (t := _saved_timeline(cache)) and SCHEDULED in t["playlists"]
                         and t, what="the schedule saved by the player")
        assert FALLBACK in saved["playlists"]
        assert any(s["playlist"] == SCHEDULED for s in saved["segments"])
        wait_for(lambda: not player.status()[1]["cache"].get("missing"),
                 what="the scheduled playlist's media fetched")

        controller.kill()
        wait_for(lambda: player.status()[1].get("connected") is False,
                 what="player notices the controller is gone")
        assert datetime.now(HUE) < start - timedelta(seconds=2), "setup took too long"
        assert _playlist(player) == FALLBACK

        wait_seconds = (start - datetime.now(HUE)).total_seconds()
        wait_for(lambda: _playlist(player) == SCHEDULED, timeout=wait_seconds + 5,
                 interval=0.2, what=f"the scheduled playlist at {start:%H:%M:%S}")
        switched = datetime.now(HUE)
        assert switched >= start - timedelta(seconds=1), "switched before the window"

        wait_seconds = (end - datetime.now(HUE)).total_seconds()
        wait_for(lambda: _playlist(player) == FALLBACK, timeout=wait_seconds + 5,
                 interval=0.2, what=f"back to the fallback at {end:%H:%M:%S}")
        assert datetime.now(HUE) >= end - timedelta(seconds=1), "left the window early"
        assert player.status()[1]["connected"] is False
    finally:
        player.stop()
        controller.stop()
