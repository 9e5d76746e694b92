"""Acks and heartbeats from players, recorded in memory and written to ``screen_status``
in one transaction every ``interval`` seconds (0.5 s) instead of one commit per event.

With 500 screens acking a change at once, one commit per ack made the acks queue up
behind each other for over a second; a batch of 500 is one ``UPDATE`` executemany.
The event is answered at once; what it says reaches the database (and so
``/api/v1/screens``) within ``interval`` plus the write. A crash loses at most the
last ``interval`` of acks and heartbeats: players send a heartbeat every
``heartbeat_interval`` and ack again the timeline they get on reconnect.

``run()`` is the flush loop; start it with ``SocketIO.start_background_task`` (a thread
in threading mode, a greenlet in gevent mode) and end it with ``stop()``, which writes
what is pending. While no loop runs (before ``run``, after ``stop``) every record is
written at once, so nothing is ever left in memory unwritten.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from controller.metrics.push_ack import PUSHES
from controller.metrics.registry import HEARTBEATS
from controller.models import ScreenStatus
from controller.players.payloads import Ack
from controller.plays.presence_log import keep_open

log = logging.getLogger("pano.players")

TABLE = ScreenStatus.__table__
DEFAULT_INTERVAL = 0.5  # seconds


@dataclass
class Pending:
    """What one screen said since the last write."""

    ack: Ack | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # merged heartbeat facts
    seen: datetime | None = None  # time of the last heartbeat
    remote_addr: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


class StatusRecorder:
    def __init__(self, session_factory: sessionmaker[Session],
                 interval: float = DEFAULT_INTERVAL) -> None:
        self.session_factory = session_factory
        self.interval = interval
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()  # guards _pending (a few dict operations)
        self._write_lock = threading.Lock()  # one write at a time, in order
        self._stopped = threading.Event()
        self._running = False

    # -- recording (from event handlers) ----------------------------------------------
    def ack(self, screen_id: str, ack: Ack) -> None:
        with self._lock:
            self._pending.setdefault(screen_id, Pending()).ack = ack
        PUSHES.acked(screen_id, ack.version)  # pano_push_ack_seconds
        self._write_now_unless_running()

    def heartbeat(self, screen_id: str, facts: dict[str, Any], remote_addr: str) -> None:
        with self._lock:
            entry = self._pending.setdefault(screen_id, Pending())
            entry.facts.update(facts)
            entry.seen = _now()
            entry.remote_addr = remote_addr[:64]
        HEARTBEATS.labels("websocket").inc()
        self._write_now_unless_running()

    def _write_now_unless_running(self) -> None:
        if not self._running:
            self.flush()

    # -- writing ------------------------------------------------------------------------
    def flush(self) -> int:
        """Write everything pending in one transaction; returns the number of screens.
        On failure the records go back to pending (newer ones win) and the error is
        raised."""
        with self._write_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch:
                return 0
            try:
                with self.session_factory() as session:
                    write_batch(session, batch)
                    session.commit()
            except Exception:
                with self._lock:
                    for screen_id, old in batch.items():
                        self._pending[screen_id] = _merge(old, self._pending.get(screen_id))
                raise
            return len(batch)

    def run(self) -> None:
        """The flush loop, until ``stop()``."""
        with self._lock:
            if self._stopped.is_set():
                return
            self._running = True
        try:
            while not self._stopped.is_set():
                self._stopped.wait(self.interval)  # gevent-patched in gevent mode
                self._flush_logged()
        finally:
            self._running = False
            self._flush_logged()

    def _flush_logged(self) -> None:
        try:
            self.flush()
        except Exception:  # a locked database is transient: retry next time
            log.exception("writing player acks and heartbeats failed; retrying")

    def stop(self) -> None:
        """End the loop and write what is pending. Records made later are written at
        once."""
        with self._lock:
            self._stopped.set()
            self._running = False
        self.flush()


def _merge(old: Pending, new: Pending | None) -> Pending:
    if new is None:
        return old
    return Pending(ack=new.ack or old.ack, facts={**old.facts, **new.facts},
                   seen=new.seen or old.seen, remote_addr=new.remote_addr or old.remote_addr)


def write_batch(session: Session, batch: dict[str, Pending]) -> None:
    """One batch into ``screen_status``: rows are created if missing, heartbeat facts
    merged into the stored ones, acks overwrite. Does not commit."""
    ids = list(batch)
    beats = [p_id for p_id, p in batch.items() if p.seen is not None]
    # The stored facts only of the screens heard (merged below): an ack-only batch, a
    # change's 500 acks, reads which rows exist and decodes no JSON.
    stored: dict[str, Any] = dict(session.execute(
        select(TABLE.c.screen_id, TABLE.c.facts).where(TABLE.c.screen_id.in_(beats))).all()
        ) if beats else {}
    others = [i for i in ids if i not in stored]
    existing = set(session.scalars(select(TABLE.c.screen_id)
                                   .where(TABLE.c.screen_id.in_(others)))) if others else set()
    missing = [i for i in others if i not in existing]
    if missing:
        session.execute(insert(TABLE), [
            {"screen_id": i, "connected": False, "missing_media": [], "facts": {},
             "remote_addr": ""} for i in missing])
    acks = [{"b_id": i, "b_version": p.ack.version, "b_missing": p.ack.missing}
            for i, p in batch.items() if p.ack is not None]
    if acks:
        session.execute(update(TABLE).where(TABLE.c.screen_id == bindparam("b_id"))
                        .values(acked_version=bindparam("b_version"),
                                missing_media=bindparam("b_missing",
                                                        type_=TABLE.c.missing_media.type)),
                        acks)
    # A screen heard again after its interval was closed while it was silent.
    keep_open(session, {i: batch[i].facts.get("transport", "websocket") for i in beats},
              _now())
    with_error = [{"b_id": i, **_beat(batch[i], stored.get(i)),
                   "b_error": batch[i].facts["last_error"]}
                  for i in beats if "last_error" in batch[i].facts]
    without = [{"b_id": i, **_beat(batch[i], stored.get(i))}
               for i in beats if "last_error" not in batch[i].facts]
    for rows, extra in ((with_error, {"last_error": bindparam("b_error")}), (without, {})):
        if rows:
            session.execute(update(TABLE).where(TABLE.c.screen_id == bindparam("b_id"))
                            .values(facts=bindparam("b_facts", type_=TABLE.c.facts.type),
                                    last_seen=bindparam("b_seen",
                                                        type_=TABLE.c.last_seen.type),
                                    remote_addr=bindparam("b_addr"), **extra),
                            rows)


def _beat(pending: Pending, stored_facts: dict[str, Any] | None) -> dict[str, Any]:
    return {"b_facts": {**(stored_facts or {}), **pending.facts}, "b_seen": pending.seen,
            "b_addr": pending.remote_addr or ""}
