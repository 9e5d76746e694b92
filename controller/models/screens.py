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
    # The files the screen may fetch (``controller.timeline.media_access``): the set
    # ``body`` names, and the one the timeline before named until ``media_before_until``.
    media_set: Mapped[str | None] = mapped_column(String(64), nullable=True)
    media_before: Mapped[str | None] = mapped_column(String(64), nullable=True)
    media_before_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

class MediaSet(Base):
    """A set of stored files, named by the SHA-256 of ``files`` (their SHA-256s, sorted,
    joined by spaces): what timelines name in ``media``, stored once however many
    screens name it (``controller.timeline.media_access``). ``used_at``: when a rebuild
    last stored a timeline naming it; a set no timeline names is swept a day later."""

    __tablename__ = "media_sets"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    files: Mapped[str] = mapped_column(Text)
    used_at: Mapped[datetime] = mapped_column(UtcDateTime())

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
    # The connection of the latest connect, ``<process token>:<Socket.IO session>``:
    # only its disconnect (in whichever process) marks the screen disconnected
    # (controller/players/status.py), or the sweep of a process found dead
    # (controller/players/process_liveness.py).
    connection: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ControllerProcess(Base):
    """A serving controller process while it lives: its ``token`` begins the connection
    names it writes in ``screen_status.connection``; ``seen_at`` is refreshed every few
    seconds, and a process not seen for a minute is dead: the elected process marks its
    screens disconnected (controller/players/process_liveness.py)."""

    __tablename__ = "controller_processes"

    token: Mapped[str] = mapped_column(String(16), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

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
