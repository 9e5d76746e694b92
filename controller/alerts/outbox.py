"""The notifications outbox: messages are queued in the transaction that opens or
clears an incident, and sent later, off the request path, by ``deliver_due`` (the
alerts delivery job). A process sends a row only after claiming it with an UPDATE that
one process alone can win; a failure is kept on the row (the Alerts page shows it) and
retried with exponential backoff until ``delivery.attempts`` is used up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from controller.alerts.channels import DeliveryError, send
from controller.alerts.rules import AlertsConfig
from controller.models import AlertNotification

log = logging.getLogger("pano.alerts")
BATCH = 20


def enqueue(session: Session, channels: list[str], kind: str, subject: str, body: str,
            payload: dict[str, Any], incident_id: int | None,
            now: datetime) -> list[AlertNotification]:
    rows = [AlertNotification(incident_id=incident_id, channel=name, kind=kind,
                              subject=subject[:400], body=body, payload=payload,
                              state="queued", attempts=0, next_attempt_at=now,
                              created_at=now) for name in channels]
    session.add_all(rows)
    session.flush()
    return rows


def claim_timeout(config: AlertsConfig) -> timedelta:
    """A claim older than this was left by a process that died while sending."""
    return timedelta(seconds=2 * config.timeout + 30)


def claim(session: Session, row_id: int, worker: str, config: AlertsConfig,
          now: datetime) -> bool:
    stale = now - claim_timeout(config)
    result = session.execute(
        update(AlertNotification)
        .where(AlertNotification.id == row_id, AlertNotification.state == "queued",
               or_(AlertNotification.claimed_by.is_(None),
                   AlertNotification.claimed_at < stale))
        .values(claimed_by=worker[:100], claimed_at=now)
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def backoff(config: AlertsConfig, attempts: int) -> float:
    return min(config.backoff * 2 ** max(attempts - 1, 0), config.backoff_max)


def deliver_due(sessions: sessionmaker[Session], config: AlertsConfig, worker: str,
                now_fn: Any) -> dict[str, int]:
    """Send what is due; returns ``{"sent": n, "failed": n}``."""
    counts = {"sent": 0, "failed": 0}
    with sessions() as session:
        due = session.scalars(select(AlertNotification.id).where(
            AlertNotification.state == "queued",
            AlertNotification.next_attempt_at <= now_fn())
            .order_by(AlertNotification.id).limit(BATCH)).all()
    for row_id in due:
        with sessions() as session:
            if not claim(session, row_id, worker, config, now_fn()):
                continue
            row = session.get(AlertNotification, row_id)
            assert row is not None
            key = "sent" if deliver(session, row, config, now_fn) else "failed"
            counts[key] += 1
    return counts


def deliver(session: Session, row: AlertNotification, config: AlertsConfig,
            now_fn: Any) -> bool:
    """Send one claimed row and record the outcome (commits)."""
    channel = config.channels.get(row.channel)
    error = None
    if channel is None:
        error = f"channel {row.channel!r} is no longer in the alerts configuration"
    else:
        try:
            send(channel, row.subject, row.body, row.payload or {}, config.timeout)
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # a channel must never stop the others
            log.exception("alert notification %s on %s", row.id, row.channel)
            error = f"{type(exc).__name__}: {exc}"[:500]
    now = now_fn()
    row.attempts += 1
    row.claimed_by, row.claimed_at = None, None
    if error is None:
        row.state, row.sent_at, row.last_error = "sent", now, None
        log.info("alert notification %s (%s) sent on %s", row.id, row.kind, row.channel)
    else:
        row.last_error = error[:1000]
        if row.attempts >= config.attempts or channel is None:
            row.state = "failed"
        else:
            row.next_attempt_at = now + timedelta(seconds=backoff(config, row.attempts))
        log.warning("alert notification %s on %s failed (attempt %d): %s", row.id,
                    row.channel, row.attempts, error)
    session.commit()
    return error is None
