"""The question a report answers, parsed once for the API, the panel and the command
line: a period of whole days in Huế time, filters, and what to group by.

Days are Huế days (Asia/Ho_Chi_Minh, UTC+7 all year): ``from=2026-03-01&to=2026-03-31``
covers 2026-02-28T17:00:00Z up to (not including) 2026-03-31T17:00:00Z, the same days
``play_daily.day`` is summed over. A refusal is a :class:`ReportRefused` whose text says
which parameter, what was given and what would do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from controller.refusals import Refusal, refusal

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_DAYS = 3 * 366  # a report covers at most three years
TEXT_FILTERS = ("agency", "site", "screen", "playlist", "item", "language", "theme")
GROUPS = (*TEXT_FILTERS, "kind", "month", "day")
KINDS = ("item", "emergency", "identify", "idle", "loss")
CHARTS = ("airtime_by_theme", "availability_by_site", "plays_by_language")


class ReportRefused(ValueError):
    """A question a report cannot answer; the text is the sentence to show."""


@dataclass
class ReportQuery:
    first: date
    last: date  # inclusive
    filters: dict[str, str] = field(default_factory=dict)
    group_by: tuple[str, ...] = ()
    kind: str = "item"

    @property
    def start(self) -> datetime:
        """The period's first instant, UTC."""
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """The instant after the period, UTC."""
        return day_start(self.last + timedelta(days=1))

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(),
                "timezone": "Asia/Ho_Chi_Minh", "start": utc_text(self.start),
                "end": utc_text(self.end), "filters": dict(self.filters),
                "group_by": list(self.group_by), "kind": self.kind}


def day_start(day: date) -> datetime:
    """Midnight of a Huế day, as a UTC time."""
    return datetime.combine(day, time(0), HUE).astimezone(UTC)


def hue_day(moment: datetime) -> date:
    """The Huế day of a moment (a naive moment is UTC, as SQLite gives it back)."""
    return as_utc(moment).astimezone(HUE).date()


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with ``Z`` (milliseconds when the time has them)."""
    moment = as_utc(moment)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def parse_day(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ReportRefused(refusal("%(name)r %(raw)r is not a date; give a day in Huế time "
                                    "as YYYY-MM-DD, e.g. %(name)s=2026-03-01.", name=name,
                                    raw=raw[:40])) from None


def parse_time(name: str, raw: str) -> datetime:
    """An ISO 8601 time that must carry its zone; returned in UTC."""
    text = raw.strip()
    if "T" in text and text[-6:-5] == " ":  # an unencoded '+' arrives as a space
        text = text[:-6] + "+" + text[-5:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReportRefused(refusal("%(name)r %(raw)r is not an ISO 8601 time; give e.g. "
                                    "%(name)s=2026-11-27T08:00:00Z or …%%2B07:00.", name=name,
                                    raw=raw[:64])) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ReportRefused(refusal("%(name)r %(raw)r has no time zone; add Z or an offset "
                                    "such as +07:00 (written %%2B07:00 in a URL).", name=name,
                                    raw=raw[:64]))
    return moment.astimezone(UTC)


def whole_refusal(name: str, raw: str, low: int, high: int) -> Refusal:
    """"'limit' must be a whole number from 1 to 500, got 'x'." (reports and audit)."""
    return refusal("%(name)r must be a whole number from %(low)d to %(high)d, got %(raw)r.",
                   name=name, low=low, high=high, raw=raw[:32])


def unknown_parameter(name: str, allowed: tuple[str, ...] | list[str]) -> Refusal:
    return refusal("Unknown parameter %(name)r (allowed: %(allowed)s).", name=name,
                   allowed=", ".join(allowed))


def whole(name: str, raw: str, low: int, high: int) -> int:
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise ReportRefused(whole_refusal(name, raw, low, high))
    return int(raw)


def text_filter(name: str, raw: str) -> str:
    value = raw.strip()
    if not value or len(value) > 64:
        raise ReportRefused(refusal("%(name)r must be 1 to 64 characters, got %(raw)r.",
                                    name=name, raw=raw[:70]))
    return value


def check_known(args: Any, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise ReportRefused(unknown_parameter(unknown[0], allowed))


PLAYS_PARAMS = ("from", "to", *TEXT_FILTERS, "kind", "group_by")


def parse_report_query(args: Any, today: date | None = None) -> ReportQuery:
    """``from``/``to`` (Huế days, inclusive; default: this month so far), the text
    filters, ``kind`` (default ``item``) and ``group_by`` (comma-separated, ≤ 3)."""
    check_known(args, PLAYS_PARAMS)
    today = today or datetime.now(HUE).date()
    first = parse_day("from", args["from"]) if args.get("from") else today.replace(day=1)
    last = parse_day("to", args["to"]) if args.get("to") else today
    if first > last:
        raise ReportRefused(refusal("'from' %(first)s is after 'to' %(last)s: swap them.",
                                    first=str(first), last=str(last)))
    if (last - first).days + 1 > MAX_DAYS:
        raise ReportRefused(refusal("The period %(first)s to %(last)s is longer than %(most)d "
                                    "days; ask for a shorter one.", first=str(first),
                                    last=str(last), most=MAX_DAYS))
    filters = {name: text_filter(name, args[name]) for name in TEXT_FILTERS
               if args.get(name) is not None}
    kind = args.get("kind", "item")
    if kind not in KINDS:
        raise ReportRefused(refusal("'kind' %(kind)r is not one of %(kinds)s.",
                                    kind=kind[:20], kinds=", ".join(KINDS)))
    groups: tuple[str, ...] = ()
    if args.get("group_by"):
        groups = tuple(g.strip() for g in args["group_by"].split(",") if g.strip())
        for name in groups:
            if name not in GROUPS:
                raise ReportRefused(refusal("'group_by' %(name)r is not one of %(groups)s.",
                                            name=name[:20], groups=", ".join(GROUPS)))
        if len(set(groups)) != len(groups) or len(groups) > 3:
            raise ReportRefused(refusal("'group_by' takes at most 3 different names, "
                                        "comma-separated."))
    return ReportQuery(first, last, filters, groups, kind)


def year_query(year: int, agency: str | None) -> ReportQuery:
    """The whole Huế year, for the yearly report."""
    if not 2000 <= year <= 2100:
        raise ReportRefused(refusal("'year' must be from 2000 to 2100, got %(year)s.",
                                    year=year))
    filters = {"agency": agency} if agency else {}
    return ReportQuery(date(year, 1, 1), date(year, 12, 31), filters)
