"""The change watcher is woken, not polled: a commit in its own process wakes it at once,
another process on the same SQLite file wakes it with a datagram, and a real controller
(threading and gevent) pushes the change to a real player long before its 30 s poll
would have. The poll is set to 30 s throughout: anything sooner was a wake."""

from __future__ import annotations

import dataclasses
import json

import pytest
from support.processes import Controller
from web.helpers import Fleet, Player, call, make_settings, wait_for

from controller import changes
from controller.changes import Scope
from controller.changes_notify import commit_hook
from controller.changes_notify.local import LocalListener
from controller.models import Playlist
from controller.review.actor import Actor
from controller.review.workflow import update_details
from controller.server import ControllerServer
from controller.timeline.watcher import ChangeWatcher

from .helpers import POLL, SOON, GatedPublisher, bump_elsewhere, latest, running

EMERGENCY = {"messages": {"vi": {"title": "Bão", "body": "Ở trong nhà."},
                          "en": {"title": "Storm", "body": "Stay indoors."}},
             "targets": {"screens": ["a-dot-entry-hall"]}, "duration_minutes": 10}


def test_a_commit_in_this_process_wakes_the_watcher(fleet):
    publisher = GatedPublisher()
    watcher = ChangeWatcher(publisher, fleet.sessions, POLL)  # no settings: no listener
    with running(watcher):
        first = len(publisher.calls)
        with fleet.sessions() as session:
            changes.bump(session, Scope("playlist", "welcome-hue"))
            session.flush()
            assert commit_hook.waker_count() >= 1
            session.commit()
        new_id = latest(fleet.sessions)
        wait_for(lambda: watcher.last_seen == new_id, SOON, "the woken rebuild")
        assert publisher.calls[first:] == [[Scope("playlist", "welcome-hue")]]
        woken = watcher.wakes
        with fleet.sessions() as session:  # a rolled-back bump wakes nobody...
            changes.bump(session, Scope("site", "nowhere"))
            session.rollback()
            session.commit()  # ...nor does the next commit of the same session
        assert watcher.wakes == woken  # the hook runs in the committing thread
    assert commit_hook.waker_count() == 0  # a stopped watcher is no longer woken


def test_another_process_on_the_same_sqlite_file_wakes_it(fleet):
    publisher = GatedPublisher()
    watcher = ChangeWatcher(publisher, fleet.sessions, POLL, settings=fleet.settings)
    with running(watcher):
        listener = watcher.listening.of(LocalListener)
        assert listener is not None
        wait_for(listener.connected.is_set, SOON, "the datagram socket bound")
        first = len(publisher.calls)
        new_id = bump_elsewhere(fleet.settings.db_url, Scope("schedule", "12345"))
        wait_for(lambda: watcher.last_seen == new_id, SOON, "the other process's change")
        # An unknown schedule rebuilds what it may touch (nothing) and breaks nothing.
        assert publisher.calls[first:] == [[Scope("schedule", "12345")]]
    assert not listener.connected.is_set()


def test_a_second_watcher_of_the_same_file_waits_its_turn(fleet):
    one = ChangeWatcher(GatedPublisher(), fleet.sessions, POLL, settings=fleet.settings)
    two = ChangeWatcher(GatedPublisher(), fleet.sessions, POLL, settings=fleet.settings)
    with running(one):
        wait_for(one.listening.of(LocalListener).connected.is_set, SOON, "the first binds")
        with running(two):
            assert not two.listening.of(LocalListener).connected.is_set()
            one.stop()  # the first one goes: the second takes the address over
            wait_for(two.listening.of(LocalListener).connected.is_set, 30,
                     "the second listens once the first is gone")


def test_a_change_reaches_a_player_before_the_poll(fleet):
    settings = dataclasses.replace(fleet.settings, change_poll_interval=POLL)
    server = ControllerServer(settings).start()
    player = Player(server.url)
    try:
        player.connect("a-dot-entry-hall", fleet.tokens["a-dot-entry-hall"])
        first = player.next_timeline()
        assert not first.get("emergencies")
        status, body = call(server, "POST", "/api/v1/emergencies", fleet.users["admin"],
                            EMERGENCY)
        assert status == 201, body
        pushed = player.next_timeline(timeout=SOON)  # the poll would take 30 s
        assert [e["id"] for e in pushed["emergencies"]] == [body["id"]]
        assert pushed["version"] == first["version"] + 1
    finally:
        player.close()
        server.stop()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_gevent_controller_process_is_woken_by_another_process(request, tmp_path, database):
    """gevent: the watcher's listeners (the datagram, PostgreSQL's LISTEN with psycopg's
    gevent-aware wait) are greenlets of the patched process."""
    if database == "sqlite":
        fleet = Fleet.seeded(tmp_path / "data")
        env = {}
    else:
        pg_url = request.getfixturevalue("pg_url")
        fleet = Fleet(make_settings(tmp_path / "data", database_url=pg_url)).seed()
        env = {"PANO_DATABASE_URL": pg_url}
    controller = Controller(fleet.settings.data_dir, env={
        **env, "PANO_ASYNC_MODE": "gevent", "PANO_CHANGE_POLL_INTERVAL": str(POLL),
        "PANO_JOBS_WORKER": "external"}).start()
    player = Player(controller.url)
    try:
        player.connect("a-dot-entry-hall", fleet.tokens["a-dot-entry-hall"])
        first = player.next_timeline()
        shown = first["segments"][0]["playlist"].split("@")[0]
        with fleet.sessions() as session:  # this test's process is "another process"
            assert update_details(session, Actor.system(), session.get(Playlist, shown),
                                  title_en="Renamed while playing")
            session.commit()
        pushed = player.next_timeline(timeout=SOON)
        assert pushed["version"] == first["version"] + 1, controller.output()
        assert "Renamed while playing" in json.dumps(pushed)
    finally:
        player.close()
        controller.stop()
        fleet.close()


def test_an_emergency_end_wakes_the_watcher_without_the_poll(fleet):
    from datetime import timedelta

    from controller.emergencies import store
    from controller.emergencies.request import parse_request
    from controller.models import Emergency, utcnow

    publisher = GatedPublisher()
    watcher = ChangeWatcher(publisher, fleet.sessions, POLL)
    with running(watcher):
        with fleet.sessions() as session:
            emergency = store.create(session, parse_request(EMERGENCY, utcnow()),
                                     Actor.system())
            session.flush()
            emergency.ends_at = utcnow() + timedelta(seconds=2)  # shorter than the API allows
            session.commit()
            eid = emergency.id
        wait_for(lambda: publisher.next_expiry is not None, SOON, "the emergency built")
        first = len(publisher.calls)
        # No change is committed: only its end (2 s away, the poll 30 s) wakes the watcher.
        wait_for(lambda: len(publisher.calls) > first, SOON, "a rebuild at its end")
        assert publisher.calls[first] == []  # nothing changed: the due screens only
        with fleet.sessions() as session:
            assert store.aware(session.get(Emergency, eid).ends_at) <= utcnow()
