"""``GET /api/v1/screens/<id>/week?start=YYYY-MM-DD``: what a screen plays over seven
days, and why, for the panel's week view (any signed-in role).

Nothing here decides what plays: the week is cut where any schedule reaching the screen
starts or stops (``controller.scheduling.decisions`` of each schedule alone), and each
piece is answered by ``controller.scheduling.evaluate`` — the definition of what a
screen plays — at its start. A piece lists the schedules that are on but outranked, each
with the rule that decided against it (the first component of ``Candidate.rank`` that
differs: priority, specificity, recency, id) and the engine's sentence. Neighbouring
pieces with the same winner and the same losers are merged. Read-only."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, request

from controller.api.errors import ApiError
from controller.api.user_auth import require_role
from controller.auth.users import ROLES
from controller.models import Screen, Site
from controller.scheduling import Candidate, Decision, ScreenRef, decide, decisions, evaluate
from controller.scheduling.rules import local_instant
from controller.scheduling.segments import iso_z
from controller.state import db
from controller.timeline.builder import screen_zone
from controller.timeline.playlists import load_playlists
from controller.timeline.schedules import ScheduleIndex, load_schedules, usable

schedule_week_api = Blueprint("schedule_week_api", __name__, url_prefix="/api/v1")

DAYS = 7
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RULES = ("priority", "specificity", "recency", "id")  # the order of Candidate.rank
SPECIFICITY = {3: "screen", 2: "tag", 1: "site"}


def _start(raw: str | None, today: date) -> date:
    if raw is None or not raw.strip():
        return today - timedelta(days=today.weekday())  # this week's Monday
    text = raw.strip()
    if DATE_RE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None and 1971 <= day.year <= 9998:
            return day
    raise ApiError(400, f"'start' {raw[:40]!r} is not a date: give the first day of the "
                        "week as YYYY-MM-DD, e.g. ?start=2026-11-23.")


def deciding_rule(winner: Candidate, loser: Candidate) -> str:
    """Which rule of the overlap order put ``winner`` before ``loser``."""
    for name, mine, theirs in zip(RULES, winner.rank, loser.rank, strict=True):
        if mine != theirs:
            return name
    return "id"


def _loser(winner: Candidate, loser: Candidate, ref: ScreenRef, slugs: dict[int, str]
           ) -> dict[str, Any]:
    pair = decide([winner, loser], ref)  # the engine's own sentence for this pair
    return {"schedule": slugs.get(loser.schedule_id), "number": loser.schedule_id,
            "playlist": loser.playlist_key, "priority": loser.priority,
            "specificity": SPECIFICITY.get(loser.specificity), "matched_by": loser.matched_by,
            "created_seq": loser.created_seq, "rule": deciding_rule(winner, loser),
            "why": pair.reason}


def _segment(start: datetime, end: datetime, decision: Decision, ref: ScreenRef,
             zone: Any, slugs: dict[int, str], titles: dict[str, Any]) -> dict[str, Any]:
    winner = decision.candidates[0] if decision.candidates else None
    return {
        "start": iso_z(start), "end": iso_z(end),
        "local_start": start.astimezone(zone).isoformat(),
        "local_end": end.astimezone(zone).isoformat(),
        "playlist": decision.playlist_key,
        "title": titles.get(decision.playlist_key) if decision.playlist_key else None,
        "schedule": None if winner is None else slugs.get(winner.schedule_id),
        "number": None if winner is None else winner.schedule_id,
        "priority": None if winner is None else winner.priority,
        "specificity": None if winner is None else SPECIFICITY.get(winner.specificity),
        "matched_by": None if winner is None else winner.matched_by,
        "fallback": winner is None and decision.playlist_key is not None,
        "reason": decision.reason,
        "overridden": [] if winner is None else [
            _loser(winner, c, ref, slugs) for c in decision.candidates[1:]],
    }


def week(session: Any, screen_id: str, raw_start: str | None) -> dict[str, Any]:
    screen = session.get(Screen, screen_id)
    if screen is None:
        raise ApiError(404, f"No screen {screen_id[:64]!r}.")
    site = session.get(Site, screen.site_id)
    zone = screen_zone(screen.timezone or (site.timezone if site else ""))
    today = datetime.now(zone).date()
    first = _start(raw_start, today)
    window_start = local_instant(first, time(0), zone)
    window_end = local_instant(first + timedelta(days=DAYS), time(0), zone)

    # The screen and its schedules, read as the timeline builder and explain read them.
    loaded = load_schedules(session)
    defaults = [screen.default_playlist_id] if screen.default_playlist_id else []
    playlists = load_playlists(session, defaults, loaded)
    fallback = playlists.get(screen.default_playlist_id or "")
    ref = ScreenRef(id=screen.id, site=screen.site_id, tags=frozenset(screen.tags or ()),
                    timezone=zone.key, fallback_playlist_key=fallback.key if fallback else None)
    schedules = ScheduleIndex.of(usable(loaded, playlists)).for_screen(
        screen.id, screen.site_id, screen.tags or ())
    slugs = {item.id: item.slug for item in loaded}
    titles = {key: p.title for key, p in playlists.items()}

    # Cut where any schedule alone starts or stops being on; ask evaluate per piece.
    alone = ScreenRef(id=ref.id, site=ref.site, tags=ref.tags, timezone=ref.timezone)
    cuts = {window_start, window_end}
    for schedule in schedules:
        for a, b, _ in decisions([schedule], alone, window_start, window_end):
            cuts.update((a, b))
    ordered = sorted(cuts)
    pieces: list[tuple[datetime, datetime, Decision]] = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        decision = evaluate(schedules, ref, a)
        if pieces:
            prev_start, _, prev = pieces[-1]
            if (prev.playlist_key, [c.schedule_id for c in prev.candidates]) == (
                    decision.playlist_key, [c.schedule_id for c in decision.candidates]):
                pieces[-1] = (prev_start, b, prev)
                continue
        pieces.append((a, b, decision))

    return {
        "screen": screen.id, "site": screen.site_id, "timezone": zone.key,
        "start": first.isoformat(),
        "days": [(first + timedelta(days=i)).isoformat() for i in range(DAYS)],
        "from": iso_z(window_start), "until": iso_z(window_end),
        "fallback": ref.fallback_playlist_key,
        "segments": [_segment(a, b, d, ref, zone, slugs, titles) for a, b, d in pieces],
        "skipped": sorted(item.slug for item in loaded
                          if item.schedule is None
                          or item.schedule.playlist_key not in playlists),
    }


@schedule_week_api.get("/screens/<screen_id>/week")
@require_role(*ROLES)
def screen_week(screen_id: str) -> Any:
    unknown = sorted(set(request.args) - {"start"})
    if unknown:
        raise ApiError(400, f"Unknown parameter {unknown[0][:40]!r} (allowed: start).")
    return week(db(), screen_id, request.args.get("start"))
