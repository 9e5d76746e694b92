"""The ``/player`` Socket.IO namespace (docs/protocol.md, sections 3-5).

Every event is answered through the acknowledgement callback with ``{"ok": true, …}`` or
``{"ok": false, "error", "message"}``; refusals also get an ``error`` event and a log
line (``pano.security`` for credentials, ``pano.players`` otherwise). The credential
is checked once, at connect; each event then checks only that its connection was not
found revoked since (in memory). Revocations are found by ``drop_revoked``, which the
change watcher runs as soon as a new credential is committed and every process runs
from its ``RevocationWatch`` (controller/players/revocation.py): a revoked credential's
connection, silent or not, is cut off within about a second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, join_room
from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.edge.limits import FLOOD_REFUSALS, FLOOD_WINDOW
from controller.metrics.registry import SOCKETS_CONNECTED
from controller.models import Screen
from controller.players import commands, status
from controller.players.event_budget import (
    EventBudgets,
    FloodPenalties,
    cooling_down_message,
    over_budget_message,
)
from controller.players.greeting import PlayerGreeting
from controller.players.heartbeat import HeartbeatRefused, validate_heartbeat
from controller.players.payloads import (
    PayloadRefused,
    validate_ack,
    validate_time,
    validate_timeline_request,
)
from controller.players.process_liveness import marker, new_token
from controller.players.report_events import PlayerReports
from controller.players.screen_auth import (
    CredentialRefused,
    ScreenIdentity,
    authenticate_socket,
    log_refusal,
    security_log,
)
from controller.plays.presence_log import close_interval, open_interval
from controller.state import db, state
from controller.timeline.publisher import NAMESPACE, room_for

log = logging.getLogger("pano.players")

EVENTS = ("time", "ack", "timeline_request", "heartbeat", "emergency_shown",
          "command_result", "journal")
DROP_DELAY = 0.2  # seconds between refusing an event and closing a flooding connection
REVOKED = "Credential revoked: a newer credential was issued for this screen."


@dataclass(frozen=True)
class Connection:
    identity: ScreenIdentity
    remote_addr: str
    presence: int | None = None  # its screen_presence interval (controller/plays)
    marker: str = ""  # what ``screen_status.connection`` names: ``<process token>:<sid>``


def refusal(error: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": error, "message": message}


class PlayerNamespace(PlayerGreeting, PlayerReports, Namespace):
    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self._connections: dict[str, Connection] = {}
        self._budgets: dict[str, EventBudgets] = {}
        self._revoked: set[str] = set()  # sids being closed by drop_revoked
        self._per_screen: dict[str, list[str]] = {}  # screen -> its sids here, by age
        self._event = threading.local()  # .sid: the event being handled (per greenlet)
        self.penalties = FloodPenalties()
        self._lock = threading.Lock()
        # This process's token: its connections' names (controller/players/process_liveness.py).
        self.process_token = new_token()

    def open_connections(self) -> dict[str, list[str]]:
        """Screen -> the names of its connections open here, oldest first."""
        with self._lock:
            return {screen: [self._connections[sid].marker for sid in sids
                             if sid in self._connections]
                    for screen, sids in self._per_screen.items()}

    # -- dispatch ---------------------------------------------------------------------
    def _is_live(self, sid: Any) -> bool:
        return bool(self.socketio.server.manager.is_connected(sid, self.namespace))

    def trigger_event(self, event: Any, *args: Any) -> Any:
        sid = args[0] if args else None
        if event in ("connect", "disconnect") and not self._is_live(sid):
            return super().trigger_event(event, *args)  # the real connect / disconnect
        # Budgets first: an event over its budget costs no database read (event_budget).
        budgets = self._budgets.get(sid)
        if not isinstance(event, str) or event not in EVENTS:
            name = str(event)[:60]
            return self._refuse(sid, name, "unknown_event",
                                f"Unknown event {name!r}; known events: {', '.join(EVENTS)}.",
                                budgets)
        if budgets is not None and not budgets.allow(event, time.monotonic()):
            return self._refuse(sid, event, "rate_limited",
                                over_budget_message(budgets.declared[event]), budgets)
        if len(args) > 2:
            return self._refuse(sid, event, "bad_request",
                                f"{event} takes a single JSON object, got {len(args) - 1} "
                                "arguments.", budgets)
        try:
            return self._handle(event, sid, *args[1:])
        except Exception:
            log.exception("event %s from sid %s failed", event, sid)
            return refusal("internal_error", "Internal error; it has been logged.")

    def _handle(self, event: str, sid: str, *args: Any) -> Any:
        """Call ``on_<event>`` in an application context only. Flask-SocketIO's own
        dispatch pushes a whole request context for every event (a URL match, the cookie
        session opened: about 70 µs against 4), which these handlers do not use: they
        read their connection's sid from ``_event_sid``."""
        environ = self.socketio.server.get_environ(sid, namespace=self.namespace)
        if not environ:
            return None  # gone meanwhile, as Flask-SocketIO ignores it
        self._event.sid = sid
        try:
            with environ["flask.app"].app_context():
                return getattr(self, f"on_{event}")(*args)
        finally:
            self._event.sid = None

    def _event_sid(self) -> str:
        return self._event.sid  # type: ignore[no-any-return]

    def _refuse(self, sid: Any, event: str, error: str, message: str,
                budgets: EventBudgets | None = None) -> dict[str, Any]:
        """Answer ``{"ok": false…}``; log and send an ``error`` event unless this kind of
        refusal was already told in the flood window; close a flooding connection."""
        tell, flooding = True, False
        budgets = budgets if budgets is not None else self._budgets.get(sid)
        if budgets is not None:
            tell, flooding = budgets.refuse(event, error, time.monotonic())
        conn = self._connections.get(sid)
        if tell:
            log.warning("refused %s from screen=%s address=%s: %s", event,
                        conn.identity.screen_id if conn else "-",
                        conn.remote_addr if conn else "-", message)
            if sid is not None:
                self.socketio.emit("error", {"event": event, "message": message}, to=sid,
                                   namespace=self.namespace)
        if flooding:
            cooldown = self.flooded(sid)
            cut = (f"Too many refused events on this connection (more than "
                   f"{FLOOD_REFUSALS.value:g} in {FLOOD_WINDOW.value:g} s): disconnecting; "
                   f"connect again in {cooldown:g} s at the earliest. Keep to the limits "
                   "of docs/protocol.md, section 5.")
            security_log.warning("screen=%s address=%s flooding (last: %s): %s",
                                 conn.identity.screen_id if conn else "-",
                                 conn.remote_addr if conn else "-", event, cut)
            self.socketio.emit("error", {"event": event, "message": cut}, to=sid,
                               namespace=self.namespace)
            self.socketio.start_background_task(self._drop, sid, DROP_DELAY)
        return refusal(error, message)

    def flooded(self, sid: Any) -> float:
        """A connection of this namespace is being closed for flooding: refuse its
        screen's next connections for a while (returns for how long, 0 if unknown)."""
        conn = self._connections.get(sid)
        return 0.0 if conn is None else self.penalties.flooded(conn.identity.screen_id,
                                                                time.monotonic())

    def flooded_eio(self, eio_sid: str) -> None:
        """The transport closed an Engine.IO session for flooding (frames)."""
        self.flooded(self.socketio.server.manager.sid_from_eio_sid(eio_sid, self.namespace))

    def describe(self, eio_sid: str) -> str:
        """``screen=<id>`` for an Engine.IO session connected to ``/player`` (for the
        transport's log lines), else an empty string."""
        sid = self.socketio.server.manager.sid_from_eio_sid(eio_sid, self.namespace)
        conn = self._connections.get(sid) if sid is not None else None
        return f"screen={conn.identity.screen_id}" if conn else ""

    def _connection(self, event: str) -> Connection | dict[str, Any]:
        """This event's connection unless ``drop_revoked`` found its credential revoked
        (then a refusal; the connection is being closed). No database read."""
        sid = self._event_sid()
        conn = self._connections.get(sid)
        if conn is None:
            return self._refuse(sid, event, "unauthorized", "Not authenticated.")
        if sid in self._revoked:  # found revoked by drop_revoked, being closed
            self.socketio.emit("error", {"event": event, "message": REVOKED}, to=sid,
                               namespace=self.namespace)
            return refusal("unauthorized", REVOKED)
        return conn

    def _drop(self, sid: str, delay: float) -> None:
        self.socketio.sleep(delay)
        self.socketio.server.disconnect(sid, namespace=self.namespace)

    # -- connect / disconnect ---------------------------------------------------------
    def on_connect(self, auth: Any = None) -> None:
        remote = request.remote_addr or ""
        with self._database() as session:
            self._connect(session, remote, auth)

    def _connect(self, session: Session, remote: str, auth: Any) -> None:
        try:
            identity = authenticate_socket(session, auth)
        except CredentialRefused as exc:
            claimed = auth.get("screen") if isinstance(auth, dict) else None
            log_refusal(claimed, remote, str(exc))
            raise ConnectionRefusedError(str(exc)) from None
        except Exception:
            log.exception("connect from %s failed", remote)
            raise ConnectionRefusedError("Internal error; try again later.") from None
        sid = request.sid  # type: ignore[attr-defined]
        screen_id = identity.screen_id
        wait = self.penalties.refused_for(screen_id, time.monotonic())
        if wait is not None:  # told when the penalty started; not logged again
            raise ConnectionRefusedError(cooling_down_message(screen_id, wait))
        # Before mark_connected: an interval left open closes at the last heartbeat. The
        # interval and the status are one transaction (one commit, one fsync on
        # PostgreSQL, one turn of a pooled connection): a reconnect storm of thousands is
        # made of these.
        interval = open_interval(session, screen_id, "websocket", datetime.now(UTC),
                                 commit=False)
        with self._lock:
            conn = Connection(identity, remote, interval, marker(self.process_token, sid))
            self._connections[sid] = conn
            self._per_screen.setdefault(screen_id, []).append(sid)
            self._budgets[sid] = EventBudgets(time.monotonic(),
                                              state().settings.heartbeat_interval)
        SOCKETS_CONNECTED.inc()
        try:
            join_room(room_for(screen_id))
        except ValueError:  # the client left while it was let in: undo, as if it left
            self._disconnect(session, sid, "gone while connecting")
            return
        # The status names this connection: only its own disconnect, here or in another
        # process, marks the screen disconnected (a late one of the connection before
        # finds another name and changes nothing).
        status.mark_connected(session, screen_id, remote, identity.software, commit=False,
                              connection=conn.marker)
        session.commit()
        commands.finish_after_reconnect(session, screen_id)  # a restart's lost answer
        log.info("screen %s connected from %s (%s)", screen_id, remote,
                 identity.software or "unknown software")
        # Events emitted inside the connect handler would reach the client before the
        # server's CONNECT packet (python-socketio sends it after the handler returns),
        # and a client that acks from its event handler then fails. So greet from a
        # background task, once the CONNECT packet has gone out.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.socketio.start_background_task(self._greet, app, sid, screen_id)

    def on_disconnect(self, reason: Any = None) -> None:
        with self._database() as session:
            self._disconnect(session, request.sid, reason)  # type: ignore[attr-defined]

    def _disconnect(self, session: Session, sid: str, reason: Any) -> None:
        with self._lock:
            conn = self._connections.pop(sid, None)
            self._budgets.pop(sid, None)
            self._revoked.discard(sid)
            if conn is None:
                return
            screen_id = conn.identity.screen_id
            left = self._per_screen.get(screen_id, [])
            if sid in left:
                left.remove(sid)
            if not left:
                self._per_screen.pop(screen_id, None)
            latest = self._connections.get(left[-1]) if left else None
            heir = latest.marker if latest is not None else None  # still open here
        SOCKETS_CONNECTED.dec()
        log.info("screen %s disconnected (%s)", conn.identity.screen_id, reason)
        if conn.presence is not None:
            close_interval(session, conn.presence, datetime.now(UTC))
        # Only if the status still names this connection: a connect that came since, here
        # or in another process, named its own, and this late end changes nothing.
        status.mark_disconnected(session, screen_id, conn.marker, heir=heir)

    # -- player -> controller events --------------------------------------------------
    def on_time(self, data: Any = None) -> dict[str, Any]:
        conn = self._connection("time")
        if isinstance(conn, dict):
            return conn
        try:
            validate_time(data)
        except PayloadRefused as exc:
            return self._refuse(self._event_sid(), "time", exc.error, str(exc))
        return {"ok": True, "server_time": time.time()}

    def on_ack(self, data: Any = None) -> dict[str, Any]:
        conn = self._connection("ack")
        if isinstance(conn, dict):
            return conn
        try:
            ack = validate_ack(data)
            if not status.ack_known(state().engine, conn.identity.screen_id, ack):
                status.check_ack(db(), conn.identity.screen_id, ack)  # one read
        except PayloadRefused as exc:
            return self._refuse(self._event_sid(), "ack", exc.error, str(exc))
        state().recorder.ack(conn.identity.screen_id, ack)  # written within 0.5 s
        return {"ok": True}

    def on_timeline_request(self, data: Any = None) -> dict[str, Any]:
        conn = self._connection("timeline_request")
        if isinstance(conn, dict):
            return conn
        try:
            validate_timeline_request(data, conn.identity.screen_id)
        except PayloadRefused as exc:
            return self._refuse(self._event_sid(), "timeline_request", exc.error, str(exc))
        with self._database() as session:
            body = state().publisher.timeline_for(session, conn.identity.screen_id)
        return {"ok": True, "timeline": body}

    def on_heartbeat(self, data: Any = None) -> dict[str, Any]:
        conn = self._connection("heartbeat")
        if isinstance(conn, dict):
            return conn
        try:
            facts = validate_heartbeat(data)
        except HeartbeatRefused as exc:
            return self._refuse(self._event_sid(), "heartbeat", "bad_request", str(exc))
        facts["transport"] = "websocket"  # how it reaches us (HTTP mode says "http")
        state().recorder.heartbeat(conn.identity.screen_id, facts, conn.remote_addr)
        return {"ok": True}

    # -- housekeeping (outside any request) ------------------------------------------
    def connection_count(self) -> int:
        return len(self._connections)

    def current_connections(self) -> list[Connection]:
        """Every connection of this process, now."""
        with self._lock:
            return list(self._connections.values())

    def drop_revoked(self, session: Session,
                     screens: Iterable[str] | None = None) -> list[str]:
        """Disconnect every connection (of ``screens``, if given) whose credential is no
        longer current (one read of their credentials); their events are refused from now
        on.
        Called by the change watcher and by this process's ``RevocationWatch``."""
        with self._lock:
            conns = list(self._connections.items())
        if screens is not None:  # only these screens' credentials changed
            wanted = set(screens)
            conns = [(sid, c) for sid, c in conns if c.identity.screen_id in wanted]
        if not conns:
            return []
        ids = {c.identity.screen_id for _, c in conns}
        current = dict(session.execute(select(Screen.id, Screen.credential_hash)
                                       .where(Screen.id.in_(ids))).all())
        session.rollback()
        dropped = []
        for sid, conn in conns:
            if current.get(conn.identity.screen_id) == conn.identity.credential_hash:
                continue
            with self._lock:
                if sid in self._revoked or sid not in self._connections:
                    continue  # already being closed (another sweep), or gone
                self._revoked.add(sid)  # its events are refused from now on
            log_refusal(conn.identity.screen_id, conn.remote_addr, REVOKED)
            self.socketio.emit("error", {"event": "connect", "message": REVOKED}, to=sid,
                               namespace=self.namespace)
            self.socketio.server.disconnect(sid, namespace=self.namespace)
            dropped.append(sid)
        return dropped


__all__ = ["PlayerNamespace", "security_log"]
