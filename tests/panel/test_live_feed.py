"""The ``/panel`` Socket.IO namespace: only a signed-in session connects, a topic is
only for its roles, a subscriber gets the whole snapshot and then only what changed
(including items that went away), pushed by the server's own feed."""

from __future__ import annotations

import queue
from typing import Any

import pytest
import socketio
from panel.test_login import signed_in
from web.helpers import wait_for

from controller.panel import live

TOPIC = "test-topic"


@pytest.fixture
def source():
    """A test source whose snapshot the test changes; removed afterwards."""
    data: dict[str, Any] = {"a": {"n": 1}, "b": {"n": 2}}
    live.register_source(TOPIC, "test_items", ("viewer",), lambda _session: dict(data))
    yield data
    live.SOURCES.pop(TOPIC, None)


def client_for(server, cookie: str | None) -> tuple[socketio.Client, queue.Queue]:
    client = socketio.Client(reconnection=False)
    received: queue.Queue = queue.Queue()
    client.on("test_items", received.put, namespace="/panel")
    headers = {"Cookie": cookie} if cookie else {}
    client.connect(server.url, namespaces=["/panel"], transports=["websocket"],
                   headers=headers, wait_timeout=10)
    return client, received


def cookie_of(server, username: str) -> str:
    http = signed_in(server, username)
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def test_a_connection_without_a_panel_session_is_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        client_for(server, None)


def test_subscriber_gets_the_snapshot_then_only_changes(server, source):
    client, received = client_for(server, cookie_of(server, "xem"))
    try:
        assert client.call("subscribe", {"topic": TOPIC}, namespace="/panel",
                           timeout=10) == {"ok": True}
        first = received.get(timeout=10)
        assert first == {"full": True, "items": {"a": {"n": 1}, "b": {"n": 2}}}
        # The feed compares with what it saw last: let it see this source once.
        wait_for(lambda: TOPIC in server.panel_feed._last, what="the feed's first look")
        source["a"] = {"n": 10}
        del source["b"]
        source["c"] = {"n": 3}
        change = received.get(timeout=10)
        assert change == {"full": False, "items": {"a": {"n": 10}, "c": {"n": 3}},
                          "removed": ["b"]}
    finally:
        client.disconnect()


def test_a_topic_is_refused_to_other_roles_and_unknown_topics(server, source):
    client, received = client_for(server, cookie_of(server, "ky-thuat"))
    try:
        answer = client.call("subscribe", {"topic": TOPIC}, namespace="/panel", timeout=10)
        assert answer == {"ok": False, "message": "your role may not see this"}
        for bad in ({"topic": "nope"}, "fleet", None, {"topic": ["x"]}):
            answer = client.call("subscribe", bad, namespace="/panel", timeout=10)
            assert answer["ok"] is False and "unknown topic" in answer["message"]
        source["a"] = {"n": 99}
        with pytest.raises(queue.Empty):
            received.get(timeout=2.5)  # never subscribed: nothing arrives
    finally:
        client.disconnect()


def test_the_feed_takes_no_snapshot_while_nobody_watches(server):
    """A fleet-sized snapshot every second with no panel open was a tenth of the
    controller's CPU during a change of every screen: the feed skips an unwatched topic,
    and a page that starts watching gets a fresh snapshot at once, then the changes."""
    calls: list[int] = []
    data: dict[str, Any] = {"a": {"n": 1}}

    def snapshot(_session):
        calls.append(1)
        return dict(data)

    live.register_source(TOPIC, "test_items", ("viewer",), snapshot)
    feed = server.panel_feed
    try:
        feed.tick()
        assert calls == [] and TOPIC not in feed._last  # nobody watches: not taken

        client, received = client_for(server, cookie_of(server, "xem"))
        try:
            assert client.call("subscribe", {"topic": TOPIC}, namespace="/panel",
                               timeout=10) == {"ok": True}
            assert received.get(timeout=10) == {"full": True, "items": {"a": {"n": 1}}}
            data["a"] = {"n": 2}  # changed right after the page's snapshot: not lost
            assert received.get(timeout=10) == {"full": False, "items": {"a": {"n": 2}},
                                                "removed": []}
        finally:
            client.disconnect()

        # The page left: the feed forgets the topic and takes no more snapshots of it.
        wait_for(lambda: (feed.tick(), TOPIC not in feed._last)[1],
                 what="the feed to notice the page left")
        before = len(calls)
        feed.tick()
        assert len(calls) == before
    finally:
        live.SOURCES.pop(TOPIC, None)
