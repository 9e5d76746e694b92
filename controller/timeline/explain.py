"""Why a screen plays what it plays at an instant (for the preview route and the panel).

``explain(session, screen_id, at)`` reads the screen and the schedules from the database
and asks ``controller.scheduling.evaluate`` — the same rules the timeline's segments
are cut from — for the decision, with its full sentence. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from controller.models import Screen, Site
from controller.scheduling import ScreenRef, evaluate
from controller.scheduling.segments import iso_z
from controller.timeline.builder import screen_zone
from controller.timeline.playlists import load_playlists
from controller.timeline.schedules import ScheduleIndex, load_schedules, usable


@dataclass(frozen=True)
class ScreenSchedules:
    """A screen and the schedules that may reach it, read as the timeline builder reads
    them: what ``evaluate`` needs, plus names for people."""

    screen: Screen
    zone: ZoneInfo
    ref: ScreenRef
    schedules: list[Any]  # the usable schedules reaching the screen
    slugs: dict[int, str]  # schedule number -> slug
    titles: dict[str, Any]  # playlist key -> {"vi", "en"}
    skipped: list[str]  # slugs of schedules that cannot play (no approved version)


def screen_schedules(session: Session, screen_id: str) -> ScreenSchedules:
    """LookupError for an unknown screen."""
    screen = session.get(Screen, screen_id)
    if screen is None:
        raise LookupError(f"no screen {screen_id!r}")
    site = session.get(Site, screen.site_id)
    zone = screen_zone(screen.timezone or (site.timezone if site else ""))
    loaded = load_schedules(session)
    defaults = [screen.default_playlist_id] if screen.default_playlist_id else []
    playlists = load_playlists(session, defaults, loaded)
    fallback = playlists.get(screen.default_playlist_id or "")
    ref = ScreenRef(id=screen.id, site=screen.site_id, tags=frozenset(screen.tags or ()),
                    timezone=zone.key, fallback_playlist_key=fallback.key if fallback else None)
    schedules = ScheduleIndex.of(usable(loaded, playlists)).for_screen(
        screen.id, screen.site_id, screen.tags or ())
    return ScreenSchedules(
        screen=screen, zone=zone, ref=ref, schedules=list(schedules),
        slugs={item.id: item.slug for item in loaded},
        titles={key: p.title for key, p in playlists.items()},
        skipped=sorted(item.slug for item in loaded
                       if item.schedule is None or item.schedule.playlist_key not in playlists))


def explain(session: Session, screen_id: str, at: datetime) -> dict[str, Any]:
    """What ``screen_id`` plays at ``at`` (an aware datetime) and why. LookupError for
    an unknown screen, ValueError for a naive datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone; pass an aware datetime")
    ctx = screen_schedules(session, screen_id)
    ref, slugs, zone = ctx.ref, ctx.slugs, ctx.zone
    decision = evaluate(ctx.schedules, ref, at)
    return {
        "screen": ctx.screen.id,
        "at": iso_z(at),
        "local_time": at.astimezone(zone).isoformat(),
        "timezone": zone.key,
        "playlist": decision.playlist_key,
        "schedule": (None if decision.schedule_id is None else
                     {"id": decision.schedule_id, "slug": slugs.get(decision.schedule_id)}),
        "fallback": ref.fallback_playlist_key,
        "reason": decision.reason,
        "summary": decision.summary,
        "candidates": [
            {"schedule": c.schedule_id, "slug": slugs.get(c.schedule_id),
             "playlist": c.playlist_key, "priority": c.priority,
             "matched_by": c.matched_by, "created_seq": c.created_seq}
            for c in decision.candidates
        ],
        "skipped": ctx.skipped,
    }
