"""iCalendar (RFC 5545) into records, through the ``icalendar`` library: the events that
overlap the window ``[now - 1 day, now + window_days]``, soonest first.

Times keep their own time zone (a ``TZID`` of the IANA database, or the calendar's
VTIMEZONE, as ``icalendar`` resolves it); floating times (no zone) are read in the
source's ``timezone`` option (default Asia/Ho_Chi_Minh); all-day events start at
midnight there. A repeating event (``RRULE``, hourly or slower) is expanded within the
window, at most ``MAX_SCANNED`` occurrences of one event and ``MAX_SCANNED_IN_ALL`` of
the calendar looked at; ``EXDATE`` and moved occurrences
(``RECURRENCE-ID``) are not applied (docs/sources.md says so).

Each record: ``uid, summary, location, description, start, end`` (ISO 8601 with the
event's offset), ``start_utc`` (for sorting and comparing) and ``all_day`` (1 or 0)."""

from __future__ import annotations

import heapq
import itertools
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from controller.refusals import refusal
from controller.sources.records import (
    DEFAULT_RECORDS,
    ParseFailed,
    Record,
    Snapshot,
    left_out,
    text_value,
)

DEFAULT_WINDOW_DAYS = 14
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
MAX_EVENTS = 5000  # VEVENTs looked at in one calendar
MAX_SCANNED = 20_000  # occurrences of one repeating event looked at (daily since 1970)
MAX_SCANNED_IN_ALL = 100_000  # occurrences looked at in one calendar
SLOW_ENOUGH = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def parse_ical(body: bytes, options: dict[str, Any], now: datetime) -> Snapshot:
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(body.removeprefix(b"\xef\xbb\xbf"))
    except Exception as exc:  # icalendar raises ValueError, and others on odd input
        raise ParseFailed(refusal("the calendar cannot be read as iCalendar (%(why)s)",
                                  why=str(exc)[:200])) from None
    if getattr(calendar, "name", "") != "VCALENDAR":
        raise ParseFailed(refusal("the document is not an iCalendar VCALENDAR"))
    zone = ZoneInfo(str(options.get("timezone") or DEFAULT_TIMEZONE))
    low = now - timedelta(days=1)
    high = now + timedelta(days=int(options.get("window_days") or DEFAULT_WINDOW_DAYS))
    most = int(options.get("max_records") or DEFAULT_RECORDS)
    found: list[tuple[datetime, Record]] = []
    total = 0
    budget = [MAX_SCANNED_IN_ALL]
    for event in itertools.islice(calendar.walk("VEVENT"), MAX_EVENTS):
        try:
            occurrences = _occurrences(event, zone, low, high, budget)
        except (KeyError, TypeError, ValueError, OverflowError):
            continue  # an event without a usable DTSTART: left out
        total += len(occurrences)
        found.extend(occurrences)
        if len(found) > 2 * most:  # only the soonest can be kept: memory stays bounded
            found = heapq.nsmallest(most, found, key=lambda pair: pair[0])
    found.sort(key=lambda pair: pair[0])
    snapshot = Snapshot([record for _start, record in found[:most]])
    if total > most:
        snapshot.note = left_out(most, total)
    return snapshot


def _aware(value: date | datetime, zone: tzinfo) -> tuple[datetime, bool]:
    """(an aware datetime, whether it was a whole day)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=zone)), False
    return datetime.combine(value, time(0), zone), True


def _occurrences(event: Any, zone: tzinfo, low: datetime, high: datetime,
                 budget: list[int]) -> list[tuple[datetime, Record]]:
    start, all_day = _aware(event.decoded("DTSTART"), zone)
    if "DTEND" in event:
        end, _ = _aware(event.decoded("DTEND"), zone)
    elif "DURATION" in event:
        end = start + event.decoded("DURATION")
    else:
        end = start + (timedelta(days=1) if all_day else timedelta(0))
    length = max(end - start, timedelta(0))
    starts = _starts(event, start, low - length, high, budget)
    return [(s.astimezone(UTC), _record(event, s, s + length, all_day)) for s in starts
            if s + length >= low and s <= high]


def _starts(event: Any, start: datetime, low: datetime, high: datetime,
            budget: list[int]) -> list[datetime]:
    """The starts of ``event`` between ``low`` and ``high``; ``budget[0]``: occurrences
    the whole calendar may still look at (spent here)."""
    rule = event.get("RRULE")
    if rule is None:
        return [start]
    freq = (rule.get("FREQ") or [""])[0]
    if str(freq).upper() not in SLOW_ENOUGH:
        return [start]  # secondly/minutely repetitions make no sense on a screen
    from dateutil.rrule import rrulestr

    try:
        recurrence = rrulestr(rule.to_ical().decode("ascii"), dtstart=start)
    except (ValueError, TypeError):
        return [start]
    out = []
    for occurrence in itertools.islice(recurrence, min(MAX_SCANNED, max(budget[0], 0))):
        budget[0] -= 1
        if occurrence > high:
            break
        if occurrence >= low:
            out.append(occurrence)
    return out


def _record(event: Any, start: datetime, end: datetime, all_day: bool) -> Record:
    def text(name: str) -> str:
        value = event.get(name)
        return text_value(str(value)) if value is not None else ""

    return {"uid": text("UID"), "summary": text("SUMMARY"), "location": text("LOCATION"),
            "description": text("DESCRIPTION"),
            "start": start.date().isoformat() if all_day else start.isoformat(),
            "end": end.date().isoformat() if all_day else end.isoformat(),
            "start_utc": start.astimezone(UTC).isoformat(), "all_day": int(all_day)}
