"""``screen_presence``: each screen's online intervals, so that availability per screen,
site and month is a sum, not a guess (docs/reports.md reads them).

The rule is the panel's (``controller.players.presence``): a screen is online from the
moment it connects or is heard over HTTP until it disconnects or is not heard within
``MISSED_INTERVALS`` heartbeats (plus grace). Intervals are written where that happens:

- a WebSocket connect opens an interval (``via`` websocket) and its disconnect closes
  it; the process holding the connection knows its interval's id;
- a heartbeat over HTTP, or one over a socket whose interval was closed while it was
  silent, opens an interval when the screen has none open (``keep_open``);
- the sweeper (one per deployment, beside the change watcher) closes the intervals of
  screens not heard within the timeout at the last moment they were heard
  (``screen_status.last_seen``): an HTTP-only screen that went quiet, a socket that
  stayed open but silent, and the intervals of a controller process that died;
- at start-up, a lone controller (no message queue: nobody can be connected to a process
  that just started) closes every interval left open by a crash at that moment too.

A screen has at most one open interval: opening one first closes any other (a player
that reconnects before its old connection is noticed dead is one screen, not two). With
several controller processes the open is serialised per screen: the screen's row is
locked (``FOR NO KEY UPDATE`` on PostgreSQL; on SQLite the first statement is the write
that closes, which takes the database's write lock), so two processes cannot both find
none open and insert one each.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from controller.db import in_chunks
from controller.models import Screen, ScreenPresence, ScreenStatus
from controller.periodic import run_every
from controller.players.presence import MISSED_INTERVALS, grace

log = logging.getLogger("pano.players")

TABLE = ScreenPresence.__table__
STATUS = ScreenStatus.__table__


def silence_timeout(heartbeat_interval: float) -> float:
    """Seconds without being heard after which a screen is offline (the panel's rule)."""
    return MISSED_INTERVALS * heartbeat_interval + grace(heartbeat_interval)


def _last_seen() -> object:
    """``screen_status.last_seen`` of the interval's screen (a correlated subquery)."""
    return (select(STATUS.c.last_seen).where(STATUS.c.screen_id == TABLE.c.screen_id)
            .scalar_subquery())


def _until_last_heard(fallback: datetime | None = None) -> object:
    """The moment to close an interval at: the screen's last heartbeat, never before the
    interval's start (and ``fallback``, or its start, when nothing was heard)."""
    seen = func.coalesce(_last_seen(), fallback if fallback is not None else TABLE.c.since)
    return case((seen < TABLE.c.since, TABLE.c.since), else_=seen)


def open_interval(session: Session, screen_id: str, via: str, now: datetime,
                  commit: bool = True) -> int:
    """Open an interval for a screen that just connected (closing any it had open at its
    last heartbeat); commits unless ``commit`` is False (the caller commits it with the
    rest of its writes); returns the interval's id."""
    # PostgreSQL: the screen's row is locked first; SQLite ignores the lock, and its
    # first write (the UPDATE) takes the database's write lock instead.
    session.execute(select(Screen.id).where(Screen.id == screen_id)
                    .with_for_update(key_share=True))
    session.execute(update(TABLE).where(TABLE.c.screen_id == screen_id,
                                        TABLE.c.until.is_(None))
                    .values(until=_until_last_heard(now)))
    interval = session.execute(insert(TABLE).values(screen_id=screen_id, since=now,
                                                    via=via).returning(TABLE.c.id)).scalar()
    if commit:
        session.commit()
    return int(interval)


def close_interval(session: Session, interval_id: int, now: datetime) -> None:
    """The connection of interval ``interval_id`` ended (no-op if already closed)."""
    close_intervals(session, [interval_id], now)
    session.commit()


def close_intervals(session: Session, interval_ids: list[int], now: datetime) -> None:
    """The connections of these intervals ended (those already closed are left alone).
    Does not commit: a stopping controller closes all of its own in one transaction."""
    for chunk in in_chunks(interval_ids):
        session.execute(update(TABLE).where(TABLE.c.id.in_(chunk), TABLE.c.until.is_(None))
                        .values(until=case((TABLE.c.since > now, TABLE.c.since), else_=now)))


def keep_open(session: Session, heard: dict[str, str], now: datetime) -> int:
    """Screens just heard (id → how: websocket | http): open an interval for those that
    have none open. Does not commit (the caller writes the heartbeats in the same
    transaction). Returns how many were opened."""
    if not heard:
        return 0
    is_open = set(session.scalars(select(TABLE.c.screen_id).where(
        TABLE.c.screen_id.in_(sorted(heard)), TABLE.c.until.is_(None))))
    closed = [s for s in sorted(heard) if s not in is_open]
    if closed:
        session.execute(insert(TABLE), [{"screen_id": s, "since": now, "via": heard[s]}
                                        for s in closed])
    return len(closed)


def close_silent(session: Session, now: datetime, timeout: float) -> int:
    """Close the intervals of screens not heard for ``timeout`` seconds, at the moment
    they were last heard; commits; returns how many were closed."""
    stale = now - timedelta(seconds=timeout)
    result = session.execute(update(TABLE).where(
        TABLE.c.until.is_(None), TABLE.c.since < stale,
        func.coalesce(_last_seen(), TABLE.c.since) < stale).values(
            until=_until_last_heard()))
    session.commit()
    return int(result.rowcount or 0)


def close_left_open(session: Session, alone: bool, now: datetime, timeout: float) -> int:
    """At start-up: close what a crash left open, at each screen's last heartbeat. A lone
    controller closes every open interval (nobody is connected to it yet); one of several
    (a message queue) only those of screens not heard within ``timeout``."""
    if not alone:
        return close_silent(session, now, timeout)
    result = session.execute(update(TABLE).where(TABLE.c.until.is_(None))
                             .values(until=_until_last_heard()))
    session.commit()
    return int(result.rowcount or 0)


class PresenceSweeper:
    """Runs ``close_silent`` every ``every`` seconds until ``stop()``. ``sleep`` is the
    server's (a greenlet's in gevent mode)."""

    def __init__(self, session_factory: sessionmaker[Session], heartbeat_interval: float,
                 sleep: Callable[[float], object]) -> None:
        self.session_factory = session_factory
        self.timeout = silence_timeout(heartbeat_interval)
        self.every = max(0.2, heartbeat_interval)
        self.sleep = sleep
        self._stopped = threading.Event()

    def sweep(self, now: datetime | None = None) -> int:
        with self.session_factory() as session:
            return close_silent(session, now or datetime.now(UTC), self.timeout)

    def run(self) -> None:
        run_every(self.every, self._stopped, self.sleep, self._sweep_logged,
                  "closing the intervals of silent screens failed")

    def _sweep_logged(self) -> None:
        closed = self.sweep()
        if closed:
            log.info("presence: %d screen(s) went silent; their intervals closed", closed)

    def stop(self) -> None:
        self._stopped.set()
