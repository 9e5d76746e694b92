"""What changed, for the timelines: every write that may change a timeline calls
``bump(session, *scopes)`` in the same transaction, naming what it touched.

A :class:`Scope` names one object whose change may alter some screens' timelines
(docs/architecture.md, "The push path"):

- ``playlist:<id>`` — a playlist's on-air version changed (approved, archived, imported);
- ``schedule:<id>`` — a schedule was created, edited or deleted (the screens it targeted
  before and those it targets now are both touched);
- ``site:<id>`` — a site or the screens in it were added, changed or removed;
- ``screen:<id>`` — one screen's settings changed;
- ``emergency:<id>`` — an emergency was sent, changed or ended;
- ``media:<sha256>`` — a file a timeline names (an original, a rendition, a slide or a
  QR badge made for a rebuild) appeared;
- ``all`` — anything else: every screen is rebuilt.

``bump`` with no scope means ``all``. The scheduler process turns scopes into the screens
to rebuild (``TimelinePublisher.rebuild_for``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from controller.models import ChangeCounter, utcnow

KINDS = ("playlist", "schedule", "site", "screen", "emergency", "media", "all")


@dataclass(frozen=True, order=True)
class Scope:
    """One changed object: ``kind`` (one of :data:`KINDS`) and its id (``""`` for all)."""

    kind: str
    key: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown change scope {self.kind!r}; one of {', '.join(KINDS)}")

    def __str__(self) -> str:
        return self.kind if self.kind == "all" else f"{self.kind}:{self.key}"


EVERYTHING = Scope("all")


def bump(session: Session, *scopes: Scope) -> None:
    """Record a change of ``scopes`` (none: everything) in ``session``'s transaction.
    Atomic in SQL, so two processes bumping at once both count. Does not commit."""
    del scopes  # recorded by the change log (issue 14); until then every bump is "all"
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
