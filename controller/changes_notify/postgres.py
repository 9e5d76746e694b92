"""PostgreSQL: ``LISTEN pano_changes`` on a dedicated autocommit connection (psycopg 3,
cooperative under gevent: psycopg picks a gevent-aware wait when the process is
patched). ``changes.bump`` sends the ``NOTIFY`` in the writer's transaction, so it is
delivered on commit from any process: a request, the CLI, the job worker, another
controller. A restarted server or a killed connection raises here; the loop reconnects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from controller.changes_notify import CHANNEL
from controller.changes_notify.listening import Listener

APPLICATION_NAME = "pano change listener"  # in pg_stat_activity


def conninfo(sqlalchemy_url: str) -> str:
    """The libpq URL of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    from sqlalchemy.engine import make_url

    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


class PgListener(Listener):
    name = "PostgreSQL LISTEN"

    def __init__(self, sqlalchemy_url: str, wake: Callable[[], None]) -> None:
        super().__init__(wake)
        self.dsn = conninfo(sqlalchemy_url)
        self._conn: Any = None
        self.backend_pid: int | None = None

    def open(self) -> None:
        import psycopg

        conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5,
                               application_name=APPLICATION_NAME)
        try:
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception:
            conn.close()
            raise
        self._conn = conn
        self.backend_pid = conn.info.backend_pid

    def listen_once(self) -> None:
        for _ in self._conn.notifies(timeout=self.wait_seconds):
            self.wake()
            if self._stopped.is_set():
                break
        if self._conn.closed:
            raise ConnectionError("the LISTEN connection was closed")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
