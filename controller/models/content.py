"""What is shown: agencies, playlists and their versions (the review states), schedules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class Agency(Base):
    """A contributing agency (config/agencies.yaml). Exactly one is the lead agency,
    whose approvers review every agency's playlists (docs/review.md)."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

class Playlist(Base):
    __tablename__ = "playlists"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    # The approved version on air; None until a version is approved.
    current_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"), nullable=True,
                                                  index=True)
    themes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

# Review states of a playlist version (docs/review.md).
DRAFT, IN_REVIEW, APPROVED, ARCHIVED = "draft", "in_review", "approved", "archived"

VERSION_STATES = (DRAFT, IN_REVIEW, APPROVED, ARCHIVED)

class PlaylistVersion(Base):
    """A snapshot of a playlist's items. A draft may be edited; from ``in_review`` on,
    ``items`` never change, and only an approved version can be on air."""

    __tablename__ = "playlist_versions"
    __table_args__ = (UniqueConstraint("playlist_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    playlist_id: Mapped[str] = mapped_column(ForeignKey("playlists.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # List of item dicts in the timeline's item format (see docs/protocol.md).
    items: Mapped[list[Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    # Who created the version and who changed its items last (None: the system/CLI).
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    edited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    edited_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                          nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                         nullable=True)
    # The last rejection's reason, shown to the editor until the next submission.
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(String(255), default="")  # file name, "api", …

class Schedule(Base):
    """A playlist on some screens at set days and hours (docs/scheduling.md). Read into
    ``controller.scheduling.Schedule`` for evaluation; ``slug`` is the operator's id
    (``config/schedules.yaml``), ``id`` the number the engine and its reasons use."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    playlist_id: Mapped[str] = mapped_column(ForeignKey("playlists.id"), index=True)
    # None: whatever version of the playlist is current.
    playlist_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # {"sites": [...], "screens": [...], "tags": [...]}
    targets: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_day: Mapped[date | None] = mapped_column(Date, nullable=True)  # inclusive
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)  # inclusive
    weekdays: Mapped[list[Any]] = mapped_column(JSON)  # 0 = Monday … 6 = Sunday
    windows: Mapped[list[Any]] = mapped_column(JSON)  # [["HH:MM", "HH:MM"], …]; [] = all day
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_seq: Mapped[int] = mapped_column(Integer)  # larger = more recent
    source: Mapped[str] = mapped_column(String(255), default="")  # file name or "api"
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
