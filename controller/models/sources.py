"""Data sources (docs/sources.md): the feeds declared in ``config/sources.yaml`` and, per
source, the latest good snapshot with the status of the last attempts. One state row per
source, overwritten in place: nothing here grows with time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class DataSource(Base):
    """One declared source (``config/sources.yaml``; an import replaces the whole set).
    ``names`` maps a language code to the source's name; ``options`` holds the settings
    of its kind (e.g. ``records`` for JSON, ``window_days`` for iCalendar)."""

    __tablename__ = "data_sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # json|csv|rss|atom|ical|cap
    url: Mapped[str] = mapped_column(String(2000))
    every_s: Mapped[int] = mapped_column(Integer)
    timeout_s: Mapped[float] = mapped_column(Float)
    max_bytes: Mapped[int] = mapped_column(Integer)
    stale_after_s: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the file
    # "file": config/sources.yaml rules it (an import applies it); "panel": added or
    # changed in the panel or the API since, so an import leaves it alone (migration 0021).
    managed_in: Mapped[str] = mapped_column(String(8), default="file", server_default="file")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DataSourceState(Base):
    """The latest good snapshot of a source and how its last attempts went.

    ``status``: ``pending`` (never tried), ``ok`` (the last attempt succeeded, 200 or
    304), ``error`` (it failed; ``records`` still hold the last good data). ``checked_at``
    is the last success (a 304 counts: the data were confirmed current), ``fetched_at``
    the last time a body was downloaded and parsed. ``note`` is a sentence about the
    last success that is not an error (e.g. what a CAP feed's ingestion did)."""

    __tablename__ = "data_source_states"

    source_id: Mapped[str] = mapped_column(
        ForeignKey("data_sources.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    fetched_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    source_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # consecutive
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    etag: Mapped[str | None] = mapped_column(String(400), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    records: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)  # of records
