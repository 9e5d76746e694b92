"""Build, store and push timelines.

``TimelinePublisher.rebuild`` computes every (or the given) screen's timeline, compares
its content hash with the stored one, and only for screens whose content changed bumps
``version``, stores the body and emits ``timeline`` to the room ``screen:<id>`` in the
``/player`` namespace. Restarting therefore bumps nothing when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller.models import Media, Playlist, PlaylistVersion, Screen, ScreenTimeline, Site
from controller.timeline.builder import (
    BuildInputs,
    MediaFacts,
    PlaylistOnAir,
    ScreenFacts,
    build_body,
    iso_z,
)

log = logging.getLogger("pano.timeline")

NAMESPACE = "/player"


def room_for(screen_id: str) -> str:
    return f"screen:{screen_id}"


def content_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _screen_facts(screen: Screen, site: Site) -> ScreenFacts:
    return ScreenFacts(
        id=screen.id,
        name={"vi": screen.name_vi, "en": screen.name_en},
        site_id=site.id,
        site_name={"vi": site.name_vi, "en": site.name_en},
        orientation=screen.orientation,
        resolution=(screen.width, screen.height),
        languages=list(screen.languages or []),
        bilingual_mode=screen.bilingual_mode,
        timezone=screen.timezone or site.timezone,
        default_playlist=screen.default_playlist_id,
        tags=list(screen.tags or []),
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
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self._emit = emit
        self.heartbeat_interval = heartbeat_interval
        self.clock = clock
        # One rebuild at a time in this process (watcher, scheduler, first connects).
        self._lock = threading.Lock()

    # -- loading: a handful of queries whatever the number of screens ------------------
    def _inputs(self, session: Session, screen_ids: list[str] | None,
                now: datetime) -> list[BuildInputs]:
        query = select(Screen, Site).join(Site, Screen.site_id == Site.id).order_by(Screen.id)
        if screen_ids is not None:
            query = query.where(Screen.id.in_(screen_ids))
        rows = session.execute(query).all()
        wanted = {screen.default_playlist_id for screen, _ in rows if screen.default_playlist_id}
        playlists: dict[str, PlaylistOnAir] = {}
        if wanted:
            found = session.execute(
                select(Playlist, PlaylistVersion)
                .join(PlaylistVersion, and_(PlaylistVersion.playlist_id == Playlist.id,
                                            PlaylistVersion.number == Playlist.current_version))
                .where(Playlist.id.in_(wanted))
            ).all()
            for playlist, version in found:
                playlists[playlist.id] = PlaylistOnAir(
                    id=playlist.id, version=version.number,
                    title={"vi": playlist.title_vi, "en": playlist.title_en},
                    items=list(version.items or []))
        shas: set[str] = set()
        for on_air in playlists.values():
            shas |= _media_shas(on_air.items)
        media: dict[str, MediaFacts] = {}
        if shas:
            for row in session.scalars(select(Media).where(Media.sha256.in_(shas))):
                media[row.sha256] = MediaFacts(size=row.size, mime=row.mime)
        return [
            BuildInputs(screen=_screen_facts(screen, site), playlists=playlists, media=media,
                        heartbeat_interval=self.heartbeat_interval, now=now)
            for screen, site in rows
        ]

    # -- the public operations ----------------------------------------------------------
    def rebuild(self, session: Session, screen_ids: Iterable[str] | None = None,
                emit: bool = True) -> list[str]:
        """Rebuild timelines; store and push those whose content changed. Commits.
        Returns the ids of the screens whose timeline changed."""
        ids = None if screen_ids is None else sorted(set(screen_ids))
        with self._lock:
            try:
                changed = self._rebuild_locked(session, ids)
            except IntegrityError:
                # Another process stored a first timeline for one of these screens at
                # the same moment; start again from what it stored.
                session.rollback()
                changed = self._rebuild_locked(session, ids)
        if emit and self._emit is not None:
            for screen_id, body in changed:
                self._emit("timeline", body, to=room_for(screen_id), namespace=NAMESPACE)
        if changed:
            log.info("timeline changed for %d screen(s): %s", len(changed),
                     ", ".join(s for s, _ in changed[:20]) + (" …" if len(changed) > 20 else ""))
        return [screen_id for screen_id, _ in changed]

    def _rebuild_locked(self, session: Session,
                        ids: list[str] | None) -> list[tuple[str, dict[str, Any]]]:
        now = self.clock()
        inputs = self._inputs(session, ids, now)
        query = select(ScreenTimeline.screen_id, ScreenTimeline.version,
                       ScreenTimeline.content_hash)
        if ids is not None:
            query = query.where(ScreenTimeline.screen_id.in_(ids))
        stored = {row.screen_id: (row.version, row.content_hash)
                  for row in session.execute(query)}
        changed: list[tuple[str, dict[str, Any]]] = []
        for item in inputs:
            body = build_body(item)
            digest = content_hash(body)
            old = stored.get(item.screen.id)
            if old is not None and old[1] == digest:
                continue
            version = old[0] + 1 if old is not None else 1
            full = {"schema": body["schema"], "screen": body["screen"], "version": version,
                    "generated_at": iso_z(now), **body}
            values = {"version": version, "content_hash": digest, "body": full,
                      "built_at": now}
            if old is None:
                session.execute(insert(ScreenTimeline).values(screen_id=item.screen.id,
                                                              **values))
            else:
                result = session.execute(
                    update(ScreenTimeline)
                    .where(ScreenTimeline.screen_id == item.screen.id,
                           ScreenTimeline.version == old[0],
                           ScreenTimeline.content_hash == old[1])
                    .values(**values)
                    .execution_options(synchronize_session=False))
                if result.rowcount != 1:
                    continue  # another process stored this very change first
            changed.append((item.screen.id, full))
        session.commit()
        return changed

    def timeline_for(self, session: Session, screen_id: str) -> dict[str, Any] | None:
        """The stored timeline of a screen, built first if there is none yet."""
        body = session.scalar(select(ScreenTimeline.body)
                              .where(ScreenTimeline.screen_id == screen_id))
        if body is None:
            self.rebuild(session, [screen_id], emit=False)
            body = session.scalar(select(ScreenTimeline.body)
                                  .where(ScreenTimeline.screen_id == screen_id))
        return body
