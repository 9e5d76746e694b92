"""Redis pub/sub: a process with the deployment's Redis publishes after each commit that
bumped, the watcher's listener hears it (nothing else woke it: the database is a SQLite
file nobody else listens to here), a killed subscription is reconnected and later
changes still arrive, and a publisher whose Redis is gone loses no commit."""

from __future__ import annotations

import threading

import redis
from web.helpers import wait_for

from controller import changes
from controller.changes import Scope
from controller.changes_notify.redis_pubsub import Publisher, RedisListener, channel_of

from .helpers import SOON, bump_elsewhere


def _listen(redis_url: str, channel: str) -> tuple[RedisListener, threading.Event]:
    heard = threading.Event()
    listener = RedisListener(redis_url, channel, heard.set).start()
    wait_for(listener.connected.is_set, SOON, "SUBSCRIBE")
    heard.clear()  # the wake every (re)connection makes
    return listener, heard


def test_a_commit_elsewhere_is_published_and_heard(fleet, redis_url):
    channel = channel_of(f"pano-test-{id(fleet):x}")
    listener, heard = _listen(redis_url, channel)
    try:
        bump_elsewhere(fleet.settings.db_url, Scope("screen", "x"), redis_url,
                       channel.removesuffix("-changes"))
        assert heard.wait(SOON), "the published change was not heard"
    finally:
        listener.stop()


def test_a_killed_subscription_is_reconnected(fleet, redis_url):
    channel = channel_of(f"pano-test-{id(fleet):x}")
    listener, heard = _listen(redis_url, channel)
    admin = redis.Redis.from_url(redis_url)
    try:
        ids = [c["id"] for c in admin.client_list() if c.get("name") == listener.client_name]
        assert len(ids) == 1
        admin.client_kill_filter(_id=ids[0])
        wait_for(lambda: listener.connects >= 2 and listener.connected.is_set(), SOON,
                 "the listener reconnected")
        heard.clear()
        Publisher(redis_url, channel)()
        assert heard.wait(SOON), "a change after the reconnect was not heard"
    finally:
        admin.close()
        listener.stop()


def test_a_publisher_without_redis_loses_no_commit(fleet):
    dead = Publisher("redis://127.0.0.1:1/0", "nowhere")  # nothing listens on port 1
    from controller.changes_notify import commit_hook

    commit_hook.add_publisher(dead)
    try:
        with fleet.sessions() as session:
            before = changes.latest_id(session)
            changes.bump(session, Scope("site", "s"))
            session.commit()  # the publish fails after the commit, quietly
            assert changes.since(session, before)[1] == [Scope("site", "s")]
        assert dead._failing
    finally:
        commit_hook.remove_publisher(dead)
