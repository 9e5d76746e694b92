"""What keeps a deposed leader harmless, and what a new leader owes the players.

Two rules hold "never two versions with different content for the same number":

- **The store decides.** ``controller.timeline.store`` writes a new version only if the
  row still holds the version and hash the rebuild read (a compare-and-set in the
  database): of two processes rebuilding at once, exactly one stores version n+1, the
  other stores nothing and pushes nothing. Pushes carry only stored rows, and a player
  ignores a version lower than the one it holds, so a late push from a deposed leader
  can neither contradict a stored version nor move a player back.
- **The fence.** :class:`FencedPublisher` is the publisher the leader's work is given: it
  rebuilds only while the elector says the lease is certainly still held, so a process
  that was frozen past its lease (a stopped VM, a long pause) does not start a rebuild
  when it wakes; its elector steps down in the same moment.

A leader killed between storing a version and pushing it leaves players behind the
stored version, and a new leader's rebuild finds nothing changed. So a new leader first
pushes, to every connected screen whose last acknowledged version is below the stored
one, the stored timeline (:func:`push_unacknowledged`): a player that had it already
gets the same version with the same body again and acknowledges it again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from controller.metrics.push_ack import PUSHES
from controller.models import ScreenStatus, ScreenTimeline
from controller.timeline.publisher import NAMESPACE, room_for

log = logging.getLogger("pano.leader")


class FencedPublisher:
    """The leader's publisher: every attribute is the real publisher's, but ``rebuild``
    and ``rebuild_for`` do nothing (and say so once) unless ``holds()``."""

    def __init__(self, publisher: Any, holds: Callable[[], bool]) -> None:
        self._publisher = publisher
        self._holds = holds
        self.refused = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._publisher, name)

    def _allowed(self) -> bool:
        if self._holds():
            return True
        if not self.refused:
            log.warning("rebuild refused: this process's leader lease is no longer certain")
        self.refused += 1
        return False

    def rebuild(self, session: Session, *args: Any, **kwargs: Any) -> list[str]:
        return self._publisher.rebuild(session, *args, **kwargs) if self._allowed() else []

    def rebuild_for(self, session: Session, scopes: Iterable[Any]) -> list[str]:
        return self._publisher.rebuild_for(session, scopes) if self._allowed() else []


def push_unacknowledged(session: Session, emit: Callable[..., Any]) -> list[str]:
    """Push the stored timeline to every connected screen that has not acknowledged it
    (see the module's docstring); returns their ids."""
    status = ScreenStatus.__table__
    stored = ScreenTimeline.__table__
    rows = session.execute(
        select(stored.c.screen_id, stored.c.version, stored.c.body)
        .join(status, status.c.screen_id == stored.c.screen_id)
        .where(status.c.connected.is_(True),
               or_(status.c.acked_version.is_(None),
                   status.c.acked_version < stored.c.version))
        .order_by(stored.c.screen_id)).all()
    session.rollback()
    for screen_id, version, body in rows:
        emit("timeline", body, to=room_for(screen_id), namespace=NAMESPACE)
        PUSHES.pushed(screen_id, version)
    if rows:
        log.info("new leader: pushed the stored timeline again to %d screen(s) that had not "
                 "acknowledged it", len(rows))
    return [row.screen_id for row in rows]
