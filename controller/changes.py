"""The change counter: every write that may change a timeline bumps it in the same
transaction; the scheduler polls ``current`` and rebuilds timelines when it moves."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from controller.models import ChangeCounter, utcnow


def bump(session: Session) -> None:
    """Add one to the counter (row id=1, created if missing). Atomic in SQL, so two
    processes bumping at once both count. Does not commit."""
    result = session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.id == 1)
        .values(value=ChangeCounter.value + 1, changed_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ChangeCounter(id=1, value=1, changed_at=utcnow()))
        session.flush()


def current(session: Session) -> int:
    """The counter's value (0 before the first bump)."""
    value = session.execute(select(ChangeCounter.value).where(ChangeCounter.id == 1)).scalar()
    return int(value or 0)
