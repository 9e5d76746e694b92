"""Redis pub/sub, when the deployment has a ``redis://`` message queue: every serving
process publishes on ``<message_queue_channel>-changes`` after a commit that bumped
(``use_redis``, called when the app is made), the watcher's process subscribes. Useful
where PostgreSQL's LISTEN is not (a pooler in transaction mode) and as a second path
beside it. Publishing waits at most half a second for a Redis that is gone, then the
change is left to the other transports and the poll."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from controller.changes_notify import commit_hook
from controller.changes_notify.listening import Listener

log = logging.getLogger("pano.changes")

TIMEOUT = 0.5  # seconds a publish may wait for Redis


def usable(message_queue: str) -> bool:
    return message_queue.startswith(("redis://", "rediss://"))


def channel_of(message_queue_channel: str) -> str:
    return f"{message_queue_channel}-changes"


class Publisher:
    """Publishes one message per commit that bumped (added to ``commit_hook``)."""

    def __init__(self, url: str, channel: str) -> None:
        import redis

        self.channel = channel
        self.client = redis.Redis.from_url(url, socket_timeout=TIMEOUT,
                                           socket_connect_timeout=TIMEOUT)
        self._failing = False

    def __call__(self) -> None:
        try:
            self.client.publish(self.channel, b"1")
            if self._failing:
                log.info("publishing changes on Redis again")
            self._failing = False
        except Exception as exc:  # noqa: BLE001 - the poll is the safety net
            if not self._failing:
                log.warning("cannot publish a change on Redis (%s); the change watcher "
                            "finds it by its other paths or its poll", exc)
            self._failing = True

    def close(self) -> None:
        commit_hook.remove_publisher(self)
        self.client.close()


_publishers: dict[tuple[str, str], Publisher] = {}


def use_redis(message_queue: str, message_queue_channel: str) -> Publisher | None:
    """Publish this process's commits that bump on the deployment's Redis (once per
    queue and channel; nothing without a ``redis://`` queue)."""
    if not usable(message_queue):
        return None
    key = (message_queue, channel_of(message_queue_channel))
    if key not in _publishers:
        _publishers[key] = Publisher(*key)
        commit_hook.add_publisher(_publishers[key])
    return _publishers[key]


class RedisListener(Listener):
    name = "Redis pub/sub"

    def __init__(self, url: str, channel: str, wake: Callable[[], None]) -> None:
        super().__init__(wake)
        self.url, self.channel = url, channel
        self.client_name = f"pano-changes-{os.getpid()}-{id(self):x}"  # in CLIENT LIST
        self._client: Any = None
        self._pubsub: Any = None

    def open(self) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No silent retries inside redis-py: a lost connection must reach the loop,
        # which wakes the watcher once it listens again (what was published meanwhile
        # is lost, not the changes: they are in the change log).
        self._client = redis.Redis.from_url(self.url, socket_connect_timeout=5,
                                            socket_keepalive=True, retry=Retry(NoBackoff(), 0),
                                            client_name=self.client_name)
        self._pubsub = self._client.pubsub()
        self._pubsub.subscribe(self.channel)
        for _ in range(5):  # listening only once Redis confirms the subscription
            message = self._pubsub.get_message(timeout=self.wait_seconds)
            if message is not None and message.get("type") == "subscribe":
                return
        raise ConnectionError("Redis did not confirm the subscription")

    def listen_once(self) -> None:
        message = self._pubsub.get_message(timeout=self.wait_seconds)
        if message is not None and message.get("type") == "message":
            self.wake()

    def close(self) -> None:
        if self._pubsub is not None:
            self._pubsub.close()
            self._pubsub = None
        if self._client is not None:
            self._client.close()
            self._client = None
