"""The timeline builder: a pure function from a screen's facts to its timeline body.

No database here. ``build_body`` takes plain inputs and returns the body of the
``timeline`` event of docs/protocol.md without ``version`` and ``generated_at`` (the
publisher adds those). What fills the window comes from a list of *segment sources*,
lowest priority first; each source claims time ranges and a later source paints over an
earlier one: the screen's default playlist (its fallback) first, then its schedules
(``controller.scheduling``), which paint only the time a schedule wins. Emergencies are
not a segment source: they go in their own ``emergencies`` list, which the player
resolves before any segment (docs/architecture.md says why).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from controller.scheduling import Schedule, ScreenRef, decisions
from controller.slides.render import badge_box
from controller.timeline.alike import stamp
from controller.timeline.shared_parts import PartsMemo, shared_parts
from controller.zones.timeline import layout_entry, main_inputs

SCHEMA = 1
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
WINDOW_DAYS = 3  # today, tomorrow, the day after tomorrow: always >= 48 h ahead


@dataclass(frozen=True)
class ScreenFacts:
    id: str
    name: Mapping[str, str]
    site_id: str
    site_name: Mapping[str, str]
    orientation: str
    resolution: tuple[int, int]
    languages: Sequence[str]
    bilingual_mode: str
    timezone: str
    default_playlist: str | None
    tags: Sequence[str] = ()
    # alternate mode only: "split" the item's duration between languages or "repeat" it
    alternate_timing: str = "split"
    # Its layout placed on it (``controller.zones.geometry.ScreenLayout``), None: the
    # whole screen is the main area (docs/zones.md).
    layout: Any = None


@dataclass(frozen=True)
class PlaylistOnAir:
    """The version of a playlist that is on air."""

    id: str
    version: int
    title: Mapping[str, str]
    items: Sequence[Mapping[str, Any]]

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"


@dataclass(frozen=True)
class MediaFacts:
    size: int
    mime: str


# Which file a variant's media becomes on a screen: called with (media sha256, target
# ``WxH``), it returns the sha256 of the file to show (the original when there is no
# rendition, e.g. a video) and its facts (None: unknown, left out of ``media``), or None
# when the file cannot be prepared: the item is then left out for that screen.
MediaChooser = Callable[[str, str], "tuple[str, MediaFacts | None] | None"]


@dataclass(frozen=True)
class Claim:
    """A source's claim: ``playlist`` (a key into the inputs' playlists, or None for
    "nothing") plays from ``start`` to ``end`` because of ``reason``."""

    start: datetime
    end: datetime
    playlist: str | None
    reason: str


@dataclass(frozen=True)
class EmergencyFacts:
    """An emergency that targets the screen: ``messages`` is ``{lang: {title, body}}``."""

    id: int
    start: datetime
    end: datetime
    messages: Mapping[str, Mapping[str, str]]
    url: str | None = None


@dataclass(frozen=True)
class BuildInputs:
    screen: ScreenFacts
    # playlist id -> its current version; "id@N" -> version N (what schedules name)
    playlists: Mapping[str, PlaylistOnAir]
    media: Mapping[str, MediaFacts]  # sha256 -> facts
    heartbeat_interval: float
    now: datetime
    extra: Mapping[str, Any] = field(default_factory=dict)  # for future sources
    # The schedules that target this screen; each names an "id@N" key of ``playlists``.
    schedules: tuple[Schedule, ...] = ()
    # The emergencies that target this screen (ended ones are left out here).
    emergencies: tuple[EmergencyFacts, ...] = ()
    # Renditions (docs/media.md): None keeps every variant's original file.
    choose_media: MediaChooser | None = None
    # Rendered slides and QR badges (``controller.timeline.slides.SlideMaker``): None
    # leaves text items and emergencies to the player's HTML, without badges.
    slides: SlideStep | None = None
    # The ticker strips' step (``controller.zones.on_screen.ZoneFiles``): None names no
    # strip file (the ticker's text alone).
    zones: Any = None
    # Screens with the same key have the same inputs but their id and name (set by the
    # loader, ``controller.timeline.alike``); None: a screen of its own.
    alike: Hashable | None = None


class SlideStep(Protocol):
    """What the builder asks of the slide step (``controller.timeline.slides``)."""

    def share_key(self, screen: ScreenFacts,
                  playlists: Sequence[PlaylistOnAir]) -> tuple[Any, ...]: ...

    def per_screen(self, playlists: Sequence[PlaylistOnAir]) -> bool: ...

    def item(self, screen: ScreenFacts, on_air: PlaylistOnAir, item: dict[str, Any],
             media: dict[str, Any]) -> dict[str, Any]: ...

    def emergency(self, screen: ScreenFacts, entry: dict[str, Any],
                  media: dict[str, Any]) -> dict[str, Any]: ...


SegmentSource = Callable[[BuildInputs, datetime, datetime], list[Claim]]


def default_playlist_source(inputs: BuildInputs, start: datetime, end: datetime) -> list[Claim]:
    playlist_id = inputs.screen.default_playlist
    if playlist_id and playlist_id in inputs.playlists:
        return [Claim(start, end, playlist_id, "default playlist of the screen")]
    return []


@lru_cache(maxsize=4096)
def _schedule_claims(schedules: tuple[Schedule, ...], screen: ScreenRef, start: datetime,
                     end: datetime) -> tuple[Claim, ...]:
    # Cached: a rebuild asks the same question for every screen of a site with the same
    # schedules, and the next rebuild asks it again unless something changed.
    return tuple(Claim(a, b, d.playlist_key, d.summary)
                 for a, b, d in decisions(schedules, screen, start, end)
                 if d.schedule_id is not None)


def schedule_source(inputs: BuildInputs, start: datetime, end: datetime) -> list[Claim]:
    """The time a schedule wins (docs/scheduling.md); the rest is left to the default
    playlist below, which is the screen's fallback."""
    if not inputs.schedules:
        return []
    screen = inputs.screen
    # Only what the schedules can see of the screen goes into the cache key, so screens
    # alike (same site, same relevant tags, not named by id) share one answer.
    named = any(screen.id in s.targets.screens for s in inputs.schedules)
    wanted = frozenset().union(*(s.targets.tags for s in inputs.schedules))
    ref = ScreenRef(id=screen.id if named else "", site=screen.site_id,
                    tags=frozenset(screen.tags) & wanted,
                    timezone=screen_zone(screen.timezone).key)
    return list(_schedule_claims(inputs.schedules, ref, start, end))


# Lowest priority first; a later source's claims paint over earlier ones.
SEGMENT_SOURCES: list[SegmentSource] = [default_playlist_source, schedule_source]


def screen_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def window(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of the current local day to the end of the day after tomorrow."""
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=WINDOW_DAYS), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@lru_cache(maxsize=8192)  # a rebuild formats the same few boundaries for every screen
def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def paint(start: datetime, end: datetime, layers: Sequence[Sequence[Claim]]) -> list[Claim]:
    """Flatten prioritised claims into sorted, non-overlapping segments covering
    [start, end); uncovered time is a ``None`` segment. Equal neighbours are merged."""
    segments = [Claim(start, end, None, "nothing scheduled")]
    for layer in layers:
        for claim in layer:
            lo, hi = max(claim.start, start), min(claim.end, end)
            if lo >= hi:
                continue
            painted: list[Claim] = []
            for seg in segments:
                if seg.end <= lo or seg.start >= hi:
                    painted.append(seg)
                    continue
                if seg.start < lo:
                    painted.append(Claim(seg.start, lo, seg.playlist, seg.reason))
                if seg.end > hi:
                    painted.append(Claim(hi, seg.end, seg.playlist, seg.reason))
            painted.append(Claim(lo, hi, claim.playlist, claim.reason))
            segments = sorted(painted, key=lambda c: c.start)
    merged: list[Claim] = []
    for seg in segments:
        last = merged[-1] if merged else None
        if last and last.end == seg.start and (last.playlist, last.reason) == (
                seg.playlist, seg.reason):
            merged[-1] = Claim(last.start, seg.end, seg.playlist, seg.reason)
        else:
            merged.append(seg)
    return merged


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def target_of(screen: ScreenFacts) -> str:
    """The rendition target of the screen: its resolution, ``WxH``."""
    return f"{int(screen.resolution[0])}x{int(screen.resolution[1])}"


def build_body(inputs: BuildInputs, sources: Sequence[SegmentSource] | None = None,
               memo: PartsMemo | None = None,
               bodies: dict[Hashable, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The screen's timeline body, without ``version`` and ``generated_at``. ``memo``
    (one per rebuild: the inputs' playlists and media must not change while it lives)
    shares the playlist part between screens instead of copying it for each; ``bodies``
    (as long-lived) the whole body between screens alike (``controller.timeline.alike``)."""
    screen = inputs.screen
    alike = inputs.alike if bodies is not None and memo is not None and not sources else None
    if alike is not None:
        template = bodies.get(alike)  # type: ignore[union-attr]
        if template is not None:
            return stamp(template, screen.id, screen.name)
    zone = screen_zone(screen.timezone)
    start, end = window(inputs.now, zone)
    layers = [source(inputs, start, end) for source in (sources or SEGMENT_SOURCES)]
    segments = paint(start, end, layers)

    # With a layout, the playlists are made for the main area (docs/zones.md).
    main = main_inputs(inputs)
    target = target_of(main.screen)
    if memo is None:
        parts = shared_parts(main, segments, target)
    else:
        keys = list(dict.fromkeys(seg.playlist for seg in segments))
        key: tuple[Any, ...] = (target, *keys)
        if inputs.slides is not None:  # slides depend on the frame, badges on the screen
            on_air = [inputs.playlists[k] for k in keys if k is not None]
            key = (*inputs.slides.share_key(main.screen, on_air), *key)
            if inputs.slides.per_screen(on_air):
                alike = None  # its badges are its own: no other screen shares its body
        parts = memo.get(key)
        if parts is None:
            parts = memo[key] = shared_parts(main, segments, target)
    playlists, media = parts.playlists, parts.media

    body = {
        "schema": SCHEMA,
        "screen": screen.id,
        "valid_from": iso_z(start),
        "valid_until": iso_z(end),
        "timezone": zone.key,
        "heartbeat_interval": _number(inputs.heartbeat_interval),
        "display": {
            "name": dict(screen.name),
            "site": {"id": screen.site_id, "name": dict(screen.site_name)},
            "orientation": screen.orientation,
            "resolution": list(screen.resolution),
            "languages": list(screen.languages),
            "bilingual_mode": screen.bilingual_mode,
            # Only in alternate mode, where it means something (protocol section 4).
            **({"alternate_timing": screen.alternate_timing or "split"}
               if screen.bilingual_mode == "alternate" else {}),
        },
        "segments": [
            {
                "from": iso_z(seg.start),
                "until": iso_z(seg.end),
                "playlist": (inputs.playlists[seg.playlist].key
                             if seg.playlist is not None else None),
                "reason": seg.reason,
            }
            for seg in segments
        ],
        "playlists": playlists,
        "media": media,
    }
    emergencies = emergency_entries(inputs.emergencies, inputs.now)
    if emergencies and inputs.slides is not None:
        extra: dict[str, Any] = {}
        emergencies = [inputs.slides.emergency(screen, entry, extra) for entry in emergencies]
        if any(sha not in media for sha in extra):  # a copy: ``media`` may be shared
            body["media"] = {**media, **extra}
    if emergencies:  # absent when there is none: timelines without one keep their hash
        body["emergencies"] = emergencies
    if parts.badges or any("qr" in e for e in emergencies):  # where the page lays them
        left, top, right, bottom = badge_box(*(int(v) for v in screen.resolution))
        body["display"]["qr_badge"] = {"x": left, "y": top, "width": right - left,
                                       "height": bottom - top}
    if screen.layout is not None:  # its zones: main area, ticker, clock (docs/zones.md)
        strips: dict[str, Any] = {}
        body["display"]["layout"] = layout_entry(inputs, strips, zone.key)
        if any(sha not in body["media"] for sha in strips):  # a copy: it may be shared
            body["media"] = {**body["media"], **strips}
    if alike is not None:
        bodies[alike] = body  # type: ignore[index]
    return body


def emergency_entries(emergencies: Sequence[EmergencyFacts],
                      now: datetime) -> list[dict[str, Any]]:
    """The timeline's ``emergencies`` list: those not ended at ``now``, by start."""
    return [
        {"id": e.id, "from": iso_z(e.start), "until": iso_z(e.end),
         "messages": {lang: {"title": text.get("title", ""), "body": text.get("body", "")}
                      for lang, text in e.messages.items()},
         "url": e.url}
        for e in sorted(emergencies, key=lambda e: (e.start, e.id)) if e.end > now
    ]
