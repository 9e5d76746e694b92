"""Alerts (docs/alerts.md): incidents the rules opened, and the notifications waiting
to be sent, sent or given up on (the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from controller.db_types import UtcDateTime
from controller.models.base import Base, utcnow


class AlertIncident(Base):
    """One incident of one rule on one screen: ``pending`` while the condition has not
    yet held for the rule's ``for`` duration, ``open`` once it has (the notification is
    queued then), ``cleared`` once it has been false for ``clear_after``, ``dropped`` if
    it went away before it opened. ``open_key`` (``rule:screen``) is set while the
    incident is pending or open and unique, so two controller processes that evaluate at
    once open it once; it is NULL afterwards (NULLs never collide)."""

    __tablename__ = "alert_incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    open_key: Mapped[str | None] = mapped_column(String(140), nullable=True, unique=True)
    rule: Mapped[str] = mapped_column(String(40), index=True)
    screen_id: Mapped[str] = mapped_column(String(64), index=True)
    site_id: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)  # pending|open|cleared|dropped
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    since: Mapped[datetime] = mapped_column(UtcDateTime())  # the condition first held
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    false_since: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # More than flapping.max_per_hour openings in an hour: one notice, then silence.
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    acked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    acked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    ack_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AlertNotification(Base):
    """One message for one channel. A process sends it only after claiming it
    (``claimed_by``/``claimed_at`` set by an UPDATE that only one process can win);
    a claim older than the claim timeout is free again (the claimer died)."""

    __tablename__ = "alert_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("alert_incidents.id"),
                                                    nullable=True, index=True)
    channel: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # open|recovery|flapping|test
    subject: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), index=True)  # queued|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AlertRuleSetting(Base):
    """An administrator's change to one rule, made in the panel
    (``PUT /api/v1/alerts/rules/<rule>``): its fields win over config/alerts.yaml's for
    that rule (docs/alerts.md, "Changing a rule in the panel")."""

    __tablename__ = "alert_rule_settings"

    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
