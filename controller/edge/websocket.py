"""The Socket.IO transport, bounded per connection (docs/security.md, "The socket").

python-engineio hands every WebSocket to a small wrapper class, its async driver's
``websocket`` entry, which reads frames with simple-websocket (on wsproto) and returns
them one by one to Engine.IO's receive loop. :func:`bound_transport` replaces that
entry for one server with a subclass that adds, for every connection and whatever
namespace it joins:

- **size while reading**: simple-websocket's ``max_message_size`` counts a message as
  wsproto hands over each chunk, so a 300 MB frame costs at most 64 KiB of memory and is
  answered with close code 1009 (without it, Engine.IO checked the size only after
  reading the whole message);
- **fairness**: the reader yields to other greenlets after every few chunks it parses
  (a socket that always has data never blocks in gevent, so it would never yield);
- **backlog**: frames read but not yet handed on are bounded; past the bound the client
  is flooding, gets an ``error`` event and is disconnected;
- **rate**: frames are handed to Engine.IO at ``frame_rate`` after a burst; a client
  sending faster waits for its own turn (it alone is slowed);
- **shape**: a frame that is not an Engine.IO packet Pano uses (empty, an unknown packet
  type, binary, a message that is not a Socket.IO packet) would make Engine.IO raise and
  write an HTTP 500 into the upgraded socket; here it is answered with the protocol's
  ``error`` event (``event: null``), one log line, and the connection is closed;
- **handshake**: a connection that has not joined a namespace within the deadline is
  closed, so unauthenticated sockets cannot pile up;
- **idle**: the socket times out when nothing at all arrives (pongs included).

The limits are declared in :mod:`controller.edge.limits`.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import simple_websocket
import socketio

from controller.edge.bucket import TokenBucket
from controller.edge.limits import (
    FRAME_BURST,
    FRAME_RATE,
    HANDSHAKE_DEADLINE,
    MAX_BACKLOG,
    MAX_MESSAGE,
    SOCKET_IDLE,
)

log = logging.getLogger("pano.edge")

# Engine.IO packet types a client may send: close, ping, pong, message, upgrade, noop.
CLIENT_PACKET_TYPES = frozenset("123456")
PROTOCOL_ERROR, POLICY_VIOLATION = 1002, 1008  # WebSocket close codes (RFC 6455)
CLOSE_GRACE = 2.0  # seconds a client has to answer our close frame
YIELD_EVERY = 4  # chunks a reader parses at most before it lets other greenlets run
Describe = Callable[[str], str]


def frame_problem(data: Any) -> str | None:
    """Why ``data`` is not an Engine.IO frame Pano accepts, or None if it is one."""
    if isinstance(data, bytes | bytearray):
        return "a binary frame (the Pano protocol is text only)"
    if not isinstance(data, str) or not data:
        return "an empty frame"
    if data[0] not in CLIENT_PACKET_TYPES:
        return f"an unknown Engine.IO packet type {data[:1]!r}"
    if data[0] == "4" and not data[1:2].isdigit():
        return "an Engine.IO message that is not a Socket.IO packet"
    return None


class _BoundedReader(simple_websocket.Server):
    """simple-websocket's server with the reader's side of the bounds: it yields every
    few chunks and stops reading when the backlog overflows. (It overrides
    ``_handle_events``, simple-websocket's per-chunk step; tests/e2e/test_hostile_clients.py
    fails if that hook stops being called.)"""

    def __init__(self, environ: dict[str, Any], pause: Callable[[float], Any],
                 **kwargs: Any) -> None:
        # Set before super().__init__: it starts the reader thread.
        self.flooded = False
        self.too_big = False
        self._chunks = 0
        self._pause = pause
        self._released = threading.Event() if kwargs.get("event_class") is None \
            else kwargs["event_class"]()
        super().__init__(environ, max_message_size=int(MAX_MESSAGE.value), **kwargs)

    def handshake(self) -> None:
        # Before the reader starts: a socket silent for this long is closed (OSError in
        # the reader, which then ends the connection).
        self.sock.settimeout(SOCKET_IDLE.value)
        super().handshake()

    def _handle_events(self) -> bool:
        keep_going = super()._handle_events()
        if not keep_going and self.incoming_message_len > int(MAX_MESSAGE.value):
            self.too_big = True
        if len(self.input_buffer) > MAX_BACKLOG.value:
            self.flooded = True
            self.input_buffer.clear()
            self.event.set()
            # Leave the socket open until the receive loop has sent its refusal.
            self._released.wait(5)
            return False
        # Yield to other greenlets every few chunks, not after each: an ordinary player's
        # frame is one chunk and its next read blocks (yields) anyway, so a pause per
        # chunk was one more hub round trip per event; a socket that always has data
        # still yields after at most YIELD_EVERY chunks of 4 KiB.
        self._chunks += 1
        if self._chunks % YIELD_EVERY == 0:
            self._pause(0)
        return keep_going

    def close(self, reason: Any = None, message: Any = None) -> None:
        try:
            super().close(reason, message)
        finally:
            self._released.set()


def _end_after_grace(sock: socket.socket, pause: Callable[[float], Any]) -> None:
    pause(CLOSE_GRACE)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed already, as it should be


def bound_transport(sio: socketio.Server, describe: Describe | None = None,
                    on_flood: Callable[[str], Any] | None = None) -> None:
    """Install the bounded WebSocket class in ``sio``'s Engine.IO server (this server
    only: the driver's table is copied, not changed), and refuse long-polling: WebSocket
    is the only transport (docs/protocol.md section 3 says why). ``describe(eio_sid)``
    names the client in log lines; ``on_flood(eio_sid)`` is told when a connection is
    closed for flooding, before it is closed."""
    eio = sio.eio
    base = eio._async["websocket"]
    pause = eio.sleep
    extra: dict[str, Any] = {}
    if eio.async_mode == "gevent":
        import gevent.event
        import gevent.selectors
        from engineio.async_drivers.gevent import Thread

        extra = {"thread_class": Thread, "event_class": gevent.event.Event,
                 "selector_class": gevent.selectors.DefaultSelector}

    class BoundedWebSocket(base):  # type: ignore[misc, valid-type]
        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            self.environ = environ
            self.engineio_socket = getattr(self.app, "__self__", None)
            self.frames = TokenBucket(FRAME_RATE.value, FRAME_BURST.value, time.monotonic())
            self.opened = time.monotonic()
            self.joined = False
            self.ws = _BoundedReader(environ, pause, **extra)
            ret = self.app(self)
            if self.ws.mode == "gunicorn":
                raise StopIteration()
            if self.ws.mode == "werkzeug":
                raise ConnectionError()
            return ret

        def wait(self) -> Any:
            while True:
                data = self._receive()
                if data is None:
                    return None
                problem = frame_problem(data)
                if problem is not None:
                    shown = data[:40] if isinstance(data, str) else b"<binary>"
                    return self._refuse(f"Malformed frame refused: {problem} ({shown!r}); "
                                        "closing the connection.", logging.WARNING,
                                        PROTOCOL_ERROR)
                if not self.frames.take(time.monotonic()):
                    pause(self.frames.wait_time(time.monotonic()))
                    if self.ws.flooded:
                        return self._flood()
                    self.frames.take(time.monotonic())
                return data

        def _receive(self) -> Any:
            while True:
                if self.ws.flooded:
                    return self._flood()
                timeout = None
                if not self.joined:
                    self.joined = self._has_joined()
                    if not self.joined:
                        timeout = self.opened + HANDSHAKE_DEADLINE.value - time.monotonic()
                        if timeout <= 0:
                            return self._refuse(
                                "No namespace joined within "
                                f"{HANDSHAKE_DEADLINE.value:g} s of opening the "
                                "connection; closing it.", logging.INFO, POLICY_VIOLATION)
                        timeout = min(timeout, 0.5)  # the join is handled elsewhere
                try:
                    data = self.ws.receive(timeout=timeout)
                except simple_websocket.ConnectionClosed:
                    data = None
                if data is not None:
                    return data
                if self.ws.flooded:
                    return self._flood()
                if not self.ws.connected:
                    if self.ws.too_big:
                        self._log(f"Message over {int(MAX_MESSAGE.value) // 1024} KiB "
                                  "refused while reading it (close code 1009).",
                                  logging.WARNING)
                    return None

        def _has_joined(self) -> bool:
            sid = self._eio_sid()
            return sid is not None and any(
                sio.manager.sid_from_eio_sid(sid, ns) is not None
                for ns in list(sio.manager.rooms))

        def _eio_sid(self) -> str | None:
            return getattr(self.engineio_socket, "sid", None)

        def _flood(self) -> None:
            eio_sid = self._eio_sid()
            if on_flood is not None and eio_sid is not None:
                try:
                    on_flood(eio_sid)
                except Exception:  # noqa: BLE001 - the close must happen anyway
                    log.exception("flood hook failed")
            return self._refuse(
                f"More than {MAX_BACKLOG.value:g} frames waiting: this connection sends "
                f"faster than {FRAME_RATE.value:g} frames/s (docs/protocol.md, "
                "\"Limits\"); closing it.", logging.WARNING, POLICY_VIOLATION)

        def _refuse(self, message: str, level: int, code: int) -> None:
            """Send the protocol's ``error`` event to a ``/player`` session, log one
            line; returning None ends Engine.IO's loop, whose writer sends what is queued
            and then closes the socket."""
            eio_sid = self._eio_sid()
            sid = sio.manager.sid_from_eio_sid(eio_sid, "/player") if eio_sid else None
            if sid is not None:
                try:
                    sio.emit("error", {"event": None, "message": message}, to=sid,
                             namespace="/player")
                except Exception:  # noqa: BLE001 - the refusal must not fail the close
                    log.debug("could not send the refusal", exc_info=True)
            self._log(message, level)
            self.close_code = code
            if not self.ws.flooded:
                self.ws._released.set()
            return None

        def _log(self, message: str, level: int) -> None:
            eio_sid = self._eio_sid() or "-"
            who = describe(eio_sid) if describe is not None else ""
            log.log(level, "address=%s %s%s", self.environ.get("REMOTE_ADDR", "-"),
                    f"{who} " if who else "", message)

        def close(self) -> None:
            try:
                if self.ws.connected:
                    self.ws.close(reason=getattr(self, "close_code", None))
            except (OSError, simple_websocket.ConnectionClosed):
                pass
            finally:
                self.ws._released.set()
            # A client that does not answer the close frame must not keep the socket:
            # after a short grace, end the connection from this side.
            eio.start_background_task(_end_after_grace, self.ws.sock, pause)

    eio._async = {**eio._async, "websocket": BoundedWebSocket}
    eio.transports = ["websocket"]
