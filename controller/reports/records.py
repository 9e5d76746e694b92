"""Single play records of one screen over a time range: ``GET /api/v1/plays`` and the
panel's Replay. A record is in the range when it was on screen during it (starts before
``to``, ends after ``from``); records are at most 24 h long (docs/protocol.md), which
lets the index on (screen, start) bound the search. Paged by an opaque cursor (the last
record's start and id), oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from controller.models import PlayJournal, PlayRecord, Screen
from controller.refusals import refusal
from controller.reports.filters import (
    ReportRefused,
    as_utc,
    check_known,
    parse_time,
    text_filter,
    utc_text,
    whole,
)

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
LONGEST = timedelta(hours=24)  # a record's longest span (docs/protocol.md section 5)
MAX_RANGE = timedelta(days=400)
PARAMS = ("screen", "from", "to", "cursor", "limit")


@dataclass
class RecordsQuery:
    screen: str
    start: datetime
    end: datetime
    limit: int = DEFAULT_LIMIT
    after: tuple[datetime, int] | None = None
    agency: str | None = None  # set for agency-scoped readers


def parse_records_query(args: Any) -> RecordsQuery:
    check_known(args, PARAMS)
    for name in ("screen", "from", "to"):
        if not args.get(name):
            raise ReportRefused(refusal("%(name)r is required: GET /api/v1/plays?screen=ID&"
                                        "from=2026-11-27T00:00:00%%2B07:00&to=2026-11-28T"
                                        "00:00:00%%2B07:00.", name=name))
    query = RecordsQuery(text_filter("screen", args["screen"]),
                         parse_time("from", args["from"]), parse_time("to", args["to"]))
    if query.start >= query.end:
        raise ReportRefused(refusal("'from' must be before 'to'."))
    if query.end - query.start > MAX_RANGE:
        raise ReportRefused(refusal("The range is longer than %(most)d days; ask for a "
                                    "shorter one and page through it.",
                                    most=MAX_RANGE.days))
    if args.get("limit") is not None:
        query.limit = whole("limit", args["limit"], 1, MAX_LIMIT)
    if args.get("cursor"):
        query.after = decode_cursor(args["cursor"])
    return query


def encode_cursor(start: datetime, record_id: int) -> str:
    return f"{as_utc(start).strftime('%Y%m%dT%H%M%S%f')}.{record_id}"


def decode_cursor(raw: str) -> tuple[datetime, int]:
    try:
        stamp, _, record_id = raw.partition(".")
        moment = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f")
        return as_utc(moment), int(record_id)
    except ValueError:
        raise ReportRefused(refusal("'cursor' %(raw)r is not one this API gave; pass "
                                    "next_cursor from the previous page as it is.",
                                    raw=raw[:40])) from None


def record_dict(record: PlayRecord, journal: str) -> dict[str, Any]:
    return {"seq": record.seq, "journal": journal, "kind": record.kind,
            "start": utc_text(record.start_at), "end": utc_text(record.end_at),
            "seconds": record.seconds, "ended": record.ended, "source": record.source,
            "playlist": record.playlist_id, "version": record.version,
            "item": record.item_id, "languages": list(record.languages or []),
            "media": list(record.media or []), "emergency": record.emergency_id,
            "timeline_version": record.timeline_version, "site": record.site_id,
            "agency": record.agency_id}


def read_records(session: Session, query: RecordsQuery) -> dict[str, Any]:
    """``{"screen", "from", "to", "records": […], "next_cursor": str | null}``; a
    LookupError when the screen does not exist."""
    if session.get(Screen, query.screen) is None:
        raise LookupError(refusal("No screen %(screen)r.", screen=query.screen))
    stmt = (select(PlayRecord, PlayJournal.journal)
            .join(PlayJournal, PlayJournal.id == PlayRecord.journal_id)
            .where(PlayRecord.screen_id == query.screen,
                   PlayRecord.start_at < query.end,
                   PlayRecord.start_at > query.start - LONGEST,
                   PlayRecord.end_at > query.start))
    if query.agency is not None:
        stmt = stmt.where(PlayRecord.agency_id == query.agency)
    if query.after is not None:
        at, record_id = query.after
        stmt = stmt.where(or_(PlayRecord.start_at > at,
                              and_(PlayRecord.start_at == at, PlayRecord.id > record_id)))
    stmt = stmt.order_by(PlayRecord.start_at, PlayRecord.id).limit(query.limit + 1)
    found = session.execute(stmt).all()
    page = found[:query.limit]
    more = len(found) > query.limit
    return {"screen": query.screen, "from": utc_text(query.start), "to": utc_text(query.end),
            "records": [record_dict(r, j) for r, j in page],
            "next_cursor": encode_cursor(page[-1][0].start_at, page[-1][0].id)
            if more else None}
