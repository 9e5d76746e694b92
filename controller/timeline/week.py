"""What a screen plays over a week and why: the panel's week view.

The week is cut wherever any one schedule for the screen starts or stops, and each piece
is answered by ``controller.scheduling.evaluate`` at its start — the rules the players'
timelines are cut from, not a second implementation. Each segment names the schedule
that wins and, for every schedule it outranks, the rule that decided (priority,
specificity, recency, id) and the engine's own sentence for that pair. Read-only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from controller.scheduling import Candidate, Decision, ScreenRef, decide, decisions, evaluate
from controller.scheduling.rules import local_instant
from controller.scheduling.segments import iso_z
from controller.timeline.explain import screen_schedules

DAYS = 7
RULES = ("priority", "specificity", "recency", "id")  # the order of Candidate.rank
SPECIFICITY = {3: "screen", 2: "tag", 1: "site"}


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


def week_of(session: Session, screen_id: str, first: date | None = None) -> dict[str, Any]:
    """The seven days from local midnight of ``first`` (default: this week's Monday in
    the screen's time zone). LookupError for an unknown screen."""
    ctx = screen_schedules(session, screen_id)
    screen, zone, ref, schedules, slugs = ctx.screen, ctx.zone, ctx.ref, ctx.schedules, \
        ctx.slugs
    if first is None:
        today = datetime.now(zone).date()
        first = today - timedelta(days=today.weekday())
    window_start = local_instant(first, time(0), zone)
    window_end = local_instant(first + timedelta(days=DAYS), time(0), zone)

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
        "segments": [_segment(a, b, d, ref, zone, slugs, ctx.titles)
                     for a, b, d in pieces],
        "skipped": ctx.skipped,
    }
