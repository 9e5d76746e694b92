"""What ``rebuild_for`` builds for each kind of scope, counted (``screens_built``), not
timed: a playlist shown on a tenth of the fleet builds that tenth; a schedule its old and
new targets; unknown ids nothing; the time (midnight, an emergency's end) the screens it
moves (and the quarter-hour roll-over only those); a screen another process stored, that
screen."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from timeline_incremental import edits
from timeline_incremental.conftest import Clock

from controller.changes import Scope
from controller.models import Screen, ScreenTimeline, Site
from controller.timeline.publisher import TimelinePublisher
from controller.timeline.scheduler import roll_over
from controller.timeline.watcher import ChangeWatcher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 10:00 in Huế, 12:00 in Tokyo
FESTIVAL = ["x-01", "x-11", "x-21"]  # 3 of the 31 screens


def _publisher(session, clock: Clock) -> TimelinePublisher:  # noqa: ANN001
    publisher = TimelinePublisher(None, 15, clock=clock)
    publisher.rebuild(session)  # a full rebuild fills the reverse index
    return publisher


def _built(publisher: TimelinePublisher, session, scopes) -> tuple[int, list[str]]:  # noqa: ANN001
    before = publisher.screens_built
    changed = publisher.rebuild_for(session, scopes)
    return publisher.screens_built - before, sorted(changed)


def _fleet_size(session) -> int:  # noqa: ANN001
    return len(session.scalars(select(Screen.id)).all())


def test_a_playlist_on_a_tenth_of_the_screens_builds_that_tenth(fleet) -> None:  # noqa: ANN001
    with fleet()() as session:
        for screen in FESTIVAL:
            session.get(Screen, screen).default_playlist_id = "festival-hue-2025"
        session.commit()
        publisher = _publisher(session, Clock(NOW))
        assert publisher.screens_built == _fleet_size(session) == 31
        scopes = edits.approve_new_version(session, "festival-hue-2025", 12)
        session.commit()
        assert _built(publisher, session, scopes) == (3, FESTIVAL)
        # The same playlist scheduled for the cruise screens: they show it too now.
        scopes = edits.create_schedule(session, "cruise", "festival-hue-2025", "tags",
                                       "cruise", 8, 1)
        session.commit()
        cruise = sorted(s.id for s in session.scalars(select(Screen)) if "cruise" in s.tags)
        assert _built(publisher, session, scopes)[0] == len(cruise)
        scopes = edits.approve_new_version(session, "festival-hue-2025", 14)
        session.commit()
        count, changed = _built(publisher, session, scopes)
        assert count == len(set(cruise) | set(FESTIVAL)) and changed == sorted(
            set(cruise) | set(FESTIVAL))
        # A playlist every screen shows builds every screen that shows it, no other.
        scopes = edits.approve_new_version(session, "welcome-hue", 9)
        session.commit()
        welcome = {s.id for s in session.scalars(select(Screen))
                   if s.default_playlist_id == "welcome-hue"}
        count, changed = _built(publisher, session, scopes)
        assert count == len(welcome) and set(changed) == welcome


def test_a_schedule_rebuilds_its_old_and_new_targets(fleet) -> None:  # noqa: ANN001
    with fleet()() as session:
        publisher = _publisher(session, Clock(NOW))
        scopes = edits.create_schedule(session, "gate", "invest-hue", "sites",
                                       "a-dot-border-gate", 9, 2)
        session.commit()
        gate = sorted(session.scalars(select(Screen.id).where(
            Screen.site_id == "a-dot-border-gate")))
        assert _built(publisher, session, scopes) == (len(gate), gate)
        scopes = edits.edit_schedule(session, 0, "invest-hue", "screens", "x-00")
        session.commit()
        assert _built(publisher, session, scopes) == (len(gate) + 1, sorted([*gate, "x-00"]))
        scopes = edits.delete_schedule(session, 0, by_slug=True)  # named by its slug
        session.commit()
        assert _built(publisher, session, scopes) == (1, ["x-00"])


def test_unknown_ids_build_nothing_and_raise_nothing(fleet) -> None:  # noqa: ANN001
    with fleet()() as session:
        publisher = _publisher(session, Clock(NOW))
        scopes = [Scope("schedule", "no-such"), Scope("schedule", "99999999999999999999"),
                  Scope("emergency", "-1"), Scope("emergency", "7" * 40),
                  Scope("playlist", "no-such"), Scope("site", "no-such"),
                  Scope("screen", "no-such"), Scope("media", "f" * 64), Scope("media", "")]
        assert _built(publisher, session, scopes) == (0, [])
        assert _built(publisher, session, []) == (0, [])


def test_everything_before_the_first_full_rebuild_and_for_all(fleet) -> None:  # noqa: ANN001
    with fleet()() as session:
        publisher = TimelinePublisher(None, 15, clock=Clock(NOW))
        publisher.rebuild(session, ["x-00"])  # a partial rebuild does not fill the index
        assert _built(publisher, session, [Scope("screen", "x-01")])[0] == 31
        assert _built(publisher, session, [Scope("screen", "x-01")])[0] == 1
        assert _built(publisher, session, [Scope("all")])[0] == 31


def test_midnight_and_an_emergency_end_rebuild_the_screens_they_move(fleet) -> None:  # noqa: ANN001
    clock = Clock(datetime(2026, 11, 27, 14, 30, tzinfo=UTC))  # 21:30 Huế, 23:30 Tokyo
    with fleet()() as session:
        publisher = _publisher(session, clock)
        scopes = edits.send_emergency(session, clock.now, "screens", "x-05", 20)
        session.commit()
        assert _built(publisher, session, scopes) == (1, ["x-05"])
        clock.now += timedelta(minutes=25)  # the emergency has ended
        assert publisher.rebuild_due()
        assert _built(publisher, session, []) == (1, ["x-05"])
        assert not publisher.rebuild_due()
        clock.now += timedelta(minutes=10)  # 00:05 in Tokyo: the x- screens of lang-co
        tokyo = sorted(s.id for s in session.scalars(select(Screen).where(
            Screen.site_id == "lang-co-pano", Screen.timezone == "")))
        assert _built(publisher, session, []) == (len(tokyo), tokyo)
        clock.now += timedelta(hours=2)  # 00:05 in Huế: every other screen
        assert _built(publisher, session, [])[0] == 31 - len(tokyo)
        check = TimelinePublisher(None, 15, clock=clock)
        assert check.rebuild(session) == []


def test_the_quarter_hour_roll_over_moves_only_the_screens_whose_day_turned(fleet) -> None:  # noqa: ANN001
    sessions = fleet()
    clock = Clock(datetime(2026, 11, 27, 15, 5, tzinfo=UTC))  # 00:05 in Tokyo, 22:05 Huế
    with sessions() as session:
        publisher = TimelinePublisher(None, 15, clock=Clock(clock.now - timedelta(hours=1)))
        publisher.rebuild(session)
        publisher.clock = clock
        tokyo = sorted(s.id for s in session.scalars(select(Screen).where(
            Screen.site_id == "lang-co-pano", Screen.timezone == "")))
    before = publisher.screens_built
    assert sorted(roll_over(publisher, sessions)) == tokyo
    assert publisher.screens_built - before == len(tokyo)  # not the 31
    with sessions() as session:  # what a full rebuild would have done: nothing left
        assert TimelinePublisher(None, 15, clock=clock).rebuild(session) == []
    clock.now += timedelta(hours=2)  # 00:05 in Huế: the daily full rebuild
    before = publisher.screens_built
    assert len(roll_over(publisher, sessions)) == 31 - len(tokyo)
    assert publisher.screens_built - before == 31


def test_a_screen_stored_by_another_process_is_rebuilt(fleet) -> None:  # noqa: ANN001
    sessions = fleet()
    clock = Clock(NOW)
    with sessions() as session:
        publisher = _publisher(session, clock)
        publisher.verify_interval = 0  # compare the stored versions at every change
        edits.set_default(session, "x-03", "invest-hue")  # a change it does not hear of
        session.commit()
    with sessions() as other:  # another process's publisher stores x-03's new timeline
        assert TimelinePublisher(None, 15, clock=clock).rebuild(other, ["x-03"]) == ["x-03"]
    with sessions() as session:
        version = session.scalar(select(ScreenTimeline.version)
                                 .where(ScreenTimeline.screen_id == "x-03"))
        assert publisher.index.get("x-03").version == version - 1
        publisher.verify_interval = 3600  # not compared: not seen
        assert _built(publisher, session, []) == (0, [])
        publisher.verify_interval = 0
        assert _built(publisher, session, []) == (1, [])  # rebuilt, found as stored
        assert publisher.index.get("x-03").version == version


def test_the_check_of_stored_versions_waits_for_a_pass_without_changes(fleet) -> None:  # noqa: ANN001
    """The check scans every timeline row, before the first push: a change's pass
    leaves it out (until none ran for ``verify_longest``); the watcher's idle pass
    (``rebuild_for(session, [])`` when ``verify_due``) makes it."""
    sessions = fleet()
    clock = Clock(NOW)
    with sessions() as session:
        publisher = _publisher(session, clock)
        edits.set_default(session, "x-03", "invest-hue")  # a change it does not hear of
        session.commit()
    with sessions() as other:  # another process's publisher stores x-03's new timeline
        assert TimelinePublisher(None, 15, clock=clock).rebuild(other, ["x-03"]) == ["x-03"]
    publisher.verify_interval = 0
    assert publisher.verify_due()
    with sessions() as session:
        # A change that reaches no screen: not compared, x-03 not seen.
        assert _built(publisher, session, [Scope("playlist", "no-such-playlist")]) == (0, [])
        publisher.verify_longest = 0  # none for too long: a change's pass compares too
        assert _built(publisher, session, [Scope("playlist", "no-such-playlist")]) == (1, [])
        publisher.verify_longest = 3600
        edits.set_default(session, "x-04", "invest-hue")
        session.commit()
    with sessions() as other:
        assert TimelinePublisher(None, 15, clock=clock).rebuild(other, ["x-04"]) == ["x-04"]
    with sessions() as session:
        assert _built(publisher, session, [Scope("playlist", "no-such-playlist")]) == (0, [])
        assert _built(publisher, session, []) == (1, [])  # the idle pass: found
    publisher.verify_interval = 3600
    assert not publisher.verify_due()


def test_an_idle_watcher_finds_a_screen_another_process_stored(fleet) -> None:  # noqa: ANN001
    """No change comes: the watcher's idle passes still compare the stored versions, and
    rebuild the screen another process stored (not counted as a change's rebuild)."""
    sessions = fleet()
    clock = Clock(NOW)
    publisher = TimelinePublisher(None, 15, clock=clock)
    publisher.verify_interval = 0.2
    watcher = ChangeWatcher(publisher, sessions, interval=0.1)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait = time.monotonic() + 30
        while not publisher.index.complete and time.monotonic() < wait:
            time.sleep(0.05)  # the start-up rebuild
        assert watcher.rebuilds == 1
        with sessions() as session:
            edits.set_default(session, "x-03", "invest-hue")
            session.commit()  # no change bumped: the watcher is not told
        with sessions() as other:
            assert TimelinePublisher(None, 15, clock=clock).rebuild(other, ["x-03"]) == ["x-03"]
            stored = other.scalar(select(ScreenTimeline.version)
                                  .where(ScreenTimeline.screen_id == "x-03"))
        while publisher.index.get("x-03").version != stored and time.monotonic() < wait:
            time.sleep(0.05)
        assert publisher.index.get("x-03").version == stored
        assert watcher.rebuilds == 1
    finally:
        watcher.stop()
        thread.join(30)


def test_an_emergency_that_ends_on_no_screen_stops_being_due(fleet) -> None:  # noqa: ANN001
    """Its site has no screen: nothing to rebuild when it ends, but ``rebuild_due`` must
    turn false (the watcher sleeps until the next end, and would otherwise spin)."""
    clock = Clock(NOW)
    with fleet()() as session:
        session.add(Site(id="empty-site", name_vi="Trống", name_en="Empty", names={},
                         timezone="Asia/Ho_Chi_Minh"))
        session.commit()
        publisher = _publisher(session, clock)
        scopes = edits.send_emergency(session, clock.now, "sites", "empty-site", 5)
        session.commit()
        assert _built(publisher, session, scopes) == (0, [])
        assert publisher.next_expiry == clock.now + timedelta(minutes=5)
        clock.now += timedelta(minutes=6)
        assert publisher.rebuild_due()
        assert _built(publisher, session, []) == (0, [])
        assert not publisher.rebuild_due() and publisher.next_expiry is None
