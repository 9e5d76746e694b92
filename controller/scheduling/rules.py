"""Schedules, and what they put on one screen at one instant (docs/scheduling.md).

Pure and standard-library only: no database, no Flask. ``evaluate`` is the definition of
what a screen plays; ``controller.scheduling.segments`` cuts the very same answer into
timeline segments.

How local time is read:

* A schedule's calendar (date range, weekdays, daily windows) is in the screen's time
  zone. Each listed day ``d`` gives one *occurrence* per window, the half-open interval
  ``[d at start, e at end)`` where ``e`` is ``d`` or, when ``end <= start``, the next
  day. An occurrence belongs to the day it starts on: only that day is checked against
  the weekdays and the date range.
* A local wall time becomes an instant with ``fold=0``: a time that happens twice (the
  repeated hour when clocks go back) means its first occurrence; a time that never
  happens (the skipped hour when clocks go forward) is read with the offset in force
  before the change, so it lands that much later (02:30 becomes 03:30). An occurrence
  whose end is then not after its start is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from controller.refusals import refusal

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
ALL_WEEKDAYS: frozenset[int] = frozenset(range(7))
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIDNIGHT = time(0)
ONE_DAY = timedelta(days=1)

# Specificity of a target match: larger is more specific.
BY_SCREEN, BY_TAG, BY_SITE = 3, 2, 1


@lru_cache(maxsize=128)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ValueError if there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(refusal("unknown time zone %(zone)r (expected an IANA name such as "
                                 "%(example)r)", zone=name, example=DEFAULT_TIMEZONE)) from None


def local_instant(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of local wall time ``clock`` on ``day`` (fold=0, see module doc)."""
    return datetime.combine(day, clock.replace(fold=0), tzinfo=tz).astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC; ValueError for a naive one (it would be ambiguous)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; pass an aware datetime (UTC)")
    return moment.astimezone(UTC)


def _clock(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


@dataclass(frozen=True)
class Window:
    """A daily window in local time; ``end <= start`` runs past midnight into the next
    day. 00:00–00:00 is the whole day; any other equal pair is refused."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise TypeError(f"window {name} must be a datetime.time, got {value!r}")
            if value.tzinfo is not None:
                raise ValueError(refusal("window %(name)s %(value)s must be a local wall time "
                                         "without a time zone (the site's zone applies)",
                                         name=name, value=str(value)))
            if value.microsecond:
                raise ValueError(refusal("window %(name)s %(value)s must be in whole seconds",
                                         name=name, value=str(value)))
        if self.start == self.end and self.start != MIDNIGHT:
            raise ValueError(refusal("window %(start)s–%(end)s is empty or ambiguous: use "
                                     "00:00–00:00 for the whole day",
                                     start=_clock(self.start), end=_clock(self.end)))

    @property
    def past_midnight(self) -> bool:
        """Whether the window ends on the next day (00:00–00:00 ends at next midnight)."""
        return self.end <= self.start

    def span(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC interval [start, end) of this window's occurrence starting on ``day``."""
        end_day = day + ONE_DAY if self.past_midnight else day
        return local_instant(day, self.start, tz), local_instant(end_day, self.end, tz)

    def __str__(self) -> str:
        if self.start == self.end:
            return "all day"
        suffix = " (next day)" if self.past_midnight and self.end != MIDNIGHT else ""
        return f"{_clock(self.start)}–{_clock(self.end)}{suffix}"


ALL_DAY = Window(MIDNIGHT, MIDNIGHT)


@dataclass(frozen=True)
class ScreenRef:
    """What scheduling needs to know about a screen."""

    id: str
    site: str
    tags: frozenset[str] = frozenset()
    timezone: str = DEFAULT_TIMEZONE
    fallback_playlist_key: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", frozenset(self.tags))
        zone(self.timezone)  # refuse an unknown zone now rather than at evaluation


@dataclass(frozen=True)
class Targets:
    """Whom a schedule is for: any screen of these sites, these screens, or screens
    carrying any of these tags."""

    sites: frozenset[str] = frozenset()
    screens: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("sites", "screens", "tags"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"targets.{name} must be a set of strings, not one string")
            object.__setattr__(self, name, frozenset(value))

    def match(self, screen: ScreenRef) -> tuple[int, str] | None:
        """The most specific way these targets reach ``screen`` (specificity, words), or
        None if they do not."""
        if screen.id in self.screens:
            return BY_SCREEN, "by its screen id"
        tags = sorted(self.tags & screen.tags)
        if tags:
            return BY_TAG, f"by tag {tags[0]!r}"
        if screen.site in self.sites:
            return BY_SITE, f"by its site {screen.site!r}"
        return None

    def specificity(self, screen: ScreenRef) -> int | None:
        """3 by screen id, 2 by tag, 1 by site, None if ``screen`` is not targeted."""
        found = self.match(screen)
        return None if found is None else found[0]


@dataclass(frozen=True)
class Schedule:
    """One approved playlist version on targets, on a calendar, with a priority."""

    id: int
    playlist_key: str
    targets: Targets
    first_day: date | None = None  # inclusive; None: no start
    last_day: date | None = None  # inclusive; None: no end
    weekdays: frozenset[int] = ALL_WEEKDAYS  # 0 = Monday … 6 = Sunday, of the start day
    windows: tuple[Window, ...] = ()  # empty: all day
    priority: int = 0
    created_seq: int = 0  # larger = more recent

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "windows", tuple(self.windows))
        if not isinstance(self.playlist_key, str) or not self.playlist_key:
            raise ValueError(f"schedule {self.id}: playlist_key must be a non-empty string")
        if not self.weekdays:
            raise ValueError(f"schedule {self.id}: no weekday selected, it would never play")
        if not self.weekdays <= ALL_WEEKDAYS:
            raise ValueError(f"schedule {self.id}: weekdays must be 0 (Monday) … 6 (Sunday), "
                             f"got {sorted(self.weekdays)}")
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise ValueError(f"schedule {self.id}: first day {self.first_day} is after last "
                             f"day {self.last_day}")
        for window in self.windows:
            if not isinstance(window, Window):
                raise TypeError(f"schedule {self.id}: windows must be Window objects")

    def runs_on(self, day: date) -> bool:
        """Whether occurrences start on local ``day`` (date range and weekdays)."""
        return (
            (self.first_day is None or day >= self.first_day)
            and (self.last_day is None or day <= self.last_day)
            and day.weekday() in self.weekdays
        )

    def occurrences(self, tz: ZoneInfo, first: date, last: date
                    ) -> Iterator[tuple[datetime, datetime]]:
        """Non-empty UTC intervals [start, end) of occurrences starting on local days
        ``first`` … ``last`` (inclusive)."""
        windows = self.windows or (ALL_DAY,)
        day = first if self.first_day is None else max(first, self.first_day)
        last = last if self.last_day is None else min(last, self.last_day)
        while day <= last:
            if day.weekday() in self.weekdays:
                for window in windows:
                    start, end = window.span(day, tz)
                    if start < end:
                        yield start, end
            day += ONE_DAY


@dataclass(frozen=True)
class Candidate:
    """A schedule that is on for the screen at an instant, with what ranks it."""

    schedule_id: int
    playlist_key: str
    priority: int
    specificity: int
    created_seq: int
    matched_by: str  # e.g. "by tag 'arrivals'"

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """Sort key, best first: priority, specificity, recency (all higher first), id."""
        return (-self.priority, -self.specificity, -self.created_seq, self.schedule_id)

    @property
    def summary(self) -> str:
        return (f"schedule {self.schedule_id} (priority {self.priority}, "
                f"targets the screen {self.matched_by})")


def candidate(schedule: Schedule, screen: ScreenRef) -> Candidate | None:
    """``schedule`` as a candidate for ``screen``, or None if it does not target it."""
    found = schedule.targets.match(screen)
    if found is None:
        return None
    return Candidate(schedule.id, schedule.playlist_key, schedule.priority, found[0],
                     schedule.created_seq, found[1])


@dataclass(frozen=True)
class Decision:
    """What a screen plays at an instant, and why.

    ``summary`` depends only on the outcome (winning schedule, fallback or nothing) and
    is the timeline segment's ``reason``; ``reason`` also says why the winner beat the
    others. ``candidates`` are the schedules on at that instant, best first.
    """

    playlist_key: str | None
    schedule_id: int | None
    reason: str
    summary: str
    candidates: tuple[Candidate, ...]


def _why(winner: Candidate, runner_up: Candidate) -> str:
    other = f"schedule {runner_up.schedule_id}"
    if winner.priority != runner_up.priority:
        return f"its priority {winner.priority} is higher than {other}'s ({runner_up.priority})"
    if winner.specificity != runner_up.specificity:
        return (f"it has the same priority ({winner.priority}) as {other} and targets the "
                f"screen more specifically ({winner.matched_by}; {other} "
                f"{runner_up.matched_by})")
    if winner.created_seq != runner_up.created_seq:
        return (f"it has the same priority ({winner.priority}) and specificity "
                f"({winner.matched_by}) as {other} and is more recent")
    return (f"it ties with {other} on priority, specificity and recency and has the lower "
            "id")


def decide(candidates: Iterable[Candidate], screen: ScreenRef) -> Decision:
    """Apply the overlap rule to the schedules on at an instant (see docs/scheduling.md):
    highest priority, then most specific target (screen > tag > site), then most recent,
    then lowest id. With none on, the screen's fallback plays, or nothing."""
    ranked = tuple(sorted(candidates, key=lambda c: c.rank))
    if not ranked:
        fallback = screen.fallback_playlist_key
        if fallback is None:
            text = "nothing scheduled and no fallback playlist"
            return Decision(None, None, "No schedule is on for this screen at this time "
                            "and it has no fallback playlist: nothing plays.", text, ranked)
        return Decision(fallback, None, f"No schedule is on for this screen at this time: "
                        f"its fallback playlist {fallback!r} plays.",
                        "fallback playlist of the screen (nothing scheduled)", ranked)
    winner = ranked[0]
    head = f"Schedule {winner.schedule_id} plays {winner.playlist_key!r}: "
    if len(ranked) == 1:
        reason = (head + f"it is the only schedule on for this screen at this time "
                  f"(priority {winner.priority}, targets the screen {winner.matched_by}).")
    else:
        others = ", ".join(str(c.schedule_id) for c in ranked[1:])
        reason = (head + _why(winner, ranked[1])
                  + f". Also on but outranked: schedule{'s' if len(ranked) > 2 else ''} "
                  + f"{others}.")
    return Decision(winner.playlist_key, winner.schedule_id, reason, winner.summary, ranked)


def evaluate(schedules: Iterable[Schedule], screen: ScreenRef, t: datetime) -> Decision:
    """What ``screen`` plays at instant ``t`` (aware), straight from the schedules."""
    instant = as_utc(t)
    tz = zone(screen.timezone)
    today = instant.astimezone(tz).date()
    # An occurrence starting on day d ends by the end of d + 1 (a past-midnight window);
    # one more day each side covers any zone's offset changes.
    first, last = today - 2 * ONE_DAY, today + ONE_DAY
    on: list[Candidate] = []
    for schedule in schedules:
        found = candidate(schedule, screen)
        if found is None:
            continue
        if any(start <= instant < end for start, end in schedule.occurrences(tz, first, last)):
            on.append(found)
    return decide(on, screen)
