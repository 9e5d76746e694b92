"""Alert incidents written straight into the database, as the alert rules would have
opened them, for tests of what shows and acknowledges them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def open_incident(sessions: Any, screen: str = "a-dot-entry-hall",
                  site: str = "a-dot-border-gate", state: str = "open",
                  failed_delivery: str | None = None) -> int:
    """An incident of ``screen_offline`` (``open`` or ``cleared``), with one webhook
    message still to retry after ``failed_delivery`` when given; returns its id."""
    from controller.models import AlertIncident, AlertNotification

    now = datetime.now(UTC)
    with sessions() as session:
        row = AlertIncident(rule="screen_offline", screen_id=screen, site_id=site,
                            severity="critical", state=state,
                            detail={"last_seen": now.isoformat()}, since=now, opened_at=now,
                            cleared_at=now if state == "cleared" else None, flapping=False,
                            open_key=None if state == "cleared" else f"screen_offline:{screen}")
        session.add(row)
        session.flush()
        if failed_delivery is not None:
            session.add(AlertNotification(incident_id=row.id, channel="ops-hook", kind="open",
                                          subject="s", body="b", payload={}, state="queued",
                                          attempts=2, next_attempt_at=now,
                                          last_error=failed_delivery))
        session.commit()
        return row.id
