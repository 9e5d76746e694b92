"""How a rebuild gives way to the players it has pushed to (issue 14, "ack p50").

A rebuild of every screen runs on the serving process's event loop, between the
sockets. It pushes a batch, builds the next, and so on; the players answer each push
with an ack, and answering it takes a few steps on the loop, each in its own greenlet
(the socket's reader, Engine.IO's handler, the Socket.IO handler, the socket's writer).
``time.sleep(0)`` under gevent lets each ready greenlet take *one* step and comes back:
the rebuild was queued before the steps an ack's first step wakes, so a batch's acks
advanced one step per pause and were answered only once the rebuild ended (at 500
players, 90 % of the acks in the last 35 ms of a 200 ms change, ``python -m bench``).

``until_idle(limit)``, used by the gevent server, waits until the loop has nothing else
to run — every ack that has arrived answered, every frame queued written — but never
longer than the rebuild worked since its last pause, nor than ``limit`` seconds
(``pause_length``): on a loop that is never idle (a flood of messages, thousands of
players' heartbeats) the rebuild keeps at least half of the time, so a change, an
emergency's among them, takes at most about twice as long as on a quiet loop. It costs
the rebuild what the acks cost, earlier; the change's CPU is the same. Under threads
(``async_mode = threading``) the operating system interleaves the threads itself and
the publisher keeps ``time.sleep(0)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

LIMIT = 0.025  # seconds a pause may last at most
FLOOR = 0.002  # ... and at least, however little the rebuild worked since the last one


def sleep_zero() -> None:
    time.sleep(0)


def pause_length(worked: float, limit: float = LIMIT) -> float:
    """How long a pause may wait for the loop to be idle, after the rebuild ``worked``
    seconds since its last pause: as long, within ``FLOOR`` … ``limit``."""
    return min(limit, max(FLOOR, worked))


def until_idle(limit: float = LIMIT,
               clock: Callable[[], float] = time.monotonic) -> Callable[[], None]:
    """A pause for a gevent loop: until it is idle, ``pause_length`` at most."""
    import gevent

    last = [clock()]

    def give_way() -> None:
        with gevent.Timeout(pause_length(clock() - last[0], limit), False):
            gevent.idle()
        last[0] = clock()

    return give_way
