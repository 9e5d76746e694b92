"""The change watcher: polls the database's change counter and rebuilds timelines when
it moved, so a change made anywhere (a web request, the CLI in another process) reaches
the connected players within about a second."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from controller import changes
from controller.timeline.publisher import TimelinePublisher

log = logging.getLogger("pano.timeline")


class ChangeWatcher:
    """``run()`` loops until ``stop()``; start it with ``SocketIO.start_background_task``
    so it is a thread in threading mode and a greenlet in gevent mode (where
    ``threading.Event`` is monkey-patched). ``on_tick`` (if given) runs on every poll,
    e.g. to drop connections whose credential was revoked."""

    def __init__(self, publisher: TimelinePublisher, session_factory: sessionmaker[Session],
                 interval: float, on_tick: Callable[[Session], Any] | None = None) -> None:
        self.publisher = publisher
        self.session_factory = session_factory
        self.interval = interval
        self.on_tick = on_tick
        self.last_seen: int | None = None
        self._stopped = threading.Event()

    def check(self) -> list[str]:
        """One poll: rebuild if the counter moved since the last poll, or an emergency
        has just ended (it must leave the timelines of its screens)."""
        with self.session_factory() as session:
            value = changes.current(session)
            session.rollback()  # end the read transaction: the rebuild must see fresh data
            changed: list[str] = []
            if value != self.last_seen or self.publisher.rebuild_due():
                changed = self.publisher.rebuild(session)
                self.last_seen = value
            if self.on_tick is not None:
                self.on_tick(session)
            return changed

    def run(self) -> None:
        log.info("change watcher polling every %.2f s", self.interval)
        while not self._stopped.is_set():
            try:
                self.check()
            except Exception:  # keep watching: a locked database or a bad row is transient
                log.exception("change watcher: rebuild failed; retrying")
            self._stopped.wait(self.interval)

    def stop(self) -> None:
        self._stopped.set()
