"""Emergencies in the controller's timelines: only the targeted screens get them, an
ended or cancelled one drops out, and the change watcher rebuilds right after an end
even when nothing else changed. The clock is a variable, never a wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from controller.emergencies import store
from controller.emergencies.request import parse_request
from controller.models import Emergency, ScreenTimeline
from controller.review.actor import Actor
from controller.timeline.builder import EmergencyFacts, emergency_entries
from controller.timeline.publisher import TimelinePublisher
from controller.timeline.watcher import ChangeWatcher

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
MESSAGES = {"vi": {"title": "Bão", "body": "Ở trong nhà."},
            "en": {"title": "Storm", "body": "Stay indoors."}}
BORDER = {"a-dot-entry-hall", "a-dot-outdoor-pano"}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _bodies(session) -> dict[str, dict]:
    return dict(session.execute(select(ScreenTimeline.screen_id, ScreenTimeline.body)).all())


def _send(session, now: datetime, minutes: float = 30, **targets: list[str]) -> int:
    request = parse_request({"messages": MESSAGES, "targets": targets,
                             "duration_minutes": minutes}, now)
    emergency = store.create(session, request, Actor.system())
    session.commit()
    return emergency.id


def test_entries_leave_out_ended_ones_and_are_sorted_by_start():
    a = EmergencyFacts(2, NOW, NOW + timedelta(minutes=5), MESSAGES)
    b = EmergencyFacts(1, NOW - timedelta(hours=1), NOW - timedelta(minutes=1), MESSAGES)
    c = EmergencyFacts(3, NOW - timedelta(minutes=1), NOW + timedelta(hours=1), MESSAGES,
                       "https://example.org/")
    entries = emergency_entries([a, b, c], NOW)
    assert [e["id"] for e in entries] == [3, 2]
    assert entries[0] == {"id": 3, "from": "2026-11-26T07:59:00Z",
                          "until": "2026-11-26T09:00:00Z", "messages": MESSAGES,
                          "url": "https://example.org/"}


def test_only_targeted_screens_get_it_and_others_keep_their_version(session):
    clock = Clock(NOW)
    publisher = TimelinePublisher(None, 15.0, clock=clock)
    publisher.rebuild(session)
    before = {k: v["version"] for k, v in _bodies(session).items()}
    eid = _send(session, NOW, sites=["a-dot-border-gate"], screens=["phu-bai-baggage"])
    changed = publisher.rebuild(session)
    assert set(changed) == BORDER | {"phu-bai-baggage"}
    for screen, body in _bodies(session).items():
        if screen in changed:
            assert [e["id"] for e in body["emergencies"]] == [eid]
            assert body["version"] == before[screen] + 1
        else:
            assert "emergencies" not in body and body["version"] == before[screen]


def test_the_watcher_rebuilds_just_after_the_end_and_a_cancel_drops_it(sessions):
    clock = Clock(NOW)
    publisher = TimelinePublisher(None, 15.0, clock=clock)
    watcher = ChangeWatcher(publisher, sessions, interval=0.25)
    watcher.check()
    with sessions() as session:
        short = _send(session, NOW, minutes=1, screens=["a-dot-entry-hall"])
        long = _send(session, NOW, minutes=60, screens=["a-dot-outdoor-pano"])
    assert set(watcher.check()) == BORDER
    assert publisher.next_expiry == NOW + timedelta(minutes=1)
    clock.now = NOW + timedelta(seconds=59)
    assert watcher.check() == []  # nothing moved, nothing due
    clock.now = NOW + timedelta(minutes=1)
    assert watcher.check() == ["a-dot-entry-hall"]  # the counter did not move: the end did
    with sessions() as session:
        bodies = _bodies(session)
        assert "emergencies" not in bodies["a-dot-entry-hall"]
        assert bodies["a-dot-outdoor-pano"]["emergencies"][0]["id"] == long
        emergency = session.get(Emergency, long)
        store.cancel(session, emergency, Actor.system(), clock.now)
        session.commit()
    assert watcher.check() == ["a-dot-outdoor-pano"]
    assert publisher.next_expiry is None
    with sessions() as session:
        assert all("emergencies" not in b for b in _bodies(session).values())
    assert short != long
