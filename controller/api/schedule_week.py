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
from datetime import date
from typing import Any

from flask import Blueprint, request

from controller.api.errors import ApiError
from controller.api.user_auth import require_role
from controller.auth.users import ROLES
from controller.refusals import refusal
from controller.state import db
from controller.timeline.week import week_of

schedule_week_api = Blueprint("schedule_week_api", __name__, url_prefix="/api/v1")

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _start(raw: str | None) -> date | None:
    if raw is None or not raw.strip():
        return None  # this week's Monday, in the screen's time zone
    text = raw.strip()
    if DATE_RE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None and 1971 <= day.year <= 9998:
            return day
    raise ApiError(400, refusal("'start' %(raw)r is not a date: give the first day of the "
                                "week as YYYY-MM-DD, e.g. ?start=2026-11-23.", raw=raw[:40]))


@schedule_week_api.get("/screens/<screen_id>/week")
@require_role(*ROLES)
def screen_week(screen_id: str) -> Any:
    unknown = sorted(set(request.args) - {"start"})
    if unknown:
        raise ApiError(400, refusal("Unknown parameter %(name)r (allowed: %(allowed)s).",
                                    name=unknown[0][:40], allowed="start"))
    first = _start(request.args.get("start"))
    try:
        return week_of(db(), screen_id, first)
    except LookupError:
        raise ApiError(404, refusal("No screen %(screen)r.", screen=screen_id[:64])) from None
