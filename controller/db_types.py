"""Column types shared by the models.

``UtcDateTime``: a ``DateTime(timezone=True)`` whose bound values are turned into UTC
before they reach the database. SQLite has no time zones: SQLAlchemy stores an aware
datetime's wall-clock time and drops the offset, so ``ends_at > '04:38+07:00'`` was
compared as ``ends_at > '04:38'`` against times stored in UTC (a preview asked for in
Huế time missed a running emergency). Every value stored or compared is UTC, on SQLite
and PostgreSQL alike. Values read back are unchanged (SQLite's are naive UTC; see
``controller.emergencies.store.aware``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value  # naive values are UTC already (what SQLite hands back)
