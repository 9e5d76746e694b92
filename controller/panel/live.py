"""Live pages: the ``/panel`` Socket.IO namespace and the feed that fills it.

A panel page connects with its session cookie (the same login as the page; refused
without one) and asks ``subscribe`` with a topic it may see, e.g. ``{"topic":
"fleet"}``. It gets the topic's whole snapshot at once (event named by the topic's
source, ``{"full": true, "items": {key: item}}``), then only the items that changed
(``{"full": false, "items": {…}, "removed": [keys]}``) as the feed notices them.

Sources register with ``register_source(topic, event, roles, snapshot)``: ``snapshot``
takes a database session and returns ``{key: item}`` of JSON values. It always runs in
an application context (a subscribe handler, or the feed's own), so it may read
``state().settings``. The feed
(``PanelFeed.run``) recomputes each watched source every ``interval`` seconds and
emits the difference to the topic's room; a topic nobody watches costs nothing (no
snapshot), and its last snapshot is forgotten. It runs in the one process that runs the
change watcher (docs/operations.md "Scaling out"); with a message queue its emits reach
the pages connected to every process, and a page's first snapshot is computed by the
process it is connected to. That process is the only one that knows a page watches, so
with a message queue every topic counts as watched. A subscriber's snapshot is also the
feed's starting point when the topic was not watched before (``PanelFeed.seed``), so
what changes after it is sent, never lost between the two. Time-based changes (a
screen turning offline when heartbeats stop) show up without any event causing them,
which is why this is a periodic comparison and not a push from the places that
write."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, SocketIO, emit, join_room
from sqlalchemy.orm import Session

from controller.state import db, state

log = logging.getLogger("pano.panel.live")

NAMESPACE = "/panel"
FEED_KEY = "pano_panel_feed"  # app.extensions: this process's running PanelFeed
Snapshot = Callable[[Session], dict[str, Any]]


@dataclass(frozen=True)
class Source:
    topic: str
    event: str
    roles: tuple[str, ...]
    snapshot: Snapshot


SOURCES: dict[str, Source] = {}


def register_source(topic: str, event: str, roles: tuple[str, ...],
                    snapshot: Snapshot) -> None:
    SOURCES[topic] = Source(topic, event, roles, snapshot)


def room(topic: str) -> str:
    return f"panel:{topic}"


class PanelNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> None:
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("Sign in to the panel first.")

    def on_subscribe(self, data: Any = None) -> dict[str, Any]:
        topic = data.get("topic") if isinstance(data, dict) else None
        source = SOURCES.get(topic) if isinstance(topic, str) else None
        if source is None:
            return {"ok": False, "message": f"unknown topic {topic!r}"}
        if not current_user.is_authenticated or current_user.role not in source.roles:
            log.warning("panel subscribe refused: %s to %s",
                        getattr(current_user, "username", "?"), topic)
            return {"ok": False, "message": "your role may not see this"}
        try:
            join_room(room(topic))
        except ValueError:  # the page left while subscribing
            return {"ok": False, "message": "disconnected"}
        feed = current_app.extensions.get(FEED_KEY)
        if feed is None:  # the feed runs in another process (or not yet)
            emit(source.event, {"full": True, "items": source.snapshot(db())})
        else:
            with feed.lock:  # no feed round between this snapshot and its seeding
                items = source.snapshot(db())
                emit(source.event, {"full": True, "items": items})
                feed.seed(topic, items)
        log.debug("panel %s subscribed to %s", request.sid, topic)  # type: ignore[attr-defined]
        return {"ok": True}


class PanelFeed:
    """Recomputes every watched source's snapshot and emits what changed, until
    ``stop()``."""

    def __init__(self, app: Flask, socketio: SocketIO, interval: float = 1.0) -> None:
        self.app = app
        self.socketio = socketio
        self.interval = interval
        self.lock = threading.Lock()  # a round, or a subscriber's snapshot and seeding
        self._last: dict[str, dict[str, Any]] = {}
        self._stopped = threading.Event()
        self.snapshots = 0  # source snapshots taken by rounds, for tests and the log
        app.extensions[FEED_KEY] = self

    def watched(self, topic: str) -> bool:
        """Someone may watch ``topic``: a page of this process is in its room, or
        there is a message queue (pages of other processes are not known here)."""
        if self.app.extensions["pano"].settings.message_queue:
            return True
        members = self.socketio.server.manager.rooms.get(NAMESPACE, {}).get(room(topic))
        return bool(members)

    def seed(self, topic: str, items: dict[str, Any]) -> None:
        """A subscriber got ``items`` (call with ``lock`` held): the starting point of a
        topic that had none; one that had keeps it (its other watchers got that)."""
        self._last.setdefault(topic, items)

    def tick(self) -> int:
        """One comparison round; returns the number of items emitted."""
        sent = 0
        with self.lock:
            sources = [s for s in SOURCES.values() if self.watched(s.topic)]
            for gone in set(self._last) - {s.topic for s in sources}:
                del self._last[gone]  # nobody watches: forget; a subscriber seeds it
            if not sources:
                return 0
            with self.app.app_context(), state().session_factory() as session:
                for source in sources:
                    sent += self._compare(session, source)
        return sent

    def _compare(self, session: Session, source: Source) -> int:
        try:
            now = source.snapshot(session)
        except Exception:
            log.exception("panel source %s failed", source.topic)
            session.rollback()
            return 0
        self.snapshots += 1
        before = self._last.get(source.topic)
        self._last[source.topic] = now
        if before is None:
            return 0
        changed = {k: v for k, v in now.items() if before.get(k) != v}
        removed = [k for k in before if k not in now]
        if changed or removed:
            self.socketio.emit(source.event, {"full": False, "items": changed,
                                              "removed": removed},
                               to=room(source.topic), namespace=NAMESPACE)
        return len(changed) + len(removed)

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("panel feed round failed; retrying")
            self._stopped.wait(self.interval)

    def stop(self) -> None:
        self._stopped.set()
        if self.app.extensions.get(FEED_KEY) is self:
            del self.app.extensions[FEED_KEY]
