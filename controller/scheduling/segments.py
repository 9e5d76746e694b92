"""Schedules → the timeline's segments for a window (protocol section 4).

Which schedules are on can only change where an occurrence starts or ends (every other
fact, the calendar included, is folded into the occurrences; see ``rules``). So the
window is cut at those instants, a sweep keeps the set of schedules on between two cuts,
and ``rules.decide`` — the function ``rules.evaluate`` ends with — picks what plays there.
Equal neighbours (same playlist and same winning schedule) are merged. Cost: one pass
over the occurrences, O(occurrences · log occurrences + cuts · schedules on at once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from controller.scheduling.rules import (
    ONE_DAY,
    Candidate,
    Decision,
    Schedule,
    ScreenRef,
    as_utc,
    candidate,
    decide,
    zone,
)


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` (fractions of a second only when there are some)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def decisions(schedules: Iterable[Schedule], screen: ScreenRef, window_start: datetime,
              window_end: datetime) -> list[tuple[datetime, datetime, Decision]]:
    """Contiguous pieces [from, until) covering the window, each with the decision at
    its start, merged where the playlist and the winning schedule stay the same."""
    start, end = as_utc(window_start), as_utc(window_end)
    if end <= start:
        raise ValueError(f"empty window: {iso_z(start)} … {iso_z(end)}")
    tz = zone(screen.timezone)
    first = start.astimezone(tz).date() - 2 * ONE_DAY  # as in rules.evaluate
    last = end.astimezone(tz).date() + ONE_DAY

    candidates: list[Candidate] = []
    events: dict[datetime, list[tuple[int, int]]] = defaultdict(list)
    for schedule in schedules:
        found = candidate(schedule, screen)
        if found is None:
            continue
        index = len(candidates)
        candidates.append(found)
        for occ_start, occ_end in schedule.occurrences(tz, first, last):
            if occ_end <= start or occ_start >= end:
                continue
            events[max(occ_start, start)].append((index, 1))
            if occ_end < end:
                events[occ_end].append((index, -1))

    cuts = sorted(set(events) | {start, end})
    on: dict[int, int] = {}  # candidate index -> how many of its occurrences are on
    pieces: list[tuple[datetime, datetime, Decision]] = []
    for cut, next_cut in zip(cuts, cuts[1:], strict=False):
        for index, delta in events.get(cut, ()):
            count = on.get(index, 0) + delta
            if count:
                on[index] = count
            else:
                del on[index]
        decision = decide((candidates[i] for i in on), screen)
        if pieces:
            prev_start, _, prev = pieces[-1]
            if (prev.playlist_key, prev.schedule_id) == (decision.playlist_key,
                                                         decision.schedule_id):
                pieces[-1] = (prev_start, next_cut, prev)
                continue
        pieces.append((cut, next_cut, decision))
    return pieces


def build_segments(schedules: Iterable[Schedule], screen: ScreenRef, window_start: datetime,
                   window_end: datetime) -> list[dict[str, Any]]:
    """The protocol's segments for [window_start, window_end): sorted, contiguous, with
    ``playlist`` a playlist key (the fallback where nothing is scheduled, or None) and
    ``reason`` the decision's summary. Equal to ``rules.evaluate`` at every instant."""
    return [
        {"from": iso_z(a), "until": iso_z(b), "playlist": d.playlist_key, "reason": d.summary}
        for a, b, d in decisions(schedules, screen, window_start, window_end)
    ]
