"""The scheduling rules, evaluated directly at an instant (controller/scheduling/rules.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.scheduling import (
    Schedule,
    ScreenRef,
    Targets,
    Window,
    evaluate,
)
from controller.scheduling.rules import BY_SCREEN, BY_SITE, BY_TAG

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
FRIDAY = date(2026, 11, 27)
SCREEN = ScreenRef(id="arrivals", site="phu-bai", tags=frozenset({"airport", "hall"}),
                   fallback_playlist_key="welcome@1")
BARE = ScreenRef(id="arrivals", site="phu-bai", tags=frozenset({"airport"}))
SITE = Targets(sites=frozenset({"phu-bai"}))


def at(day: date, hour: int, minute: int = 0, second: int = 0, tz: ZoneInfo = HCM) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)


def w(start: str, end: str) -> Window:
    return Window(time.fromisoformat(start), time.fromisoformat(end))


def plays(schedules: list[Schedule], moment: datetime, screen: ScreenRef = SCREEN) -> str | None:
    return evaluate(schedules, screen, moment).playlist_key


# --- validation -------------------------------------------------------------------------


def test_window_validation():
    assert w("00:00", "00:00").past_midnight  # the whole day, ending at next midnight
    assert w("22:00", "02:00").past_midnight
    assert not w("08:00", "17:00").past_midnight
    with pytest.raises(ValueError, match="00:00–00:00"):
        w("08:00", "08:00")
    with pytest.raises(ValueError, match="local wall time"):
        Window(time(8, tzinfo=UTC), time(9))
    with pytest.raises(ValueError, match="whole seconds"):
        Window(time(8, 0, 0, 5), time(9))
    assert str(w("22:00", "02:00")) == "22:00–02:00 (next day)"


def test_schedule_and_screen_validation():
    with pytest.raises(ValueError, match="no weekday"):
        Schedule(1, "a@1", SITE, weekdays=frozenset())
    with pytest.raises(ValueError, match="0 \\(Monday\\)"):
        Schedule(1, "a@1", SITE, weekdays=frozenset({7}))
    with pytest.raises(ValueError, match="after last day"):
        Schedule(1, "a@1", SITE, first_day=FRIDAY, last_day=FRIDAY - timedelta(days=1))
    with pytest.raises(ValueError, match="playlist_key"):
        Schedule(1, "", SITE)
    with pytest.raises(ValueError, match="unknown time zone"):
        ScreenRef(id="x", site="y", timezone="Mars/Olympus")
    with pytest.raises(TypeError):
        Targets(sites="phu-bai")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no time zone"):
        evaluate([], SCREEN, datetime(2026, 11, 27, 8))


def test_specificity():
    assert Targets(screens=frozenset({"arrivals"})).specificity(SCREEN) == BY_SCREEN
    assert Targets(tags=frozenset({"hall"})).specificity(SCREEN) == BY_TAG
    assert SITE.specificity(SCREEN) == BY_SITE
    assert Targets(sites=frozenset({"hue-station"})).specificity(SCREEN) is None
    assert Targets().specificity(SCREEN) is None
    both = Targets(sites=frozenset({"phu-bai"}), screens=frozenset({"arrivals"}))
    assert both.specificity(SCREEN) == BY_SCREEN  # the most specific match counts


# --- overlaps ---------------------------------------------------------------------------


def test_overlap_rule_priority_then_specificity_then_recency_then_id():
    noon = at(FRIDAY, 12)
    by_site = Schedule(1, "site@1", SITE, priority=5, created_seq=10)
    by_tag = Schedule(2, "tag@1", Targets(tags=frozenset({"hall"})), priority=5, created_seq=1)
    by_screen_low = Schedule(3, "screen@1", Targets(screens=frozenset({"arrivals"})),
                             priority=1, created_seq=99)
    decision = evaluate([by_site, by_tag, by_screen_low], SCREEN, noon)
    assert (decision.playlist_key, decision.schedule_id) == ("tag@1", 2)
    assert "more specifically" in decision.reason and "schedule 1" in decision.reason
    assert [c.schedule_id for c in decision.candidates] == [2, 1, 3]

    high = Schedule(4, "high@1", SITE, priority=9)
    decision = evaluate([by_site, by_tag, high], SCREEN, noon)
    assert decision.schedule_id == 4 and "priority 9 is higher" in decision.reason

    newer = Schedule(5, "newer@1", SITE, priority=5, created_seq=11)
    decision = evaluate([by_site, newer], SCREEN, noon)
    assert decision.schedule_id == 5 and "more recent" in decision.reason

    twin = Schedule(0, "twin@1", SITE, priority=5, created_seq=10)
    decision = evaluate([by_site, twin], SCREEN, noon)
    assert decision.schedule_id == 0 and "lower id" in decision.reason
    assert decision.summary == "schedule 0 (priority 5, targets the screen by its site 'phu-bai')"


def test_untargeted_schedules_are_ignored():
    other = Schedule(1, "other@1", Targets(sites=frozenset({"hue-station"})), priority=99)
    assert plays([other], at(FRIDAY, 12)) == "welcome@1"


def test_fallback_and_nothing():
    decision = evaluate([], SCREEN, at(FRIDAY, 12))
    assert decision.playlist_key == "welcome@1" and decision.schedule_id is None
    assert "fallback" in decision.reason
    decision = evaluate([], BARE, at(FRIDAY, 12))
    assert decision.playlist_key is None and "nothing plays" in decision.reason
    assert decision.candidates == ()


# --- calendar ---------------------------------------------------------------------------


def test_window_past_midnight_belongs_to_its_start_day():
    friday_night = Schedule(1, "night@1", SITE, weekdays=frozenset({4}),
                            windows=(w("22:00", "02:00"),))
    saturday = FRIDAY + timedelta(days=1)
    assert plays([friday_night], at(FRIDAY, 21, 59, 59)) == "welcome@1"
    assert plays([friday_night], at(FRIDAY, 22)) == "night@1"
    assert plays([friday_night], at(saturday, 1, 59, 59)) == "night@1"  # Saturday not listed
    assert plays([friday_night], at(saturday, 2)) == "welcome@1"
    assert plays([friday_night], at(saturday, 23)) == "welcome@1"
    assert plays([friday_night], at(FRIDAY, 1)) == "welcome@1"  # Thursday's night: no


def test_date_range_last_day_includes_its_night_and_first_day_excludes_the_eve():
    night = w("22:00", "02:00")
    saturday = FRIDAY + timedelta(days=1)
    ends_friday = Schedule(1, "night@1", SITE, last_day=FRIDAY, windows=(night,))
    assert plays([ends_friday], at(saturday, 1)) == "night@1"
    assert plays([ends_friday], at(saturday, 22)) == "welcome@1"
    starts_saturday = Schedule(2, "night@1", SITE, first_day=saturday, windows=(night,))
    assert plays([starts_saturday], at(saturday, 1)) == "welcome@1"  # Friday's occurrence
    assert plays([starts_saturday], at(saturday, 22)) == "night@1"


def test_all_day_and_several_windows():
    one_day = Schedule(1, "day@1", SITE, first_day=FRIDAY, last_day=FRIDAY)
    assert plays([one_day], at(FRIDAY, 0)) == "day@1"
    assert plays([one_day], at(FRIDAY, 23, 59, 59)) == "day@1"
    assert plays([one_day], at(FRIDAY, 0) - timedelta(seconds=1)) == "welcome@1"
    assert plays([one_day], at(FRIDAY + timedelta(days=1), 0)) == "welcome@1"
    explicit = Schedule(2, "day@1", SITE, windows=(w("00:00", "00:00"),), first_day=FRIDAY,
                        last_day=FRIDAY)
    assert plays([explicit], at(FRIDAY, 23, 59, 59)) == "day@1"
    split = Schedule(3, "rush@1", SITE, windows=(w("07:00", "09:00"), w("17:00", "19:00")))
    assert [plays([split], at(FRIDAY, h)) for h in (6, 7, 9, 17, 18, 19)] == [
        "welcome@1", "rush@1", "welcome@1", "rush@1", "rush@1", "welcome@1"]


def test_time_zone_of_the_screen_applies():
    tokyo = ScreenRef(id="arrivals", site="phu-bai", timezone="Asia/Tokyo")
    morning = Schedule(1, "am@1", SITE, windows=(w("08:00", "09:00"),))
    assert plays([morning], at(FRIDAY, 8, tz=ZoneInfo("Asia/Tokyo")), tokyo) == "am@1"
    assert plays([morning], at(FRIDAY, 8, tz=ZoneInfo("Asia/Tokyo")), BARE) is None


def test_dst_gap_and_fold_are_read_with_fold_0():
    ny = ZoneInfo("America/New_York")
    screen = ScreenRef(id="s", site="phu-bai", timezone="America/New_York")
    spring = date(2026, 3, 8)  # 02:00 EST -> 03:00 EDT
    gap = Schedule(1, "gap@1", SITE, windows=(w("02:30", "04:00"),))
    # 02:30 does not exist: read as EST, i.e. 07:30 UTC = 03:30 EDT.
    assert plays([gap], datetime(2026, 3, 8, 7, 29, tzinfo=UTC), screen) is None
    assert plays([gap], datetime(2026, 3, 8, 7, 30, tzinfo=UTC), screen) == "gap@1"
    inverted = Schedule(2, "x@1", SITE, windows=(w("02:30", "03:15"),), first_day=spring,
                        last_day=spring)  # 07:30 UTC to 07:15 UTC: empty that day
    assert all(plays([inverted], at(spring, 0, tz=ny) + timedelta(minutes=m), screen) is None
               for m in range(0, 24 * 60, 5))
    autumn = date(2026, 11, 1)  # 01:00–02:00 happens twice
    fold = Schedule(3, "fold@1", SITE, windows=(w("01:30", "01:45"),), first_day=autumn,
                    last_day=autumn)
    assert plays([fold], datetime(2026, 11, 1, 5, 30, tzinfo=UTC), screen) == "fold@1"  # EDT
    assert plays([fold], datetime(2026, 11, 1, 6, 30, tzinfo=UTC), screen) is None  # EST


# --- an independent oracle where local time is a fixed offset (no DST) ------------------


def _oracle(schedules: list[Schedule], moment: datetime) -> set[int]:
    """Which schedules are on, reasoning in naive local wall time (UTC+7, no DST)."""
    local = moment.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=7)
    on = set()
    for s in schedules:
        for start_day in (local.date(), local.date() - timedelta(days=1)):
            for win in s.windows or (w("00:00", "00:00"),):
                begin = datetime.combine(start_day, win.start)
                end = datetime.combine(start_day + timedelta(days=win.end <= win.start),
                                       win.end)
                if begin <= local < end and s.runs_on(start_day):
                    on.add(s.id)
    return on


clock = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]))
windows = st.tuples(clock, clock).filter(lambda p: p[0] != p[1] or p[0] == time(0)).map(
    lambda p: Window(*p))
schedules = st.lists(
    st.builds(
        lambda i, first, length, days, wins: Schedule(
            i, f"p{i}@1", SITE,
            first_day=None if first is None else FRIDAY + timedelta(days=first),
            last_day=None if first is None or length is None
            else FRIDAY + timedelta(days=first + length),
            weekdays=days, windows=tuple(wins)),
        st.integers(0, 1000), st.none() | st.integers(-3, 3), st.none() | st.integers(0, 3),
        st.frozensets(st.integers(0, 6), min_size=1), st.lists(windows, max_size=3)),
    max_size=6, unique_by=lambda s: s.id)


@settings(max_examples=300, deadline=None)
@given(schedules, st.integers(-2 * 86400, 5 * 86400)
       | st.integers(-2 * 96, 5 * 96).map(lambda quarter: quarter * 900))  # on boundaries
def test_evaluate_matches_a_wall_clock_oracle(items, offset):
    moment = at(FRIDAY, 0) + timedelta(seconds=offset)
    decision = evaluate(items, BARE, moment)
    assert {c.schedule_id for c in decision.candidates} == _oracle(items, moment)
