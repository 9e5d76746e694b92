"""Which controller processes are alive, so that a process killed without its goodbye
(``kill -9``, a crash, a machine lost) does not leave its screens shown connected
(docs/architecture.md "Players' connection status").

``screen_status.connected`` says a socket of the screen is open now; only that socket's
disconnect, or its process's goodbye (``farewell.py``), cleared it. With several
processes behind the message queue, the screens of a process that died stayed
``connected`` until they connected again elsewhere — and a screen that never came back
(its own network down at that moment) stayed so for good: commands to it were accepted
and then reported unanswered, and ``/api/v1/screens`` said "connected".

Now each serving process has a token (12 hex digits, new at every start) and a row in
``controller_processes`` whose ``seen_at`` it refreshes every ``BEAT`` seconds
(``ProcessBeat``); the connections it records are named ``<token>:<Socket.IO
session>`` (``marker``). On each of its beats, the elected process marks disconnected
every screen whose connection names a process not seen for ``process_ttl`` seconds
(``sweep_dead``) and deletes the rows of processes gone for ``FORGET``. Every beat
also marks connected again the screens this process holds a connection of where no
connection is named (``reassert``): the process was taken for dead while its beats
were held up (a database out of reach, a stalled machine), or the screen's latest
connection ended in another process while this one still holds an older one (a second
device with the same credential) — and clears a row that names a connection of this
process no longer open (``ProcessBeat._settle``), so what a beat wrote while a
connection ended cannot outlive the next beat. A stopping process
deletes its row after its goodbye. The presence intervals of such screens are closed
by the presence sweeper at their last heartbeat, as before.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from controller.emergencies.store import aware
from controller.models import ControllerProcess, ScreenStatus
from controller.models.base import utcnow
from controller.off_loop import run_off_loop
from controller.periodic import run_every

log = logging.getLogger("pano.players")

BEAT = 5.0  # seconds between two refreshes of a process's row, at most
TTL = 60.0  # a process not seen for this long is dead (``process_ttl``'s default)
FORGET = timedelta(days=1)  # the rows of dead processes are deleted after this
TOKEN_LENGTH = 12
POOL = "process-liveness"  # its thread (controller.off_loop), one
_STATUS = ScreenStatus.__table__
_PROCESS_OF = func.substr(_STATUS.c.connection, 1, TOKEN_LENGTH)  # a connection's process


def new_token() -> str:
    """A process's token: 12 hex digits, new at every start."""
    return secrets.token_hex(TOKEN_LENGTH // 2)


def marker(token: str, sid: str) -> str:
    """What ``screen_status.connection`` names for the connection ``sid`` of the process
    ``token``."""
    return f"{token}:{sid}"[:64]


def sweep_dead(session: Session, now: datetime, ttl: float = TTL) -> int:
    """Mark disconnected every screen whose connection names a process not seen for
    ``ttl`` seconds (or not known at all), and delete the rows of processes gone for
    ``FORGET``; returns how many screens. Connections named before tokens existed (a
    bare Socket.IO session id) are left to their own disconnect. Does not commit."""
    alive = select(ControllerProcess.token).where(
        ControllerProcess.seen_at >= now - timedelta(seconds=ttl))
    result = session.execute(
        update(ScreenStatus)
        .where(ScreenStatus.connected.is_(True),
               func.substr(_STATUS.c.connection, TOKEN_LENGTH + 1, 1) == ":",
               _PROCESS_OF.not_in(alive))
        .values(connected=False, connection=None)
        .execution_options(synchronize_session=False))
    session.execute(delete(ControllerProcess).where(ControllerProcess.seen_at < now - FORGET))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def reassert(session: Session, connections: Mapping[str, str]) -> None:
    """``connections`` (screen -> its connection's marker, open in this process) shown
    connected again where no connection is named (a sweep took this process for dead);
    a screen another connection names since is left to it. Does not commit."""
    if connections:
        session.execute(
            update(_STATUS).where(_STATUS.c.screen_id == bindparam("b_screen"),
                                  _STATUS.c.connection.is_(None))
            .values(connected=True, connection=bindparam("b_marker")),
            [{"b_screen": screen, "b_marker": name} for screen, name in connections.items()])


class ProcessBeat:
    """This process's row in ``controller_processes``, refreshed every ``every`` seconds
    until ``stop()``; the elected process's beats sweep the dead ones' screens.
    ``connections`` gives this process's open player connections (screen -> their
    names, oldest first), ``leading`` whether it is the elected process; ``sleep`` is
    the server's."""

    def __init__(self, session_factory: sessionmaker[Session], token: str,
                 connections: Callable[[], Mapping[str, list[str]]],
                 leading: Callable[[], bool], sleep: Callable[[float], object],
                 every: float = BEAT, ttl: float = TTL,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.session_factory, self.token = session_factory, token
        self.connections, self.leading, self.sleep = connections, leading, sleep
        self.every, self.ttl, self.clock = every, ttl, clock
        self.swept = 0  # screens marked disconnected by this process's sweeps
        self._stopped = threading.Event()

    def _row(self, now: datetime) -> ControllerProcess:
        return ControllerProcess(token=self.token, host=socket.gethostname()[:255],
                                 pid=os.getpid(), started_at=now, seen_at=now)

    def register(self) -> None:
        """The row, at start-up (before the first player can connect)."""
        with self.session_factory() as session:
            session.merge(self._row(self.clock()))
            session.commit()

    def beat(self) -> int:
        """Refresh the row (made again if it was deleted), make the rows this process
        answers for say what it holds (``_settle``), and sweep if elected; returns the
        screens swept. The database work runs off the event loop
        (``controller.off_loop``): a database another writer holds (a backup, a long
        report) must not stop the players' sockets for its busy timeout."""
        now = self.clock()
        rows = run_off_loop(POOL, 1, self._refresh, now)
        # Read after the rows: a connection is in memory before its row names it and
        # leaves memory before its row is cleared, so no open one looks closed here.
        held, leading = self.connections(), self.leading()
        swept = run_off_loop(POOL, 1, self._settle, now, rows, held, leading)
        if swept:
            log.warning("%d screen(s) were connected through a controller process not seen "
                        "for %g s: marked disconnected", swept, self.ttl)
        self.swept += swept
        return swept

    def _refresh(self, now: datetime) -> dict[str, str | None]:
        """This process's row refreshed; the rows it answers for: screen -> the
        connection named (None, or one of this process's)."""
        with self.session_factory() as session:
            row = session.get(ControllerProcess, self.token)
            if row is None:
                session.add(self._row(now))
            else:
                if now - aware(row.seen_at) > timedelta(seconds=self.ttl):
                    log.warning("this controller process was not seen for more than %g s: "
                                "its players' connections are recorded again", self.ttl)
                row.seen_at = now
            rows = dict(session.execute(
                select(_STATUS.c.screen_id, _STATUS.c.connection)
                .where(_STATUS.c.connection.is_(None) | (_PROCESS_OF == self.token))).all())
            session.commit()
        return rows

    def _settle(self, now: datetime, rows: Mapping[str, str | None],
                held: Mapping[str, list[str]], leading: bool) -> int:
        """The screens this process holds a socket of that no connection names are named
        again (``reassert``: taken for dead while its beats were held up, or the
        screen's latest connection ended in another process while this one holds an
        older one), and a row naming a connection of this process no longer open is
        cleared (a reassertion that crossed that connection's end); then the sweep, if
        elected. Returns the screens swept."""
        open_here = {name for names in held.values() for name in names}
        stale = [{"b_screen": screen, "b_name": name} for screen, name in rows.items()
                 if name is not None and name not in open_here]
        with self.session_factory() as session:
            reassert(session, {screen: names[-1] for screen, names in held.items()
                               if names and screen in rows and rows[screen] is None})
            if stale:
                session.execute(
                    update(_STATUS).where(_STATUS.c.screen_id == bindparam("b_screen"),
                                          _STATUS.c.connection == bindparam("b_name"))
                    .values(connected=False, connection=None), stale)
            swept = sweep_dead(session, now, self.ttl) if leading else 0
            session.commit()
        return swept

    def run(self) -> None:
        run_every(self.every, self._stopped, self.sleep, self.beat,
                  "refreshing this controller process's liveness failed")

    def stop(self) -> None:
        self._stopped.set()

    def _delete(self) -> None:
        with self.session_factory() as session:
            session.execute(delete(ControllerProcess)
                            .where(ControllerProcess.token == self.token))
            session.commit()

    def forget(self) -> None:
        """At a clean stop, after the goodbye: this process's row deleted (left to the
        sweeps if the database cannot be reached)."""
        try:
            run_off_loop(POOL, 1, self._delete)
        except Exception:
            log.exception("deleting this controller process's liveness row")


def start_beat(pano: Any, socketio: Any, leading: Callable[[], bool]) -> tuple[ProcessBeat, Any]:
    """This serving process's beat (``pano``: the app's state), registered and started
    as a background task of ``socketio``'s; returns it and the task. It refreshes at
    least 12 times within ``process_ttl`` (every 5 s with the default minute), and at
    most every half second."""
    ttl = pano.settings.process_ttl
    beat = ProcessBeat(pano.session_factory, pano.namespace.process_token,
                       pano.namespace.open_connections, leading, socketio.sleep,
                       every=max(0.5, min(BEAT, ttl / 12)), ttl=ttl)
    beat.register()
    return beat, socketio.start_background_task(beat.run)
