"""Proof of play (docs/reports.md, docs/protocol.md section 5 ``journal``): what every
screen really showed, as its player's journal recorded it, and when each screen was
reachable.

- ``play_journals``: one row per (screen, journal id): how far the controller has stored
  it and the hash of the last record, so the next batch's chain can be checked.
- ``play_records``: one row per journal record, stored once (unique per journal and
  ``seq``). Append-only: database triggers refuse UPDATE and DELETE, as for the audit log;
  nobody, not an admin, edits what a screen showed.
- ``play_findings``: what the chain check noticed (gap, break, conflict, new journal,
  declared loss, refused record). Append-only as well.
- ``play_daily``: the records summed per Huế day, screen, playlist, item, kind and
  language, kept in the same transaction as the records, so a year's report reads
  thousands of rows, not millions. Derived: it can be rebuilt from ``play_records``.
  ``language`` ``*`` holds the item's totals; a record shown in two languages at once
  (``dual``) adds its airtime to each of them, so per-language airtime is "time this
  language was on screen" and does not add up to the total.
- ``screen_presence``: each screen's online intervals (``until`` null while it is).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow

# The message the append-only triggers raise (migration 0009).
PLAYS_APPEND_ONLY = "play records and findings are append-only"


class PlayJournal(Base):
    __tablename__ = "play_journals"
    __table_args__ = (UniqueConstraint("screen_id", "journal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), index=True)
    journal: Mapped[str] = mapped_column(String(36))  # the player's UUID
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Highest seq stored (0: none yet) and the hash of that record.
    stored_through: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class PlayRecord(Base):
    __tablename__ = "play_records"
    __table_args__ = (
        UniqueConstraint("journal_id", "seq"),
        Index("ix_play_records_screen_start", "screen_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("play_journals.id"))
    screen_id: Mapped[str] = mapped_column(String(64))
    # The screen's site and the playlist's agency when the record was stored.
    site_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    agency_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # item|emergency|identify|idle|loss
    start_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime())
    seconds: Mapped[float] = mapped_column(Float)
    ended: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))  # kiosk|headless
    playlist_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    item_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    media: Mapped[list[Any]] = mapped_column(JSON, default=list)
    emergency_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timeline_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The record as the player sent it (its hash is over this), e.g. a loss's range.
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PlayFinding(Base):
    __tablename__ = "play_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    screen_id: Mapped[str] = mapped_column(String(64), index=True)
    journal: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # gap | break | conflict | new_journal | declared_loss | refused
    kind: Mapped[str] = mapped_column(String(16), index=True)
    seq_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seq_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The time the finding concerns (the records' start), when known.
    about_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    detail: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class PlayDaily(Base):
    __tablename__ = "play_daily"
    __table_args__ = (
        UniqueConstraint("day", "screen_id", "playlist_id", "item_id", "kind",
                         "language"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)  # in Huế time
    screen_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(String(64), default="")
    agency_id: Mapped[str] = mapped_column(String(64), default="")
    # "" where the record has none (emergency, identify, idle).
    playlist_id: Mapped[str] = mapped_column(String(64), default="")
    item_id: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))  # a code, or "*" for the totals
    plays: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class ScreenPresence(Base):
    __tablename__ = "screen_presence"
    __table_args__ = (Index("ix_screen_presence_screen_since", "screen_id", "since"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"))
    since: Mapped[datetime] = mapped_column(UtcDateTime())
    until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    via: Mapped[str] = mapped_column(String(16))  # websocket | http
