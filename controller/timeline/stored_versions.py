"""What this process knows of each screen's stored timeline version, per database, so an
ack can be checked without a database read (``controller.players.status.check_ack``).

The publisher notes, after each commit, the version it stored or found stored for every
screen it rebuilt. A version only grows in the database (a new one is written before it
is pushed), so a noted version is a lower bound of the stored one: an ack of a version
up to it names a version the screen was sent and is accepted from memory. Anything else
— a newer version stored by another process, a screen this process never rebuilt, the
first acks after a restart — goes to the database, which alone may refuse. The notes
are kept per engine (weakly: a disposed, dropped engine takes its notes with it), so
two databases in one process (tests) never answer for each other.

What memory cannot see: a screen deleted and created again under the same id starts
again at version 1 while its old note stands, so until its first rebuild here an ack of
an old version is accepted; its player could not connect in between (deleting a screen
revokes its credential).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import ScreenTimeline

TIMELINES = ScreenTimeline.__table__


class StoredVersions:
    def __init__(self) -> None:
        self._by_bind: weakref.WeakKeyDictionary[Any, dict[str, int]] = \
            weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _notes(self, bind: Any) -> dict[str, int] | None:
        try:
            return self._by_bind.get(bind)
        except TypeError:  # not weakly referable: no memory for it
            return None

    def note(self, bind: Any, versions: Mapping[str, int]) -> None:
        """``versions`` (screen -> version) are stored in ``bind``'s database now."""
        with self._lock:
            notes = self._notes(bind)
            if notes is None:
                try:
                    notes = self._by_bind.setdefault(bind, {})
                except TypeError:
                    return
            notes.update(versions)

    def forget(self, bind: Any, screen_ids: Iterable[str]) -> None:
        with self._lock:
            notes = self._notes(bind)
            for screen_id in screen_ids if notes is not None else ():
                notes.pop(screen_id, None)

    def covers(self, bind: Any, screen_id: str, version: int) -> bool:
        """True when ``version`` is known to be at most the one stored for the screen."""
        notes = self._notes(bind)
        known = notes.get(screen_id) if notes is not None else None
        return known is not None and version <= known


KNOWN = StoredVersions()


def stored_heads(session: Session, ids: list[str] | None) -> dict[str, tuple[int, str]]:
    """Screen -> (version, content hash) of its stored timeline, for ``ids`` (None:
    every screen): what a rebuild compares its new bodies with."""
    query = select(TIMELINES.c.screen_id, TIMELINES.c.version, TIMELINES.c.content_hash)
    if ids is not None:
        query = query.where(TIMELINES.c.screen_id.in_(ids))
    # Unpacked, not read by name: a ``Row``'s attribute costs about 0.5 µs.
    return {screen_id: (version, content_hash)
            for screen_id, version, content_hash in session.execute(query)}
