"""``GET /api/v1/screens``: every screen with its presence, versions and last facts
(admin and technician users), and ``software``: which player versions the fleet runs
(``mixed`` when more than one, controller/players/versions.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint
from sqlalchemy import select

from controller.api.user_auth import require_role
from controller.models import Screen, ScreenStatus, ScreenTimeline
from controller.players.presence import is_online
from controller.players.versions import fleet_software
from controller.state import db, state

screens_api = Blueprint("screens_api", __name__, url_prefix="/api/v1")

FACT_KEYS = ("uptime", "load", "memory", "disk", "cpu_temp", "software", "clock_offset",
             "last_error", "transport", "capture")


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def screen_summary(screen: Screen, row: ScreenStatus | None, version: int | None,
                   heartbeat_interval: float, now: datetime) -> dict[str, Any]:
    facts = (row.facts if row is not None else None) or {}
    return {
        "id": screen.id,
        "site": screen.site_id,
        "name": {"vi": screen.name_vi, "en": screen.name_en},
        "online": is_online(row.last_seen if row else None, heartbeat_interval, now),
        "connected": bool(row and row.connected),
        "last_seen": _iso(row.last_seen if row else None),
        "timeline_version": version,
        "acked_version": row.acked_version if row else None,
        "now_playing": facts.get("playing"),
        "facts": {key: facts.get(key) for key in FACT_KEYS},
        "missing_media": list(row.missing_media or []) if row else [],
    }


@screens_api.get("/screens")
@require_role("admin", "technician", "emergency")
def list_screens() -> Any:
    session = db()
    screens = session.scalars(select(Screen).order_by(Screen.site_id, Screen.id)).all()
    statuses = {row.screen_id: row for row in session.scalars(select(ScreenStatus))}
    versions = dict(session.execute(select(ScreenTimeline.screen_id,
                                           ScreenTimeline.version)).all())
    interval = state().settings.heartbeat_interval
    now = datetime.now(UTC)
    summaries = [screen_summary(s, statuses.get(s.id), versions.get(s.id), interval, now)
                 for s in screens]
    # Whether every player runs the same software (controller/players/versions.py).
    software = fleet_software(s["facts"]["software"] for s in summaries)
    return {"screens": summaries, "software": software}
