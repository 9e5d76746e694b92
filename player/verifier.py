"""Checks the cached media in the background: every file once after the player starts,
what plays now and next first, then every file again, slowly, once a day.

Why a thread: the player plays at once after a start with what is checked, and checking
a whole cache (2 GB: about a minute on a Pi 4, docs/operations.md) must not delay that.
The playback loop and the local HTTP server check the few files they are about to show
themselves (``MediaCache.ready``); this thread does the rest, in the order of
``order()`` (``Playback.media_in_play_order``), files asked for with ``prioritize``
first. It runs at a lower CPU priority (nice +10 for this thread on Linux).

Why again, daily: an SD card also decays while the player runs, and a file checked at
start may be served again weeks later (a border player is rarely restarted). The
re-check reads at most ``recheck_rate`` bytes per second (8 MiB/s: a 2 GB cache in about
four minutes, a fraction of a Pi card's ~40 MB/s), does not block serving the file
meanwhile, and a file that fails is deleted like one found damaged at start.

Promise: once ``first_pass`` is set, every file the saved timeline names has been
checked in this run (or found missing), and no file stays unchecked for longer than
``recheck_every`` plus one slow pass.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from player.cache import MediaCache

log = logging.getLogger("pano.player.verifier")

RECHECK_EVERY = 86400.0  # seconds between the end of a pass and the next re-check
RECHECK_RATE = 8 * 1024 * 1024  # bytes per second while re-checking
NICE = 10


class CacheVerifier:
    def __init__(self, cache: MediaCache, order: Callable[[], list[str]], *,
                 recheck_every: float = RECHECK_EVERY,
                 recheck_rate: float | None = RECHECK_RATE) -> None:
        self.cache = cache
        self.order = order
        self.recheck_every = recheck_every
        self.recheck_rate = recheck_rate
        self.first_pass = threading.Event()  # set when every file was checked once
        self.passes = 0
        self._urgent: deque[str] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def prioritize(self, shas: Iterable[str]) -> None:
        """Check these files next (the playback loop is waiting for them)."""
        with self._lock:
            for sha in shas:
                if sha not in self._urgent:
                    self._urgent.append(sha)
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """The first pass at once, then a slow re-check every ``recheck_every``."""
        _lower_priority()
        self._check(stop, again=False)
        self.first_pass.set()
        due = time.monotonic() + self.recheck_every
        while not stop.is_set():
            if self._take_urgent():  # asked for after the first pass (a new timeline)
                self._check(stop, again=False, only_urgent=True)
            elif time.monotonic() >= due:
                self._check(stop, again=True)
                due = time.monotonic() + self.recheck_every
            else:
                self._wake.wait(min(1.0, due - time.monotonic()))  # stop seen within 1 s
                self._wake.clear()

    def _take_urgent(self) -> bool:
        with self._lock:
            return bool(self._urgent)

    def _next(self, queue: deque[str]) -> str | None:
        with self._lock:
            if self._urgent:
                return self._urgent.popleft()
        return queue.popleft() if queue else None

    def _check(self, stop: threading.Event, *, again: bool, only_urgent: bool = False) -> None:
        started = time.monotonic()
        queue: deque[str] = deque() if only_urgent else deque(self.order())
        checked: set[str] = set()
        hashed = 0
        while not stop.is_set():
            sha = self._next(queue)
            if sha is None:
                break
            if sha in checked:
                continue
            checked.add(sha)
            if not again and self.cache.has(sha):
                continue  # checked already (by the playback loop, a request, a download)
            if self.cache.recheck(sha, self.recheck_rate) if again else self.cache.verify(sha):
                hashed += self.cache.size(sha)
        if only_urgent:
            return
        self.passes += 1
        damaged = len(checked & set(self.cache.damaged()))
        log.info("%s %d cached files (%.1f MB hashed here) in %.1f s: %d damaged",
                 "re-checked" if again else "checked", len(checked), hashed / 1e6,
                 time.monotonic() - started, damaged)


def _lower_priority() -> None:
    """Nice this thread (Linux: a thread has its own nice value, and the I/O scheduler
    follows it), so the check yields to the browser decoding a video."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError) as exc:
        log.debug("cannot lower the check's priority: %s", exc)
