"""Pushing a timeline whose JSON text the rebuild already has (``TimelinePublisher``).

A rebuild makes each changed body's canonical JSON anyway (``Hasher.stamped``: the
hash's parts joined, stored as is on SQLite). ``SocketIO.emit`` would make it again for
every screen: python-socketio first walks the whole body looking for binary values
(``Packet.data_is_binary``), then encodes it; about 110 µs of a 3.5 KB timeline, 55 ms
of every change of 500 screens on the bench's machine. ``EncodedPush`` wraps the text
in the Socket.IO EVENT packet itself (``2/player,["timeline",<text>]``, what
``Packet.encode`` writes) and hands one Engine.IO message to every socket of the
screen's room, as python-socketio's own ``Manager.emit`` does for a room.

Only in a process whose Socket.IO manager keeps its clients in memory alone
(python-socketio's ``Manager`` or a subclass such as
``controller.edge.room_index.IndexedManager``, not a ``PubSubManager``): with Redis or
another queue an emit goes to every process through the queue, so there ``__call__``
answers False and the publisher emits the body as before. A player reads the same JSON
value either way (the canonical text has its keys sorted and non-ASCII
characters unescaped; JSON does not care).
"""

from __future__ import annotations

import json
from typing import Any

from engineio import packet as eio_packet
from socketio import PubSubManager
from socketio import packet as sio_packet

EVENT = "timeline"
ROOM_PREFIX = "screen:"  # a screen's room (controller.timeline.publisher.room_for)


def event_packet(namespace: str, event: str, json_text: str) -> str:
    """The Socket.IO EVENT packet (no ack id) of ``event`` with one argument whose JSON
    text is ``json_text``."""
    return f"{sio_packet.EVENT}{namespace},[{json.dumps(event)},{json_text}]"


class EncodedPush:
    """``push(namespace, room, text)``: send a ``timeline`` event made of ``text`` to
    every socket in ``room``; False when this process cannot (a message queue)."""

    def __init__(self, sio_server: Any) -> None:
        self.server = sio_server

    def __call__(self, namespace: str, room: str, text: str) -> bool:
        manager = self.server.manager
        if isinstance(manager, PubSubManager):  # a message queue's: emit through it
            return False
        message = eio_packet.Packet(eio_packet.MESSAGE, event_packet(namespace, EVENT, text))
        for _sid, eio_sid in manager.get_participants(namespace, room):
            self.server.eio.send_packet(eio_sid, message)
        return True

    def connected_screens(self, namespace: str) -> set[str] | None:
        """The screens with a socket in ``namespace`` in this process (their room
        ``screen:<id>`` is not empty); None behind a message queue (other processes
        hold sockets too). The publisher builds and pushes them first."""
        manager = self.server.manager
        if isinstance(manager, PubSubManager):
            return None
        return {room[len(ROOM_PREFIX):] for room, members in
                manager.rooms.get(namespace, {}).items()
                if isinstance(room, str) and room.startswith(ROOM_PREFIX) and members}
