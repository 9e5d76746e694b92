"""What changed, for the timelines: every write that may change a timeline calls
``bump(session, *scopes)`` in the same transaction, naming what it touched.

A :class:`Scope` names one object whose change may alter some screens' timelines
(docs/architecture.md, "The push path"):

- ``playlist:<id>`` — a playlist's on-air version or its titles changed (approved,
  archived, imported, renamed);
- ``schedule:<id>`` — a schedule was created, edited or deleted; the key is its row's
  integer id (``Schedule.id``, not the slug). The screens it targeted before and those
  it targets now are both touched;
- ``site:<id>`` — a site was added or changed (every screen in it is touched);
- ``screen:<id>`` — one screen was added or its settings changed (site, size, languages,
  default playlist, tags…);
- ``emergency:<id>`` — an emergency was sent, changed or ended (its number);
- ``media:<sha256>`` — a file a timeline names (an original, a rendition, a slide or a
  QR badge made for a rebuild) appeared;
- ``source:<id>`` — a data source's records changed, or its data turned stale or current
  again (docs/sources.md): the screens whose playlists hold a data item of it;
- ``credential:<screen id>`` — a screen's credential was issued (revoking the previous
  one): no timeline changes; the watcher and every process's revocation watch cut off
  the connections still using the old one (controller/players/revocation.py);
- ``all`` — anything else: every screen is rebuilt.

``bump`` with no scope means ``all``. Each scope becomes one ``change_log`` row in the
caller's transaction; on PostgreSQL a ``NOTIFY pano_changes`` goes with it, and once the
transaction commits the change watcher is woken (``controller.changes_notify``). The
watcher reads :func:`since` its last id and hands the scopes to
``TimelinePublisher.rebuild_for``. The single ``change_counter`` row is bumped too: its
row lock, held from the bump to the commit, makes log ids grow in commit order (a reader
never skips an id committed later with a smaller number), and ``current`` stays for
tools that only ask whether anything changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from controller.changes_notify import commit_hook
from controller.models import ChangeCounter, ChangeLogEntry, utcnow

log = logging.getLogger("pano.changes")

KINDS = ("playlist", "schedule", "site", "screen", "emergency", "media", "credential", "source",
         "all")
MAX_KEY = 200  # characters of a scope's key (the change_log column)
# More entries than this after the reader's last id: it rebuilds everything instead.
SINCE_LIMIT = 5000
# The watcher prunes entries older than KEEP_FOR or beyond the newest KEEP_ROWS.
KEEP_FOR = timedelta(days=1)
KEEP_ROWS = 100_000


@dataclass(frozen=True, order=True)
class Scope:
    """One changed object: ``kind`` (one of :data:`KINDS`) and its id (``""`` for all)."""

    kind: str
    key: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown change scope {self.kind!r}; one of {', '.join(KINDS)}")
        if not isinstance(self.key, str):
            raise TypeError(f"a change scope's key is a string, got {type(self.key).__name__}")
        if len(self.key) > MAX_KEY:
            raise ValueError(f"a change scope's key has at most {MAX_KEY} characters, got "
                             f"{len(self.key)}")

    def __str__(self) -> str:
        return self.kind if self.kind == "all" else f"{self.kind}:{self.key}"


EVERYTHING = Scope("all")


def bump(session: Session, *scopes: Scope) -> None:
    """Record a change of ``scopes`` (none: everything) in ``session``'s transaction and
    wake the change watcher once it commits. Atomic in SQL, so two processes bumping at
    once both count. Does not commit. A scope that is not a :class:`Scope` is a
    programming error: TypeError, before anything is written."""
    for scope in scopes:
        if not isinstance(scope, Scope):
            raise TypeError(f"changes.bump takes Scope objects, got {scope!r}")
    unique = list(dict.fromkeys(scopes)) or [EVERYTHING]
    if EVERYTHING in unique:
        unique = [EVERYTHING]
    now = utcnow()
    # First the counter: its row lock, held until commit, orders the log ids below.
    result = session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.id == 1)
        .values(value=ChangeCounter.value + 1, changed_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ChangeCounter(id=1, value=1, changed_at=now))
        session.flush()
    session.execute(insert(ChangeLogEntry),
                    [{"kind": s.kind, "key": s.key, "at": now} for s in unique])
    commit_hook.mark_bumped(session)


def current(session: Session) -> int:
    """The counter's value (0 before the first bump)."""
    value = session.execute(select(ChangeCounter.value).where(ChangeCounter.id == 1)).scalar()
    return int(value or 0)


def latest_id(session: Session) -> int:
    """The newest change-log id (0 when there is none): where a reader that has just
    rebuilt everything starts."""
    return int(session.scalar(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id.desc())
                              .limit(1)) or 0)


def _oldest_id(session: Session) -> int | None:
    return session.scalar(select(ChangeLogEntry.id).order_by(ChangeLogEntry.id).limit(1))


def _scope_of(kind: str, key: str) -> Scope:
    try:
        return Scope(kind, key or "")
    except (TypeError, ValueError) as exc:  # written by a newer version, or by hand
        log.warning("change log: unreadable scope %r:%r (%s); rebuilding everything",
                    kind, key, exc)
        return EVERYTHING


def since(session: Session, after_id: int, limit: int = SINCE_LIMIT) -> tuple[int, list[Scope]]:
    """The scopes committed after ``after_id``, each once, in order, and the last id
    read. ``[EVERYTHING]`` when entries after ``after_id`` were pruned (a gap), when
    there are more than ``limit``, when one cannot be read, or when the log is behind
    ``after_id`` (the database was replaced): the reader then rebuilds everything."""
    rows = session.execute(
        select(ChangeLogEntry.id, ChangeLogEntry.kind, ChangeLogEntry.key)
        .where(ChangeLogEntry.id > after_id).order_by(ChangeLogEntry.id).limit(limit + 1)
    ).all()
    if not rows:
        newest = latest_id(session)
        if newest < after_id:
            log.warning("change log ends at %d, before %d: the database was replaced; "
                        "rebuilding everything", newest, after_id)
            return newest, [EVERYTHING]
        return after_id, []
    oldest = _oldest_id(session)
    if oldest is not None and oldest > after_id + 1:
        log.warning("change log pruned past %d (oldest %d): rebuilding everything",
                    after_id, oldest)
        return latest_id(session), [EVERYTHING]
    if len(rows) > limit:
        return latest_id(session), [EVERYTHING]
    scopes = list(dict.fromkeys(_scope_of(row.kind, row.key) for row in rows))
    if EVERYTHING in scopes:
        scopes = [EVERYTHING]
    return int(rows[-1].id), scopes


def prune(session: Session, now: datetime | None = None, keep_for: timedelta = KEEP_FOR,
          keep_rows: int = KEEP_ROWS) -> int:
    """Delete entries older than ``keep_for`` or beyond the newest ``keep_rows``, always
    keeping the newest one (so a reader behind the pruned ones sees the gap). Does not
    commit. Returns how many were deleted."""
    newest = latest_id(session)
    if newest == 0:
        return 0
    cutoff = (now or utcnow()) - keep_for
    result = session.execute(
        delete(ChangeLogEntry)
        .where(ChangeLogEntry.id < newest)
        .where(or_(ChangeLogEntry.id <= newest - keep_rows, ChangeLogEntry.at < cutoff))
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
