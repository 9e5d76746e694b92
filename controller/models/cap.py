"""Official warnings (CAP 1.2, docs/cap.md): every alert a feed delivered, and the
emergency drafts the ones covering a site became."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class CapAlertSeen(Base):
    """One CAP alert message read from a feed, keyed by sender, identifier and sent
    (CAP's own identity of a message): a feed polled again finds it here and does
    nothing. ``draft_ids`` are the drafts it made or changed, so an Update or Cancel
    referencing it finds them."""

    __tablename__ = "cap_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(500), unique=True)  # sender,identifier,sent
    source_id: Mapped[str] = mapped_column(String(64))
    msg_type: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(1000))
    draft_ids: Mapped[list[Any]] = mapped_column(default=list)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class EmergencyDraft(Base):
    """An emergency prepared from a CAP alert, for the sites it covers: its texts per
    Pano language, what languages those sites' screens still miss, and what became of
    it (``waiting`` for a person, ``sent``, ``dismissed`` by a person, ``cancelled``
    by the feed). ``emergency_id`` is the emergency it was sent as;
    ``replaces`` the running ones an Update supersedes, cancelled when this is sent."""

    __tablename__ = "emergency_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(64))
    alert_key: Mapped[str] = mapped_column(String(500))  # the latest alert applied
    event: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    certainty: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    messages: Mapped[dict[str, Any]] = mapped_column()  # {lang: {"title", "body"}}
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    sites: Mapped[list[Any]] = mapped_column()
    missing: Mapped[list[Any]] = mapped_column()  # languages the screens need, not given
    status: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    emergency_id: Mapped[int | None] = mapped_column(ForeignKey("emergencies.id"),
                                                     nullable=True)
    replaces: Mapped[list[Any]] = mapped_column(default=list)  # emergency ids
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
