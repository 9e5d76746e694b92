"""The election loop of one process: follow until the lease is free, lead while it is
renewed, step down the moment it is not.

Time is counted on this process's monotonic clock from *before* each successful take or
renewal: the lease's holder (Redis, PostgreSQL, the kernel) started counting later than
that, so this process always believes its lease ends before it really does. It leads
only until ``FENCE`` of the ttl after its last good renewal; a renewal is tried every
third of the ttl, and retried every tick while it fails, so a leader that cannot reach
its lease's backend stops its leader-only work well before another process can take the
lease. ``holds()`` is that check, for the work itself to ask before acting (a frozen
process that wakes up after its lease expired asks it before its next rebuild).

A renewal that comes late — this loop could not run for a while (a gevent loop held by a
long first rebuild, a starved thread) — still keeps the lease if it succeeds: each
lease's renewal succeeds only if it was held without a break (the Redis key still names
this owner, so it never expired; the PostgreSQL session is still alive; the file is
still locked), so nobody else can have led meanwhile. In the gap ``holds()`` was false
and the work refused to act; the work is stopped only when the renewal fails — or at
once, without a late try, when the last try found the backend unreachable.

``on_lead`` and ``on_follow`` are the server's: start the leader-only work, stop it. They
run in this loop, so they must only start and stop background tasks, never wait."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from controller.leadership.leases import Lease, LeaseError
from controller.metrics.registry import LEADER

log = logging.getLogger("pano.leader")

FENCE = 0.8  # the share of the ttl after a renewal this process still leads
RETRY = 1.0  # seconds between a follower's tries


class Elector:
    def __init__(self, lease: Lease, ttl: float, on_lead: Callable[[], Any],
                 on_follow: Callable[[str], Any], sleep: Callable[[float], Any] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.lease, self.ttl = lease, ttl
        self.on_lead, self.on_follow = on_lead, on_follow
        self.sleep, self.clock = sleep, clock
        self.retry = min(RETRY, ttl / 3)
        self.tick = min(0.2, ttl / 10)
        self.terms = 0  # how many times this process became the leader
        self._leading = False
        self._valid_until = 0.0
        self._next_renewal = 0.0
        self._next_try = 0.0
        self._unreachable: str | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()  # one step, or the stop, at a time

    @property
    def leading(self) -> bool:
        """Whether this process leads now (what /healthz and the metric say)."""
        return self._leading and self.clock() < self._valid_until

    def holds(self) -> bool:
        """The fence: true only while this process's lease is certainly still its own."""
        return self.leading

    # -- one step of the loop -------------------------------------------------------------
    def step(self) -> None:
        with self._lock:
            if not self._stopped.is_set():
                self._step(self.clock())

    def _step(self, now: float) -> None:
        if self._leading:
            why = f"lease not renewed within {self.ttl * FENCE:.1f} s"
            if now >= self._valid_until and self._unreachable is not None:
                self._step_down(why)  # its backend did not answer: no late try
                return
            if now >= self._next_renewal:
                self._renew(now)
            if self._leading and self.clock() >= self._valid_until:
                self._step_down(why)
        elif now >= self._next_try:
            self._next_try = now + self.retry
            self._try(now)

    def _try(self, started: float) -> None:
        try:
            won = self.lease.acquire()
        except LeaseError as exc:
            self._unreachable_once(str(exc))
            return
        self._reachable()
        if not won:
            return
        self._leading = True
        self._valid_until = started + self.ttl * FENCE
        self._next_renewal = started + self.ttl / 3
        self.terms += 1
        LEADER.set(1)
        log.info("elected leader (%s lease, ttl %.1f s): running the change watcher, the "
                 "scheduler and the alerts here", self.lease.kind, self.ttl)
        try:
            self.on_lead()
        except Exception:  # cannot start the work: let another process lead
            log.exception("starting the leader's work failed; stepping down")
            self._step_down("the leader's work did not start")

    def _renew(self, started: float) -> None:
        try:
            kept = self.lease.renew()
        except LeaseError as exc:  # unknown: try again next tick, until the fence
            self._unreachable_once(str(exc))
            return
        self._reachable()
        if not kept:
            self._step_down("lease lost (taken over, or expired before it was renewed)")
            return
        self._valid_until = started + self.ttl * FENCE
        self._next_renewal = started + self.ttl / 3

    def _step_down(self, why: str) -> None:
        if not self._leading:
            return
        self._leading = False
        LEADER.set(0)
        log.log(logging.INFO if self._stopped.is_set() else logging.WARNING,
                "no longer the leader: %s; the leader-only work stops here", why)
        try:
            self.on_follow(why)
        except Exception:
            log.exception("stopping the leader's work failed")
        try:  # free it at once if it is still ours, so another process need not wait
            self.lease.release()
        except LeaseError:
            pass
        self._next_try = self.clock() + self.retry

    def _unreachable_once(self, message: str) -> None:
        if self._unreachable != message:
            log.warning("leader lease: %s", message)
        self._unreachable = message

    def _reachable(self) -> None:
        if self._unreachable is not None:
            log.info("leader lease: reachable again")
        self._unreachable = None

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> None:
        """Until :meth:`stop`; start it with ``SocketIO.start_background_task``."""
        while not self._stopped.is_set():
            try:
                self.step()
            except Exception:  # the election must go on whatever one step met
                log.exception("leader election step failed")
            self.sleep(self.tick)

    def stop(self) -> None:
        """Stop taking part: step down (releasing the lease) if leading."""
        self._stopped.set()
        with self._lock:
            self._step_down("this process is stopping")
            try:
                self.lease.close()
            except LeaseError:
                pass
