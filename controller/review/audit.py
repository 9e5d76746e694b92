"""The append-only audit log: who did what, when, to what, with before/after.

``record`` adds an entry in the caller's transaction, so an action and its entry are
stored together or not at all. The table refuses UPDATE and DELETE (triggers in
migration 0004); nothing in Pano edits an entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from controller.models import AuditEntry, utcnow
from controller.review.actor import Actor

MAX_PAGE = 500


def record(session: Session, actor: Actor, action: str, object_type: str, object_id: Any,
           *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           note: str | None = None, agency_id: str | None = None) -> AuditEntry:
    """Add one entry (flushed, not committed). ``agency_id`` is the agency the object
    belongs to; by default the actor's."""
    entry = AuditEntry(at=utcnow(), actor_id=actor.user_id, actor=actor.name,
                       agency_id=agency_id if agency_id is not None else actor.agency_id,
                       action=action, object_type=object_type, object_id=str(object_id),
                       before=_jsonable(before), after=_jsonable(after), note=note)
    session.add(entry)
    session.flush()
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass
class AuditQuery:
    """Filters for reading the log; every field optional. ``agency`` matches entries
    about that agency's objects or made by its people."""

    agency: str | None = None
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 100

    def statement(self) -> Select[tuple[AuditEntry]]:
        stmt = select(AuditEntry)
        if self.agency is not None:
            stmt = stmt.where(AuditEntry.agency_id == self.agency)
        if self.actor is not None:
            stmt = stmt.where(AuditEntry.actor == self.actor)
        if self.action is not None:
            stmt = stmt.where(or_(AuditEntry.action == self.action,
                                  AuditEntry.action.startswith(self.action.rstrip(".") + ".")))
        if self.object_type is not None:
            stmt = stmt.where(AuditEntry.object_type == self.object_type)
        if self.object_id is not None:
            stmt = stmt.where(AuditEntry.object_id == self.object_id)
        # Times are stored in UTC (SQLite keeps no zone and compares text): compare in UTC.
        if self.since is not None:
            stmt = stmt.where(AuditEntry.at >= _utc(self.since))
        if self.until is not None:
            stmt = stmt.where(AuditEntry.at < _utc(self.until))
        if self.before_id is not None:
            stmt = stmt.where(AuditEntry.id < self.before_id)
        return stmt.order_by(AuditEntry.id.desc()).limit(max(1, min(self.limit, MAX_PAGE)))


def _utc(moment: datetime) -> datetime:
    """Naive means UTC; an aware time is converted to UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def entries(session: Session, query: AuditQuery) -> list[AuditEntry]:
    """Newest first; page with ``before_id`` = the last id of the previous page."""
    return list(session.execute(query.statement()).scalars())


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": _utc(entry.at).isoformat().replace("+00:00", "Z"),
            "actor": entry.actor, "actor_id": entry.actor_id, "agency": entry.agency_id,
            "action": entry.action,
            "object": {"type": entry.object_type, "id": entry.object_id},
            "before": entry.before, "after": entry.after, "note": entry.note}
