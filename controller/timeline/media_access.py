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

from sqlalchemy import String, bindparam, delete, insert, literal, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from controller.models import Screen, ScreenMedia, ScreenMediaDigest
from controller.timeline.by_identity import ByIdentity

GRACE = timedelta(hours=24)
TABLE = ScreenMedia.__table__
DIGESTS = ScreenMediaDigest.__table__
SCREENS = Screen.__table__

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
    named: dict[str, tuple[set[str], datetime]] = {}
    digests: dict[str, str] = {}
    sets: ByIdentity[tuple[set[str], str]] = ByIdentity()  # per shared ``media`` part
    for row in stored:
        shas, digest = sets.of(row.body.get("media") or {},
                               lambda media: (set(media), media_digest(media)))
        named[row.screen_id] = (shas, row.built_at)
        digests[row.screen_id] = digest
    if not named:
        return
    cutoff = min(built for _shas, built in named.values()) - GRACE
    conn.execute(delete(TABLE).where(TABLE.c.screen_id.in_(named),
                                     TABLE.c.dropped_at < cutoff))
    old = dict(conn.execute(select(DIGESTS.c.screen_id, DIGESTS.c.digest)
                            .where(DIGESTS.c.screen_id.in_(named))).all())
    changed = [screen for screen, digest in digests.items() if old.get(screen) != digest]
    if not changed:
        return
    _record_changed(conn, {screen: named[screen] for screen in changed}, old)
    by_digest: dict[str, list[str]] = {}  # screens that had a digest, by their new one
    for screen in changed:
        if screen in old:
            by_digest.setdefault(digests[screen], []).append(screen)
    for digest, screens in by_digest.items():
        conn.execute(update(DIGESTS).where(DIGESTS.c.screen_id.in_(screens))
                     .values(digest=digest))
    first = [{"screen_id": screen, "digest": digests[screen]}
             for screen in changed if screen not in old]
    if first:
        conn.execute(insert(DIGESTS), first)


def _record_changed(conn: Connection, named: dict[str, tuple[set[str], datetime]],
                    digests: dict[str, str]) -> None:
    """Rows for screens whose files changed; ``digests``: each one's stored digest
    (absent: none stored). Only the rows that can change are read, and the live files of
    screens that share a stored digest are read once: a digest is of the very set of
    their live rows (both are written here, in one transaction), and screens that show
    the same thing share it, so a change of 500 screens reads the live rows of a few
    screens, not of every one.

    The writes go by group, not by row: screens that had the same files and now name
    the same files (a fleet's usual change) get one ``UPDATE`` for the files they all
    dropped and one ``INSERT … SELECT`` per file they all name anew, which names the
    screens (``screen_id IN …``) and lets the database make their rows; a row dropped
    earlier and named again is made live by the same statement (``ON CONFLICT``). A
    change of 500 screens' two slides is then a handful of statements instead of a
    parameter row per (screen, file) — 2000 of them, most of this step's time
    (docs/performance.md). Files dropped earlier and not named again are left alone
    until GRACE deletes them."""
    sample: dict[str, str] = {}  # stored digest -> one screen that has it
    for screen in named:
        if screen in digests:
            sample.setdefault(digests[screen], screen)
    unknown = [screen for screen in named if screen not in digests]
    live: dict[str, set[str]] = {screen: set() for screen in [*sample.values(), *unknown]}
    for screen, sha in conn.execute(select(TABLE.c.screen_id, TABLE.c.sha256)
                                    .where(TABLE.c.screen_id.in_(live),
                                           TABLE.c.dropped_at.is_(None))):
        live[screen].add(sha)
    groups: dict[tuple[frozenset[str], frozenset[str], datetime], list[str]] = {}
    for screen, (shas, built) in named.items():
        was = live[sample[digests[screen]] if screen in digests else screen]
        key = (frozenset(was - shas), frozenset(shas - was), built)
        groups.setdefault(key, []).append(screen)
    for (dropped, added, built), screens in groups.items():
        if dropped:
            conn.execute(update(TABLE)
                         .where(TABLE.c.screen_id.in_(screens),
                                TABLE.c.sha256.in_(sorted(dropped)),
                                TABLE.c.dropped_at.is_(None))
                         .values(dropped_at=built))
        for sha in sorted(added):
            conn.execute(_named_anew(conn.dialect.name, screens, sha))


def _named_anew(dialect: str, screens: list[str], sha: str) -> Insert:
    """``INSERT`` a live row of ``sha`` for each of ``screens`` (that still exists),
    or make its dropped row live again."""
    upsert = sqlite_insert if dialect == "sqlite" else pg_insert
    rows = select(SCREENS.c.id, literal(sha, String(64)), null()).where(
        SCREENS.c.id.in_(screens))
    statement = upsert(TABLE).from_select(["screen_id", "sha256", "dropped_at"], rows)
    return statement.on_conflict_do_update(
        index_elements=[TABLE.c.screen_id, TABLE.c.sha256],
        set_={"dropped_at": None}, where=TABLE.c.dropped_at.is_not(None))


def may_fetch(session: Session, screen_id: str, sha256: str, now: datetime) -> bool:
    """Whether ``screen_id``'s timelines name ``sha256`` now or did less than ``GRACE``
    ago. One primary-key lookup."""
    found = session.execute(_LOOKUP, {"screen": screen_id, "sha": sha256,
                                      "cutoff": now - GRACE}).first()
    return found is not None
