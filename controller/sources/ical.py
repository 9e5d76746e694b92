"""iCalendar (RFC 5545) into records, through ``icalendar`` (reading) and
``recurring-ical-events`` (occurrences): the events that overlap the window
``[now - 1 day, now + window_days]``, soonest first.

Times keep their own time zone (a ``TZID`` of the IANA database, or the calendar's
VTIMEZONE, as ``icalendar`` resolves it); floating times (no zone) are read in the
source's ``timezone`` option (default Asia/Ho_Chi_Minh); all-day events start at
midnight there. A repeating event (``RRULE`` hourly or slower, ``RDATE``) is expanded
within the window with its exceptions applied: an occurrence named by ``EXDATE``
(cancelled) is not shown, and one moved by a ``VEVENT`` with the same ``UID`` and a
``RECURRENCE-ID`` is shown at its new time with its own summary and place. Bounds: at
most ``MAX_EVENTS`` VEVENTs read and ``MAX_SCANNED_IN_ALL`` occurrences looked at in one
calendar; a rule repeating more often than hourly is read as its first occurrence
(a screen cannot show it anyway); an event without a usable ``DTSTART`` is left out.

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
MAX_SCANNED_IN_ALL = 100_000  # occurrences looked at in one calendar
SLOW_ENOUGH = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
SLACK = timedelta(days=1)  # floating times are ordered by the library in its own zone


def parse_ical(body: bytes, options: dict[str, Any], now: datetime) -> Snapshot:
    import recurring_ical_events
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
    _bound(calendar)
    found: list[tuple[datetime, Record]] = []
    total = 0
    try:
        occurrences = recurring_ical_events.of(calendar, components=["VEVENT"],
                                               skip_bad_series=True).after(low - SLACK)
        for event in itertools.islice(occurrences, MAX_SCANNED_IN_ALL):
            try:
                start, end, all_day = _times(event, zone)
            except (KeyError, TypeError, ValueError, OverflowError):
                continue  # an occurrence without usable times: left out
            if start > high + SLACK:
                break  # in order from here on: nothing later is in the window
            if end < low or start > high:
                continue
            total += 1
            found.append((start.astimezone(UTC), _record(event, start, end, all_day)))
            if len(found) > 2 * most:  # only the soonest can be kept: memory stays bounded
                found = heapq.nsmallest(most, found, key=lambda pair: pair[0])
    except Exception as exc:  # noqa: BLE001 - the library's errors on a broken series
        raise ParseFailed(refusal("the calendar's repeating events cannot be read "
                                  "(%(why)s)", why=str(exc)[:200])) from None
    found.sort(key=lambda pair: pair[0])
    snapshot = Snapshot([record for _start, record in found[:most]])
    if total > most:
        snapshot.note = left_out(most, total)
    return snapshot


def _bound(calendar: Any) -> None:
    """Keep the first ``MAX_EVENTS`` VEVENTs that have a ``DTSTART``; a rule repeating
    more often than hourly becomes its first occurrence."""
    kept, count = [], 0
    for component in calendar.subcomponents:
        if getattr(component, "name", "") == "VEVENT":
            if count >= MAX_EVENTS or "DTSTART" not in component:
                continue
            count += 1
            rule = component.get("RRULE")
            freq = str((rule.get("FREQ") or [""])[0]).upper() if rule is not None else ""
            if rule is not None and freq not in SLOW_ENOUGH:
                del component["RRULE"]
        kept.append(component)
    calendar.subcomponents[:] = kept


def _aware(value: date | datetime, zone: tzinfo) -> tuple[datetime, bool]:
    """(an aware datetime, whether it was a whole day)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=zone)), False
    return datetime.combine(value, time(0), zone), True


def _times(event: Any, zone: tzinfo) -> tuple[datetime, datetime, bool]:
    """One occurrence's (start, end, all day), aware."""
    start, all_day = _aware(event.decoded("DTSTART"), zone)
    if "DTEND" in event:
        end, _ = _aware(event.decoded("DTEND"), zone)
    elif "DURATION" in event:
        end = start + event.decoded("DURATION")
    else:
        end = start + (timedelta(days=1) if all_day else timedelta(0))
    return start, max(end, start), all_day


def _record(event: Any, start: datetime, end: datetime, all_day: bool) -> Record:
    def text(name: str) -> str:
        value = event.get(name)
        return text_value(str(value)) if value is not None else ""

    return {"uid": text("UID"), "summary": text("SUMMARY"), "location": text("LOCATION"),
            "description": text("DESCRIPTION"),
            "start": start.date().isoformat() if all_day else start.isoformat(),
            "end": end.date().isoformat() if all_day else end.isoformat(),
            "start_utc": start.astimezone(UTC).isoformat(), "all_day": int(all_day)}
