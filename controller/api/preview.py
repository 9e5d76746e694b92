"""``GET /api/v1/screens/<id>/preview?at=ISO-TIME``: what the screen shows at that
instant and why, and ``…/preview.png?at=`` the picture it shows then (any user with a
valid personal API token); ``GET /api/v1/playlists/<id>/versions/<n>/preview.png?
screen=&item=[&lang=]``: one item of any version drawn for one screen (whoever may read
the version)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from controller.api.errors import ApiError
from controller.api.playlists import READERS, load
from controller.api.user_auth import require_role
from controller.auth.users import ROLES
from controller.content.assignments import load_placements, load_screens, screens_showing
from controller.models import Screen, Site
from controller.refusals import refusal
from controller.review import workflow
from controller.slides.spec import SlideError
from controller.state import db, state
from controller.timeline.item_preview import NoSuchSlide, item_png
from controller.timeline.preview import preview, preview_png
from controller.zones.declarations import stored_layouts
from controller.zones.geometry import main_area_size

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


ID_MAX = 64  # the longest screen or item id a preview is asked for
LANG = re.compile(r"^[a-z]{2,3}$")


def _param(name: str, required: bool = True) -> str | None:
    value = request.args.get(name)
    if value is None or not value.strip():
        if required:
            raise ApiError(400, refusal("Missing %(name)r: give the screen and the item to "
                                        "draw, e.g. ?screen=phu-bai-arrivals&item=welcome.",
                                        name=name))
        return None
    value = value.strip()
    if len(value) > ID_MAX:
        raise ApiError(400, refusal("%(name)r is too long (at most %(most)d characters).",
                                    name=name, most=ID_MAX))
    return value


@preview_api.get("/playlists/<playlist_id>/versions/<int:number>/preview.png")
@require_role(*READERS)
def version_item_png(playlist_id: str, number: int) -> Any:
    """One item of version ``number`` (any state, a draft included) drawn for one
    screen, as that screen would show it: a PNG at its resolution, QR badge included."""
    screen_id = str(_param("screen"))
    item_id = str(_param("item"))
    lang = _param("lang", required=False)
    if lang is not None and not LANG.match(lang):
        raise ApiError(400, refusal("%(lang)r is not a language code (2-3 lowercase letters)",
                                    lang=lang))
    _, playlist = load(playlist_id)  # 404 for a playlist the caller may not see
    session = db()
    version = workflow.version_of(session, playlist.id, number)  # 404 without it
    screen = session.get(Screen, screen_id)
    if screen is None:
        raise ApiError(404, refusal("No screen %(screen)r.", screen=screen_id))
    pano = state()
    try:
        png = item_png(session, pano.store, pano.settings.base_url, screen, playlist.id,
                       version.number, list(version.items or []), item_id, lang)
    except NoSuchSlide:
        raise ApiError(404, refusal("Item %(item)r shows no %(lang)r slide on screen "
                                    "%(screen)r.", item=item_id, lang=lang,
                                    screen=screen_id)) from None
    except SlideError as exc:
        raise ApiError(422, refusal("Item %(item)r cannot be drawn for screen %(screen)r: "
                                    "%(why)s", item=item_id, screen=screen_id,
                                    why=str(exc))) from None
    except LookupError:
        raise ApiError(404, refusal("Version %(number)d of %(playlist)r has no item "
                                    "%(item)r.", number=number, playlist=playlist.id,
                                    item=item_id)) from None
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


@preview_api.get("/playlists/<playlist_id>/screen-kinds")
@require_role(*READERS)
def screen_kinds(playlist_id: str) -> Any:
    """The kinds of screen the playlist's next approved version would reach, each once
    — resolution, orientation, languages, bilingual mode and site (a text slide's frame
    names the site) — with one of its screens to draw a preview for and how many there
    are: what the review shows each changed item on. ``resolution`` is the size the
    items play at: a screen with a layout's main area (docs/zones.md)."""
    _, playlist = load(playlist_id)
    session = db()
    shown = screens_showing(playlist.id, load_screens(session), load_placements(session))
    rows = session.scalars(select(Screen).where(Screen.id.in_(sorted(shown)))
                           .order_by(Screen.id)).all() if shown else []
    sites = {site.id: site for site in session.scalars(select(Site))}
    layouts = stored_layouts(session)
    kinds: dict[tuple[Any, ...], dict[str, Any]] = {}
    for screen in rows:
        # A screen with zones plays its items in its main area (docs/zones.md).
        width, height = main_area_size(layouts.get(screen.layout or ""), screen.width,
                                       screen.height)
        key = (width, height, tuple(screen.languages or ()),
               screen.bilingual_mode, screen.site_id)
        if key in kinds:
            kinds[key]["count"] += 1
            continue
        site = sites.get(screen.site_id)
        kinds[key] = {"screen": screen.id, "count": 1,
                      "resolution": [width, height],
                      "orientation": screen.orientation,
                      "languages": list(screen.languages or []),
                      "bilingual_mode": screen.bilingual_mode,
                      "site": {"id": screen.site_id,
                               "name": {"vi": site.name_vi if site else "",
                                        "en": site.name_en if site else ""}}}
    ordered = sorted(kinds.values(), key=lambda k: (-k["resolution"][0] * k["resolution"][1],
                                                    k["site"]["id"], k["screen"]))
    return {"playlist": playlist.id, "kinds": ordered}
