"""Pushes: a change reaches exactly the screens it affects, from this process or from
the CLI in another one; a restart bumps nothing that did not change."""

from __future__ import annotations

import subprocess
import sys
import time

import yaml
from sqlalchemy import select
from web.helpers import BORDER_SCREENS, REPO, WELCOME_SCREENS, Fleet, Player

from controller.models import ScreenTimeline
from controller.server import ControllerServer

QUIET = 1.5  # seconds a screen that is not affected is watched for an unwanted push


def _connect_all(players, fleet, screens):
    connected = {}
    for screen in screens:
        player = players().connect(screen, fleet.tokens[screen])
        connected[screen] = (player, player.next_timeline()["version"])
    return connected


def _versions(fleet):
    with fleet.sessions() as session:
        return dict(session.execute(select(ScreenTimeline.screen_id,
                                           ScreenTimeline.version)).all())


def _assert_pushed_only_to(connected, affected, check):
    for screen in affected:
        player, before = connected[screen]
        body = player.next_timeline()
        assert body["version"] == before + 1, screen
        check(body)
    time.sleep(QUIET)  # pushes of one change go out together; give strays time to arrive
    for screen, (player, _) in connected.items():
        if screen not in affected:
            assert player.timelines.empty(), f"{screen} got a push it should not"


def _titles(body):
    key = body["segments"][0]["playlist"]
    return [item["variants"]["en"]["title"] for item in body["playlists"][key]["items"]]


def test_a_playlist_change_reaches_exactly_its_screens(players, fleet, tmp_path):
    connected = _connect_all(players, fleet, WELCOME_SCREENS + BORDER_SCREENS)
    fleet.edit_playlist(tmp_path, "border-welcome", "welcome", "Welcome to Viet Nam!")
    _assert_pushed_only_to(connected, BORDER_SCREENS,
                           lambda body: _titles(body)[0] == "Welcome to Viet Nam!")


def test_a_change_made_by_the_cli_in_another_process_is_pushed(players, fleet, tmp_path):
    connected = _connect_all(players, fleet, WELCOME_SCREENS + BORDER_SCREENS)
    data = yaml.safe_load((REPO / "playlists" / "welcome-hue.yaml").read_text("utf-8"))
    data["items"][0]["duration"] = 12
    (tmp_path / "welcome-hue.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                               "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "controller.cli", "--data-dir", str(fleet.settings.data_dir),
         "import", "--sites", str(REPO / "config" / "sites.yaml"),
         "--playlists", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

    def check(body):
        key = body["segments"][0]["playlist"]
        assert body["playlists"][key]["items"][0]["duration"] == 12

    _assert_pushed_only_to(connected, WELCOME_SCREENS, check)


def test_restart_keeps_versions_and_picks_up_changes_made_while_down(tmp_path):
    fleet = Fleet.seeded(tmp_path / "data")
    try:
        first = ControllerServer(fleet.settings).start()
        player = Player(first.url).connect("a-dot-entry-hall", fleet.tokens["a-dot-entry-hall"])
        version = player.next_timeline()["version"]
        first.stop()
        assert player.disconnected.wait(10), "clients are told when the controller stops"
        before = _versions(fleet)

        second = ControllerServer(fleet.settings).start()
        try:
            assert _versions(fleet) == before
            again = Player(second.url).connect("a-dot-entry-hall",
                                               fleet.tokens["a-dot-entry-hall"])
            assert again.next_timeline()["version"] == version
            again.close()
        finally:
            second.stop()

        # A change made while the controller is down is there when it comes back.
        fleet.edit_playlist(tmp_path / "edit", "border-welcome", "welcome", "Back again")
        third = ControllerServer(fleet.settings).start()
        try:
            after = _versions(fleet)
            for screen, old in before.items():
                assert after[screen] == old + (1 if screen in BORDER_SCREENS else 0), screen
        finally:
            third.stop()
    finally:
        fleet.close()
