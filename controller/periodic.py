"""A background task that does one thing every few seconds until it is stopped (the
presence sweeper, the processes' liveness beat)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("pano.server")


def run_every(every: float, stopped: threading.Event, sleep: Callable[[float], object],
              work: Callable[[], object], failed: str) -> None:
    """Call ``work`` every ``every`` seconds until ``stopped`` is set, which is seen within
    half a second (``sleep`` is the server's: a greenlet's in gevent mode). An exception
    is logged with ``failed`` and the next turn comes as planned (a database out of
    reach for a moment)."""
    step = min(0.5, every)
    while not stopped.is_set():
        waited = 0.0
        while waited < every and not stopped.is_set():
            sleep(step)
            waited += step
        if stopped.is_set():
            return
        try:
            work()
        except Exception:
            log.exception("%s", failed)
