"""Redis pub/sub: a process with the deployment's Redis publishes after each commit that
bumped, the watcher's listener hears it (nothing else woke it: the database is a SQLite
file nobody else listens to here), a killed subscription is reconnected and later
changes still arrive, a flood of messages on the channel (forged, junk) while a rebuild
runs makes one more rebuild, not a thousand, and a publisher whose Redis is gone loses
no commit."""

from __future__ import annotations

import dataclasses
import threading

import redis
from web.helpers import wait_for

from controller import changes
from controller.changes import Scope
from controller.changes_notify.redis_pubsub import Publisher, RedisListener, channel_of
from controller.timeline.watcher import ChangeWatcher

from .helpers import POLL, SOON, GatedPublisher, bump_elsewhere, running


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


def test_a_flood_on_the_channel_makes_one_more_rebuild_not_a_thousand(fleet, redis_url):
    name = f"pano-test-flood-{id(fleet):x}"
    settings = dataclasses.replace(fleet.settings, message_queue=redis_url,
                                   message_queue_channel=name)
    publisher = GatedPublisher()
    watcher = ChangeWatcher(publisher, fleet.sessions, POLL, settings=settings)
    admin = redis.Redis.from_url(redis_url)
    with running(watcher):
        listener = watcher.listening.of(RedisListener)
        assert isinstance(listener, RedisListener)
        wait_for(listener.connected.is_set, SOON, "SUBSCRIBE")
        first = len(publisher.calls)
        publisher.gate.clear()  # the next rebuild runs until the flood is in
        publisher.entered.clear()
        bump_elsewhere(fleet.settings.db_url, Scope("site", "s0"), redis_url, name)
        assert publisher.entered.wait(SOON), "no rebuild began"
        wakes = watcher.wakes
        flood = admin.pipeline(transaction=False)
        for i in range(1000):  # what is published is never read: only that it came
            flood.publish(channel_of(name), f"junk {i} 💥" * (i % 7))
        flood.execute()
        last = bump_elsewhere(fleet.settings.db_url, Scope("site", "s1"), redis_url, name)
        wait_for(lambda: watcher.wakes >= wakes + 1001, SOON, "the flood heard")
        publisher.gate.set()
        wait_for(lambda: watcher.last_seen == last, SOON, "the last change read")
        # The held rebuild, then one for everything that came meanwhile: not 1000.
        assert publisher.calls[first:] == [[Scope("site", "s0")], [Scope("site", "s1")]]
    admin.close()


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
