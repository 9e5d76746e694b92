"""What a screen shows at any instant, and why: the preview behind
``GET /api/v1/screens/<id>/preview``.

The timeline body for the instant is built the way the publisher builds it — the
builder's pure ``build_body`` with ``now`` set to the instant, so the window is the one
the screen holds on that day — and the player's own ``resolve`` picks the item. The
reason comes from ``explain``. Read-only; works for any instant, not only the stored
48 hours."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.emergencies.store import active as active_emergencies
from controller.emergencies.store import aware, targets
from controller.models import Media, Screen, Site
from controller.timeline.builder import (
    BuildInputs,
    EmergencyFacts,
    MediaFacts,
    ScreenFacts,
    build_body,
)
from controller.timeline.explain import explain
from controller.timeline.playlists import load_playlists
from controller.timeline.schedules import ScheduleIndex, load_schedules, usable
from player.timeline import Playing, active_emergency, resolve


def _facts(screen: Screen, site: Site | None) -> ScreenFacts:
    return ScreenFacts(
        id=screen.id, name={"vi": screen.name_vi, "en": screen.name_en},
        site_id=screen.site_id,
        site_name={"vi": site.name_vi, "en": site.name_en} if site else {},
        orientation=screen.orientation, resolution=(screen.width, screen.height),
        languages=list(screen.languages or []), bilingual_mode=screen.bilingual_mode,
        timezone=screen.timezone or (site.timezone if site else ""),
        default_playlist=screen.default_playlist_id, tags=list(screen.tags or []),
        alternate_timing=screen.alternate_timing or "split")


def body_at(session: Session, screen: Screen, at: datetime,
            heartbeat_interval: float) -> dict[str, Any]:
    """The timeline body the controller builds for ``screen`` on the day of ``at``."""
    facts = _facts(screen, session.get(Site, screen.site_id))
    loaded = load_schedules(session)
    defaults = [screen.default_playlist_id] if screen.default_playlist_id else []
    playlists = load_playlists(session, defaults, loaded)
    schedules = ScheduleIndex.of(usable(loaded, playlists)).for_screen(
        facts.id, facts.site_id, facts.tags)
    shas = {v["media"] for p in playlists.values() for item in p.items
            for v in (item.get("variants") or {}).values()
            if isinstance(v, Mapping) and v.get("media")}
    media = {row.sha256: MediaFacts(size=row.size, mime=row.mime)
             for row in session.scalars(select(Media).where(Media.sha256.in_(shas)))} \
        if shas else {}
    emergencies = tuple(
        EmergencyFacts(id=e.id, start=aware(e.starts_at), end=aware(e.ends_at),
                       messages=e.messages, url=e.url)
        for e in active_emergencies(session, at) if targets(e, screen.id, screen.site_id))
    return build_body(BuildInputs(screen=facts, playlists=playlists, media=media,
                                  heartbeat_interval=heartbeat_interval, now=at,
                                  schedules=schedules, emergencies=emergencies))


def _iso(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def _variants(item: Mapping[str, Any], languages: list[str]) -> dict[str, Any]:
    """The item's variants in the screen's languages, in the screen's order (all of
    them if none matches, as the player does)."""
    variants = item.get("variants") or {}
    chosen = {lang: variants[lang] for lang in languages if lang in variants}
    return chosen or dict(variants)


def _playing(playing: Playing | None, languages: list[str],
             now: float) -> dict[str, Any] | None:
    if playing is None:
        return None
    item = playing.item
    slide = playing.slide_at(now)
    return {"playlist": playing.playlist_key, "item": item.get("id"), "type": item.get("type"),
            "started_at": _iso(playing.started_at), "ends_at": _iso(playing.ends_at),
            "variants": _variants(item, languages),
            # The language(s) on screen at that instant (one in alternate mode), and
            # when that slide started and ends, as the player schedules them.
            "showing": None if slide is None else {
                "languages": list(slide.languages), "started_at": _iso(slide.started_at),
                "ends_at": _iso(slide.ends_at)}}


def preview(session: Session, screen_id: str, at: datetime,
            heartbeat_interval: float) -> dict[str, Any]:
    """What ``screen_id`` shows at ``at`` (aware) and why. LookupError for an unknown
    screen, ValueError for a naive datetime."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone; pass an aware datetime")
    screen = session.get(Screen, screen_id)
    if screen is None:
        raise LookupError(f"no screen {screen_id!r}")
    body = body_at(session, screen, at, heartbeat_interval)
    why = explain(session, screen_id, at)
    languages = list(screen.languages or [])
    return {
        "screen": screen.id,
        "at": why["at"],
        "local_time": why["local_time"],
        "playing": _playing(resolve(body, at.timestamp()), languages, at.timestamp()),
        # An emergency preempts whatever plays (protocol, resolution step 0).
        "emergency": active_emergency(body, at.timestamp()),
        "why": {"playlist": why["playlist"], "reason": why["reason"],
                "schedule": why["schedule"]},
        "languages": languages,
        "bilingual_mode": screen.bilingual_mode,
        "alternate_timing": screen.alternate_timing or "split",
    }
