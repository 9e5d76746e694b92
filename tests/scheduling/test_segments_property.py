"""Schedules → timeline segments (controller/scheduling/segments.py).

The property: for random schedules and instants, the player's ``resolve`` over a
timeline built from ``build_segments`` plays what ``evaluate`` picks from the schedules
directly — across midnight, weekday boundaries, date-range ends and DST changes.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from controller.scheduling import (
    Schedule,
    ScreenRef,
    Targets,
    Window,
    build_segments,
    evaluate,
)
from player.timeline import parse_time, parse_timeline, resolve

FRIDAY = date(2026, 11, 27)
SITE = Targets(sites=frozenset({"phu-bai"}))


def local_window(day: date, zone: str, days: int = 3) -> tuple[datetime, datetime]:
    """Like the builder's window: local start of ``day`` to ``days`` later."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=days), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def body_for(screen: ScreenRef, segments: list[dict[str, Any]], start: datetime,
             end: datetime) -> dict[str, Any]:
    """A minimal protocol timeline around the segments: one text item per playlist."""
    keys = sorted({seg["playlist"] for seg in segments if seg["playlist"] is not None})
    playlists = {
        key: {"id": key.split("@")[0], "version": 1, "title": {"en": key},
              "items": [{"id": "only", "type": "text", "duration": 7.0,
                         "variants": {"en": {"title": key, "body": "", "media": None,
                                             "url": None}}}]}
        for key in keys
    }
    return parse_timeline({
        "schema": 1, "screen": screen.id, "version": 1,
        "generated_at": segments[0]["from"], "valid_from": segments[0]["from"],
        "valid_until": segments[-1]["until"], "timezone": screen.timezone,
        "heartbeat_interval": 15,
        "display": {"languages": ["en"], "bilingual_mode": "dual"},
        "segments": segments, "playlists": playlists, "media": {},
    })


def check_shape(segments: list[dict[str, Any]], start: datetime, end: datetime) -> None:
    assert parse_time(segments[0]["from"]) == start.timestamp()
    assert parse_time(segments[-1]["until"]) == end.timestamp()
    for before, after in zip(segments, segments[1:], strict=False):
        assert before["until"] == after["from"]  # contiguous: no gaps, no overlaps
        assert (before["playlist"], before["reason"]) != (after["playlist"], after["reason"])
    for seg in segments:
        assert parse_time(seg["from"]) < parse_time(seg["until"])


def check_instant(schedules: list[Schedule], screen: ScreenRef, body: dict[str, Any],
                  moment: datetime) -> None:
    decision = evaluate(schedules, screen, moment)
    playing = resolve(body, moment.timestamp())
    assert (playing.playlist_key if playing else None) == decision.playlist_key, moment
    index = max(i for i, seg in enumerate(body["segments"])
                if parse_time(seg["from"]) <= moment.timestamp())
    assert body["segments"][index]["reason"] == decision.summary, moment


# --- examples ---------------------------------------------------------------------------


def test_friday_night_window_segments():
    screen = ScreenRef(id="arrivals", site="phu-bai", fallback_playlist_key="welcome@1")
    night = Schedule(7, "night@2", SITE, weekdays=frozenset({4}),
                     windows=(Window(time(22), time(2)),), priority=1)
    start, end = local_window(FRIDAY, "Asia/Ho_Chi_Minh")  # Friday 00:00 +07 … Monday
    assert build_segments([night], screen, start, end) == [
        {"from": "2026-11-26T17:00:00Z", "until": "2026-11-27T15:00:00Z",
         "playlist": "welcome@1", "reason": "fallback playlist of the screen (nothing scheduled)"},
        {"from": "2026-11-27T15:00:00Z", "until": "2026-11-27T19:00:00Z",
         "playlist": "night@2",
         "reason": "schedule 7 (priority 1, targets the screen by its site 'phu-bai')"},
        {"from": "2026-11-27T19:00:00Z", "until": "2026-11-29T17:00:00Z",
         "playlist": "welcome@1", "reason": "fallback playlist of the screen (nothing scheduled)"},
    ]


def test_nothing_segment_and_same_playlist_from_two_schedules_stays_split():
    screen = ScreenRef(id="arrivals", site="phu-bai")
    start, end = local_window(FRIDAY, "Asia/Ho_Chi_Minh", days=1)
    morning = Schedule(1, "news@1", SITE, windows=(Window(time(8), time(10)),))
    later = Schedule(2, "news@1", SITE, windows=(Window(time(9), time(12)),), created_seq=5)
    segments = build_segments([morning, later], screen, start, end)
    assert [(s["from"][11:16], s["playlist"], s["reason"][:10]) for s in segments] == [
        ("17:00", None, "nothing sc"),
        ("01:00", "news@1", "schedule 1"),
        ("02:00", "news@1", "schedule 2"),  # the more recent one takes over at 09:00
        ("05:00", None, "nothing sc"),
    ]


def test_two_hundred_schedules_over_72_hours_is_fast_and_consistent():
    rng = random.Random(3)
    screen = ScreenRef(id="arrivals", site="phu-bai", tags=frozenset({"hall"}),
                       fallback_playlist_key="welcome@1")
    schedules = []
    for i in range(200):
        windows = tuple(Window(time(rng.randrange(24), rng.choice((0, 30))),
                               time(rng.randrange(24), rng.choice((15, 45))))
                        for _ in range(rng.randrange(4)))
        schedules.append(Schedule(
            i, f"p{i % 17}@1", Targets(sites=frozenset({"phu-bai"}) if i % 3 else frozenset(),
                                       tags=frozenset({"hall"}) if i % 5 == 0 else frozenset()),
            first_day=FRIDAY + timedelta(days=rng.randrange(-5, 2)),
            last_day=FRIDAY + timedelta(days=rng.randrange(2, 6)),
            weekdays=frozenset(rng.sample(range(7), rng.randrange(1, 8))),
            windows=windows, priority=rng.randrange(5), created_seq=rng.randrange(1000)))
    start, end = local_window(FRIDAY, "Asia/Ho_Chi_Minh")
    # Correctness at scale only; speed belongs in bench/, never in a unit test.
    segments = build_segments(schedules, screen, start, end)
    check_shape(segments, start, end)
    body = body_for(screen, segments, start, end)
    for seg in segments[::7]:
        check_instant(schedules, screen, body, datetime.fromisoformat(seg["from"]))


# --- the property -----------------------------------------------------------------------

# Days around DST changes in zones with whole-hour, half-hour and midnight transitions.
ZONES_AND_DAYS = [
    ("Asia/Ho_Chi_Minh", FRIDAY), ("Asia/Ho_Chi_Minh", date(2026, 12, 31)),
    ("America/New_York", date(2026, 3, 7)), ("America/New_York", date(2026, 10, 31)),
    ("Europe/Berlin", date(2026, 3, 28)), ("Europe/Berlin", date(2026, 10, 24)),
    ("Australia/Lord_Howe", date(2026, 4, 4)), ("Australia/Lord_Howe", date(2026, 10, 3)),
    ("America/Santiago", date(2026, 4, 4)), ("America/Santiago", date(2026, 9, 5)),
]

clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 0, 30, 45, 59]))
windows = st.tuples(clock_times, clock_times).filter(
    lambda p: p[0] != p[1] or p[0] == time(0)).map(lambda p: Window(*p))
targets = st.builds(
    Targets,
    sites=st.frozensets(st.sampled_from(["phu-bai", "hue-station"])),
    screens=st.frozensets(st.sampled_from(["arrivals", "departures"])),
    tags=st.frozensets(st.sampled_from(["hall", "gate"])),
)


@st.composite
def schedule_lists(draw: st.DrawFn, base: date) -> list[Schedule]:
    result = []
    ids = draw(st.lists(st.integers(0, 500), unique=True, max_size=7))
    for schedule_id in ids:
        first = draw(st.none() | st.integers(-3, 4))
        length = draw(st.none() | st.integers(0, 4))
        result.append(Schedule(
            schedule_id, draw(st.sampled_from(["a@1", "b@1", "c@1", "fallback@1"])),
            draw(targets),
            first_day=None if first is None else base + timedelta(days=first),
            last_day=None if length is None else base + timedelta(days=(first or 0) + length),
            weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
            windows=tuple(draw(st.lists(windows, max_size=3))),
            priority=draw(st.integers(0, 2)),
            created_seq=draw(st.integers(0, 2)),
        ))
    return result


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_resolve_over_built_segments_equals_direct_evaluation(data):
    zone, base = data.draw(st.sampled_from(ZONES_AND_DAYS))
    screen = ScreenRef(id="arrivals", site="phu-bai", tags=frozenset({"hall"}), timezone=zone,
                       fallback_playlist_key=data.draw(st.none() | st.just("fallback@1")))
    schedules = data.draw(schedule_lists(base))
    start, end = local_window(base, zone)
    segments = build_segments(schedules, screen, start, end)
    check_shape(segments, start, end)
    body = body_for(screen, segments, start, end)

    length = int((end - start).total_seconds())
    offsets = data.draw(st.lists(st.integers(0, length - 1), min_size=1, max_size=20))
    instants = [start + timedelta(seconds=s) for s in offsets]
    for seg in segments:  # at, and just before, every boundary
        boundary = datetime.fromisoformat(seg["from"])
        instants.append(boundary)
        instants += [boundary - step for step in (timedelta(microseconds=1),
                                                  timedelta(seconds=1)) if boundary - step >= start]
    for moment in instants:
        check_instant(schedules, screen, body, moment)
