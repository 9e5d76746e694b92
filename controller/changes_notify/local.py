"""Same machine, same SQLite database: a datagram on a Linux abstract Unix socket named
after the database file. The watcher's process binds it (one process per database: a
second one finds it taken and keeps trying, so it takes over when the first stops); a
process that commits a bump (a request, the CLI, the job worker) sends one byte to it.
Nothing to configure and no file to clean up. Elsewhere (not Linux, an in-memory or
PostgreSQL database) there is no address and nothing is sent."""

from __future__ import annotations

import errno
import functools
import hashlib
import logging
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from controller.changes_notify.listening import Listener

log = logging.getLogger("pano.changes")


@functools.lru_cache(maxsize=64)
def _address(url: str) -> bytes | None:
    from sqlalchemy.engine import make_url

    if not sys.platform.startswith("linux"):
        return None
    parsed = make_url(url)
    database = parsed.database or ""
    if not parsed.drivername.startswith("sqlite") or database in ("", ":memory:") \
            or database.startswith("file:"):
        return None
    path = os.path.realpath(database)
    return b"\0pano-changes-" + hashlib.sha256(path.encode()).hexdigest()[:32].encode()


def address_for(url: Any) -> bytes | None:
    """The abstract socket address of the SQLite database at ``url`` (None: none)."""
    return _address(url.render_as_string(hide_password=False)
                    if hasattr(url, "render_as_string") else str(url))


_sender: socket.socket | None = None


def send(address: bytes) -> bool:
    """One datagram to ``address``; False when nobody listens there (never blocks)."""
    global _sender
    if _sender is None:
        _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        _sender.setblocking(False)
    try:
        _sender.sendto(b"1", address)
        return True
    except (ConnectionRefusedError, FileNotFoundError, BlockingIOError):
        return False  # no watcher on this machine, or its queue is full: it is awake


class LocalListener(Listener):
    """Receives the datagrams of :func:`send` for one database."""

    name = "local datagram"

    def __init__(self, address: bytes, wake: Callable[[], None]) -> None:
        super().__init__(wake)
        self.address = address
        self._sock: socket.socket | None = None

    def open(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(self.address)
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise Taken("another process of this database listens already") from None
            raise
        sock.settimeout(self.wait_seconds)
        self._sock = sock

    def listen_once(self) -> None:
        assert self._sock is not None
        try:
            self._sock.recv(64)
        except TimeoutError:
            return
        self.wake()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class Taken(OSError):
    """The address is bound by another process: retried quietly."""

    quiet = True
