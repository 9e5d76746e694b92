"""Data turning stale, or fresh again, between two snapshots (docs/sources.md "Data
items"): the change ``source:<id>`` is recorded when a new snapshot's records differ,
but nothing is recorded when data merely grow old (no poll succeeds for longer than
``stale_after``) or when a stale source is confirmed current again by a 304 or the
same records. Screens would keep showing old data as current, or keep the fallback.

:class:`StalenessSweep` is the leader's job that closes that gap: every
:data:`EVERY` seconds it reads each source's staleness (one query) and records
``source:<id>`` for each source whose staleness flipped since the last look, so the
change watcher rebuilds the screens that show it (the fallback in, or the data back).
The first look of a term only remembers: the election rebuilds every screen anyway."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from controller import changes
from controller.models import DataSource, DataSourceState
from controller.sources.views import is_stale

log = logging.getLogger("pano.sources")

EVERY = 15  # seconds: how late a fallback may come after the data turned stale


class StalenessSweep:
    """Remembers each source's staleness; :meth:`check` records the flips."""

    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sessions = sessions
        self.clock = clock
        self._stale: dict[str, bool] | None = None

    def check(self, now: datetime | None = None) -> list[str]:
        """Record ``source:<id>`` for every source whose staleness changed; returns
        their ids (none at the first look)."""
        now = now or self.clock()
        with self.sessions() as session:
            rows = session.execute(select(DataSource, DataSourceState).outerjoin(
                DataSourceState, DataSourceState.source_id == DataSource.id)).all()
            stale = {source.id: is_stale(source, state, now) for source, state in rows}
            before, self._stale = self._stale, stale
            if before is None:
                return []
            flipped = sorted(sid for sid, value in stale.items()
                             if sid in before and before[sid] != value)
            if flipped:
                changes.bump(session, *(changes.Scope("source", sid) for sid in flipped))
                session.commit()
                log.info("data sources turned %s", ", ".join(
                    f"{sid} {'stale' if stale[sid] else 'current'}" for sid in flipped))
            return flipped


def add_staleness_job(scheduler: BaseScheduler,
                      sessions: sessionmaker[Session]) -> StalenessSweep:
    """The leader's sweep (``controller.server``, beside the poll job)."""
    sweep = StalenessSweep(sessions)

    def tick() -> None:
        try:
            sweep.check()
        except Exception:  # the scheduler must keep going; the next tick tries again
            log.exception("data sources: looking for stale sources failed")

    scheduler.add_job(tick, "interval", seconds=EVERY, id="sources-staleness",
                      name="sources-staleness", coalesce=True, max_instances=1,
                      misfire_grace_time=30)
    return sweep
