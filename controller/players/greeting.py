"""Greeting a player that has just connected on ``/player``: ``welcome`` (the server's
clock, the heartbeat interval, the protocol) and then its stored timeline, from a
background task once the CONNECT packet has gone out (docs/protocol.md section 2). A
mixin of ``PlayerNamespace``, which provides ``socketio``, ``namespace`` and the
connections; also the session rule every database-using player event follows
(``_database``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy.orm import Session

from controller.metrics.push_ack import PUSHES
from controller.state import db, state

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from controller.players.namespace import Connection

log = logging.getLogger("pano.players")

PROTOCOL = 1
GREET_DELAY = 0.05  # seconds; see PlayerNamespace._connect
GREET_RETRIES = (1.0, 3.0, 10.0)  # pauses after a greeting failed to read its timeline


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


# Player events that use the database (connect, disconnect, the greeting's timeline, a
# timeline request) end their transaction before anything slow follows. A reconnect
# storm of 5000 players on PostgreSQL, where a query lets other greenlets run, held every
# pooled connection "idle in transaction" while greetings emitted timelines to slow
# sockets: connects, and the change watcher's rebuild, failed after waiting 30 s for one.
# (A semaphore of database turns was tried as well: under gevent it made a 500-player
# reconnect storm's median return 33 s instead of 6 s; bench/, docs/performance.md.)
class PlayerGreeting:
    """``_greet`` and ``_database``; see the module's docstring."""

    socketio: SocketIO
    namespace: str
    _connections: dict[str, Connection]

    @contextmanager
    def _database(self) -> Iterator[Session]:
        """This event's session; its transaction is ended (the connection back in the
        pool) as the block ends, before anything slow follows, such as an emit to a slow
        socket."""
        session = db()
        try:
            yield session
        finally:
            session.rollback()  # after the writes' own commits: ends the read

    def _greet(self, app: Flask, sid: str, screen_id: str) -> None:
        self.socketio.sleep(GREET_DELAY)
        with app.app_context():
            st = state()
            if sid not in self._connections:
                return
            self.socketio.emit("welcome", {
                "screen": screen_id, "server_time": time.time(),
                "heartbeat_interval": _number(st.settings.heartbeat_interval),
                "protocol": PROTOCOL}, to=sid, namespace=self.namespace)
            body = self._greeting_timeline(sid, screen_id)
            if body is not None:
                self.socketio.emit("timeline", body, to=sid, namespace=self.namespace)
                PUSHES.pushed(screen_id, body.get("version"))

    def _greeting_timeline(self, sid: str, screen_id: str) -> dict[str, Any] | None:
        """The stored timeline for a greeting, tried again a few times when the database
        fails to answer (a pool exhausted by a reconnect storm, a restarting server):
        a greeting that gave up left its player without a timeline until the next
        change."""
        for attempt, pause in enumerate(GREET_RETRIES):
            if sid not in self._connections:
                return None
            try:
                with self._database() as session:
                    return state().publisher.timeline_for(session, screen_id)
            except Exception:  # noqa: BLE001 - logged; tried again after a pause
                log.warning("greeting %s: its timeline could not be read (try %d of %d)",
                            screen_id, attempt + 1, len(GREET_RETRIES), exc_info=True)
                self.socketio.sleep(pause)
        return None
