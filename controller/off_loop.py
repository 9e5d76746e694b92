"""Blocking work run beside the event loop, so that the players' sockets never wait for
it.

In gevent mode every greenlet of a controller process shares one OS thread: a call into
SQLite, psycopg or Pillow blocks that thread, and the whole process — pings, timeline
pushes, every other player — stops until it returns. :func:`run_off_loop` runs such
work in one of a few real threads (a gevent thread pool per ``pool`` name; the drivers
and Pillow release the GIL while they work) while the calling greenlet waits for the
answer and the rest of the process goes on. In threading mode each request already has
its own thread: the work runs there, at most ``size`` at once per pool (a semaphore),
so either way ``size`` bounds how many run together and the callers waiting for a turn
are the back-pressure. Users: journal batches (``controller.plays.off_loop``), periodic
captures (``controller.screen_truth.intake``) and the alerts' jobs."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_pools: dict[tuple[str, int], Any] = {}
_gates: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_lock = threading.Lock()


def gevent_loop() -> bool:
    """True in a gevent-patched process (the players' sockets share one OS thread)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("socket")


def _thread_pool(key: tuple[str, int]) -> Any:
    with _lock:
        if key not in _pools:
            from gevent.threadpool import ThreadPool

            _pools[key] = ThreadPool(key[1])
        return _pools[key]


def _gate(key: tuple[str, int]) -> threading.BoundedSemaphore:
    with _lock:
        return _gates.setdefault(key, threading.BoundedSemaphore(key[1]))


def run_off_loop(pool: str, size: int, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)``, in a real thread of the pool ``pool`` (``size`` threads) in gevent
    mode, else in this thread with at most ``size`` at once; its exception is raised
    here."""
    key = (pool, size)
    if gevent_loop():
        return _thread_pool(key).apply(work, args)
    with _gate(key):
        return work(*args)
