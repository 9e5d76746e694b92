"""Screen availability from ``screen_presence`` (the online intervals the controller
keeps from connections and heartbeats).

**Availability** of a screen over a period = seconds it was online within the period ÷
seconds of the period, where the period ends at *now* if now is earlier (the future is
not counted as offline). All 24 hours of every day count: sites have no operating hours
in Pano, a screen is meant to be on day and night. A site's or month's figure is the sum
of its screens' online seconds ÷ the sum of their period seconds (screens weigh by time,
not one vote each). An interval still open (``until`` null) runs to now. Overlapping
intervals of one screen (a WebSocket and an HTTP one) count once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import Screen, ScreenPresence
from controller.reports.filters import ReportQuery, as_utc, day_start


def _months(first: date, last: date) -> list[tuple[str, datetime, datetime]]:
    """(YYYY-MM, start, end) of each Huế month the period touches, clipped to it."""
    out = []
    month = first.replace(day=1)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        lo = max(month, first)
        hi = min(following - timedelta(days=1), last)
        out.append((month.isoformat()[:7], day_start(lo), day_start(hi + timedelta(days=1))))
        month = following
    return out


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _overlap(spans: list[tuple[datetime, datetime]], lo: datetime, hi: datetime) -> float:
    return sum(max(0.0, (min(b, hi) - max(a, lo)).total_seconds()) for a, b in spans)


def _ratio(online: float, period: float) -> float | None:
    return round(online / period, 6) if period > 0 else None


def availability(session: Session, query: ReportQuery, now: datetime) -> dict[str, Any]:
    """Per screen, per site, per month and overall: online and period seconds and their
    ratio (``null`` for a period entirely in the future)."""
    now = as_utc(now)
    screens = select(Screen.id, Screen.site_id).order_by(Screen.site_id, Screen.id)
    if "screen" in query.filters:
        screens = screens.where(Screen.id == query.filters["screen"])
    if "site" in query.filters:
        screens = screens.where(Screen.site_id == query.filters["site"])
    site_of = dict(session.execute(screens).all())
    end = min(query.end, now)
    spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    if site_of and end > query.start:
        stmt = select(ScreenPresence.screen_id, ScreenPresence.since, ScreenPresence.until
                      ).where(ScreenPresence.since < end,
                              ScreenPresence.until.is_(None)
                              | (ScreenPresence.until > query.start))
        if len(site_of) == 1:
            stmt = stmt.where(ScreenPresence.screen_id == next(iter(site_of)))
        for screen_id, since, until in session.execute(stmt):
            if screen_id in site_of:
                spans[screen_id].append((as_utc(since), as_utc(until) if until else now))
    months = _months(query.first, query.last)
    per_screen, sites, per_month = [], defaultdict(lambda: [0.0, 0.0]), []
    month_sums = {name: [0.0, 0.0] for name, _, _ in months}
    for screen_id, site_id in site_of.items():
        merged = _merge(spans.get(screen_id, []))
        period = max(0.0, (end - query.start).total_seconds())
        online = _overlap(merged, query.start, end)
        per_screen.append({"screen": screen_id, "site": site_id, "online_seconds": online,
                           "period_seconds": period, "availability": _ratio(online, period)})
        sites[site_id][0] += online
        sites[site_id][1] += period
        for name, lo, hi in months:
            hi = min(hi, now)
            month_sums[name][0] += _overlap(merged, lo, hi)
            month_sums[name][1] += max(0.0, (hi - lo).total_seconds())
    for name, (online, period) in month_sums.items():
        per_month.append({"month": name, "online_seconds": online, "period_seconds": period,
                          "availability": _ratio(online, period)})
    all_online = sum(s["online_seconds"] for s in per_screen)
    all_period = sum(s["period_seconds"] for s in per_screen)
    return {"overall": _ratio(all_online, all_period),
            "screens": per_screen,
            "sites": [{"site": site, "online_seconds": v[0], "period_seconds": v[1],
                       "availability": _ratio(v[0], v[1])} for site, v in sites.items()],
            "months": per_month}
