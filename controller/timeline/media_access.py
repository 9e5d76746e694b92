"""Which stored files each screen may fetch: those its timelines name.

A screen credential opens ``GET /media/<sha256>`` only for a file that the screen's
current timeline names in ``media``, or that a timeline it held named until less than
``GRACE`` ago (a player may still be downloading the files of the version before). A
draft's upload, another screen's rendition or any file no timeline of this screen named
stays closed to it, so a stolen screen token reads what that screen shows and nothing
else. People (personal API token, panel session) keep their own rights.

The answer must be cheap — every player fetches every file — so it is kept, not
computed: ``screen_media`` holds one row per (screen, file) a timeline named, with
``dropped_at`` NULL while the current timeline names it and the time it stopped naming
it otherwise. ``record`` maintains the rows in the transaction that stores the
timelines (``controller.timeline.store.store_batch``): write, then push, so a player
never receives a timeline whose files it may not fetch yet. Rows dropped longer than
``GRACE`` ago are deleted then; ``screen_media_digests`` (a digest of each screen's set
of files) lets a rebuild that changed no screen's files skip the rows. ``may_fetch`` is
one primary-key lookup.

Why 24 hours: what a player fetches after a change is the new version's files, within
seconds; the old version's files matter only to a download under way or a player that
reconnects with the old timeline and finishes it before the new one arrives. A day
covers any such case with room to spare, and a file a screen held a day ago is no secret
from that screen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from controller.models import ScreenMedia, ScreenMediaDigest

GRACE = timedelta(hours=24)
TABLE = ScreenMedia.__table__
DIGESTS = ScreenMediaDigest.__table__

_SET_DROPPED = (update(TABLE)
                .where(and_(TABLE.c.screen_id == bindparam("b_screen"),
                            TABLE.c.sha256 == bindparam("b_sha")))
                .values(dropped_at=bindparam("b_dropped", type_=TABLE.c.dropped_at.type)))
_LOOKUP = (select(TABLE.c.screen_id)
           .where(TABLE.c.screen_id == bindparam("screen"), TABLE.c.sha256 == bindparam("sha"),
                  or_(TABLE.c.dropped_at.is_(None),
                      TABLE.c.dropped_at > bindparam("cutoff", type_=TABLE.c.dropped_at.type))))


class StoredTimeline(Protocol):
    """What ``record`` reads of a stored timeline (``controller.timeline.store.Row``)."""

    screen_id: str
    body: dict[str, Any]
    built_at: datetime


def media_digest(shas: Iterable[str]) -> str:
    """What ``screen_media_digests`` holds for a set of files."""
    return hashlib.sha256(" ".join(sorted(shas)).encode()).hexdigest()


def record(session: Session | Connection, stored: Iterable[StoredTimeline]) -> None:
    """Note which files the just-stored timelines name (and which they stopped naming);
    forget files dropped longer than ``GRACE`` ago. Screens whose files are the ones
    they had (the digest says so: the daily roll, a text edit without slides) cost one
    row read; a handful of Core statements on the transaction's connection for any
    number of screens. Does not commit."""
    conn = session.connection() if isinstance(session, Session) else session
    named = {row.screen_id: (set(row.body.get("media") or {}), row.built_at)
             for row in stored}
    if not named:
        return
    cutoff = min(built for _shas, built in named.values()) - GRACE
    conn.execute(delete(TABLE).where(TABLE.c.screen_id.in_(named),
                                     TABLE.c.dropped_at < cutoff))
    digests = {screen: media_digest(shas) for screen, (shas, _built) in named.items()}
    old = dict(conn.execute(select(DIGESTS.c.screen_id, DIGESTS.c.digest)
                            .where(DIGESTS.c.screen_id.in_(named))).all())
    changed = [screen for screen, digest in digests.items() if old.get(screen) != digest]
    if not changed:
        return
    _record_changed(conn, {screen: named[screen] for screen in changed})
    conn.execute(delete(DIGESTS).where(DIGESTS.c.screen_id.in_(changed)))
    conn.execute(insert(DIGESTS), [{"screen_id": screen, "digest": digests[screen]}
                                   for screen in changed])


def _record_changed(conn: Connection, named: dict[str, tuple[set[str], datetime]]) -> None:
    # Only the rows that can change: those still named (to drop the ones no longer
    # named) and those of files named now (new or named again). Files dropped earlier
    # and not named again are left alone until GRACE deletes them; reading them too made
    # this the rebuild's costliest step once a day of edits had piled them up (bench/,
    # docs/performance.md). Whether a row is live is read as a boolean, not a time.
    named_now = set().union(*(shas for shas, _built in named.values()))
    live = TABLE.c.dropped_at.is_(None)
    known: dict[tuple[str, str], bool] = {
        (screen, sha): bool(is_live) for screen, sha, is_live in conn.execute(
            select(TABLE.c.screen_id, TABLE.c.sha256, live)
            .where(TABLE.c.screen_id.in_(named), or_(live, TABLE.c.sha256.in_(named_now))))}
    new, renamed, dropped = [], [], []
    for screen, (shas, _built) in named.items():
        for sha in shas:
            was_live = known.get((screen, sha))
            if was_live is None:
                new.append({"screen_id": screen, "sha256": sha, "dropped_at": None})
            elif not was_live:
                renamed.append({"b_screen": screen, "b_sha": sha, "b_dropped": None})
    for (screen, sha), was_live in known.items():
        shas, built = named[screen]
        if was_live and sha not in shas:
            dropped.append({"b_screen": screen, "b_sha": sha, "b_dropped": built})
    if new:
        conn.execute(insert(TABLE), new)
    if renamed or dropped:
        conn.execute(_SET_DROPPED, renamed + dropped)


def may_fetch(session: Session, screen_id: str, sha256: str, now: datetime) -> bool:
    """Whether ``screen_id``'s timelines name ``sha256`` now or did less than ``GRACE``
    ago. One primary-key lookup."""
    found = session.execute(_LOOKUP, {"screen": screen_id, "sha": sha256,
                                      "cutoff": now - GRACE}).first()
    return found is not None
