"""Urgent messages and the screens' receipts of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class Emergency(Base):
    """An urgent message that preempts everything on its target screens from
    ``starts_at`` to ``ends_at`` (or until cancelled). Never deleted: the audit log
    (a later issue) reads ``created_by``."""

    __tablename__ = "emergencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # {lang: {"title": …, "body": …}}; at least "vi" and "en".
    messages: Mapped[dict[str, Any]] = mapped_column(JSON)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"sites": [...], "screens": [...]}
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(),
                                                          nullable=True)

class EmergencyReceipt(Base):
    """A player's report that it displayed an emergency; the first report is kept."""

    __tablename__ = "emergency_receipts"

    emergency_id: Mapped[int] = mapped_column(ForeignKey("emergencies.id"), primary_key=True)
    screen_id: Mapped[str] = mapped_column(ForeignKey("screens.id"), primary_key=True)
    shown_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
