"""The election inside real controllers (in-process servers on one SQLite database, so
the lease is the file lock): one leads and says so on /healthz, the other follows; when
the leader goes, the other leads, and first pushes what the old leader stored but never
pushed (a leader killed between its commit and its push)."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select
from web.helpers import Fleet, Player, wait_for

from controller.leadership.fencing import FencedPublisher
from controller.models import ScreenStatus, ScreenTimeline
from controller.server import ControllerServer
from controller.settings import SettingsError, load_settings
from controller.timeline.publisher import TimelinePublisher

SCREEN = "a-dot-entry-hall"  # shows border-welcome


def leader(server: ControllerServer) -> bool:
    answer = requests.get(f"{server.url}/healthz", timeout=5).json()
    assert answer["ok"] is True
    return answer["leader"]


def stored(fleet: Fleet, screen: str) -> tuple[int, dict]:
    with fleet.sessions() as session:
        row = session.execute(select(ScreenTimeline.version, ScreenTimeline.body)
                              .where(ScreenTimeline.screen_id == screen)).one()
    return row.version, row.body


def acked(fleet: Fleet, screen: str) -> int | None:
    with fleet.sessions() as session:
        return session.scalar(select(ScreenStatus.acked_version)
                              .where(ScreenStatus.screen_id == screen))


def test_the_follower_takes_over_and_pushes_what_the_dead_leader_did_not(tmp_path):
    fleet = Fleet.seeded(tmp_path / "data", leader_ttl=1.0)
    first = ControllerServer(fleet.settings).start()
    second = ControllerServer(fleet.settings).start()
    player = None
    try:
        assert first.leading and leader(first) is True
        assert not second.leading and leader(second) is False
        assert second.watcher is None and second.panel_feed is None
        # The screen is connected to the follower (no message queue: only the process
        # holding its socket can push to it).
        player = Player(second.url).connect(SCREEN, fleet.tokens[SCREEN])
        version = player.next_timeline()["version"]
        assert player.call("ack", {"version": version, "missing": []}) == {"ok": True}
        wait_for(lambda: acked(fleet, SCREEN) == version, what="the ack written")

        # A leader stores a new version and dies before pushing it: stored here by a
        # publisher that does not push; the running leader's rebuild then finds nothing
        # to do (same content), so nobody would ever push it. The leader's own watcher
        # is stopped first: woken by the edit's commit (same process) it would rebuild
        # beside this publisher, which is not the case under test.
        first.watcher.stop()
        fleet.edit_playlist(tmp_path / "edit", "border-welcome", "welcome", "Never pushed")
        with fleet.sessions() as session:
            assert SCREEN in TimelinePublisher(None, fleet.settings.heartbeat_interval,
                                               store=fleet.store,
                                               base_url=fleet.settings.base_url
                                               ).rebuild(session)
        new_version, body = stored(fleet, SCREEN)
        assert new_version == version + 1

        first.stop()  # the leader goes (its lock with it)
        wait_for(lambda: second.leading, timeout=10, what="the follower elected")
        assert leader(second) is True and second.watcher is not None
        pushed = player.next_timeline()
        assert pushed["version"] == new_version and pushed == body
        assert "Never pushed" in str(pushed)
        # Later changes are the new leader's to push, as usual.
        fleet.edit_playlist(tmp_path / "edit2", "border-welcome", "welcome", "After")
        later = player.next_timeline()
        assert later["version"] == new_version + 1 and "After" in str(later)
    finally:
        if player is not None:
            player.close()
        second.stop()
        first.stop()
        fleet.close()


def test_a_process_that_never_leads_stays_out_and_a_fenced_publisher_does_nothing(tmp_path):
    fleet = Fleet.seeded(tmp_path / "data", leader_ttl=1.0)
    serving = ControllerServer(fleet.settings).start(background=False)
    try:
        assert serving.elector is None and leader(serving) is False
        with fleet.sessions() as session:
            before = session.execute(select(ScreenTimeline.screen_id)).all()
            fenced = FencedPublisher(TimelinePublisher(None, 1.0), lambda: False)
            assert fenced.rebuild(session) == [] and fenced.refused == 1
            assert fenced.rebuild_for(session, []) == [] and fenced.refused == 2
            assert fenced.heartbeat_interval == 1.0  # the rest is the real publisher's
            assert session.execute(select(ScreenTimeline.screen_id)).all() == before == []
    finally:
        serving.stop()
        fleet.close()


def test_settings_refuse_a_lease_shorter_than_a_second(tmp_path):
    with pytest.raises(SettingsError, match="leader_ttl"):
        load_settings(data_dir=tmp_path, leader_ttl=0.5)
