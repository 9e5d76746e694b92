"""Schedules from the database, ready for the engine (``controller.scheduling``).

``load_schedules`` reads every schedule row once per rebuild, resolves its playlist to a
concrete version key (``id@version``: the pinned version, or the playlist's current one)
and turns it into a ``controller.scheduling.Schedule``. ``ScheduleIndex`` then finds the
schedules that can reach a screen by a few dictionary look-ups (by screen id, by site,
by tag), so a screen's work grows with the schedules aimed at it, not with all of them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import Playlist
from controller.models import Schedule as ScheduleRow
from controller.scheduling import Schedule, Targets, Window

log = logging.getLogger("pano.timeline")

_ROWS = ScheduleRow.__table__


@dataclass(frozen=True)
class LoadedSchedule:
    """A schedule row with the playlist version it puts on air (None: the playlist has
    no version yet) and its engine form (None when that version is missing)."""

    id: int
    slug: str
    playlist_id: str
    version: int | None
    schedule: Schedule | None


def _window(pair: Any) -> Window:
    start, end = pair
    return Window(time.fromisoformat(start), time.fromisoformat(end))


def to_engine(row: Any, key: str) -> Schedule:
    """A schedule row (ORM object or plain row) as the engine's Schedule for ``key``."""
    targets = row.targets or {}
    return Schedule(
        id=row.id, playlist_key=key,
        targets=Targets(sites=frozenset(targets.get("sites") or ()),
                        screens=frozenset(targets.get("screens") or ()),
                        tags=frozenset(targets.get("tags") or ())),
        first_day=row.first_day, last_day=row.last_day,
        weekdays=frozenset(row.weekdays or ()),
        windows=tuple(_window(pair) for pair in row.windows or ()),
        priority=row.priority, created_seq=row.created_seq)


def load_schedules(session: Session) -> list[LoadedSchedule]:
    """Every schedule, with the version it plays resolved (two queries)."""
    rows = session.execute(select(_ROWS).order_by(_ROWS.c.id)).all()
    if not rows:
        return []
    current = dict(session.execute(
        select(Playlist.id, Playlist.current_version)
        .where(Playlist.id.in_({row.playlist_id for row in rows}))).all())
    loaded: list[LoadedSchedule] = []
    for row in rows:
        version = row.playlist_version or current.get(row.playlist_id)
        schedule = None
        if version is not None:
            try:
                schedule = to_engine(row, f"{row.playlist_id}@{version}")
            except (TypeError, ValueError) as exc:  # a damaged row must not stop rebuilds
                log.error("schedule %s (%s) is unusable, skipped: %s", row.id, row.slug, exc)
                version = None
        loaded.append(LoadedSchedule(row.id, row.slug, row.playlist_id, version, schedule))
    return loaded


def usable(loaded: Iterable[LoadedSchedule], playlist_keys: Mapping[str, Any]
           ) -> list[Schedule]:
    """The engine schedules whose playlist version is available; the rest are logged
    and skipped (a playlist with no version yet, a pinned version that is gone)."""
    out: list[Schedule] = []
    for item in loaded:
        if item.schedule is None or item.schedule.playlist_key not in playlist_keys:
            log.warning("schedule %s (%s) skipped: playlist %r has no version %s", item.id,
                        item.slug, item.playlist_id,
                        "yet" if item.version is None else item.version)
            continue
        out.append(item.schedule)
    return out


@dataclass
class ScheduleIndex:
    """Schedules by what they target, to find a screen's candidates cheaply."""

    by_screen: dict[str, list[Schedule]] = field(default_factory=lambda: defaultdict(list))
    by_site: dict[str, list[Schedule]] = field(default_factory=lambda: defaultdict(list))
    by_tag: dict[str, list[Schedule]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, schedules: Iterable[Schedule]) -> ScheduleIndex:
        index = cls()
        for schedule in schedules:
            for screen in schedule.targets.screens:
                index.by_screen[screen].append(schedule)
            for site in schedule.targets.sites:
                index.by_site[site].append(schedule)
            for tag in schedule.targets.tags:
                index.by_tag[tag].append(schedule)
        return index

    def for_screen(self, screen_id: str, site_id: str, tags: Iterable[str]
                   ) -> tuple[Schedule, ...]:
        """The schedules that target this screen in any way, by id."""
        found: dict[int, Schedule] = {}
        for schedule in self.by_screen.get(screen_id, ()):
            found[schedule.id] = schedule
        for schedule in self.by_site.get(site_id, ()):
            found[schedule.id] = schedule
        for tag in tags:
            for schedule in self.by_tag.get(tag, ()):
                found[schedule.id] = schedule
        return tuple(found[key] for key in sorted(found))
