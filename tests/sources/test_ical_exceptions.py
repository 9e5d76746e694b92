"""A repeating iCalendar event's exceptions, fetched from a real feed server and stored
like any snapshot: an occurrence cancelled by ``EXDATE`` is gone, one moved by a
``RECURRENCE-ID`` override shows at its new time with its own summary, the others keep
the rule's time (an override is the whole occurrence: what it does not say, it has
not); a rule repeating every minute stays one occurrence and a daily rule
running since 1970 costs only the window."""

from __future__ import annotations

from sources.conftest import T0  # 2026-12-06 10:00 in Huế
from sources.test_refresh import Clock, _state

from controller.sources.parsing import parse
from controller.sources.polling import refresh

FERRY = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Pano tests//Chân Mây ferry//VI\r
BEGIN:VEVENT\r
UID:ferry@port\r
SUMMARY:Phà Chân Mây – Sơn Trà\r
LOCATION:Bến phà Chân Mây\r
DTSTART;TZID=Asia/Ho_Chi_Minh:20261205T080000\r
DTEND;TZID=Asia/Ho_Chi_Minh:20261205T090000\r
RRULE:FREQ=DAILY;COUNT=10\r
EXDATE;TZID=Asia/Ho_Chi_Minh:20261207T080000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:ferry@port\r
RECURRENCE-ID;TZID=Asia/Ho_Chi_Minh:20261208T080000\r
SUMMARY:Phà Chân Mây – Sơn Trà (chậm do sóng lớn)\r
DTSTART;TZID=Asia/Ho_Chi_Minh:20261208T113000\r
DTEND;TZID=Asia/Ho_Chi_Minh:20261208T123000\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_cancelled_occurrence_is_gone_and_a_moved_one_is_at_its_new_time(db, feeds):
    feeds.set_file("/ferry.ics", FERRY.encode(), "text/calendar")
    db.declare({"id": "ferry", "kind": "ical", "url": feeds.url("/ferry.ics"),
                "window_days": 4})
    assert refresh(db.settings, db.sessions, "ferry", Clock())
    state = _state(db, "ferry")
    assert state.status == "ok", state.last_error
    shown = [(r["start"], r["summary"]) for r in state.records]
    # The window: from a day before now (6 December, 10:00) to four days after.
    assert shown == [
        ("2026-12-06T08:00:00+07:00", "Phà Chân Mây – Sơn Trà"),
        # 7 December: cancelled (EXDATE). 8 December: moved to 11:30 by its override.
        ("2026-12-08T11:30:00+07:00", "Phà Chân Mây – Sơn Trà (chậm do sóng lớn)"),
        ("2026-12-09T08:00:00+07:00", "Phà Chân Mây – Sơn Trà"),
        ("2026-12-10T08:00:00+07:00", "Phà Chân Mây – Sơn Trà"),
    ]
    moved = state.records[1]
    assert moved["end"] == "2026-12-08T12:30:00+07:00" and moved["uid"] == "ferry@port"
    assert moved["location"] == ""  # an override is the whole occurrence (RFC 5545)


def test_a_minutely_rule_is_one_occurrence_and_an_old_daily_rule_costs_the_window():
    calendar = FERRY.replace("RRULE:FREQ=DAILY;COUNT=10", "RRULE:FREQ=MINUTELY").replace(
        "20261205T080000", "20261206T120000").replace("20261205T090000", "20261206T130000")
    snap = parse("ical", calendar.encode(), {"window_days": 4}, T0)
    assert [r["start"] for r in snap.records][0] == "2026-12-06T12:00:00+07:00"
    assert "2026-12-06T12:01:00+07:00" not in [r["start"] for r in snap.records]
    since_1970 = FERRY.replace("20261205T080000", "19700101T080000").replace(
        "20261205T090000", "19700101T090000").replace(";COUNT=10", "")
    snap = parse("ical", since_1970.encode(), {"window_days": 3}, T0)
    assert [r["start"] for r in snap.records] == ["2026-12-06T08:00:00+07:00",
                                                 "2026-12-08T11:30:00+07:00",
                                                 "2026-12-09T08:00:00+07:00"]
