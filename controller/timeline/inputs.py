"""What a rebuild builds from: every asked screen's ``BuildInputs``, loaded with a
handful of queries whatever the number of screens (the screens with their sites as
plain rows, the schedules, the playlist versions on air, their files' facts and the
running emergencies). ``TimelinePublisher`` calls ``load_inputs`` once per rebuild (and
again for the screens left when the job worker made missing files meanwhile)."""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from controller.emergencies.store import active as active_emergencies
from controller.emergencies.store import aware
from controller.media.store import MediaStore
from controller.models import Media, Screen, Site
from controller.timeline.alike import key_of
from controller.timeline.builder import BuildInputs, EmergencyFacts, MediaFacts, ScreenFacts
from controller.timeline.playlists import load_playlists
from controller.timeline.rendition_choice import RenditionChooser
from controller.timeline.schedules import ScheduleIndex, load_schedules, usable
from controller.timeline.slides import SlideMaker
from controller.timeline.spec_hashes import SpecHashes
from controller.zones.declarations import Layout, stored_layouts
from controller.zones.geometry import place
from controller.zones.on_screen import ZoneFiles

_SCREENS = Screen.__table__
_SITES = Site.__table__


def _raw(column: Any, label: str) -> Any:
    """A JSON column read as the database gives it (text on SQLite), decoded by
    ``screen_rows`` once per distinct value rather than once per row."""
    return type_coerce(column, Text).label(label)


# Plain rows, not ORM objects: loading 500 screens as entities cost more than building.
SCREEN_ROWS = (
    select(_SCREENS.c.id, _SCREENS.c.name_vi, _SCREENS.c.name_en, _SCREENS.c.orientation,
           _SCREENS.c.width, _SCREENS.c.height, _raw(_SCREENS.c.languages, "languages"),
           _SCREENS.c.bilingual_mode, _SCREENS.c.alternate_timing, _SCREENS.c.timezone,
           _SCREENS.c.default_playlist_id, _SCREENS.c.layout,
           _raw(_SCREENS.c.tags, "tags"), _SITES.c.id.label("site_id"),
           _SITES.c.name_vi.label("site_name_vi"), _SITES.c.name_en.label("site_name_en"),
           _raw(_SITES.c.names, "site_names"), _SITES.c.timezone.label("site_timezone"))
    .join(_SITES, _SCREENS.c.site_id == _SITES.c.id)
    .order_by(_SCREENS.c.id)
)
# A loaded screen row as a plain named tuple: SQLAlchemy's ``Row`` answers an attribute
# by name in about 0.5 µs (a Python ``__getattr__``), a named tuple in 40 ns, and a
# screen's facts and ``alike`` key read some 30 of them (about 3 % of the server's CPU
# in a change of 500 screens: docs/performance.md).
ScreenRow = namedtuple("ScreenRow", list(SCREEN_ROWS.selected_columns.keys()))  # type: ignore[misc]


_JSON_AT = tuple(ScreenRow._fields.index(name) for name in ("languages", "tags", "site_names"))


def screen_rows(session: Session, query: Any = SCREEN_ROWS) -> list[Any]:
    """The rows of ``query`` (``SCREEN_ROWS``, maybe narrowed) as ``ScreenRow``. Their
    JSON columns are decoded once per distinct text (a fleet's screens mostly share their
    languages, tags and site names: 1500 decodings of 500 rows were 60 % of reading
    them); rows with the same text share the decoded value, so it is read-only."""
    result = session.execute(query)
    if session.get_bind().dialect.name != "sqlite":  # PostgreSQL's driver decodes JSON
        return [ScreenRow._make(row) for row in result]
    decoded: dict[str | None, Any] = {None: None}
    rows = []
    for row in result:
        values = list(row)
        for at in _JSON_AT:
            raw = values[at]
            if raw not in decoded:
                decoded[raw] = json.loads(raw)
            values[at] = decoded[raw]
        rows.append(ScreenRow._make(values))
    return rows


def screen_facts(row: Any, layouts: Mapping[str, Layout] | None = None) -> ScreenFacts:
    """The screen of ``row``; with ``layouts`` (by name), its layout placed on it."""
    layout = (layouts or {}).get(row.layout or "") if layouts else None
    return ScreenFacts(
        id=row.id,
        name={"vi": row.name_vi, "en": row.name_en},
        site_id=row.site_id,
        site_name={**(row.site_names or {}), "vi": row.site_name_vi, "en": row.site_name_en},
        orientation=row.orientation,
        resolution=(row.width, row.height),
        languages=list(row.languages or []),
        bilingual_mode=row.bilingual_mode,
        timezone=row.timezone or row.site_timezone,
        default_playlist=row.default_playlist_id,
        tags=list(row.tags or []),
        alternate_timing=row.alternate_timing or "split",
        layout=place(layout, int(row.width), int(row.height)) if layout else None,
    )


def _media_shas(items: Iterable[dict[str, Any]]) -> set[str]:
    shas: set[str] = set()
    for item in items:
        for variant in (item.get("variants") or {}).values():
            if isinstance(variant, dict) and variant.get("media"):
                shas.add(variant["media"])
    return shas


@dataclass
class Loaded:
    inputs: list[BuildInputs]  # by screen id
    slugs: dict[int, str]  # schedule id -> slug
    next_expiry: datetime | None  # the earliest end of a running emergency


@dataclass
class Sources:
    """What the loading needs from the publisher: its settings and the sets in which
    the chooser and the slide maker remember what they reported."""

    heartbeat_interval: float
    store: MediaStore | None
    base_url: str | None
    reported: set[tuple[str, str]]
    slides_reported: set[str]
    slide_files: dict[str, Any] = field(default_factory=dict)  # SlideMaker's ``known``
    spec_hashes: SpecHashes = field(default_factory=SpecHashes)  # and its memories
    originals: dict[str, str] = field(default_factory=dict)


def load_inputs(session: Session, screen_ids: list[str] | None, now: datetime,
                sources: Sources, missing: list[tuple[Any, ...]] | None = None) -> Loaded:
    """The inputs of ``screen_ids`` (None: every screen). With ``missing``, renditions,
    slides and badges that do not exist yet are added to it, not drawn."""
    query = SCREEN_ROWS
    if screen_ids is not None:
        query = query.where(_SCREENS.c.id.in_(screen_ids))
    rows = screen_rows(session, query)
    loaded = load_schedules(session)
    defaults = {row.default_playlist_id for row in rows if row.default_playlist_id}
    layouts = stored_layouts(session) if any(row.layout for row in rows) else {}
    defaults |= {t for layout in layouts.values() if (t := layout.ticker_playlist)}
    playlists = load_playlists(session, defaults, loaded)
    index = ScheduleIndex.of(usable(loaded, playlists))
    shas: set[str] = set()
    for on_air in playlists.values():
        shas |= _media_shas(on_air.items)
    media: dict[str, MediaFacts] = {}
    originals: dict[str, tuple[MediaFacts, str]] = {}
    if shas:
        for sha, size, mime, kind in session.execute(
                select(Media.sha256, Media.size, Media.mime, Media.kind)
                .where(Media.sha256.in_(shas))):
            media[sha] = MediaFacts(size=size, mime=mime)
            originals[sha] = (media[sha], kind)
    store = sources.store
    chooser = (RenditionChooser(session, store, originals, reported=sources.reported,
                                missing=missing)
               if store is not None else None)
    slides = (SlideMaker(session, store, sources.base_url,
                         reported=sources.slides_reported, missing=missing,
                         screen_ids=screen_ids, now=now, known=sources.slide_files,
                         spec_hashes=sources.spec_hashes, originals=sources.originals)
              if store is not None and sources.base_url else None)
    zones = (ZoneFiles(session, store, now=now,
                       reported=sources.slides_reported)
             if store is not None and layouts else None)
    emergencies = [(set(e.targets.get("sites") or []), set(e.targets.get("screens") or []),
                    EmergencyFacts(id=e.id, start=aware(e.starts_at),
                                   end=aware(e.ends_at), messages=e.messages, url=e.url))
                   for e in active_emergencies(session, now)]
    inputs = []
    for row in rows:
        facts = screen_facts(row, layouts)
        schedules = index.for_screen(facts.id, facts.site_id, facts.tags)
        targeting = tuple(f for sites, screens, f in emergencies
                          if facts.site_id in sites or facts.id in screens)
        inputs.append(BuildInputs(
            screen=facts, playlists=playlists, media=media,
            heartbeat_interval=sources.heartbeat_interval, now=now, choose_media=chooser,
            slides=slides, zones=zones, schedules=schedules, emergencies=targeting,
            alike=key_of(row, facts.timezone, facts.id in index.by_screen, schedules,
                         targeting)))
    return Loaded(inputs=inputs, slugs={item.id: item.slug for item in loaded},
                  next_expiry=min((f.end for _, _, f in emergencies), default=None))
