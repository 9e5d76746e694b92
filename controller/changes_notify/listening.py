"""The receiving side: one listener per transport the deployment has, each a loop in a
background thread (a greenlet in gevent mode, where ``threading`` is monkey-patched)
that wakes the watcher on every notification and, whatever breaks, reconnects with
backoff. After each (re)connection it wakes the watcher once: what was committed while
nobody listened is read from the change log then."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from controller.settings import Settings

log = logging.getLogger("pano.changes")

BACKOFF_FIRST = 0.2  # seconds before the first reconnection attempt
BACKOFF_MAX = 10.0
BACKOFF_QUIET = 2.0


class Listener:
    """A reconnecting loop: subclasses ``open`` a connection, ``listen_once`` (wait at
    most ``wait_seconds``, calling ``wake`` per notification; raise when the connection
    is lost) and ``close`` it."""

    name = "listener"
    # How soon ``stop`` is noticed: a controller stopping under a connected fleet waits
    # for it (its players are failing to reconnect meanwhile); 4 idle wakes a second.
    wait_seconds = 0.25

    def __init__(self, wake: Callable[[], None]) -> None:
        self.wake = wake
        self.connects = 0  # successful (re)connections, for tests and the log
        self.connected = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self) -> None:
        raise NotImplementedError

    def listen_once(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        delay = BACKOFF_FIRST
        failures = 0
        quiet = False
        while not self._stopped.is_set():
            try:
                self.open()
                self.connects += 1
                if failures:
                    log.info("%s: listening again", self.name)
                delay, failures = BACKOFF_FIRST, 0
                self.connected.set()
                self.wake()  # catch up on what was committed while not listening
                while not self._stopped.is_set():
                    self.listen_once()
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect
                if self._stopped.is_set():
                    break
                failures += 1
                quiet = getattr(exc, "quiet", False)  # expected, e.g. local.Taken
                (log.debug if quiet or failures > 3 else log.warning)(
                    "%s: %s; trying again in %.1f s", self.name,
                    str(exc).strip() or type(exc).__name__, delay)
            finally:
                self.connected.clear()
                try:
                    self.close()
                except Exception:  # noqa: BLE001 - already broken
                    log.debug("%s: closing", self.name, exc_info=True)
            self._stopped.wait(delay)
            # An expected failure (the address another process holds) is cheap to try
            # again: every 2 s at most, to take over soon after that process stops.
            delay = min(delay * 2, BACKOFF_QUIET if quiet else BACKOFF_MAX)

    def start(self) -> Listener:
        self._thread = threading.Thread(target=self.run, name=f"pano-{self.name}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopped.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)


class Listening:
    """The listeners started for one watcher; ``stop()`` ends them all."""

    def __init__(self, listeners: list[Listener]) -> None:
        self.listeners = listeners

    def of(self, kind: type[Listener]) -> Listener | None:
        return next((item for item in self.listeners if isinstance(item, kind)), None)

    def stop(self) -> None:
        for listener in self.listeners:
            listener._stopped.set()
        for listener in self.listeners:
            listener.stop()


def start_listener(settings: Settings, wake: Callable[[], None]) -> Listening:
    """Start listening on every transport ``settings`` give: PostgreSQL LISTEN, Redis
    pub/sub (with a ``redis://`` message queue) and the local datagram (a SQLite file
    on Linux). ``wake`` is called on each notification."""
    from sqlalchemy.engine import make_url

    from controller.changes_notify import local, redis_pubsub

    listeners: list[Listener] = []
    url = settings.db_url
    if make_url(url).get_backend_name() == "postgresql":
        from controller.changes_notify.postgres import PgListener

        listeners.append(PgListener(url, wake))
    address = local.address_for(make_url(url))
    if address is not None:
        listeners.append(local.LocalListener(address, wake))
    if redis_pubsub.usable(settings.message_queue):
        listeners.append(redis_pubsub.RedisListener(
            settings.message_queue, redis_pubsub.channel_of(settings.message_queue_channel),
            wake))
    for listener in listeners:
        listener.start()
    log.info("change watcher listening on: %s",
             ", ".join(item.name for item in listeners) or "nothing (poll only)")
    return Listening(listeners)
