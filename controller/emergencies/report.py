"""What ``GET /api/v1/emergencies/<id>`` answers: the emergency and, for every screen it
targets, ``shown`` (with the time the player reported), ``pending`` (online, not shown
yet), ``unreachable`` (offline: it will show the message when it reconnects, if the
message has not ended by then) or, once the emergency has ended or was cancelled,
``missed`` (no receipt: the screen never showed it — or showed it offline and has not
reported yet; a late receipt turns it into ``shown``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.emergencies.store import aware, targeted_screens
from controller.models import Emergency, EmergencyReceipt, ScreenStatus, User
from controller.players.presence import is_online


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return aware(moment).isoformat().replace("+00:00", "Z")


def state_of(emergency: Emergency, now: datetime) -> str:
    if emergency.cancelled_at is not None:
        return "cancelled"
    if aware(emergency.ends_at) <= now:
        return "ended"
    return "active" if aware(emergency.starts_at) <= now else "scheduled"


def describe(session: Session, emergency: Emergency, heartbeat_interval: float,
             now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    screens = targeted_screens(session, emergency)
    ids = [s.id for s in screens]
    receipts = {r.screen_id: r.shown_at for r in session.scalars(
        select(EmergencyReceipt).where(EmergencyReceipt.emergency_id == emergency.id))}
    seen = dict(session.execute(select(ScreenStatus.screen_id, ScreenStatus.last_seen)
                                .where(ScreenStatus.screen_id.in_(ids))).all())
    rows = []
    over = state_of(emergency, now) in ("cancelled", "ended")
    for screen in screens:
        if screen.id in receipts:
            status = "shown"
        elif over:
            status = "missed"
        elif is_online(seen.get(screen.id), heartbeat_interval, now):
            status = "pending"
        else:
            status = "unreachable"
        rows.append({"screen": screen.id, "site": screen.site_id, "status": status,
                     "shown_at": iso(receipts.get(screen.id))})
    creator = session.get(User, emergency.created_by) if emergency.created_by else None
    summary = {key: sum(1 for r in rows if r["status"] == key)
               for key in ("shown", "pending", "unreachable", "missed")}
    return {
        "id": emergency.id,
        "state": state_of(emergency, now),
        "messages": emergency.messages,
        "url": emergency.url,
        "targets": emergency.targets,
        "starts_at": iso(emergency.starts_at),
        "ends_at": iso(emergency.ends_at),
        "created_at": iso(emergency.created_at),
        "created_by": None if creator is None else {"id": creator.id,
                                                    "username": creator.username},
        "cancelled_at": iso(emergency.cancelled_at),
        "summary": summary,
        "screens": rows,
    }
