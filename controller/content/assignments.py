"""Where playlists meet screens, read from the database for the completeness checks of
the imports: each screen's language profile and default playlist, each schedule's
targets and playlist version, and the items of a playlist version.

The imports overlay what their file would change (a screen's new languages, a
playlist's new items) on what is read here, and refuse before writing anything."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.content.completeness import Missing, missing_languages
from controller.models import Playlist, PlaylistVersion, Schedule, Screen


@dataclass(frozen=True)
class ScreenProfile:
    id: str
    site: str
    tags: frozenset[str]
    languages: tuple[str, ...]
    default_playlist: str | None


@dataclass(frozen=True)
class Placement:
    """A schedule as far as completeness cares: what it targets and which version it
    plays (None: the playlist's current version, whatever it is)."""

    slug: str
    playlist_id: str
    version: int | None
    sites: frozenset[str]
    screens: frozenset[str]
    tags: frozenset[str]

    def reaches(self, screen: ScreenProfile) -> bool:
        return (screen.id in self.screens or screen.site in self.sites
                or bool(self.tags & screen.tags))

    @classmethod
    def of(cls, slug: str, playlist_id: str, version: int | None,
           targets: Mapping[str, Any] | None) -> Placement:
        targets = targets or {}
        return cls(slug, playlist_id, version,
                   frozenset(targets.get("sites") or ()),
                   frozenset(targets.get("screens") or ()),
                   frozenset(targets.get("tags") or ()))


def profile(screen_id: str, site: str, tags: Iterable[str] | None,
            languages: Iterable[str] | None, default_playlist: str | None) -> ScreenProfile:
    return ScreenProfile(screen_id, site, frozenset(tags or ()), tuple(languages or ()),
                         default_playlist)


def load_screens(session: Session) -> dict[str, ScreenProfile]:
    rows = session.execute(select(Screen.id, Screen.site_id, Screen.tags, Screen.languages,
                                  Screen.default_playlist_id)).all()
    return {row.id: profile(row.id, row.site_id, row.tags, row.languages,
                            row.default_playlist_id) for row in rows}


def load_placements(session: Session) -> list[Placement]:
    rows = session.execute(select(Schedule.slug, Schedule.playlist_id,
                                  Schedule.playlist_version, Schedule.targets)
                           .order_by(Schedule.slug)).all()
    return [Placement.of(row.slug, row.playlist_id, row.playlist_version, row.targets)
            for row in rows]


class PlaylistItems:
    """Items of playlist versions, each read once: ``current(id)`` and ``version(id, n)``
    return ``(key, items)`` or None when there is no such playlist or version."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._current: dict[str, int | None] = {}
        self._items: dict[tuple[str, int], list[dict[str, Any]] | None] = {}

    def current(self, playlist_id: str) -> tuple[str, list[dict[str, Any]]] | None:
        if playlist_id not in self._current:
            self._current[playlist_id] = self.session.scalar(
                select(Playlist.current_version).where(Playlist.id == playlist_id))
        number = self._current[playlist_id]
        return None if number is None else self.version(playlist_id, number)

    def version(self, playlist_id: str, number: int) -> tuple[str, list[dict[str, Any]]] | None:
        key = (playlist_id, number)
        if key not in self._items:
            self._items[key] = self.session.scalar(
                select(PlaylistVersion.items).where(PlaylistVersion.playlist_id == playlist_id,
                                                    PlaylistVersion.number == number))
        items = self._items[key]
        return None if items is None else (f"{playlist_id}@{number}", list(items))

    def of(self, placement: Placement) -> tuple[str, list[dict[str, Any]]] | None:
        if placement.version is None:
            return self.current(placement.playlist_id)
        return self.version(placement.playlist_id, placement.version)


def screens_showing(playlist_id: str, screens: Mapping[str, ScreenProfile],
                    placements: Iterable[Placement]) -> dict[str, ScreenProfile]:
    """The screens that would show ``playlist_id``'s next approved version: those whose
    default playlist it is, and those a schedule playing whatever version is approved
    reaches (a schedule pinned to a version keeps that version's items)."""
    shown = {s.id: s for s in screens.values() if s.default_playlist == playlist_id}
    for placement in placements:
        if placement.playlist_id == playlist_id and placement.version is None:
            shown.update((s.id, s) for s in screens.values() if placement.reaches(s))
    return shown


def per_screen(items: list[dict[str, Any]], screens: Iterable[ScreenProfile]
               ) -> dict[str, Missing]:
    """What each screen would miss of ``items`` (screens missing nothing left out)."""
    out: dict[str, Missing] = {}
    for screen in screens:
        missing = missing_languages(items, screen.languages)
        if missing:
            out[screen.id] = missing
    return out
