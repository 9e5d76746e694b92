"""``INSERT … ON CONFLICT`` for the two databases Pano runs on (SQLite and PostgreSQL):
SQLAlchemy has it only in each dialect's own ``insert``. ``upsert_insert(session)`` is
the ``insert`` of the session's database, for rows another controller process may add
at the same moment (``.on_conflict_do_nothing()``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def upsert_insert(session: Session) -> Any:
    """The dialect's ``insert`` construct (with ``on_conflict_do_nothing``) for ``session``."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
