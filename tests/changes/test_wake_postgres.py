"""PostgreSQL: another process's commit wakes the watcher through NOTIFY/LISTEN; a killed
LISTEN connection (what a server restart does to it) is reconnected and later changes
still arrive; a flood of notifications while a rebuild runs makes one more rebuild, not
a thousand; forged notifications and unknown objects break nothing."""

from __future__ import annotations

import dataclasses

from sqlalchemy import create_engine, text
from web.helpers import wait_for

from controller.changes import Scope
from controller.changes_notify.postgres import PgListener, conninfo
from controller.timeline.watcher import ChangeWatcher

from .helpers import POLL, SOON, GatedPublisher, bump_elsewhere, running


def _watcher(fleet, pg_url, pg_sessions) -> tuple[ChangeWatcher, GatedPublisher]:
    settings = dataclasses.replace(fleet.settings, database_url=pg_url, message_queue="")
    publisher = GatedPublisher()
    return ChangeWatcher(publisher, pg_sessions, POLL, settings=settings), publisher


def _listener(watcher: ChangeWatcher) -> PgListener:
    listener = watcher.listening.of(PgListener)
    assert isinstance(listener, PgListener)
    wait_for(listener.connected.is_set, SOON, "LISTEN")
    return listener


def test_another_process_wakes_the_watcher_through_notify(fleet, pg_url, pg_sessions):
    watcher, publisher = _watcher(fleet, pg_url, pg_sessions)
    with running(watcher):
        _listener(watcher)
        first = len(publisher.calls)
        new_id = bump_elsewhere(pg_url, Scope("playlist", "no-such-playlist"))
        wait_for(lambda: watcher.last_seen == new_id, SOON, "the other process's change")
        assert publisher.calls[first:] == [[Scope("playlist", "no-such-playlist")]]


def test_a_killed_listen_connection_is_reconnected(fleet, pg_url, pg_sessions):
    watcher, _ = _watcher(fleet, pg_url, pg_sessions)
    with running(watcher):
        listener = _listener(watcher)
        killed = listener.backend_pid
        admin = create_engine(pg_url)
        try:
            with admin.connect() as conn:
                assert conn.execute(text("SELECT pg_terminate_backend(:pid)"),
                                    {"pid": killed}).scalar() is True
        finally:
            admin.dispose()
        wait_for(lambda: listener.connects >= 2 and listener.connected.is_set(), SOON,
                 "the listener reconnected")
        assert listener.backend_pid != killed
        new_id = bump_elsewhere(pg_url, Scope("emergency", "404"))
        wait_for(lambda: watcher.last_seen == new_id, SOON, "a change after the reconnect")


def test_a_flood_of_notifications_makes_a_bounded_number_of_rebuilds(fleet, pg_url,
                                                                     pg_sessions):
    import psycopg

    watcher, publisher = _watcher(fleet, pg_url, pg_sessions)
    with running(watcher):
        _listener(watcher)
        first = len(publisher.calls)
        publisher.gate.clear()  # the next rebuild runs until the flood is in
        publisher.entered.clear()
        bump_elsewhere(pg_url, Scope("site", "s0"))
        assert publisher.entered.wait(SOON), "no rebuild began"
        wakes = watcher.wakes
        with psycopg.connect(conninfo(pg_url), autocommit=True) as conn:
            for i in range(1000):  # each its own transaction: 1000 notifications
                conn.execute("SELECT pg_notify('pano_changes', %s)", (f"junk {i} 💥",))
        last = bump_elsewhere(pg_url, Scope("site", "s1"))
        wait_for(lambda: watcher.wakes >= wakes + 1001, SOON, "the flood heard")
        publisher.gate.set()
        wait_for(lambda: watcher.last_seen == last, SOON, "the last change read")
        flood = publisher.calls[first:]
        # The held rebuild, then one for everything that came meanwhile: not 1000.
        assert flood == [[Scope("site", "s0")], [Scope("site", "s1")]]


def test_a_change_committed_while_nobody_listened_is_read_on_reconnecting(
        fleet, pg_url, pg_sessions):
    """The listener's connection dies and cannot come back for a while (as during a
    server restart); a change committed meanwhile sends a NOTIFY nobody hears. Once the
    listener is back it wakes the watcher, which reads the change from the log."""
    import psycopg

    watcher, publisher = _watcher(fleet, pg_url, pg_sessions)
    name = pg_url.rsplit("/", 1)[1]
    admin_url = conninfo(pg_url).rsplit("/", 1)[0] + "/postgres"
    with running(watcher), psycopg.connect(admin_url, autocommit=True) as admin, \
            psycopg.connect(conninfo(pg_url), autocommit=True) as writer:
        listener = _listener(watcher)
        first = len(publisher.calls)
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute("SELECT pg_terminate_backend(%s)", (listener.backend_pid,))
            wait_for(lambda: not listener.connected.is_set(), SOON, "the listener cut off")
            with writer.transaction():  # another writer, on a connection it already had
                writer.execute("UPDATE change_counter SET value = value + 1 WHERE id = 1")
                writer.execute("INSERT INTO change_log (kind, key, at) "
                               "VALUES ('site', 'while-down', now())")
                writer.execute("SELECT pg_notify('pano_changes', '')")  # lost
            assert publisher.calls[first:] == []
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        wait_for(lambda: [Scope("site", "while-down")] in publisher.calls[first:], 20,
                 "the change read after the listener came back")
        assert listener.connects >= 2
