"""Incidents and notifications as the API and the panel show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from controller.alerts.conditions import aware
from controller.alerts.messages import runbook
from controller.models import AlertIncident, AlertNotification

HISTORY = 100


def _when(value: datetime | None) -> str | None:
    value = aware(value)
    return value.isoformat() if value is not None else None


def notification(row: AlertNotification) -> dict[str, Any]:
    return {"id": row.id, "incident": row.incident_id, "channel": row.channel,
            "kind": row.kind, "state": row.state, "attempts": row.attempts,
            "last_error": row.last_error, "sent_at": _when(row.sent_at),
            "next_attempt_at": _when(row.next_attempt_at) if row.state == "queued" else None,
            "created_at": _when(row.created_at)}


def incident(row: AlertIncident, runbook_base: str,
             sent: list[AlertNotification]) -> dict[str, Any]:
    return {"id": row.id, "rule": row.rule, "screen": row.screen_id, "site": row.site_id,
            "severity": row.severity, "state": row.state, "detail": row.detail or {},
            "since": _when(row.since), "opened_at": _when(row.opened_at),
            "cleared_at": _when(row.cleared_at), "flapping": row.flapping,
            "runbook": runbook(row.rule, runbook_base),
            "acknowledged": None if row.acked_at is None else {
                "by": row.acked_by, "at": _when(row.acked_at), "note": row.ack_note},
            "notifications": [notification(n) for n in sent]}


def overview(session: Session, runbook_base: str) -> dict[str, Any]:
    """Open incidents (newest first), the last ``HISTORY`` cleared ones, and the
    notifications that failed or are waiting for a retry."""
    open_rows = session.scalars(select(AlertIncident).where(AlertIncident.state == "open")
                                .order_by(desc(AlertIncident.opened_at))).all()
    history = session.scalars(select(AlertIncident).where(AlertIncident.state == "cleared")
                              .order_by(desc(AlertIncident.cleared_at)).limit(HISTORY)).all()
    ids = [r.id for r in (*open_rows, *history)]
    by_incident: dict[int, list[AlertNotification]] = {}
    if ids:
        for n in session.scalars(select(AlertNotification).where(
                AlertNotification.incident_id.in_(ids)).order_by(AlertNotification.id)):
            by_incident.setdefault(n.incident_id or 0, []).append(n)
    problems = session.scalars(select(AlertNotification).where(
        AlertNotification.last_error.is_not(None), AlertNotification.state != "sent")
        .order_by(desc(AlertNotification.id)).limit(HISTORY)).all()
    return {"open": [incident(r, runbook_base, by_incident.get(r.id, [])) for r in open_rows],
            "history": [incident(r, runbook_base, by_incident.get(r.id, []))
                        for r in history],
            "delivery_problems": [notification(n) for n in problems]}
