"""Writing schedules: create, replace and delete a validated schedule, each with its
audit entry (before/after), and the schedule as the file's entry format. The file import
(``schedules_import``) and the API (``controller/api/schedules.py``) both write through
here; neither commits nor bumps the change counter (their callers do)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from controller.models import Playlist, Schedule, utcnow
from controller.review.actor import Actor
from controller.review.audit import record

if TYPE_CHECKING:
    from controller.content.schedules_import import ParsedSchedule

TARGET_KINDS = ("sites", "screens", "tags")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def differs(schedule: Schedule, values: dict[str, Any]) -> bool:
    return any(getattr(schedule, k) != v for k, v in values.items() if k != "source")


def entry_values(schedule: Schedule) -> dict[str, Any]:
    """A stored schedule's values as ``ParsedSchedule.values``."""
    return {"playlist_id": schedule.playlist_id, "playlist_version": schedule.playlist_version,
            "targets": schedule.targets, "first_day": schedule.first_day,
            "last_day": schedule.last_day, "weekdays": schedule.weekdays,
            "windows": schedule.windows, "priority": schedule.priority,
            "source": schedule.source}


def as_entry(schedule: Schedule) -> dict[str, Any]:
    """The schedule in the entry format of ``config/schedules.yaml`` as JSON — what
    ``POST``/``PUT /api/v1/schedules`` accept back — plus its ``source``. Keys the file
    would leave out are left out: ``version`` when not pinned, empty target kinds,
    open ``days`` ends, ``windows`` when all day."""
    targets = schedule.targets or {}
    out: dict[str, Any] = {"id": schedule.slug, "playlist": schedule.playlist_id}
    if schedule.playlist_version is not None:
        out["version"] = schedule.playlist_version
    out["targets"] = {kind: list(targets[kind]) for kind in TARGET_KINDS if targets.get(kind)}
    days = {"from": schedule.first_day, "until": schedule.last_day}
    if any(days.values()):
        out["days"] = {k: v.isoformat() for k, v in days.items() if v is not None}
    out["weekdays"] = [WEEKDAY_NAMES[d] for d in schedule.weekdays or []]
    if schedule.windows:
        out["windows"] = [f"{start}-{end}" for start, end in schedule.windows]
    out["priority"] = schedule.priority
    out["source"] = schedule.source
    return out


def _agency_of(session: Session, playlist_id: str) -> str | None:
    return session.scalar(select(Playlist.agency_id).where(Playlist.id == playlist_id))


def create_schedule(session: Session, actor: Actor, row: ParsedSchedule) -> Schedule:
    """Store a validated new schedule (the most recent: next creation number) and audit
    it. Flushed, not committed; the caller bumps the change counter."""
    seq = (session.scalar(select(func.max(Schedule.created_seq))) or 0) + 1
    now = utcnow()
    schedule = Schedule(slug=row.slug, created_seq=seq, created_at=now, updated_at=now,
                        created_by=actor.user_id, **row.values)
    session.add(schedule)
    session.flush()
    record(session, actor, "schedule.create", "schedule", row.slug, after=as_entry(schedule),
           agency_id=_agency_of(session, schedule.playlist_id))
    return schedule


def update_schedule(session: Session, actor: Actor, schedule: Schedule,
                    row: ParsedSchedule) -> bool:
    """Replace ``schedule``'s values with ``row``'s (it keeps its number and creation
    order) and audit it with before/after. Returns whether anything changed (an
    unchanged schedule is left alone, unaudited). The caller bumps the counter."""
    if not differs(schedule, row.values):
        return False
    before = as_entry(schedule)
    old_agency = _agency_of(session, schedule.playlist_id)
    for key, value in row.values.items():
        setattr(schedule, key, value)
    schedule.updated_at = utcnow()
    session.flush()
    agency = _agency_of(session, schedule.playlist_id)
    record(session, actor, "schedule.update", "schedule", schedule.slug, before=before,
           after=as_entry(schedule), agency_id=agency if agency is not None else old_agency)
    return True


def delete_schedule(session: Session, actor: Actor, schedule: Schedule) -> None:
    """Delete ``schedule`` and audit it (before). The caller bumps the counter."""
    before = as_entry(schedule)
    agency = _agency_of(session, schedule.playlist_id)
    session.delete(schedule)
    session.flush()
    record(session, actor, "schedule.delete", "schedule", before["id"], before=before,
           agency_id=agency)
