"""Which stored files each screen may fetch: those its timelines name.

A screen credential opens ``GET /media/<sha256>`` only for a file that the screen's
current timeline names in ``media``, or that the timeline before it named, for
``GRACE`` after it was replaced (a player may still be downloading the files of the
version before). A draft's upload, another screen's rendition or any file no timeline of
this screen named stays closed to it, so a stolen screen token reads what that screen
shows and nothing else. People (personal API token, panel session) keep their own
rights.

The answer must be cheap — every player fetches every file — and so must keeping it, on
every change of every screen. Screens name a few distinct sets of files (screens alike
name the same one), so a set is stored once: ``media_sets`` holds each set's files under
the SHA-256 of their sorted names (``media_digest``), and a screen's timeline row names
its set (``screen_timelines.media_set``) and the one before (``media_before``, named
until ``media_before_until``). The timeline's own ``UPDATE`` moves the current set to
``media_before`` when the set changes (``controller.timeline.store``), so a change of
500 screens costs no row per screen here: one upsert per distinct set (``record``), in
the transaction that stores the timelines — write, then push, so a player never
receives a timeline whose files it may not fetch yet. The row per (screen, file) kept
before (``screen_media``, migration 0008; removed by 0023) cost two rows per screen on
every slide change, about a fifth of a rebuild (docs/performance.md).

Only the set before is kept, not every set of the last day: what a player fetches after
a change is the new version's files, within seconds; the old version's files matter
only to a download under way, and a player that reconnects with an older timeline gets
the current one on connecting. Why a day for it: it covers any such case with room to
spare, and a file a screen held a day ago is no secret from that screen.

A set's row is content-addressed, so it never changes and each process keeps the sets it
read (``may_fetch`` is one primary-key lookup of the timeline row, and the set's files
from memory). What is read is checked against its name: a row whose files do not hash
to its digest (a corrupted disk) opens nothing and is rewritten by the next rebuild
naming it. Sets no timeline names, current or within the grace, are deleted at most
once an hour (``sweep``); a rebuild touching a set (``used_at``) in the same moment
either keeps it (the touch came first: its row is locked) or inserts it again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from controller.emergencies.store import aware
from controller.models import MediaSet, ScreenTimeline
from controller.timeline.by_identity import ByIdentity

log = logging.getLogger("pano.media")

GRACE = timedelta(hours=24)
SWEEP_EVERY = 3600.0  # seconds between two sweeps of unnamed sets, per process
KEEP_SETS = 4096  # sets remembered per process (a few bytes per file each)
SETS = MediaSet.__table__
TIMELINES = ScreenTimeline.__table__

_CURRENT = select(TIMELINES.c.media_set, TIMELINES.c.media_before,
                  TIMELINES.c.media_before_until).where(
    TIMELINES.c.screen_id == bindparam("screen"))
_FILES = select(SETS.c.files).where(SETS.c.digest == bindparam("digest"))


def media_text(shas: Iterable[str]) -> str:
    """What ``media_sets.files`` holds for a set of files."""
    return " ".join(sorted(shas))


def media_digest(shas: Iterable[str]) -> str:
    """A set's name: the SHA-256 of its ``media_text``."""
    return _digest_of_text(media_text(shas))


def _digest_of_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class MediaSets:
    """The sets of files a batch of timelines names, each computed once per shared
    ``media`` part (screens alike hold the very same object)."""

    def __init__(self) -> None:
        self._parts: ByIdentity[str] = ByIdentity()
        self.texts: dict[str, str] = {}  # digest -> files

    def of(self, body: Mapping[str, Any]) -> str:
        """The digest of the set ``body["media"]`` names (noted for ``record``)."""
        return self._parts.of(body.get("media") or {}, self._note)

    def _note(self, media: Mapping[str, Any]) -> str:
        text = media_text(media)
        digest = _digest_of_text(text)
        self.texts[digest] = text
        return digest


def _upsert(dialect: str) -> Any:
    """The sets' upsert for ``dialect``, made once (making it took as long as running
    it: SQLAlchemy builds its ``excluded`` columns anew for every statement)."""
    upsert = _UPSERTS.get(dialect)
    if upsert is None:
        insert = (sqlite_insert if dialect == "sqlite" else pg_insert)(SETS)
        upsert = _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=[SETS.c.digest],
            set_={"used_at": insert.excluded.used_at, "files": insert.excluded.files})
    return upsert


_UPSERTS: dict[str, Any] = {}


class _Swept:
    """When this process last swept (``record`` sweeps at most every ``SWEEP_EVERY``).
    The first sweep comes an hour after the process started, not in its first rebuild
    (whose first batch is the first push after a start)."""

    def __init__(self) -> None:
        self.at = time.monotonic()
        self.lock = threading.Lock()

    def due(self) -> bool:
        with self.lock:
            if time.monotonic() - self.at < SWEEP_EVERY:
                return False
            self.at = time.monotonic()
            return True


_SWEPT = _Swept()


def record(conn: Session | Connection, sets: MediaSets, now: datetime) -> None:
    """Store the sets of files just-stored timelines name (each touched: ``used_at``),
    in their transaction; sweep unnamed sets when an hour has passed. Does not commit."""
    conn = conn.connection() if isinstance(conn, Session) else conn
    if sets.texts:
        conn.execute(_upsert(conn.dialect.name),
                     [{"digest": digest, "files": text, "used_at": now}
                      for digest, text in sets.texts.items()])
    if _SWEPT.due():
        sweep(conn, now)


def sweep(conn: Session | Connection, now: datetime) -> int:
    """Delete the sets no timeline names now nor named less than ``GRACE`` ago, and
    not stored by a rebuild for as long; returns how many. Does not commit."""
    conn = conn.connection() if isinstance(conn, Session) else conn
    cutoff = now - GRACE
    current = select(TIMELINES.c.media_set).where(TIMELINES.c.media_set.is_not(None))
    before = select(TIMELINES.c.media_before).where(
        TIMELINES.c.media_before.is_not(None), TIMELINES.c.media_before_until >= cutoff)
    result = conn.execute(delete(SETS).where(
        SETS.c.used_at < cutoff, SETS.c.digest.not_in(current),
        SETS.c.digest.not_in(before)))
    if result.rowcount:
        log.info("media sets no timeline names any more: %d deleted", result.rowcount)
    return int(result.rowcount or 0)


class _KnownSets:
    """Sets read, by digest (content-addressed: a set never changes). At most
    ``KEEP_SETS``, forgotten all at once when full."""

    def __init__(self) -> None:
        self._files: dict[str, frozenset[str]] = {}
        self._reported: set[str] = set()

    def files(self, session: Session, digest: str) -> frozenset[str]:
        known = self._files.get(digest)
        if known is not None:
            return known
        text = session.execute(_FILES, {"digest": digest}).scalar()
        if text is None:
            return frozenset()
        if _digest_of_text(text) != digest:
            if digest not in self._reported and len(self._reported) < KEEP_SETS:
                self._reported.add(digest)
                log.error("media set %s does not hash to its name (a corrupted row): it "
                          "opens no file until a rebuild stores it again", digest)
            return frozenset()  # not kept: the next rebuild naming it rewrites it
        if len(self._files) >= KEEP_SETS:
            self._files = {}
        files = self._files[digest] = frozenset(text.split())
        return files


KNOWN_SETS = _KnownSets()


def may_fetch(session: Session, screen_id: str, sha256: str, now: datetime) -> bool:
    """Whether ``screen_id``'s current timeline names ``sha256``, or the one before it
    did and was replaced less than ``GRACE`` ago. One primary-key lookup (and one more
    for a set this process has not read yet)."""
    row = session.execute(_CURRENT, {"screen": screen_id}).first()
    if row is None:
        return False
    named = [row.media_set]
    until = row.media_before_until
    if row.media_before is not None and until is not None and aware(until) > now - GRACE:
        named.append(row.media_before)
    return any(digest is not None and sha256 in KNOWN_SETS.files(session, digest)
               for digest in named)


def set_columns(media_set: Any, built_at: Any) -> dict[str, Any]:
    """The ``UPDATE`` values of a stored timeline's set columns: ``media_set`` as given,
    the set it named before kept as ``media_before`` when the set changes (both read
    before the update, as SQL evaluates every ``SET`` expression)."""
    same = and_(TIMELINES.c.media_set.is_not(None), TIMELINES.c.media_set == media_set)
    return {"media_set": media_set,
            "media_before": case((same, TIMELINES.c.media_before),
                                 else_=TIMELINES.c.media_set),
            "media_before_until": case((same, TIMELINES.c.media_before_until),
                                       else_=case((TIMELINES.c.media_set.is_(None), None),
                                                  else_=built_at))}
