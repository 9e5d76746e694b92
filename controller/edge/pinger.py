"""One pinger for all of a server's Engine.IO connections, instead of one each.

python-engineio pings a connection ``ping_interval`` seconds (25) after its last pong
from a task of its own that sleeps that long (``Socket.schedule_ping`` starts
``Socket._send_ping``). Under gevent that task is a greenlet per connected player: its
object and the copy of the stack it sleeps on, about 4 KiB of the socket stack's
69 KiB per connection (docs/performance.md, "The socket stack's floor").

``SharedPinger`` keeps the connections' due times in a heap; one background task, alive
while a ping is due, sends the pings that are due every ``TICK`` seconds. A ping goes
out at most ``TICK`` late, far inside the ``ping_interval`` + ``ping_timeout`` the client
allows; what a ping and its pong do is python-engineio's own (``last_ping``, the
service task closing a connection whose pong does not come). The heap holds weak
references: a closed connection is not kept alive until its due time.

``install(eio)`` gives one server its pinger. The class method it replaces is replaced
once, for every server in the process; a server without a pinger pings as before.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import weakref
from typing import Any

from engineio import packet
from engineio import socket as eio_socket

log = logging.getLogger("pano.edge")

TICK = 0.5  # seconds between two looks at what is due
ATTRIBUTE = "_pano_pinger"  # on the Engine.IO server


class SharedPinger:
    def __init__(self, eio: Any) -> None:
        self.eio = eio
        self._due: list[tuple[float, int, weakref.ref[Any]]] = []
        self._order = itertools.count()  # ties: first scheduled, first pinged
        self._lock = threading.Lock()
        self._running = False
        self.sent = 0  # pings sent, for tests

    def schedule(self, sock: Any) -> None:
        """Ping ``sock`` in ``ping_interval`` seconds."""
        due = time.monotonic() + float(self.eio.ping_interval)
        with self._lock:
            heapq.heappush(self._due, (due, next(self._order), weakref.ref(sock)))
            if self._running:
                return
            self._running = True
        self.eio.start_background_task(self._run)

    def _run(self) -> None:
        """Until nothing is due any more (every connection closed)."""
        while True:
            self.eio.sleep(TICK)
            now = time.monotonic()
            with self._lock:
                ready = []
                while self._due and self._due[0][0] <= now:
                    ready.append(heapq.heappop(self._due)[2]())
                if not self._due and not ready:
                    self._running = False
                    return
            for sock in ready:
                if sock is not None and not sock.closing and not sock.closed:
                    self._ping(sock)

    def _ping(self, sock: Any) -> None:
        try:
            sock.last_ping = time.time()  # what python-engineio's own _send_ping does
            sock.send(packet.Packet(packet.PING))
            self.sent += 1
        except Exception:  # noqa: BLE001 - one connection never stops the others' pings
            log.debug("ping to %s failed", getattr(sock, "sid", "?"), exc_info=True)


_original_schedule_ping = eio_socket.Socket.schedule_ping
_patched = threading.Lock()


def _schedule_ping(self: Any) -> None:
    pinger = getattr(self.server, ATTRIBUTE, None)
    if pinger is None:
        _original_schedule_ping(self)
        return
    # As python-engineio: only once the previous ping's pong has come (or at the start).
    if self.last_ping:
        self.last_ping = None
        pinger.schedule(self)


def install(eio: Any) -> SharedPinger:
    """Give ``eio`` (an ``engineio.Server``) one pinger for all its connections."""
    with _patched:
        if eio_socket.Socket.schedule_ping is not _schedule_ping:
            eio_socket.Socket.schedule_ping = _schedule_ping  # type: ignore[method-assign]
    pinger = SharedPinger(eio)
    setattr(eio, ATTRIBUTE, pinger)
    return pinger
