"""``GET /api/v1/audit``: the append-only audit log, newest first (roles admin,
approver, viewer). Approvers of an agency other than the lead one see only their
agency's entries. Filters: agency, actor, action (a prefix: ``playlist`` matches
``playlist.approve``), object_type, object_id, since and until (ISO 8601 with a time
zone; since inclusive, until exclusive), before_id (paging) and limit (1..500, default
100). The answer is ``{"entries": […], "next_before_id": N | null}``: pass N as
``before_id`` for the next page. A bad value is a 400 naming the parameter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, request

from controller.api.errors import ApiError
from controller.api.user_auth import current_actor, require_role
from controller.models import AuditEntry
from controller.refusals import refusal
from controller.reports.filters import (
    ReportRefused,
    parse_time,
    unknown_parameter,
    whole_refusal,
)
from controller.review.audit import MAX_PAGE, AuditQuery, as_dict
from controller.state import db

audit_api = Blueprint("audit_api", __name__, url_prefix="/api/v1")

READERS = ("admin", "approver", "viewer")
TEXT_FILTERS = ("agency", "actor", "action", "object_type", "object_id")
FILTERS = (*TEXT_FILTERS, "since", "until", "before_id", "limit")
DEFAULT_LIMIT = 100


def _time(name: str, raw: str) -> datetime:
    """An ISO 8601 time with its zone, in UTC (SQLite stores the times as UTC text
    without a zone and compares text)."""
    try:
        return parse_time(name, raw)
    except ReportRefused as exc:
        raise ApiError(400, str(exc)) from None


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    """``review.audit.as_dict`` with ``at`` always in UTC with its zone (SQLite gives
    the stored time back without one)."""
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    return {**as_dict(entry), "at": at.astimezone(UTC).isoformat().replace("+00:00", "Z")}


def _whole(name: str, raw: str, low: int, high: int) -> int:
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, whole_refusal(name, raw, low, high))
    return int(raw)


def parse_query(args: Any) -> AuditQuery:
    unknown = sorted(set(args) - set(FILTERS))
    if unknown:
        raise ApiError(400, unknown_parameter(unknown[0], FILTERS))
    query = AuditQuery(limit=DEFAULT_LIMIT)
    for name in TEXT_FILTERS:
        value = args.get(name)
        if value is not None:
            if not value.strip() or len(value) > 100:
                raise ApiError(400, refusal("%(name)r must be 1 to 100 characters.",
                                            name=name))
            setattr(query, name, value.strip())
    for name in ("since", "until"):
        if args.get(name) is not None:
            setattr(query, name, _time(name, args[name]))
    if query.since and query.until and query.since >= query.until:
        raise ApiError(400, refusal("'since' must be before 'until'."))
    if args.get("before_id") is not None:
        query.before_id = _whole("before_id", args["before_id"], 1, 2**62)
    if args.get("limit") is not None:
        query.limit = _whole("limit", args["limit"], 1, MAX_PAGE)
    return query


@audit_api.get("/audit")
@require_role(*READERS)
def read_audit() -> Any:
    query = parse_query(request.args)
    actor = current_actor()
    stmt = query.statement()
    if actor.role == "approver" and not actor.lead_agency:
        if query.agency is not None and query.agency != actor.agency_id:
            own = refusal("agency %(agency)r", agency=actor.agency_id) if actor.agency_id \
                else refusal("no agency")
            raise ApiError(403, refusal("%(person)s reads only the entries of %(own)s "
                                        "(approvers of the lead agency read every "
                                        "agency's).", person=actor.name, own=own))
        stmt = stmt.where(AuditEntry.agency_id == actor.agency_id if actor.agency_id
                          else AuditEntry.agency_id.is_(None))
    rows = list(db().execute(stmt).scalars())
    more = len(rows) == query.limit
    return {"entries": [entry_dict(e) for e in rows],
            "next_before_id": rows[-1].id if rows and more else None}
