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
  commit in this process bumped it, and runs ``drop_revoked`` when a credential entry
  (or a gap) is there; one indexed read of the few newest rows, and nothing while no
  player is connected;
- and, as the safety net for a credential changed without the change log (a hand edit
  of the database), a full ``drop_revoked`` every ``sweep_every`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from controller import changes
from controller.changes_notify import commit_hook
from controller.models import ChangeLogEntry

if TYPE_CHECKING:
    from controller.players.namespace import PlayerNamespace

log = logging.getLogger("pano.players")

LOOK_EVERY = 1.0  # seconds between looks at the change log for a new credential
# Change-log kinds after which a credential may have been revoked (``all`` also stands
# for a gap in the log).
REVOKING = ("credential", "all")


def credential_changed(scopes: list[changes.Scope]) -> bool:
    """Whether scopes read from the change log may have revoked a credential."""
    return any(s.kind in REVOKING for s in scopes)


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

    def _look(self, session: Session) -> bool:
        """Read the change-log entries after the last one seen: any credential among
        them? (The first look only finds where the log ends.)"""
        if self.last_seen is None:
            self.last_seen = changes.latest_id(session)
            return False
        rows = session.execute(select(ChangeLogEntry.id, ChangeLogEntry.kind)
                               .where(ChangeLogEntry.id > self.last_seen)
                               .order_by(ChangeLogEntry.id)).all()
        if not rows:
            if changes.latest_id(session) < self.last_seen:  # the database was replaced
                self.last_seen = changes.latest_id(session)
                return True
            return False
        self.last_seen = int(rows[-1].id)
        return any(row.kind in REVOKING for row in rows)

    def pass_once(self, sweep: bool) -> bool:
        """One look (and ``drop_revoked`` if it found a credential, or with ``sweep``).
        Returns whether ``drop_revoked`` ran."""
        with self.session_factory() as session:
            found = self._look(session)
            session.rollback()
            if not (found or sweep):
                return False
            self.sweeps += 1
            self.namespace.drop_revoked(session)
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
