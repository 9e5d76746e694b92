"""Which screens a change may touch: scopes (``controller.changes.Scope``) to screen ids.

``screens_for`` answers with a handful of queries whatever the size of the fleet (the
screens' ids, sites, tags and default playlists with their stored version; the named
schedules; the schedules of the named playlists; the named emergencies; the renditions
among the named files) and the publisher's reverse index (``dependencies``):

- ``playlist:P`` — screens whose default playlist is P, screens a schedule of P
  targets, and screens whose last timeline depended on P;
- ``schedule:S`` (its slug, or its number) — the screens S targets now and those whose
  last timeline it reached;
- ``site:X`` — the screens in X now and those that were in X at their last build;
- ``screen:X`` — X;
- ``source:D`` — as ``playlist:P`` for every playlist with an approved version holding
  a data item of D (docs/sources.md "Data items");
- ``emergency:E`` — E's targets and the screens whose last timeline carries E;
- ``media:SHA`` — screens whose timeline (or whose items) name SHA or the original
  SHA is a rendition of, and every screen built while a file was missing;
- ``all`` — every screen (None).

Always added: screens the index does not know, with ``verify`` those whose stored
version it did not record (another process stored them), and screens whose window or
emergencies are out of date now (``DependencyIndex.due``). Unknown ids (a deleted
schedule, a mistyped sha) find nothing in the database and only what the index
remembers; nothing raises.
Before the index is complete (no full rebuild yet in this process) the answer is None.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Text, or_, select, type_coerce
from sqlalchemy.orm import Session

from controller.changes import Scope
from controller.models import Emergency, Rendition, Screen, ScreenTimeline
from controller.models import Schedule as ScheduleRow
from controller.timeline.dependencies import DependencyIndex

_SCREENS = Screen.__table__
_TIMELINES = ScreenTimeline.__table__
# Tags as stored text (SQLite; PostgreSQL's driver hands back the list): decoded only for
# the screens whose text can hold a tag a target names, not the fleet's at every change.
_FLEET = select(_SCREENS.c.id, _SCREENS.c.site_id, _SCREENS.c.default_playlist_id,
                type_coerce(_SCREENS.c.tags, Text))
# Apart: on SQLite this walks every stored body's pages (most of the look-up's cost).
_VERSIONS = select(_TIMELINES.c.screen_id, _TIMELINES.c.version)


def _ints(keys: Iterable[str]) -> set[int]:
    """The keys that can be a row's number (an INTEGER column: below 2**31); any other
    names no such row, so nothing to rebuild for it."""
    return {int(key) for key in keys
            if key.isascii() and key.isdigit() and int(key) < 2**31}


def _tags(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    return raw if isinstance(raw, list) else []


class _Fleet:
    """Every screen's id, site, default playlist, tags and stored version (one query)."""

    def __init__(self, rows: list[Any]) -> None:
        self.ids: set[str] = set()
        self.by_site: dict[str, set[str]] = defaultdict(set)
        self.by_default: dict[str, set[str]] = defaultdict(set)
        self._tags: list[tuple[str, Any]] = []
        self._by_tag: dict[str, set[str]] = {}
        for screen, site, default, tags in rows:  # unpacked: named access is slow
            self.ids.add(screen)
            self.by_site[site].add(screen)
            if default:
                self.by_default[default].add(screen)
            if tags:
                self._tags.append((screen, tags))

    def tagged(self, tag: str) -> set[str]:
        """The screens with ``tag``: only texts that contain it (or an escape) are
        decoded."""
        if tag not in self._by_tag:
            self._by_tag[tag] = {
                screen for screen, raw in self._tags
                if (not isinstance(raw, str) or tag in raw or "\\" in raw)
                and tag in _tags(raw)}
        return self._by_tag[tag]

    def targeted(self, targets: Any) -> set[str]:
        """The screens a ``targets`` mapping (schedule or emergency) reaches now."""
        if not isinstance(targets, Mapping):
            return set()
        out: set[str] = set()
        for site in targets.get("sites") or ():
            out |= self.by_site.get(str(site), set())
        for tag in targets.get("tags") or ():
            out |= self.tagged(str(tag))
        out |= {str(s) for s in targets.get("screens") or ()} & self.ids
        return out


def screens_for(session: Session, scopes: Iterable[Scope], index: DependencyIndex,
                now: datetime, verify: bool = True) -> set[str] | None:
    """The ids of the screens to rebuild for ``scopes`` (None: every screen). With
    ``verify``, also those whose stored version is not the one the index recorded."""
    keys: dict[str, set[str]] = defaultdict(set)
    for scope in scopes:
        keys[scope.kind].add(scope.key)
    if "all" in keys or not index.complete:
        return None
    fleet = _Fleet(session.execute(_FLEET).all())
    out = {screen for screen in fleet.ids if index.get(screen) is None}  # new here
    if verify:  # stored by another process since this one built them
        for screen, version in session.execute(_VERSIONS):
            known = index.get(screen)
            if known is not None and known.version != version:
                out.add(screen)
    out |= index.due(now)
    if keys["screen"]:
        out |= keys["screen"]
    if keys["site"]:
        out |= index.on_sites(keys["site"])
        for site in keys["site"]:
            out |= fleet.by_site.get(site, set())
    if keys["schedule"]:
        out |= index.on_schedules(keys["schedule"])
        for (targets,) in session.execute(select(ScheduleRow.targets).where(or_(
                ScheduleRow.slug.in_(sorted(keys["schedule"])),
                ScheduleRow.id.in_(sorted(_ints(keys["schedule"])))))):
            out |= fleet.targeted(targets)
    if keys["source"]:  # new data: the playlists with data items of the source
        from controller.dataslides.on_screen import playlists_of_sources

        keys["playlist"] |= playlists_of_sources(session, keys["source"])
    if keys["playlist"]:
        out |= index.on_playlists(keys["playlist"])
        for playlist in keys["playlist"]:
            out |= fleet.by_default.get(playlist, set())
        for (targets,) in session.execute(select(ScheduleRow.targets).where(
                ScheduleRow.playlist_id.in_(sorted(keys["playlist"])))):
            out |= fleet.targeted(targets)
    emergencies = _ints(keys["emergency"])
    if emergencies:
        out |= index.on_emergencies(emergencies)
        for (targets,) in session.execute(select(Emergency.targets)
                                          .where(Emergency.id.in_(sorted(emergencies)))):
            out |= fleet.targeted(targets)
    if keys["media"]:
        shas = set(keys["media"])
        shas |= set(session.scalars(select(Rendition.media_sha256).where(
            Rendition.rendition_sha256.in_(sorted(keys["media"])))))
        out |= index.on_media(shas)
    if fleet.ids <= out:
        return None  # every screen: the full rebuild's queries need no list of ids
    # A screen asked for but gone is kept: the rebuild finds nothing and the index
    # forgets it.
    return out
