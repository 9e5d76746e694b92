"""What a screen shows at any instant, and why: the preview behind
``GET /api/v1/screens/<id>/preview``.

The timeline body for the instant is built the way the publisher builds it — the
builder's pure ``build_body`` with ``now`` set to the instant, so the window is the one
the screen holds on that day — and the player's own ``resolve`` picks the item. The
reason comes from ``explain``. Read-only; works for any instant, not only the stored
48 hours."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.emergencies.store import active as active_emergencies
from controller.emergencies.store import aware, targets
from controller.media.store import MediaStore
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
from controller.timeline.rendition_choice import RenditionChooser
from controller.timeline.schedules import ScheduleIndex, load_schedules, usable
from controller.timeline.slides import SlideMaker
from controller.zones.preview import compose_zones, ticker_playlists, with_layout, zone_files
from player.timeline import (
    Playing,
    active_emergency,
    badge_of,
    drawn_file,
    overlay_file,
    resolve,
)


def screen_facts_of(screen: Screen, site: Site | None) -> ScreenFacts:
    """The builder's facts of ``screen`` (at ``site``)."""
    return ScreenFacts(
        id=screen.id, name={"vi": screen.name_vi, "en": screen.name_en},
        site_id=screen.site_id,
        site_name={**(site.names or {}), "vi": site.name_vi, "en": site.name_en}
        if site else {},
        orientation=screen.orientation, resolution=(screen.width, screen.height),
        languages=list(screen.languages or []), bilingual_mode=screen.bilingual_mode,
        timezone=screen.timezone or (site.timezone if site else ""),
        default_playlist=screen.default_playlist_id, tags=list(screen.tags or []),
        alternate_timing=screen.alternate_timing or "split")


def body_at(session: Session, screen: Screen, at: datetime,
            heartbeat_interval: float, store: MediaStore | None = None,
            base_url: str | None = None) -> dict[str, Any]:
    """The timeline body the controller builds for ``screen`` on the day of ``at``."""
    facts = with_layout(session, screen,
                        screen_facts_of(screen, session.get(Site, screen.site_id)))
    loaded = load_schedules(session)
    defaults = [screen.default_playlist_id] if screen.default_playlist_id else []
    defaults += ticker_playlists(facts)  # its layout's ticker (docs/zones.md)
    playlists = load_playlists(session, defaults, loaded)
    schedules = ScheduleIndex.of(usable(loaded, playlists)).for_screen(
        facts.id, facts.site_id, facts.tags)
    shas = {v["media"] for p in playlists.values() for item in p.items
            for v in (item.get("variants") or {}).values()
            if isinstance(v, Mapping) and v.get("media")}
    rows = session.scalars(select(Media).where(Media.sha256.in_(shas))).all() if shas else []
    media = {row.sha256: MediaFacts(size=row.size, mime=row.mime) for row in rows}
    # The renditions already made for the screen (read-only: none is made here).
    chooser = RenditionChooser(session, None, {row.sha256: (media[row.sha256], row.kind)
                                               for row in rows}, make=False)
    emergencies = tuple(
        EmergencyFacts(id=e.id, start=aware(e.starts_at), end=aware(e.ends_at),
                       messages=e.messages, url=e.url)
        for e in active_emergencies(session, at) if targets(e, screen.id, screen.site_id))
    # The slides and badges already made (read-only: none is drawn, no code created).
    slides = (SlideMaker(session, store, base_url, make=False, now=at)
              if store is not None and base_url else None)
    return build_body(BuildInputs(screen=facts, playlists=playlists, media=media,
                                  heartbeat_interval=heartbeat_interval, now=at,
                                  schedules=schedules, emergencies=emergencies,
                                  choose_media=chooser, slides=slides,
                                  zones=zone_files(session, store, at)))


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
    langs = slide.languages if slide is not None else tuple(languages)
    return {"playlist": playing.playlist_key, "item": item.get("id"), "type": item.get("type"),
            "started_at": _iso(playing.started_at), "ends_at": _iso(playing.ends_at),
            "variants": _variants(item, languages),
            # The language(s) on screen at that instant (one in alternate mode), and
            # when that slide started and ends, as the player schedules them.
            "showing": None if slide is None else {
                "languages": list(slide.languages), "started_at": _iso(slide.started_at),
                "ends_at": _iso(slide.ends_at)},
            # The rendered slide (text items) or frame (image items) and the QR badge
            # on screen then, if any.
            "slide": drawn_file(item, langs),
            "qr": badge_of(item, langs)}


def _screen_at(session: Session, screen_id: str, at: datetime) -> Screen:
    """The screen; ValueError for a naive ``at``, LookupError for an unknown screen."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone; pass an aware datetime")
    screen = session.get(Screen, screen_id)
    if screen is None:
        raise LookupError(f"no screen {screen_id!r}")
    return screen


def preview(session: Session, screen_id: str, at: datetime,
            heartbeat_interval: float, store: MediaStore | None = None,
            base_url: str | None = None) -> dict[str, Any]:
    """What ``screen_id`` shows at ``at`` (aware) and why. LookupError for an unknown
    screen, ValueError for a naive datetime."""
    screen = _screen_at(session, screen_id, at)
    body = body_at(session, screen, at, heartbeat_interval, store, base_url)
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
        "qr_badge": body["display"].get("qr_badge"),
        # The zones (docs/zones.md): main area, ticker and its text, clock; None: the
        # whole screen is the main area.
        "layout": body["display"].get("layout"),
    }


def open_media(store: MediaStore, sha: str | None, mode: str = "RGB") -> Image.Image | None:
    """The stored picture ``sha`` decoded (``mode``), None when absent or unreadable."""
    if not sha or not store.exists(sha):
        return None
    try:
        with Image.open(store.path_for(sha)) as image:
            return image.convert(mode)
    except (OSError, ValueError):
        return None


def preview_png(session: Session, screen_id: str, at: datetime, heartbeat_interval: float,
                store: MediaStore, base_url: str | None) -> bytes:
    """The picture ``screen_id`` shows at ``at``, as a PNG of its resolution: the
    emergency's or text item's rendered slide, the image item's frame (its picture with
    the caption drawn: ``controller.slides.frame``), or an image without caption or link
    (its rendition) fitted on black, a video's caption overlay on black, with the QR
    badge pasted at ``display.qr_badge``; black when there is nothing to draw (web page,
    idle, or a slide or frame not drawn yet)."""
    screen = _screen_at(session, screen_id, at)
    body = body_at(session, screen, at, heartbeat_interval, store, base_url)
    size = (int(screen.width), int(screen.height))
    now = at.timestamp()
    picture: Image.Image | None = None
    overlay: Image.Image | None = None
    badge: dict[str, Any] | None = None
    emergency = active_emergency(body, now)
    if emergency is not None:
        picture = open_media(store, emergency.get("slide"))
        badge = emergency.get("qr")
        if picture is None:
            picture = Image.new("RGB", size, (183, 18, 18))
    else:
        playing = resolve(body, now)
        if playing is not None:
            slide = playing.slide_at(now)
            langs = slide.languages if slide is not None else ()
            item = playing.item
            picture = open_media(store, drawn_file(item, langs))  # a slide or a frame
            if picture is None and item.get("type") == "image":  # not drawn (yet)
                variants = item.get("variants") or {}
                variant = variants.get(langs[0]) if langs else next(iter(variants.values()))
                picture = open_media(store, (variant or {}).get("media"))
            # A video's caption (a still of the video is not drawn: black under it).
            overlay = open_media(store, overlay_file(item, langs), "RGBA")
            badge = badge_of(item, langs)
    box = body["display"].get("qr_badge")
    badge_image = open_media(store, badge.get("badge")) if badge and box else None
    layout = body["display"].get("layout")
    if layout and emergency is None:  # the main area among the zones (docs/zones.md)
        return compose_zones(size, layout, picture, badge_image, overlay, store, now, compose)
    return compose(size, picture, badge_image, (box["x"], box["y"]) if box else None,
                   overlay)


def compose(size: tuple[int, int], picture: Image.Image | None,
            badge: Image.Image | None, at: tuple[int, int] | None,
            overlay: Image.Image | None = None) -> bytes:
    """A PNG of ``size``: ``picture`` (a slide or frame: exactly the size; a picture
    shown as it is: fitted, centred) on black, a video's caption ``overlay`` (RGBA, the
    size) over it, ``badge`` pasted at ``at``; as the kiosk page lays them out."""
    canvas = Image.new("RGB", size, (0, 0, 0))
    if picture is not None:
        if picture.size != size:
            picture = ImageOps.contain(picture, size)
        canvas.paste(picture, ((size[0] - picture.width) // 2,
                               (size[1] - picture.height) // 2))
    if overlay is not None and overlay.size == size:
        canvas = Image.alpha_composite(canvas.convert("RGBA"), overlay).convert("RGB")
    if badge is not None and at is not None:
        canvas.paste(badge, at)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()
