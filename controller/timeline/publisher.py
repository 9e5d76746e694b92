"""Build, store and push timelines.

``TimelinePublisher.rebuild`` computes every (or the given) screen's timeline, compares
its content hash with the stored one, and only for screens whose content changed bumps
``version``, stores the bodies (one batched write, ``controller.timeline.store``) and
then emits ``timeline`` to the room ``screen:<id>`` in the ``/player`` namespace.
Restarting therefore bumps nothing when nothing changed. Screens that show the same
playlists at the same resolution share that part of their bodies (built and hashed once
per rebuild). With a media store, image variants name the rendition for each screen's
resolution (``RenditionChooser``, docs/media.md "Renditions"), made here when missing;
with a public ``base_url`` too, text items and emergencies get rendered slides and links
get per-screen QR badges (``controller.timeline.slides``).

``rebuild_for(scopes)`` is the entry after a change: it rebuilds only the screens the
change can reach (``controller.timeline.impact``), from the database's "now" and the
reverse index this publisher keeps of what every screen's last build depended on
(``controller.timeline.dependencies``; docs/architecture.md "Incremental rebuilds").
After each commit the stored versions are noted for the acks
(``controller.timeline.stored_versions``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller.changes import Scope
from controller.emergencies.store import active as active_emergencies
from controller.emergencies.store import aware
from controller.media.store import MediaStore
from controller.metrics.push_ack import PUSHES
from controller.metrics.registry import TIMELINE_REBUILD_SECONDS
from controller.models import Media, Screen, ScreenTimeline, Site
from controller.timeline.builder import (
    BuildInputs,
    EmergencyFacts,
    MediaFacts,
    PartsMemo,
    ScreenFacts,
    build_body,
    iso_z,
)
from controller.timeline.dependencies import DependencyIndex, Deps, DepsMaker
from controller.timeline.impact import screens_for
from controller.timeline.playlists import load_playlists
from controller.timeline.rendition_choice import RenditionChooser
from controller.timeline.schedules import ScheduleIndex, load_schedules, usable
from controller.timeline.slides import SlideMaker
from controller.timeline.store import LostRace, Row, store_batch
from controller.timeline.stored_versions import KNOWN

log = logging.getLogger("pano.timeline")

NAMESPACE = "/player"
VERIFY_INTERVAL = 10.0  # seconds between rebuild_for's checks of every stored version


def room_for(screen_id: str) -> str:
    return f"screen:{screen_id}"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


class _Hasher:
    """``content_hash`` for many bodies that share parts (``build_body``'s memo): the
    canonical JSON of a shared top-level value is computed once and spliced in where a
    placeholder (a random string no body can contain) stands. The digest is the very same
    as ``content_hash``'s, so stored hashes stay valid across versions of this code."""

    SHARED = ("playlists", "media")

    def __init__(self) -> None:
        self._parts: dict[int, tuple[Any, str]] = {}
        token = secrets.token_hex(16)
        self._marks = {key: f"pano-part-{token}-{key}" for key in self.SHARED}

    def _part(self, value: Any) -> str:
        hit = self._parts.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        text = _canonical(value)
        self._parts[id(value)] = (value, text)  # keeps value alive: ids stay unique
        return text

    def digest(self, body: dict[str, Any]) -> str:
        shared = [key for key in self.SHARED if key in body]
        text = _canonical({**body, **{key: self._marks[key] for key in shared}})
        for key in shared:
            text = text.replace(f'"{self._marks[key]}"', self._part(body[key]), 1)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


_SCREENS = Screen.__table__
_SITES = Site.__table__
# Plain rows, not ORM objects: loading 500 screens as entities cost more than building.
_SCREEN_ROWS = (
    select(_SCREENS.c.id, _SCREENS.c.name_vi, _SCREENS.c.name_en, _SCREENS.c.orientation,
           _SCREENS.c.width, _SCREENS.c.height, _SCREENS.c.languages,
           _SCREENS.c.bilingual_mode, _SCREENS.c.alternate_timing, _SCREENS.c.timezone,
           _SCREENS.c.default_playlist_id,
           _SCREENS.c.tags, _SITES.c.id.label("site_id"),
           _SITES.c.name_vi.label("site_name_vi"), _SITES.c.name_en.label("site_name_en"),
           _SITES.c.names.label("site_names"), _SITES.c.timezone.label("site_timezone"))
    .join(_SITES, _SCREENS.c.site_id == _SITES.c.id)
    .order_by(_SCREENS.c.id)
)


def _screen_facts(row: Any) -> ScreenFacts:
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
    )


def _media_shas(items: Iterable[dict[str, Any]]) -> set[str]:
    shas: set[str] = set()
    for item in items:
        for variant in (item.get("variants") or {}).values():
            if isinstance(variant, dict) and variant.get("media"):
                shas.add(variant["media"])
    return shas


class TimelinePublisher:
    """Owns the rule "push only what changed". ``emit`` is ``SocketIO.emit`` (or any
    callable with its signature); None builds and stores without pushing."""

    def __init__(self, emit: Callable[..., Any] | None, heartbeat_interval: float,
                 clock: Callable[[], datetime] = _utcnow,
                 store: MediaStore | None = None, base_url: str | None = None) -> None:
        self._emit = emit
        # With a store and the public ``base_url`` (short links), text items and
        # emergencies get rendered slides and links get QR badges (``SlideMaker``).
        self.base_url = base_url
        self._slides_reported: set[str] = set()
        # With a media store, image variants get the rendition for each screen's
        # resolution, made at rebuild time if missing; without one, originals are used.
        self.store = store
        self._reported: set[tuple[str, str]] = set()
        self.heartbeat_interval = heartbeat_interval
        self.clock = clock
        # The job worker's, once it runs (controller/jobs/renders.py): slides, badges and
        # renditions are then drawn there, not in this process.
        self.renderer: Any = None
        # One rebuild at a time in this process (watcher, scheduler, first connects).
        self._lock = threading.Lock()
        # When the earliest emergency seen by the last rebuild ends: a rebuild is due
        # then, so it drops out of the timelines (the watcher asks ``rebuild_due``).
        self.next_expiry: datetime | None = None
        # What each screen's last build depended on (``rebuild_for``), and how many
        # screen timelines this publisher has built (what a change cost, for tests).
        self.index = DependencyIndex()
        self.screens_built = 0
        self._slugs: dict[int, str] = {}  # schedule id -> slug, of the last build
        # How often ``rebuild_for`` compares every stored version with the index's (a
        # screen another process stored is rebuilt): a scan of the stored timelines,
        # so at most every ``verify_interval`` seconds; a full rebuild verifies too.
        self.verify_interval = VERIFY_INTERVAL
        self._verified_at = float("-inf")

    def rebuild_due(self, now: datetime | None = None) -> bool:
        expiry = self.next_expiry
        return expiry is not None and (now or self.clock()) >= expiry

    # -- loading: a handful of queries whatever the number of screens ------------------
    def _inputs(self, session: Session, screen_ids: list[str] | None,
                now: datetime, missing: list[tuple[Any, ...]] | None = None,
                ) -> list[BuildInputs]:
        query = _SCREEN_ROWS
        if screen_ids is not None:
            query = query.where(_SCREENS.c.id.in_(screen_ids))
        rows = session.execute(query).all()
        loaded = load_schedules(session)
        self._slugs = {item.id: item.slug for item in loaded}
        defaults = {row.default_playlist_id for row in rows if row.default_playlist_id}
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
        chooser = (RenditionChooser(session, self.store, originals, reported=self._reported,
                                    missing=missing)
                   if self.store is not None else None)
        slides = (SlideMaker(session, self.store, self.base_url,
                             reported=self._slides_reported, missing=missing,
                             screen_ids=screen_ids)
                  if self.store is not None and self.base_url else None)
        emergencies = [(set(e.targets.get("sites") or []), set(e.targets.get("screens") or []),
                        EmergencyFacts(id=e.id, start=aware(e.starts_at),
                                       end=aware(e.ends_at), messages=e.messages, url=e.url))
                       for e in active_emergencies(session, now)]
        self.next_expiry = min((f.end for _, _, f in emergencies), default=None)
        inputs = []
        for row in rows:
            facts = _screen_facts(row)
            inputs.append(BuildInputs(
                screen=facts, playlists=playlists, media=media,
                heartbeat_interval=self.heartbeat_interval, now=now, choose_media=chooser,
                slides=slides,
                schedules=index.for_screen(facts.id, facts.site_id, facts.tags),
                emergencies=tuple(f for sites, screens, f in emergencies
                                  if facts.site_id in sites or facts.id in screens)))
        return inputs

    # -- the public operations ----------------------------------------------------------
    def rebuild(self, session: Session, screen_ids: Iterable[str] | None = None,
                emit: bool = True) -> list[str]:
        """Rebuild timelines; store those whose content changed in one transaction,
        then push them. Returns the ids of the screens whose timeline changed."""
        ids = None if screen_ids is None else sorted(set(screen_ids))
        with self._lock:
            changed: list[Row] = []
            for attempt in range(3):
                try:
                    changed = self._rebuild_locked(session, ids, batched=attempt == 0)
                    break
                except (IntegrityError, LostRace):
                    # Another process stored some of these timelines at the same moment;
                    # start again from what it stored (row by row, which cannot lose).
                    session.rollback()
                    if attempt == 2:
                        raise
        # Write, then push: a player must never hold a version newer than the stored one.
        if emit and self._emit is not None:
            for row in changed:
                self._emit("timeline", row.body, to=room_for(row.screen_id),
                           namespace=NAMESPACE)
                PUSHES.pushed(row.screen_id, row.version)
        if changed:
            log.info("timeline changed for %d screen(s): %s", len(changed),
                     ", ".join(r.screen_id for r in changed[:20])
                     + (" …" if len(changed) > 20 else ""))
        return [row.screen_id for row in changed]

    def rebuild_for(self, session: Session, scopes: Iterable[Scope]) -> list[str]:
        """Rebuild the timelines that ``scopes`` (``controller.changes``) may touch, store
        and push those whose content changed (``controller.timeline.impact``): the
        screens the changed objects reach now and those their last timeline took from
        them, plus any screen whose emergencies ended or whose local day turned (so
        ``rebuild_for(session, [])`` is the answer to ``rebuild_due``). Every screen
        until a full rebuild has filled the reverse index, and for ``all``."""
        scopes = list(scopes)
        with self._lock:
            verify = time.monotonic() - self._verified_at >= self.verify_interval
            ids = screens_for(session, scopes, self.index, self.clock(), verify=verify)
            if verify:
                self._verified_at = time.monotonic()
        log.debug("rebuild_for %s: %s screen(s)", ", ".join(map(str, scopes[:10])),
                  "every" if ids is None else len(ids))
        if ids is None:
            return self.rebuild(session)
        if not ids:
            # Nothing to build; an emergency that ended on no screen's timeline (its
            # targets had none) must still stop making a rebuild due.
            now = self.clock()
            self.next_expiry = min((aware(e.ends_at) for e in active_emergencies(
                session, now)), default=None)
            session.commit()  # end the read transaction, as a rebuild does
            return []
        return self.rebuild(session, ids)

    @TIMELINE_REBUILD_SECONDS.time()  # one attempt: build, compare, store (no push)
    def _rebuild_locked(self, session: Session, ids: list[str] | None,
                        batched: bool) -> list[Row]:
        now = self.clock()
        generated_at = iso_z(now)
        bodies = self._bodies(session, ids, now)
        self.screens_built += len(bodies)
        query = select(ScreenTimeline.screen_id, ScreenTimeline.version,
                       ScreenTimeline.content_hash)
        if ids is not None:
            query = query.where(ScreenTimeline.screen_id.in_(ids))
        stored = {row.screen_id: (row.version, row.content_hash)
                  for row in session.execute(query)}
        hasher = _Hasher()
        rows: list[Row] = []
        versions: dict[str, int] = {}  # screen -> its stored version after this commit
        for item, body, _ in bodies:
            digest = hasher.digest(body)
            old = stored.get(item.screen.id)
            if old is not None and old[1] == digest:
                versions[item.screen.id] = old[0]
                continue
            version = old[0] + 1 if old is not None else 1
            full = {"schema": body["schema"], "screen": body["screen"], "version": version,
                    "generated_at": generated_at, **body}
            rows.append(Row(item.screen.id, old, version, digest, full, now))
        changed = store_batch(session, rows, batched=batched) if rows else []
        session.commit()
        versions.update((row.screen_id, row.version) for row in changed)
        self._remember(session, ids, bodies, versions)
        return changed

    def _remember(self, session: Session, ids: list[str] | None,
                  bodies: list[tuple[BuildInputs, dict[str, Any], bool]],
                  versions: dict[str, int]) -> None:
        """After a commit: the reverse index of the screens built, and the versions
        stored for the acks (``stored_versions``). A screen whose row another process
        stored first is left unknown, so the next change rebuilds it."""
        make = DepsMaker(self._slugs)
        entries: dict[str, Deps] = {
            item.screen.id: make(item, body, versions[item.screen.id], incomplete)
            for item, body, incomplete in bodies if item.screen.id in versions}
        if ids is None:
            self.index.replace(entries)
            self._verified_at = time.monotonic()
        else:
            self.index.update(ids, entries)
        bind = session.get_bind()
        KNOWN.note(bind, versions)
        KNOWN.forget(bind, [item.screen.id for item, _, _ in bodies
                            if item.screen.id not in versions])

    def _bodies(self, session: Session, ids: list[str] | None,
                now: datetime) -> list[tuple[BuildInputs, dict[str, Any], bool]]:
        """Every screen's body. With a ``renderer`` (the serving process) no slide, badge
        or rendition is drawn here: the missing ones go to the job worker, the rebuild
        waits for it a bounded time (cooperatively) and builds again with what exists
        then; what is still missing is left out (the item without slides, the original
        picture) and the worker's change-counter bump brings it in a later rebuild.
        Each body comes with whether something was missing for it (``_build``)."""
        missing: list[tuple[Any, ...]] | None = [] if self.renderer is not None else None
        bodies = self._build(session, ids, now, missing)
        if missing and self.renderer is not None and self.renderer.make(missing):
            bodies = self._build(session, ids, now, [])
        return bodies

    def _build(self, session: Session, ids: list[str] | None, now: datetime,
               missing: list[tuple[Any, ...]] | None,
               ) -> list[tuple[BuildInputs, dict[str, Any], bool]]:
        """Bodies, and for each whether a file was missing (``missing`` grew while it
        was built: the chooser and slide maker add a request at every ask). A screen
        sharing its playlists part with one that missed a file missed it too."""
        memo: PartsMemo = {}
        built = []
        for item in self._inputs(session, ids, now, missing):
            mark = len(missing) if missing is not None else 0
            body = build_body(item, memo=memo)
            built.append((item, body, missing is not None and len(missing) > mark))
        short = {id(body["playlists"]) for _, body, gap in built if gap}
        return [(item, body, gap or id(body["playlists"]) in short)
                for item, body, gap in built]

    def timeline_for(self, session: Session, screen_id: str) -> dict[str, Any] | None:
        """The stored timeline of a screen, built first if there is none yet."""
        body = session.scalar(select(ScreenTimeline.body)
                              .where(ScreenTimeline.screen_id == screen_id))
        if body is None:
            self.rebuild(session, [screen_id], emit=False)
            body = session.scalar(select(ScreenTimeline.body)
                                  .where(ScreenTimeline.screen_id == screen_id))
        return body
