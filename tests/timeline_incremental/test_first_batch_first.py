"""A large rebuild loads the first batch's inputs alone, stores and pushes it, and only
then loads the other screens' (controller/timeline/publisher.py, ``split_load_from``): the
first push waits for 16 screens' loading, not the fleet's. A change committed between the
two loads reaches the later screens at once and the earlier ones at the next pass; a
failure between the two leaves the first batch stored and the next pass converges; files
the job worker must make are still asked for every screen at once; screens with a socket
in this process are built and pushed first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from timeline_incremental import edits
from timeline_incremental.conftest import Clock, store_of

from controller import changes
from controller.jobs.renders import Renderer
from controller.models import ScreenTimeline
from controller.timeline.publisher import FIRST_BATCH, TimelinePublisher

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
SCREEN_ROWS = "FROM screens JOIN sites"  # the inputs' query of the screens to build


def _versions(sessions: Any) -> dict[str, int]:  # noqa: ANN401
    with sessions() as other:
        return {row.screen_id: row.version for row in other.execute(
            select(ScreenTimeline.screen_id, ScreenTimeline.version))}


def _publisher(sessions: Any, emit: Any, clock: Clock) -> TimelinePublisher:  # noqa: ANN401
    publisher = TimelinePublisher(emit, 15, clock=clock)
    with sessions() as session:
        publisher.rebuild(session, emit=False)
    publisher.split_load_from = FIRST_BATCH + 1  # the fleet (35 screens) is split
    return publisher


@pytest.mark.parametrize("how", ["full", "rebuild_for"])
def test_the_first_batch_is_pushed_before_the_other_screens_are_loaded(fleet, how) -> None:  # noqa: ANN001
    sessions = fleet()
    clock = Clock(NOW)
    loads: list[int] = []  # screens named by each screens query (-1: all of them)
    at_first_push: list[list[int]] = []
    pushed: list[str] = []

    def emit(_event: str, body: dict[str, Any], to: str, namespace: str) -> None:
        if not at_first_push:
            at_first_push.append(list(loads))
        pushed.append(body["screen"])

    publisher = _publisher(sessions, emit, clock)
    before = _versions(sessions)
    engine = sessions.kw["bind"]

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:  # noqa: ANN401
        if SCREEN_ROWS in statement:
            loads.append(len(parameters) if "IN (" in statement else -1)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        clock.now = NOW + timedelta(days=1)  # every window moves: every timeline changes
        with sessions() as session:
            if how == "full":
                changed = publisher.rebuild(session)
            else:
                changed = publisher.rebuild_for(session, [changes.EVERYTHING])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(before) > FIRST_BATCH + 1
    # Before the first push: one query naming the first batch's screens only.
    assert at_first_push == [[FIRST_BATCH]]
    # Then the others', once; every screen built, stored once and pushed once.
    assert len(loads) == 2
    assert sorted(changed) == sorted(pushed) == sorted(before)
    assert _versions(sessions) == {screen: v + 1 for screen, v in before.items()}
    with sessions() as session:  # a fresh publisher's full rebuild finds nothing to do
        assert TimelinePublisher(None, 15, clock=clock).rebuild(session) == []


def test_a_change_committed_between_the_two_loads_reaches_every_screen(fleet) -> None:  # noqa: ANN001
    sessions = fleet()
    clock = Clock(NOW)
    last: dict[str, dict[str, Any]] = {}  # screen -> the last body pushed to it
    scopes: list[changes.Scope] = []

    def emit(_event: str, body: dict[str, Any], to: str, namespace: str) -> None:
        last[body["screen"]] = body
        if len(last) == FIRST_BATCH and not scopes:  # the first batch is pushed
            with sessions() as writer:
                scopes.extend(edits.approve_new_version(writer, "welcome-hue", 13))
                changes.bump(writer, *scopes)
                writer.commit()

    publisher = _publisher(sessions, emit, clock)
    clock.now = NOW + timedelta(days=1)
    with sessions() as session:
        first = publisher.rebuild(session)
    assert scopes and len(first) > FIRST_BATCH
    shows = {screen for screen, body in last.items()
             if any(key.startswith("welcome-hue@") for key in body["playlists"])}
    newest = max(int(key.split("@")[1]) for body in last.values()
                 for key in body["playlists"] if key.startswith("welcome-hue@"))
    early, late = set(sorted(first)[:FIRST_BATCH]), set(sorted(first)[FIRST_BATCH:])
    assert shows & early and shows & late
    # The later screens were loaded after the commit: they got the new version at once.
    for screen in shows & late:
        assert f"welcome-hue@{newest}" in last[screen]["playlists"]
    pushed_before = dict(last)
    last.clear()
    with sessions() as session:  # the watcher's next pass, for the change's scope
        again = publisher.rebuild_for(session, scopes)
    assert set(again) == shows & early  # only the first batch's screens were behind
    for screen in again:
        assert f"welcome-hue@{newest}" in last[screen]["playlists"]
    pushed_before.update(last)
    stored = _versions(sessions)
    assert {s: b["version"] for s, b in pushed_before.items()} == stored
    with sessions() as session:
        assert TimelinePublisher(None, 15, clock=clock).rebuild(session) == []


def test_a_failure_after_the_first_batch_converges_on_the_next_pass(fleet) -> None:  # noqa: ANN001
    sessions = fleet()
    clock = Clock(NOW)
    pushed: list[str] = []
    fail = [True]

    def emit(_event: str, body: dict[str, Any], to: str, namespace: str) -> None:
        if len(pushed) == FIRST_BATCH - 1 and fail[0]:  # the first batch's last push
            fail[0] = False
            raise RuntimeError("the socket layer failed")
        pushed.append(body["screen"])

    publisher = _publisher(sessions, emit, clock)
    before = _versions(sessions)
    clock.now = NOW + timedelta(days=1)
    with sessions() as session:
        with pytest.raises(RuntimeError):
            publisher.rebuild_for(session, [changes.EVERYTHING])
        session.rollback()
        stored = _versions(sessions)
        # The first batch is stored (committed before its push), the others not even
        # loaded; no version is bumped twice.
        bumped = {s for s in before if stored[s] == before[s] + 1}
        assert set(pushed) < bumped and len(bumped) == FIRST_BATCH
        assert all(stored[s] <= before[s] + 1 for s in before)
        again = publisher.rebuild_for(session, [changes.EVERYTHING])
    assert set(again) == set(before) - bumped  # the rest, stored and pushed now
    assert _versions(sessions) == {screen: v + 1 for screen, v in before.items()}
    with sessions() as session:
        assert TimelinePublisher(None, 15, clock=clock).rebuild(session) == []


def test_files_missing_are_asked_for_every_screen_in_one_request_when_split(fleet) -> None:  # noqa: ANN001
    asked = {}
    for split in (10**9, FIRST_BATCH + 1):
        sessions = fleet()
        requests: list[list[tuple]] = []
        publisher = TimelinePublisher(None, 15, clock=Clock(NOW), store=store_of(sessions))
        publisher.renderer = Renderer(
            lambda sent, _deadline, to=requests: to.append(list(sent)),
            sessions, sleep=lambda _: None, wait=0)
        publisher.split_load_from = split
        with sessions() as session:
            changed = publisher.rebuild(session)  # nobody draws: originals stand in
        waiting = sorted(s for s, deps in publisher.index.items() if deps.incomplete)
        asked[split] = (len(requests), sorted(set(requests[0])), sorted(changed), waiting)
    _count, _files, changed, waiting = asked[10**9]
    assert _count == 1 and _files and set(waiting) & set(changed[:FIRST_BATCH])
    assert asked[FIRST_BATCH + 1] == asked[10**9]


class Sockets:
    """What the app sets as ``push_text`` (controller/timeline/encoded_push.py): pushes
    a body's text, and names the screens with a socket in this process."""

    def __init__(self, connected: set[str]) -> None:
        self.connected, self.pushed = connected, []

    def __call__(self, namespace: str, room: str, text: str) -> bool:
        self.pushed.append(room.removeprefix("screen:"))
        return True

    def connected_screens(self, namespace: str) -> set[str]:
        return self.connected


@pytest.mark.parametrize("split", [10**9, FIRST_BATCH + 1])
def test_screens_with_a_socket_are_built_and_pushed_first(fleet, split) -> None:  # noqa: ANN001
    sessions = fleet()
    clock = Clock(NOW)
    publisher = _publisher(sessions, lambda *_a, **_k: None, clock)
    publisher.split_load_from = split
    screens = sorted(_versions(sessions))
    connected = set(screens[-FIRST_BATCH - 3:])  # the last by id: pushed last before
    publisher.push_text = sockets = Sockets(connected)
    clock.now = NOW + timedelta(days=1)
    with sessions() as session:
        changed = publisher.rebuild_for(session, [changes.EVERYTHING])
    assert sorted(changed) == screens
    assert sockets.pushed == sorted(connected) + [s for s in screens if s not in connected]
    with sessions() as session:
        assert TimelinePublisher(None, 15, clock=clock).rebuild(session) == []
