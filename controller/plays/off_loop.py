"""Storing journal batches outside the event loop, so that the push path never waits
for them.

In gevent mode every greenlet of a controller process shares one OS thread, and a call
into SQLite or psycopg blocks that thread: the whole process — pings, timeline pushes,
every other player — stops while a batch is stored, or while it waits for SQLite's
write lock (up to its busy timeout). With 500 players sending their backlog at once the
loop was blocked most of the time and players missed pings (measured by
``bench.journal_ingest``). So in gevent mode a batch is stored in one of a few real
threads (gevent's thread pool; the database drivers release the GIL while they wait)
and the handler's greenlet waits for the answer, the rest of the process going on.
One thread on SQLite (it takes one writer at a time anyway, and a second thread would
only wait for the lock — and make the timeline writes wait longer), four on PostgreSQL;
the handlers waiting for a thread are the back-pressure a catching-up player should feel.

In threading mode each event and request already has its own thread: the batch is
stored there, as many at once as the pool would have threads (a semaphore). The
mechanism is ``controller.off_loop``; this module chooses the pool's size.

Either way the batch has its own session, and the caller closes the request's session
first: 500 handlers waiting for their turn while each held the connection its
credential check had used emptied SQLAlchemy's connection pool (15), and the change
watcher and the sweeper timed out waiting for one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from controller.off_loop import run_off_loop
from controller.plays.batch import JournalBatch
from controller.plays.ingest import ingest

THREADS = {"sqlite": 1}  # by database dialect; others: DEFAULT_THREADS
DEFAULT_THREADS = 4


def _store(session_factory: sessionmaker[Session], screen_id: str,
           batch: JournalBatch) -> dict[str, Any]:
    with session_factory() as session:
        return ingest(session, screen_id, batch)


def store_batch(request_session: Session, session_factory: sessionmaker[Session],
                screen_id: str, batch: JournalBatch) -> dict[str, Any]:
    """Store ``batch`` (its own session and transaction) and return the answer; in
    gevent mode in a real thread while this greenlet waits. ``request_session`` (the
    handler's) is closed first: its connection goes back to the pool while we wait."""
    request_session.close()
    size = THREADS.get(session_factory.kw["bind"].dialect.name, DEFAULT_THREADS)
    return run_off_loop("journal", size, _store, session_factory, screen_id, batch)
