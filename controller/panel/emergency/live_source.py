"""The ``emergencies`` topic of the panel's live feed (``controller.panel.live``): the
delivery receipts of every emergency that is still to come or running, or that ended in
the last day, keyed by id, exactly as ``GET /api/v1/emergencies/<id>`` reports them
(``controller.emergencies.report.describe``: shown / pending / unreachable / missed).

The feed recomputes it every second, so the board of receipts fills in as screens
report, and a screen that stops sending heartbeats turns ``unreachable`` without any
event. Cheap: one query for the emergencies (at most ``LIMIT``), then the report's few
queries for each; usually there is none or one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from controller.api.emergencies import READERS  # as GET /api/v1/emergencies/<id>
from controller.emergencies.report import describe
from controller.emergencies.store import recent
from controller.panel.live import register_source
from controller.state import state

TOPIC, EVENT = "emergencies", "receipts"
RECENT = timedelta(days=1)
LIMIT = 20


def snapshot(session: Session, heartbeat_interval: float,
             now: datetime | None = None) -> dict[str, Any]:
    """``{"<id>": describe(...)}`` of the emergencies a board may be watching."""
    now = now or datetime.now(UTC)
    return {str(emergency.id): describe(session, emergency, heartbeat_interval, now)
            for emergency in recent(session, LIMIT, ended_since=now - RECENT)}


# The app's heartbeat interval decides whether a screen that has not shown the message
# yet is pending or unreachable (sources run in an application context).
register_source(TOPIC, EVENT, READERS,
                lambda session: snapshot(session, state().settings.heartbeat_interval))
