"""Writing built timelines to ``screen_timelines`` in one batch, with the conditional
version rule: a row is updated only if it still holds the version and hash this process
read, so two processes that rebuild at once never both bump the same version (the loser
updates nothing and must not push).

``store_batch`` runs one ``INSERT`` executemany for screens that had no timeline and one
``UPDATE … WHERE version = :old AND content_hash = :old_hash`` executemany for the rest.
When the database reports that every row of the batch was updated (SQLite and
PostgreSQL with psycopg 3 count rows across an executemany) all are accepted; otherwise
a race was lost somewhere and the caller rolls back and compares again with what the
other process stored, then writes row by row, which tells exactly which rows this
process won. Each row names the set of files its body names (``media_set``; the set it
named before is kept as ``media_before``), and the sets are stored in the same
transaction (``controller.timeline.media_access``). The caller commits.

The statements go to the session's connection (Core), not through the ORM session: no
entity is involved, and the ORM's per-statement work cost more than the write. On
SQLite a row's ``text`` (its body's canonical JSON, encoded once with the parts it
shares with other screens: ``controller.timeline.hashing.Hasher``) is stored as is
instead of encoding the body again; the stored JSON reads back as the same body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, bindparam, insert, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.types import TypeEngine

from controller.models import ScreenTimeline
from controller.timeline import media_access

TABLE = ScreenTimeline.__table__


def _statements(body_type: TypeEngine[Any],
                time_type: TypeEngine[Any] | None = None) -> tuple[Insert, Update]:
    """The insert and the conditional update, with ``body`` bound as ``body_type`` and
    ``built_at`` as ``time_type`` (the column's own by default)."""
    built_at = time_type if time_type is not None else TABLE.c.built_at.type
    insert_rows = insert(TABLE).values(
        screen_id=bindparam("screen_id"), version=bindparam("version"),
        content_hash=bindparam("content_hash"), body=bindparam("body", type_=body_type),
        built_at=bindparam("built_at", type_=built_at), media_set=bindparam("media_set"))
    new_built_at = bindparam("b_built_at", type_=built_at)
    update_rows = (
        update(TABLE)
        .where(and_(TABLE.c.screen_id == bindparam("b_screen_id"),
                    TABLE.c.version == bindparam("b_old_version"),
                    TABLE.c.content_hash == bindparam("b_old_hash")))
        .values(version=bindparam("b_version"), content_hash=bindparam("b_hash"),
                body=bindparam("b_body", type_=body_type), built_at=new_built_at,
                **media_access.set_columns(bindparam("b_media_set"), new_built_at)))
    return insert_rows, update_rows


_INSERT, _UPDATE = _statements(TABLE.c.body.type)  # the body as a dict: JSON encodes it
# SQLite: the body's JSON text as is, and ``built_at`` converted once for the batch (the
# column type's conversion, run for every row and twice in the update, was a tenth of
# storing 500 timelines).
_INSERT_TEXT, _UPDATE_TEXT = _statements(String(), String())


@dataclass(frozen=True)
class Row:
    """One screen's new timeline; ``old`` is the (version, hash) read before building,
    None when the screen had no timeline yet."""

    screen_id: str
    old: tuple[int, str] | None
    version: int
    content_hash: str
    body: dict[str, Any]
    built_at: datetime
    text: str | None = None  # ``body``'s JSON, when already encoded

    def _body(self, as_text: bool) -> Any:
        return self.text if as_text else self.body

    def update_params(self, media_set: str, as_text: bool = False,
                      at: Any = None) -> dict[str, Any]:
        """The update's parameters; ``at``: ``built_at`` as bound (the text statements)."""
        assert self.old is not None
        return {"b_screen_id": self.screen_id, "b_old_version": self.old[0],
                "b_old_hash": self.old[1], "b_version": self.version,
                "b_hash": self.content_hash, "b_body": self._body(as_text),
                "b_built_at": self.built_at if at is None else at, "b_media_set": media_set}

    def insert_params(self, media_set: str, as_text: bool = False,
                      at: Any = None) -> dict[str, Any]:
        return {"screen_id": self.screen_id, "version": self.version,
                "content_hash": self.content_hash, "body": self._body(as_text),
                "built_at": self.built_at if at is None else at, "media_set": media_set}


class LostRace(Exception):
    """The batched ``UPDATE`` did not update every row: another process stored some of
    these timelines first. Roll back and rebuild from what it stored."""


def store_batch(session: Session, rows: list[Row], batched: bool = True) -> list[Row]:
    """Write ``rows``; return those this process stored (the ones to push). Does not
    commit. An ``IntegrityError`` (another process inserted a first timeline at the same
    moment) or ``LostRace`` means: roll back and rebuild. With ``batched=False`` (or a
    driver that cannot count rows across an executemany) the updates go row by row and
    the rows another process took are left out of the result instead."""
    conn = session.connection()
    sets = media_access.MediaSets()
    named = {row.screen_id: sets.of(row.body) for row in rows}
    stored = _store(conn, rows, named, batched)
    if stored:  # same transaction: what the players may fetch
        media_access.record(conn, sets, min(row.built_at for row in stored))
    return stored


def _store(conn: Connection, rows: list[Row], named: dict[str, str],
           batched: bool) -> list[Row]:
    as_text = conn.dialect.name == "sqlite" and all(r.text is not None for r in rows)
    insert_rows, update_rows = (_INSERT_TEXT, _UPDATE_TEXT) if as_text else (_INSERT, _UPDATE)
    times: dict[datetime, Any] = {}  # built_at as the column binds it, once per value
    if as_text:
        convert = TABLE.c.built_at.type.bind_processor(conn.dialect)
        for row in rows:
            if row.built_at not in times:
                times[row.built_at] = convert(row.built_at) if convert else row.built_at

    def params(row: Row) -> dict[str, Any]:
        at = times.get(row.built_at)
        return (row.insert_params(named[row.screen_id], as_text, at) if row.old is None
                else row.update_params(named[row.screen_id], as_text, at))

    inserts = [params(r) for r in rows if r.old is None]
    updates = [r for r in rows if r.old is not None]
    if inserts:
        conn.execute(insert_rows, inserts)
    if not updates:
        return rows
    if batched and conn.dialect.supports_sane_multi_rowcount:
        result = conn.execute(update_rows, [params(r) for r in updates])
        if result.rowcount != len(updates):
            raise LostRace(f"{len(updates) - result.rowcount} of {len(updates)} "
                           "timelines were stored by another process first")
        return rows
    won = {r.screen_id for r in updates if conn.execute(update_rows, params(r)).rowcount == 1}
    return [r for r in rows if r.old is None or r.screen_id in won]
