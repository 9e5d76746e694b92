"""Cutting off connections whose screen credential was revoked, in every process.

A connection's credential is checked once, at connect (``screen_auth``); its events
then check only an in-memory fact, "this connection was revoked"
(``PlayerNamespace.drop_revoked`` sets it and closes the connection). What makes
``drop_revoked`` run:

- issuing a credential is a recorded change (``changes.Scope("credential", screen)``,
  ``controller.auth.tokens.issue_screen_token``), so the leader's change watcher, woken
  at once by the commit (in this process, by PostgreSQL NOTIFY, the local datagram or
  Redis from another one), runs it for its own connections;
- :class:`RevocationWatch`, one per serving process (the leader's and the others'): it
  looks at the change log after the last id it saw, once a second and at once when a
  commit in this process bumped it, and runs ``drop_revoked`` for the screens whose
  credential entries are there (every connection after a gap); one indexed read of the
  few newest rows, and nothing while no player is connected;
- and, as the safety net for a credential changed without the change log (a hand edit
  of the database), a full ``drop_revoked`` every ``sweep_every`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from controller import changes
from controller.changes_notify import commit_hook

if TYPE_CHECKING:
    from controller.players.namespace import PlayerNamespace

log = logging.getLogger("pano.players")

LOOK_EVERY = 1.0  # seconds between looks at the change log for a new credential


def revoked_screens(scopes: Iterable[changes.Scope]) -> set[str] | None:
    """The screens whose credential ``scopes`` (read from the change log) say was
    issued; None when any may have been (``all``: also a gap in the log)."""
    screens: set[str] = set()
    for scope in scopes:
        if scope.kind == "all":
            return None
        if scope.kind == "credential":
            screens.add(scope.key)
    return screens


class RevocationWatch:
    """``run()`` until ``stop()``; start it with ``SocketIO.start_background_task``."""

    def __init__(self, namespace: PlayerNamespace, session_factory: sessionmaker[Session],
                 sweep_every: float) -> None:
        self.namespace = namespace
        self.session_factory = session_factory
        self.sweep_every = sweep_every
        self.last_seen: int | None = None  # the newest change-log id looked at
        self.sweeps = 0  # drop_revoked runs, for tests and the log
        self._woken = threading.Event()
        self._stopped = threading.Event()

    def wake(self) -> None:
        self._woken.set()

    def _look(self, session: Session) -> set[str] | None:
        """The screens whose credential was issued in the change-log entries after the
        last one seen (None: maybe any). The first look only finds where the log ends."""
        if self.last_seen is None:
            self.last_seen = changes.latest_id(session)
            return set()
        self.last_seen, scopes = changes.since(session, self.last_seen)
        return revoked_screens(scopes)

    def pass_once(self, sweep: bool) -> bool:
        """One look, then ``drop_revoked`` for the screens it found (for every
        connection with ``sweep`` or after a gap). Returns whether it ran."""
        with self.session_factory() as session:
            screens = self._look(session)
            session.rollback()
            if sweep:
                screens = None
            elif not screens and screens is not None:
                return False
            self.sweeps += 1
            self.namespace.drop_revoked(session, screens)
            return True

    def run(self) -> None:
        commit_hook.add_waker(self.wake)
        next_sweep = time.monotonic() + self.sweep_every
        try:
            while not self._stopped.is_set():
                self._woken.wait(LOOK_EVERY)
                self._woken.clear()
                if self._stopped.is_set():
                    break
                if not self.namespace.connection_count():
                    self.last_seen = None  # nobody to cut off; start afresh later
                    continue
                now = time.monotonic()
                sweep = now >= next_sweep
                try:
                    self.pass_once(sweep)
                except Exception:  # noqa: BLE001 - a locked database: next second
                    log.warning("revocation watch: look failed; trying again",
                                exc_info=True)
                    continue
                if sweep:
                    next_sweep = now + self.sweep_every
        finally:
            commit_hook.remove_waker(self.wake)

    def stop(self) -> None:
        self._stopped.set()
        self._woken.set()
