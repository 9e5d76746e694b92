"""What each screen holds and says: its stored timeline, the files it may fetch, its
status and the commands sent to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class ScreenTimeline(Base):
    """The last timeline built for a screen. ``version`` grows by one whenever the
    timeline's content hash changes, so a push happens only when something changed."""

    __tablename__ = "screen_timelines"

    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

class ScreenMedia(Base):
    """A file a screen's timelines name: the screen may fetch it with its credential
    while ``dropped_at`` is NULL (the current timeline names it) or recent
    (``controller.timeline.media_access``)."""

    __tablename__ = "screen_media"

    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    dropped_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

class ScreenMediaDigest(Base):
    """The SHA-256 of the sorted file names a screen's current timeline names: a rebuild
    that leaves them as they were (the daily roll of the window) skips its rows."""

    __tablename__ = "screen_media_digests"

    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))

class ScreenStatus(Base):
    """Latest facts a player reported (one row per screen, overwritten)."""

    __tablename__ = "screen_status"

    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    acked_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    missing_media: Mapped[list[Any]] = mapped_column(JSON, default=list)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The Socket.IO session of the latest connect: only its disconnect (in whichever
    # process) marks the screen disconnected (controller/players/status.py).
    connection: Mapped[str | None] = mapped_column(String(64), nullable=True)

class ScreenCommand(Base):
    """A remote command sent to a player (docs/protocol.md, ``command``): ``sent`` until
    the player answers (``command_result`` or, for a screenshot, the upload), then
    ``done`` or ``failed``, never changed again. ``result`` holds the player's extra
    fields (counts, the screenshot's size and file)."""

    __tablename__ = "screen_commands"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # a UUID
    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), index=True)
    command: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="sent")  # sent|done|failed
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(100))  # username
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                         nullable=True)
