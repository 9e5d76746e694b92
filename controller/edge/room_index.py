"""Socket.IO managers that know each client's rooms (``create_app`` uses them).

python-socketio keeps ``rooms[namespace][room]`` (a bidict sid → eio sid) and nothing
from a client to its rooms: a client's disconnect copies the namespace's whole room
table and tests every room for the sid, and ``get_rooms`` scans it too. With every
player in its own sid room plus a screen room and a site room, a disconnect cost about
three times the fleet, and a fleet's reconnect or a stop cost the fleet squared.

:class:`RoomIndex` is a mixin that keeps, beside python-socketio's table, the rooms of
each (namespace, sid) in the order they were entered, and answers ``basic_disconnect``
and ``get_rooms`` from it: a disconnect costs the client's own rooms. It changes nothing
else; every write to the room table goes through ``basic_enter_room`` and
``basic_leave_room`` (``basic_close_room`` leaves through the latter), which keep the
index in step. Code that edits ``manager.rooms`` by hand would make the index stale: use
the manager's methods.

:class:`IndexedManager` is the in-memory manager with it; :func:`indexed_manager_class`
makes the same for a message queue's manager class (Redis, Kombu), whose own
``basic_*`` methods are python-socketio's.
"""

from __future__ import annotations

from typing import Any

import socketio

Key = tuple[str, str]  # (namespace, sid)


class RoomIndex:
    """Mixin for a python-socketio manager: each client's rooms, kept as it enters and
    leaves them. Put it before the manager class in the bases."""

    rooms: dict[str, dict[Any, Any]]
    callbacks: dict[str, Any]
    pending_connect: dict[str, list[str]]
    pending_disconnect: dict[str, list[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (namespace, sid) -> its rooms (None, the namespace's own, included) as the keys
        # of a dict: a set that keeps the order they were entered in.
        self.rooms_of: dict[Key, dict[Any, None]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any,
                         eio_sid: str | None = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        # Only once python-socketio took it (it raises for a sid already connected).
        self.rooms_of.setdefault((namespace, sid), {})[room] = None

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        mine = self.rooms_of.get((namespace, sid))
        if mine is not None:
            mine.pop(room, None)
            if not mine:
                del self.rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """What python-socketio's disconnect does, with the client's rooms read from
        the index instead of found by testing every room of the namespace."""
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        """The rooms ``sid`` is in (its own sid room included, as python-socketio's)."""
        return [room for room in self.rooms_of.get((namespace, sid), ()) if room is not None]


class IndexedManager(RoomIndex, socketio.Manager):
    """python-socketio's in-memory manager with each client's rooms indexed."""


def indexed_manager_class(base: type[socketio.Manager]) -> type[socketio.Manager]:
    """``base`` (a python-socketio manager class, e.g. ``socketio.RedisManager``) with
    each client's rooms indexed."""
    if not (isinstance(base, type) and issubclass(base, socketio.Manager)):
        raise TypeError(f"not a python-socketio manager class: {base!r}")
    return type(f"Indexed{base.__name__}", (RoomIndex, base), {})


def client_manager(message_queue: str, channel: str) -> socketio.Manager | None:
    """The manager for a controller with ``message_queue`` (empty: none): indexed
    in-memory, or indexed Redis for a ``redis://``/``rediss://`` queue; None for another
    queue (Flask-SocketIO then picks its stock manager for the URL, unindexed)."""
    if not message_queue:
        return IndexedManager()
    if message_queue.startswith(("redis://", "rediss://")):
        return indexed_manager_class(socketio.RedisManager)(message_queue, channel=channel)
    return None
