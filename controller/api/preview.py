"""``GET /api/v1/screens/<id>/preview?at=ISO-TIME``: what the screen shows at that
instant and why, and ``…/preview.png?at=`` the picture it shows then (any user with a
valid personal API token)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request

from controller.api.errors import ApiError
from controller.api.user_auth import require_role
from controller.auth.users import ROLES
from controller.refusals import refusal
from controller.state import db, state
from controller.timeline.preview import preview, preview_png

preview_api = Blueprint("preview_api", __name__, url_prefix="/api/v1")

AT_HINT = refusal("give 'at' as an ISO 8601 time with a time zone, e.g. "
                  "?at=2026-11-27T18:30:00Z or ?at=2026-11-28T01:30:00%2B07:00")
# An unencoded '+' in a query string arrives as a space: "…T01:30:00 07:00".
_PLUS_AS_SPACE = re.compile(r" (\d{2}(?::?\d{2})?)$")
MIN_YEAR, MAX_YEAR = 1971, 9998  # the builder adds days around the instant


def parse_at(raw: str | None) -> datetime:
    """The ``at`` parameter as an aware datetime; ApiError 400 saying what is wrong."""
    if raw is None or not raw.strip():
        raise ApiError(400, refusal("Missing 'at': %(hint)s.", hint=AT_HINT))
    text = raw.strip()
    if len(text) > 64:
        raise ApiError(400, refusal("'at' is too long: %(hint)s.", hint=AT_HINT))
    if "T" in text:
        text = _PLUS_AS_SPACE.sub(r"+\1", text)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, refusal("'at' %(raw)r is not an ISO 8601 time: %(hint)s.",
                                    raw=raw[:64], hint=AT_HINT)) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise ApiError(400, refusal("'at' %(raw)r has no time zone: %(hint)s.", raw=raw[:64],
                                    hint=AT_HINT))
    try:
        year = at.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ApiError(400, refusal("'at' must be between the years %(low)d and %(high)d: "
                                    "%(hint)s.", low=MIN_YEAR, high=MAX_YEAR, hint=AT_HINT))
    return at


@preview_api.get("/screens/<screen_id>/preview")
@require_role(*ROLES)
def screen_preview(screen_id: str) -> Any:
    at = parse_at(request.args.get("at"))
    pano = state()
    try:
        return preview(db(), screen_id, at, pano.settings.heartbeat_interval, pano.store,
                       pano.settings.base_url)
    except LookupError:
        raise ApiError(404, refusal("No screen %(screen)r.", screen=screen_id[:64])) from None


@preview_api.get("/screens/<screen_id>/preview.png")
@require_role(*ROLES)
def screen_preview_png(screen_id: str) -> Any:
    """The picture the screen shows at ``at`` (its resolution, PNG), slide or image
    with the QR badge, composed by the controller."""
    at = parse_at(request.args.get("at"))
    pano = state()
    try:
        png = preview_png(db(), screen_id, at, pano.settings.heartbeat_interval, pano.store,
                          pano.settings.base_url)
    except LookupError:
        raise ApiError(404, refusal("No screen %(screen)r.", screen=screen_id[:64])) from None
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})
