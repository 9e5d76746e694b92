"""Bookkeeping: the audit log, the change counter and the job records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class AuditEntry(Base):
    """One line of the append-only audit log (docs/review.md). Database triggers refuse
    UPDATE and DELETE on this table, on SQLite and PostgreSQL alike."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                 index=True)
    actor: Mapped[str] = mapped_column(String(100))  # username, or "system" / "cli:…"
    # The agency the entry concerns (the object's owner, else the actor's agency).
    agency_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. playlist.approve
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

class ChangeCounter(Base):
    """One row. Every write that may change a timeline bumps ``value`` in the same
    transaction; the scheduler process watches it and rebuilds timelines. This works
    across processes (CLI imports, several web workers) with no message bus."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ChangeLogEntry(Base):
    """One scope a committed change touched (``controller.changes.bump``): ``kind`` and
    ``key`` of a :class:`controller.changes.Scope`. The watcher reads the entries after
    the last id it saw; ids grow in commit order (the counter row above is locked from
    the bump to the commit). Pruned to a day / 100 000 rows by the watcher."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)

class Job(Base):
    """CPU-heavy work done by the job worker for a person (controller/jobs/): an import
    or an upload's checks. ``status`` goes queued → running → done or failed, never back;
    ``progress_*`` say how far it is; ``result`` is the body the synchronous API would
    have answered (with ``result_status``), ``error_status``/``error_message`` its
    refusal, in the same sentences (English), and ``error_refusal`` that refusal's
    template and parameters (``Refusal.as_json``), to say it in the reader's language.
    ``worker`` names the process running it (host:pid), ``heartbeat_at`` when it last
    said it was alive."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                   index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(100), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    result_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_refusal: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
