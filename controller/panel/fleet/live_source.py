"""The Screens page's live source: topic ``fleet``, event ``screens``
(controller/panel/live.py).

Its snapshot is ``{screen_id: summary}``: ``GET /api/v1/screens``'s summary of each
screen (online computed from ``last_seen`` and the heartbeat interval, so the periodic
feed notices a screen going offline when its heartbeats stop) plus what the page shows
in words: the site's name and, for ``now_playing``, the titles of the playlist and of
the item the player reported in its last heartbeat.

The feed runs it every second for the whole fleet, so it stays a handful of queries
whatever the number of screens (screens with their sites, statuses, timeline versions,
titles of the playlists being played) and no query per screen. Item titles come from
playlist versions, which never change once submitted (only approved ones are on air),
so they are read once per version and kept (``_ITEM_TITLES``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from controller.api.screens import screen_summary
from controller.models import (
    DRAFT,
    Playlist,
    PlaylistVersion,
    Screen,
    ScreenStatus,
    ScreenTimeline,
    Site,
)
from controller.panel.live import register_source
from controller.panel.nav import FLEET_ROLES
from controller.state import state

TOPIC = "fleet"
EVENT = "screens"
MAX_CACHED_VERSIONS = 512

# (playlist id, version number) -> {item id: {"vi": title, "en": title, "type": …}}
_ITEM_TITLES: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}


def _interval() -> float:
    return state().settings.heartbeat_interval


def _split_key(key: Any) -> tuple[str, int] | None:
    """``"welcome-hue@3"`` -> ("welcome-hue", 3)."""
    if not isinstance(key, str) or "@" not in key:
        return None
    playlist, _, number = key.rpartition("@")
    return (playlist, int(number)) if playlist and number.isdigit() else None


def _playing_key(facts: Any) -> tuple[str, int] | None:
    playing = facts.get("playing") if isinstance(facts, Mapping) else None
    return _split_key(playing.get("playlist")) if isinstance(playing, Mapping) else None


def _titles_of(items: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            continue
        variants = item.get("variants") if isinstance(item.get("variants"), Mapping) else {}
        titles = {lang: str(v.get("title") or "")[:200] for lang, v in variants.items()
                  if isinstance(v, Mapping) and v.get("title")}
        out[item["id"]] = {"vi": titles.get("vi"), "en": titles.get("en"),
                           "any": next(iter(titles.values()), None), "type": item.get("type")}
    return out


def _item_titles(session: Session, keys: set[tuple[str, int]]
                 ) -> dict[tuple[str, int], dict[str, dict[str, Any]]]:
    """Item titles of the given playlist versions. The cache is copied on write and
    swapped whole, so a request thread reading it never sees it change."""
    global _ITEM_TITLES
    cache = _ITEM_TITLES
    missing = [k for k in keys if k not in cache]
    if not missing:
        return cache
    rows = session.execute(
        select(PlaylistVersion.playlist_id, PlaylistVersion.number,
               PlaylistVersion.items, PlaylistVersion.state)
        .where(or_(*(and_(PlaylistVersion.playlist_id == p, PlaylistVersion.number == n)
                     for p, n in missing[:50])))).all()
    fresh = {} if len(cache) + len(rows) > MAX_CACHED_VERSIONS else dict(cache)
    drafts: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for playlist_id, number, items, version_state in rows:
        # A draft may still change: read again next time, not kept.
        (drafts if version_state == DRAFT else fresh)[(playlist_id, number)] = \
            _titles_of(items)
    _ITEM_TITLES = fresh
    return {**fresh, **drafts} if drafts else fresh


def _playing_words(playing: Any, playlists: Mapping[str, Mapping[str, str]],
                   items: Mapping[tuple[str, int], Mapping[str, Mapping[str, Any]]]
                   ) -> dict[str, Any] | None:
    """The heartbeat's ``playing`` in words: titles of the playlist and the item."""
    if not isinstance(playing, Mapping):
        return None
    key = _split_key(playing.get("playlist"))
    item_id = playing.get("item")
    item = items.get(key, {}).get(item_id) if key else None
    return {
        "playlist_id": key[0] if key else playing.get("playlist"),
        "playlist_version": key[1] if key else None,
        "playlist_title": playlists.get(key[0]) if key else None,
        "item_id": item_id,
        "item_title": ({"vi": item["vi"] or item["any"], "en": item["en"] or item["any"]}
                       if item and item["any"] else None),
        "item_type": item["type"] if item else None,
        "since": playing.get("since"),
    }


def snapshot(session: Session) -> dict[str, Any]:
    """``{screen_id: summary}`` for every screen (the fleet page's rows)."""
    now = datetime.now(UTC)
    interval = _interval()
    # Plain rows of the columns needed, not ORM objects: a third of the time for 500
    # screens. screen_summary() reads them by attribute like the model objects.
    rows = session.execute(
        select(Screen.id, Screen.site_id, Screen.name_vi, Screen.name_en,
               Site.name_vi.label("site_vi"), Site.name_en.label("site_en"))
        .outerjoin(Site, Site.id == Screen.site_id)
        .order_by(Screen.site_id, Screen.id)).all()
    statuses = {row.screen_id: row for row in session.execute(
        select(ScreenStatus.screen_id, ScreenStatus.connected, ScreenStatus.last_seen,
               ScreenStatus.acked_version, ScreenStatus.missing_media, ScreenStatus.facts))}
    # (Not built_at: stored after the large body, SQLite would read every body for it.)
    versions = dict(session.execute(select(ScreenTimeline.screen_id,
                                           ScreenTimeline.version)).all())
    keys = {key for row in statuses.values() if (key := _playing_key(row.facts))}
    playlists: dict[str, dict[str, str]] = {}
    if keys:
        playlists = {pid: {"vi": vi, "en": en} for pid, vi, en in session.execute(
            select(Playlist.id, Playlist.title_vi, Playlist.title_en)
            .where(Playlist.id.in_({p for p, _n in keys})))}
    items = _item_titles(session, keys) if keys else {}
    out: dict[str, Any] = {}
    for screen in rows:
        status = statuses.get(screen.id)
        summary = screen_summary(screen, status, versions.get(screen.id),  # type: ignore[arg-type]
                                 interval, now)
        summary["site_name"] = {"vi": screen.site_vi or screen.site_id,
                                "en": screen.site_en or screen.site_id}
        summary["playing"] = _playing_words(summary["now_playing"], playlists, items)
        # When the screen last reported (its facts are as of then): not the snapshot's
        # time, or every row would change, and be sent, every second.
        summary["updated"] = summary["last_seen"]
        out[screen.id] = summary
    return out


register_source(TOPIC, EVENT, FLEET_ROLES, snapshot)
