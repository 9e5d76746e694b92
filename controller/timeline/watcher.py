"""The change watcher: woken when a change is committed (in this process, by PostgreSQL
NOTIFY, a local datagram or Redis: ``controller.changes_notify``), it reads the change
log after the last id it saw and rebuilds the timelines those scopes reach
(``TimelinePublisher.rebuild_for``). A slow poll (``change_poll_interval``) is the safety
net for a lost notification; it also wakes when the earliest running emergency ends, so
that emergency leaves its screens' timelines on time. In a gevent server it also
collects Python's heap at quiet moments (``controller.timeline.quiet_gc``), so that a
full collection does not fall in a change's push."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from controller import changes
from controller.changes_notify import commit_hook
from controller.players.revocation import revoked_screens
from controller.timeline.publisher import TimelinePublisher
from controller.timeline.quiet_gc import QuietCollector

if TYPE_CHECKING:
    from controller.changes_notify.listening import Listening
    from controller.settings import Settings

log = logging.getLogger("pano.timeline")

PRUNE_SPACING = 60.0  # the change log is pruned at most this often


class ChangeWatcher:
    """``run()`` loops until ``stop()``; start it with ``SocketIO.start_background_task``
    so it is a thread in threading mode and a greenlet in gevent mode (where
    ``threading.Event`` is monkey-patched). ``wake()`` (thread-safe, cheap) asks for a
    check now; many wakes during a rebuild make one more check after it, not one each.
    ``on_credentials(session, screens)`` (if given) runs in the pass that reads a
    ``credential`` change (``screens``: whose) or ``all`` (None), before any rebuild: the
    server drops the connections whose credential was revoked
    (controller/players/revocation.py). With ``settings``, ``run`` also listens
    for other processes' changes on the transports the deployment has. ``collector``
    (by default one in a gevent server's watcher, i.e. with gevent ``settings``) runs
    the full garbage collections between changes instead of during them."""

    def __init__(self, publisher: TimelinePublisher, session_factory: sessionmaker[Session],
                 interval: float,
                 on_credentials: Callable[[Session, set[str] | None], Any] | None = None,
                 settings: Settings | None = None,
                 collector: QuietCollector | None = None) -> None:
        self.publisher = publisher
        if collector is None and settings is not None and settings.async_mode == "gevent":
            collector = QuietCollector()
        self.collector = collector
        self.session_factory = session_factory
        self.interval = interval
        self.on_credentials = on_credentials
        self.settings = settings
        # The last change-log id whose scopes were rebuilt; None: rebuild everything
        # first (the server sets it to the id read before its start-up rebuild).
        self.last_seen: int | None = None
        self.checks = 0  # passes of the loop, for tests and the log
        self.rebuilds = 0  # checks that found something to rebuild
        self.wakes = 0  # notifications received (many wakes make one check)
        self._count_lock = threading.Lock()
        self.listening: Listening | None = None
        self._stopped = threading.Event()
        self._woken = threading.Event()
        self._last_prune = time.monotonic()

    def wake(self) -> None:
        with self._count_lock:
            self.wakes += 1
        self.publisher.change_clock.woken()  # for the wake -> first push histogram
        self._woken.set()

    def check(self) -> list[str]:
        """One pass: rebuild what the changes committed since the last pass touched,
        and the screens of an emergency that has just ended (it must leave them)."""
        self.publisher.change_clock.begin()  # the wakes so far are this pass's
        with self.session_factory() as session:
            if self.last_seen is None:
                last, scopes = changes.latest_id(session), [changes.EVERYTHING]
            else:
                last, scopes = changes.since(session, self.last_seen)
            session.rollback()  # end the read transaction: the rebuild must see fresh data
            revoked = revoked_screens(scopes)  # None: maybe any (``all``)
            if self.on_credentials is not None and revoked != set():
                self.on_credentials(session, revoked)  # first: it waits for no rebuild
            scopes = [s for s in scopes if s.kind != "credential"]  # no timeline's input
            changed: list[str] = []
            # An ended emergency (or a turned day) is rebuild_for's too, with or
            # without scopes: it adds the screens that are due. A pass with nothing to
            # do compares the stored versions with the index now and then (a screen
            # another process stored), which a change's pass leaves out.
            due = bool(scopes) or self.publisher.rebuild_due()
            if due or self.publisher.verify_due():
                self.rebuilds += due
                try:
                    changed = self.publisher.rebuild_for(session, scopes)
                finally:
                    if self.collector is not None and (due or changed):
                        self.collector.busy()  # its garbage: collect once quiet
            self.last_seen = last
            now = time.monotonic()
            if now - self._last_prune >= PRUNE_SPACING:
                self._last_prune = now
                self._prune(session)
            return changed

    def _prune(self, session: Session) -> None:
        try:
            gone = changes.prune(session)
            session.commit()
            if gone:
                log.info("change log: %d old entries pruned", gone)
        except Exception:  # noqa: BLE001 - a locked database: next minute
            session.rollback()
            log.warning("change log: pruning failed; trying again later", exc_info=True)

    def _timeout(self) -> float:
        """Until the next poll, or the end of the earliest running emergency if sooner."""
        timeout = self.interval
        expiry = self.publisher.next_expiry
        if expiry is not None:
            left = (expiry - self.publisher.clock()).total_seconds()
            # Still due right after a pass: that rebuild did not clear it (refused, or
            # failed); try again in a second rather than spin.
            timeout = min(timeout, left + 0.01 if left > 0 else 1.0)
        return timeout

    def _wait(self, timeout: float) -> None:
        """Until woken or ``timeout``; meanwhile the heap's collection, when it falls due."""
        deadline = time.monotonic() + timeout
        while not self._stopped.is_set():
            left = deadline - time.monotonic()
            due = self.collector.due_in() if self.collector is not None else None
            if due is not None and due <= 0 and self.collector is not None:
                self.collector.collect()
                continue
            if left <= 0 or self._woken.wait(left if due is None else min(left, due)):
                return

    def run(self) -> None:
        commit_hook.add_waker(self.wake)
        if self.settings is not None:
            from controller.changes_notify.listening import start_listener

            self.listening = start_listener(self.settings, self.wake)
        log.info("change watcher: woken by changes, polling every %.2f s as a safety net",
                 self.interval)
        try:
            while not self._stopped.is_set():
                self._woken.clear()  # a change committed from here on wakes the next pass
                self.checks += 1
                try:
                    self.check()
                except Exception:  # keep watching: a locked database or a bad row is transient
                    log.exception("change watcher: rebuild failed; retrying")
                    self._stopped.wait(min(self.interval, 1.0))  # no hot loop on a fault
                if not self._stopped.is_set():
                    self._wait(self._timeout())
        finally:
            commit_hook.remove_waker(self.wake)
            if self.collector is not None:
                self.collector.stop()
            if self.listening is not None:
                self.listening.stop()

    def stop(self) -> None:
        self._stopped.set()
        self._woken.set()
