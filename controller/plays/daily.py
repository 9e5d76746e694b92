"""``play_daily``: the stored records summed per Huế day, kept in the transaction that
stores them, so a year's report reads thousands of rows rather than millions.

The day is the calendar day in Huế (Asia/Ho_Chi_Minh, UTC+7). A record that crosses
midnight has its seconds split across the days it covers, and its play counted once, on
the day it started: the sums of ``seconds`` are airtime per day, the sums of ``plays``
are plays started that day. Row ``language`` ``*`` holds the totals; each language of
the record gets a row too, with the whole play and airtime (a ``dual`` item shows both
at once). ``loss`` records are not plays and are not summed.

One ``INSERT … ON CONFLICT DO UPDATE`` per batch adds to the rows (SQLite and
PostgreSQL), with each row's key once (PostgreSQL refuses to update one row twice in
one statement) and in key order (two transactions touching the same rows take their
locks in the same order). ``site_id`` and ``agency_id`` are those of the first record
of the day's row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from controller.models import PlayDaily
from controller.plays.batch import JournalRecord

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
TOTAL = "*"
KEY = ("day", "screen_id", "playlist_id", "item_id", "kind", "language")


def day_parts(start: datetime, end: datetime) -> list[tuple[date, float]]:
    """The Huế days ``start``…``end`` covers, with the seconds on each (first: the start
    day, even for a record of zero seconds)."""
    local_start, local_end = start.astimezone(HUE), end.astimezone(HUE)
    parts: list[tuple[date, float]] = []
    day = local_start.date()
    moment = local_start
    while True:
        midnight = datetime.combine(day + timedelta(days=1), time(), HUE)
        upto = min(midnight, local_end)
        parts.append((day, max(0.0, (upto - moment).total_seconds())))
        if local_end <= midnight:
            return parts
        day, moment = day + timedelta(days=1), midnight


def daily_rows(records: Iterable[JournalRecord], screen_id: str, site_id: str | None,
               agencies: dict[str, str | None]) -> list[dict[str, Any]]:
    """The increments for ``play_daily``, one per key, in key order."""
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for record in records:
        if record.kind == "loss":
            continue
        playlist = record.get("playlist") or ""
        languages = [TOTAL, *dict.fromkeys(record.get("languages") or [])]
        for index, (day, seconds) in enumerate(day_parts(record.start, record.end)):
            for language in languages:
                key = (day, screen_id, playlist, record.get("item") or "", record.kind,
                       language)
                row = rows.get(key)
                if row is None:
                    row = rows[key] = {
                        **dict(zip(KEY, key, strict=True)), "site_id": site_id or "",
                        "agency_id": agencies.get(playlist) or "", "plays": 0,
                        "seconds": 0.0}
                row["plays"] += 1 if index == 0 else 0
                row["seconds"] += seconds
    return [rows[k] for k in sorted(rows)]


def add_to_daily(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add ``rows`` to ``play_daily`` in the session's transaction."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = PlayDaily.__table__
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in KEY],
        set_={"plays": table.c.plays + statement.excluded.plays,
              "seconds": table.c.seconds + statement.excluded.seconds})
    session.execute(statement, rows)
