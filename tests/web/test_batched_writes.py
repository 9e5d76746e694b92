"""Acks and heartbeats are written in batches (controller/players/recorder.py) and
timelines in one batched statement (controller/timeline/store.py): what each promises."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select
from web.helpers import WELCOME_SCREENS, Player, wait_for

from controller.models import ScreenStatus, ScreenTimeline
from controller.players.payloads import Ack
from controller.players.recorder import StatusRecorder
from controller.server import ControllerServer
from controller.timeline.store import LostRace, Row, store_batch

SCREEN = "phu-bai-baggage"


def _status(fleet, screen=SCREEN):
    with fleet.sessions() as session:
        return session.get(ScreenStatus, screen)


def _acked(fleet, screen=SCREEN):
    row = _status(fleet, screen)
    return row.acked_version if row is not None else None


def _commits(fleet):
    counted = []
    event.listen(fleet.engine, "commit", lambda _conn: counted.append(1))
    return counted


def test_acks_are_answered_at_once_and_written_together(fleet):
    recorder = StatusRecorder(fleet.sessions, interval=60)
    loop = threading.Thread(target=recorder.run, daemon=True)
    loop.start()
    wait_for(lambda: recorder._running, what="recorder loop running")
    commits = _commits(fleet)
    for version, screen in enumerate(WELCOME_SCREENS, start=40):
        recorder.ack(screen, Ack(version=version, missing=[]))
    recorder.heartbeat(SCREEN, {"uptime": 5.0, "last_error": "disk full"}, "10.0.0.7")
    recorder.heartbeat(SCREEN, {"cpu_temp": 50.0}, "10.0.0.7")
    assert _acked(fleet) is None  # still in memory
    assert recorder.flush() == len(WELCOME_SCREENS)
    assert len(commits) == 1  # one transaction for all of them
    for version, screen in enumerate(WELCOME_SCREENS, start=40):
        assert _status(fleet, screen).acked_version == version
    row = _status(fleet)
    assert row.facts["uptime"] == 5.0 and row.facts["cpu_temp"] == 50.0  # merged
    assert row.last_error == "disk full" and row.remote_addr == "10.0.0.7"
    assert row.last_seen is not None
    recorder.stop()
    loop.join(5)


def test_facts_of_heartbeats_written_apart_are_merged_and_an_ack_keeps_them(fleet):
    """Each flush merges a heartbeat's facts into the stored ones; a flush of acks alone
    (a change's, read without the facts) leaves them as they were."""
    screen = WELCOME_SCREENS[-1]
    recorder = StatusRecorder(fleet.sessions, interval=60)
    recorder.heartbeat(screen, {"uptime": 7.0, "disk_free_mb": 900}, "10.0.0.8")
    recorder.flush()
    recorder.heartbeat(screen, {"uptime": 9.0, "cpu_temp": 61.0}, "10.0.0.8")
    recorder.flush()
    recorder.ack(screen, Ack(version=77, missing=[]))
    recorder.flush()
    row = _status(fleet, screen)
    assert row.facts["disk_free_mb"] == 900 and row.facts["cpu_temp"] == 61.0
    assert row.facts["uptime"] == 9.0 and row.acked_version == 77
    recorder.stop()


def test_pending_acks_are_written_on_stop_and_later_ones_at_once(fleet):
    recorder = StatusRecorder(fleet.sessions, interval=60)
    loop = threading.Thread(target=recorder.run, daemon=True)
    loop.start()
    wait_for(lambda: recorder._running, what="recorder loop running")
    recorder.ack(SCREEN, Ack(version=77, missing=["a" * 64]))
    assert _acked(fleet) != 77
    recorder.stop()
    loop.join(5)
    assert not loop.is_alive()
    row = _status(fleet)
    assert row.acked_version == 77 and row.missing_media == ["a" * 64]
    recorder.ack(SCREEN, Ack(version=78, missing=[]))  # no loop: written at once
    assert _acked(fleet) == 78


def test_a_socket_ack_shows_within_a_second_and_is_written_on_stop(fleet, players, server):
    player = players().connect(SCREEN, fleet.tokens[SCREEN])
    version = player.next_timeline()["version"]
    assert player.call("ack", {"version": version, "missing": []}) == {"ok": True}
    wait_for(lambda: _acked(fleet) == version, timeout=1.5,
             what="ack written within about a second")

    # A second controller on the same database, stopped right after an ack: whether its
    # recorder's loop wrote it already or not, stop() must have.
    screen = "lang-co-bay-pano"
    other = ControllerServer(server.settings).start()
    try:
        late = Player(other.url).connect(screen, fleet.tokens[screen])
        pushed = late.next_timeline()["version"]
        assert late.call("ack", {"version": pushed, "missing": ["b" * 64]}) == {"ok": True}
        late.close()
    finally:
        other.stop()
    row = _status(fleet, screen)
    assert row.acked_version == pushed and row.missing_media == ["b" * 64]


def test_a_player_that_never_acks_holds_back_no_one(fleet, players, server, tmp_path):
    """Pushes wait for no ack: a screen that never answers gets every new version as the
    others do, the one that acks sees its acks recorded, and the silent one's stays
    unrecorded (the Screens page shows it behind) without stopping the next push."""
    silent_screen, acking_screen = "chan-may-cruise-terminal", "chan-may-gate-kiosk"
    silent_acked = _acked(fleet, silent_screen)  # what an earlier test left, if anything
    silent = players().connect(silent_screen, fleet.tokens[silent_screen])
    acking = players().connect(acking_screen, fleet.tokens[acking_screen])
    silent.next_timeline()
    first = acking.next_timeline()["version"]
    assert acking.call("ack", {"version": first, "missing": []}) == {"ok": True}
    for n in range(3):
        fleet.edit_playlist(tmp_path / f"edit-{n}", "welcome-hue", "welcome",
                            f"Welcome, edit {n}")
        got = silent.next_timeline()
        mine = acking.next_timeline()
        title = f"Welcome, edit {n}"
        assert title in str(got) and title in str(mine)
        assert acking.call("ack", {"version": mine["version"], "missing": []}) == {"ok": True}
    wait_for(lambda: _acked(fleet, acking_screen) == mine["version"], timeout=5,
             what="the acking screen's last ack written")
    assert _acked(fleet, silent_screen) == silent_acked
    assert got["version"] == _stored_version(fleet, silent_screen)  # it has the newest


def _stored_version(fleet, screen):
    with fleet.sessions() as session:
        return session.scalar(select(ScreenTimeline.version)
                              .where(ScreenTimeline.screen_id == screen))


def test_a_lost_race_is_detected_and_the_row_by_row_write_skips_it(fleet):
    screen = "chan-may-gate-kiosk"
    now = datetime.now(UTC)
    with fleet.sessions() as session:
        version, digest = session.execute(
            select(ScreenTimeline.version, ScreenTimeline.content_hash)
            .where(ScreenTimeline.screen_id == screen)).one()
        stale = Row(screen, (version - 1, digest), version, "f" * 64, {"x": 1}, now)
        fresh = Row(screen, (version, digest), version + 1, "e" * 64, {"x": 2}, now)
        with pytest.raises(LostRace):
            store_batch(session, [stale])
        session.rollback()
        assert store_batch(session, [stale], batched=False) == []
        assert store_batch(session, [fresh]) == [fresh]
        session.rollback()  # leave the stored timeline as it was
