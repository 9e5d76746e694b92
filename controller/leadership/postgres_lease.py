"""The leader's lease as a PostgreSQL session-level advisory lock, for deployments with
PostgreSQL and no Redis: ``pg_try_advisory_lock(key)`` on a connection of its own, held
for as long as that connection's session lives. Renewing is a round trip on it: while the
session answers, the lock is still held (only an unlock or the session's end lets it
go); a connection that fails means the lock is, or is about to be, gone.

PostgreSQL ends the session — and frees the lock — at once when the process dies (its
socket closes). When the machine or the network goes instead, the session's own TCP
keepalives and user timeout, set here to about the ttl, make the server notice within
about that long, while the leader, unable to renew, has already stepped down; and a
holder that is frozen but whose machine still answers is ended by
``idle_session_timeout`` (PostgreSQL 14 and later) a ttl after its last renewal, like
a Redis key. Blocking
driver calls run beside a gevent loop (``controller.off_loop``), never on it."""

from __future__ import annotations

import math
from typing import Any

from controller.leadership.leases import LeaseError
from controller.off_loop import run_off_loop


class PostgresLease:
    kind = "postgresql"

    def __init__(self, db_url: str, key: int, ttl: float, owner: str) -> None:
        from sqlalchemy.engine import make_url

        url = make_url(db_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.key, self.owner, self.ttl = key, owner, ttl
        self._conn: Any = None

    # -- the lease ----------------------------------------------------------------------
    def acquire(self) -> bool:
        return run_off_loop("leader-lease", 1, self._acquire)

    def renew(self) -> bool:
        return run_off_loop("leader-lease", 1, self._renew)

    def release(self) -> None:
        run_off_loop("leader-lease", 1, self._release)

    def close(self) -> None:
        run_off_loop("leader-lease", 1, self._close)

    # -- in a real thread -----------------------------------------------------------------
    def _connect(self) -> Any:
        import psycopg

        seconds = max(1, math.ceil(self.ttl / 2))
        try:
            conn = psycopg.connect(
                self.conninfo, autocommit=True, connect_timeout=seconds,
                application_name=f"pano-leader {self.owner}"[:63],
                # The client side: a dead server or path is noticed within about the ttl.
                keepalives=1, keepalives_idle=seconds, keepalives_interval=1,
                keepalives_count=2, tcp_user_timeout=int(self.ttl * 1000))
            # The server side: a dead client is noticed, and the lock freed, likewise.
            for name, value in (("tcp_keepalives_idle", seconds),
                                ("tcp_keepalives_interval", 1),
                                ("tcp_keepalives_count", 2),
                                ("tcp_user_timeout", int(self.ttl * 1000))):
                conn.execute(f"SET {name} = {int(value)}")
        except psycopg.Error as exc:
            raise LeaseError(f"PostgreSQL: {str(exc).strip()}") from None
        try:
            # A holder that is alive but silent (frozen, stopped) keeps its socket, and
            # the kernel answers keepalives for it: PostgreSQL 14+ ends a session idle
            # this long. Renewals and a follower's tries come far more often.
            conn.execute(f"SET idle_session_timeout = {int(self.ttl * 1000)}")
        except psycopg.Error:  # PostgreSQL 13 or older: only a dead connection frees it
            pass
        return conn

    def _acquire(self) -> bool:
        import psycopg

        if self._conn is None:
            self._conn = self._connect()
        try:
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except psycopg.Error as exc:
            self._close()
            raise LeaseError(f"PostgreSQL: {str(exc).strip()}") from None
        return bool(row and row[0])

    def _renew(self) -> bool:
        import psycopg

        if self._conn is None:
            return False
        try:
            self._conn.execute("SELECT 1").fetchone()
        except psycopg.Error:
            self._close()  # the session, and with it the lock, is gone or going
            return False
        return True

    def _release(self) -> None:
        import psycopg

        if self._conn is None:
            return
        try:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        except psycopg.Error:
            self._close()  # the session's end frees it anyway

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
