"""Two leaders at once — what fencing must make harmless (a deposed leader that has not
noticed yet): two publishers whose timelines differ rebuild the same screens at the same
time, over and over. The database's compare-and-set decides: every (screen, version)
either of them pushes carries one body, the one stored, and versions only grow."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select
from support.postgres import pg_url  # noqa: F401  (fixture)
from web.helpers import Fleet, make_settings

from controller.models import ScreenTimeline
from controller.timeline.publisher import TimelinePublisher

ROUNDS = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def fleet(request, tmp_path):
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else ""
    fleet = Fleet(make_settings(tmp_path / "data", database_url=url)).seed()
    yield fleet
    fleet.close()


def test_two_publishers_never_push_two_bodies_for_one_version(fleet):
    pushed: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def emit(event, body, to, namespace):  # what SocketIO.emit would send, recorded
        with lock:
            pushed.append((body["screen"], body["version"], json.dumps(body, sort_keys=True)))

    # Different heartbeat intervals: the two build different timelines for every screen,
    # so each one's rebuild is a change over the other's.
    publishers = [TimelinePublisher(emit, interval) for interval in (5.0, 7.0)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(publisher: TimelinePublisher) -> None:
        try:
            start.wait()
            for _ in range(ROUNDS):
                with fleet.sessions() as session:
                    publisher.rebuild(session)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in publishers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors

    bodies: dict[tuple[str, int], str] = {}
    for screen, version, text in pushed:
        assert bodies.setdefault((screen, version), text) == text, (screen, version)
    with fleet.sessions() as session:
        stored = {row.screen_id: (row.version, row.body) for row in session.execute(
            select(ScreenTimeline.screen_id, ScreenTimeline.version, ScreenTimeline.body))}
    for screen, (version, body) in stored.items():
        assert bodies[(screen, version)] == json.dumps(body, sort_keys=True)
        # Each of the 2 × ROUNDS rebuilds that stored something made one new version.
        assert sorted(v for s, v in bodies if s == screen) == list(range(1, version + 1))
    assert len(bodies) == len(pushed), "a version was pushed twice"
