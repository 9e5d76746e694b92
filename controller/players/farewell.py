"""A stopping controller's goodbye to its players (``ControllerServer.stop``).

Closing 1000 sockets one by one ran 1000 disconnect handlers, each writing its
connection's presence interval and its screen's status in two commits, and made
Socket.IO scan every room of the namespace for each socket (quadratic: 1000 sockets
in 2000 rooms): 2.6 s of a stop with 1000 players, during which the players, told to
go, were already failing to reconnect and growing their backoff. Here the same rows are
written in one transaction, the players leave the namespace without their handler (at
the cost of their own rooms: controller/edge/room_index.py), and then every socket is
closed (its CLOSE packet sent), which costs no handler work.

What a failed write loses: nothing for long. The next start of a lone controller marks
every screen disconnected and closes the intervals left open at each screen's last
heartbeat (``ControllerServer.prepare``); with several processes the presence sweeper
closes them after the silence timeout, as after a crash.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from controller.players import status
from controller.plays.presence_log import close_intervals

if TYPE_CHECKING:
    from controller.players.namespace import Connection, PlayerNamespace

log = logging.getLogger("pano.players")

CLOSE_WAIT = 0.5  # seconds at most for the sockets to send their CLOSE and end


def record_goodbye(session: Session, connections: list[Connection], now: datetime) -> None:
    """What each connection's disconnect would have written, in one transaction:
    its presence interval closed at ``now``, its screen marked disconnected."""
    intervals = [c.presence for c in connections if c.presence is not None]
    close_intervals(session, intervals, now)
    status.mark_all_disconnected(session, [c.marker for c in connections])
    session.commit()


def leave_namespace(manager: Any, namespace: str) -> int:
    """Take every client of this process out of ``namespace`` (its rooms and its sid)
    without running a handler; returns how many there were."""
    sids = [sid for sid, _eio_sid in manager.get_participants(namespace, None)]
    for sid in sids:
        manager.disconnect(sid, namespace, ignore_queue=True)
    return len(sids)


def say_goodbye(namespace: PlayerNamespace, sessions: sessionmaker[Session],
                sio_server: Any) -> int:
    """Record the end of every player connection of this process in one transaction,
    then close every Engine.IO socket (players and panel pages); returns how many player
    connections there were. An ack that arrives meanwhile is still answered and
    recorded (the connections are known until their sockets close); the caller stops the
    recorder afterwards, which writes it."""
    connections = namespace.current_connections()
    if connections:
        try:
            with sessions() as session:
                record_goodbye(session, connections, datetime.now(UTC))
        except Exception:  # the next start (or the sweeper) closes them; see above
            log.exception("recording %d player disconnects at stop", len(connections))
    # The players leave /player through the manager, without their disconnect handler
    # (its writes are done above): each close below then only sends the CLOSE packet.
    # With the controller's indexed manager (controller/edge/room_index.py) each leave
    # costs the player's own rooms, not a scan of the namespace's.
    leave_namespace(sio_server.manager, namespace.namespace)
    for client in list(sio_server.eio.sockets.values()):
        try:  # tell every client we are going; don't wait for dead ones
            client.close(wait=False)
        except Exception:
            log.exception("closing a client connection")
    # Their writers send the CLOSE packets and end the sockets; wait for that a little
    # (on a busy machine 1000 sockets took 2 s): a socket the process's exit closes
    # first is as good a goodbye, its player reconnects the same way.
    deadline = time.monotonic() + CLOSE_WAIT
    while sio_server.eio.sockets and time.monotonic() < deadline:
        sio_server.sleep(0.02)
    log.info("%d player connection(s) closed; %d socket(s) still closing", len(connections),
             len(sio_server.eio.sockets))
    return len(connections)
