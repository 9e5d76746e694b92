"""What each screen's last-built timeline depended on: the publisher's reverse index.

A change names what it touched (``controller.changes.Scope``); the screens to rebuild
are those whose timeline may depend on it *now* (read from the database by
``controller.timeline.impact``) and those whose timeline depended on it *before* the
change — which the database no longer says (a schedule that stopped targeting a site, a
screen that left a site, an emergency deleted). This index keeps the "before": it is
filled from every rebuild of this process, screen by screen, from the very inputs and
body that were built.

It is only trusted once a full rebuild filled it (``complete``); a screen it does not
know, or whose stored version is not the one recorded here (another process stored it),
is rebuilt whatever the change. Time enters a timeline in two ways only — the window
starts at the local midnight, and ended emergencies drop out — so ``due`` names the
screens whose window or emergencies are out of date at a given instant.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from controller.timeline.builder import BuildInputs, iso_z, screen_zone, target_of, window
from controller.timeline.by_identity import ByIdentity


@dataclass(frozen=True)
class Deps:
    """One screen's last-built timeline: what it came from and what it names."""

    site: str
    target: str  # the screen's WxH (its renditions)
    zone: str  # the time zone of its window
    valid_from: str  # the window's start, as in the body
    version: int  # the version stored for it when it was built
    schedules: frozenset[str]  # the schedules that target it: slugs and ids (as text)
    playlists: frozenset[str]  # playlist ids: its default and its schedules'
    emergencies: tuple[tuple[int, datetime], ...]  # (id, end) of those it carries
    media: frozenset[str]  # files its body names and originals its playlists' items name
    incomplete: bool  # a slide, badge or rendition was missing when it was built


def _playlist_id(key: str) -> str:
    """``id@N`` (or a bare id) -> id."""
    head, sep, tail = key.rpartition("@")
    return head if sep and tail.isdigit() else key


def _originals(items: Iterable[Mapping[str, Any]]) -> set[str]:
    shas: set[str] = set()
    for item in items:
        for variant in (item.get("variants") or {}).values():
            if isinstance(variant, Mapping) and variant.get("media"):
                shas.add(str(variant["media"]))
        photo = item.get("photo")  # a text item's photo is drawn into its slides
        if isinstance(photo, Mapping) and photo.get("media"):
            shas.add(str(photo["media"]))
    return shas


class DepsMaker:
    """Makes the ``Deps`` of the screens of one rebuild, sharing what screens share
    (the originals of a playlist, the file names of a shared ``media`` part)."""

    def __init__(self, slugs: Mapping[int, str]) -> None:
        self._slugs = slugs  # schedule id -> slug (what ``schedule`` scopes name)
        self._originals: dict[str, frozenset[str]] = {}
        self._named: ByIdentity[frozenset[str]] = ByIdentity()  # media part -> its files
        self._media: dict[tuple[int, frozenset[str]], frozenset[str]] = {}

    def _playlist_media(self, inputs: BuildInputs, key: str) -> frozenset[str]:
        if key not in self._originals:
            on_air = inputs.playlists.get(key)
            self._originals[key] = frozenset(
                _originals(on_air.items) if on_air is not None else ())
        return self._originals[key]

    def _named_in(self, media: Mapping[str, Any]) -> frozenset[str]:
        return self._named.of(media, frozenset)

    def __call__(self, inputs: BuildInputs, body: Mapping[str, Any], version: int,
                 incomplete: bool) -> Deps:
        screen = inputs.screen
        keys = {s.playlist_key for s in inputs.schedules}
        if screen.default_playlist:
            keys.add(screen.default_playlist)
        ticker = getattr(screen.layout, "layout", None)  # its ticker's (docs/zones.md)
        if ticker is not None and ticker.ticker_playlist:
            keys.add(ticker.ticker_playlist)
        named = self._named_in(body.get("media") or {})
        share = (id(named), frozenset(keys))  # screens alike share one set
        media = self._media.get(share)
        if media is None:
            media = named.union(*(self._playlist_media(inputs, key) for key in keys))
            self._media[share] = media
        return Deps(
            site=screen.site_id, target=target_of(screen), zone=str(body["timezone"]),
            valid_from=str(body["valid_from"]), version=version,
            schedules=frozenset(
                [str(s.id) for s in inputs.schedules]
                + [self._slugs[s.id] for s in inputs.schedules if s.id in self._slugs]),
            playlists=frozenset(_playlist_id(k) for k in keys),
            emergencies=tuple((e.id, e.end) for e in inputs.emergencies),
            media=media, incomplete=incomplete)


class DependencyIndex:
    """Screen id -> ``Deps`` of its last build in this process. Thread-safe."""

    def __init__(self) -> None:
        self._screens: dict[str, Deps] = {}
        self._lock = threading.Lock()
        self.complete = False  # a full rebuild filled it: every screen is known

    def replace(self, entries: Mapping[str, Deps]) -> None:
        """After a full rebuild: exactly these screens."""
        with self._lock:
            self._screens = dict(entries)
            self.complete = True

    def update(self, asked: Iterable[str], entries: Mapping[str, Deps]) -> None:
        """After a rebuild of ``asked``: these entries; an asked screen without one
        (gone, or stored by another process first) is forgotten."""
        with self._lock:
            for screen_id in asked:
                self._screens.pop(screen_id, None)
            self._screens.update(entries)

    def clear(self) -> None:
        with self._lock:
            self._screens = {}
            self.complete = False

    def get(self, screen_id: str) -> Deps | None:
        return self._screens.get(screen_id)

    def __len__(self) -> int:
        return len(self._screens)

    def items(self) -> Iterator[tuple[str, Deps]]:
        with self._lock:
            return iter(list(self._screens.items()))

    # -- the "before" of each kind of scope -------------------------------------------
    def on_sites(self, sites: set[str]) -> set[str]:
        return {sid for sid, d in self.items() if d.site in sites}

    def on_schedules(self, schedules: set[str]) -> set[str]:
        return {sid for sid, d in self.items() if d.schedules & schedules}

    def on_playlists(self, playlists: set[str]) -> set[str]:
        return {sid for sid, d in self.items() if d.playlists & playlists}

    def on_emergencies(self, emergencies: set[int]) -> set[str]:
        return {sid for sid, d in self.items()
                if any(e in emergencies for e, _ in d.emergencies)}

    def on_media(self, shas: set[str]) -> set[str]:
        """Screens naming (or whose items name) one of ``shas``, and those built with a
        file missing: a new file may be the one they wait for."""
        return {sid for sid, d in self.items() if d.incomplete or d.media & shas}

    def due(self, now: datetime) -> set[str]:
        """Screens whose timeline is out of date at ``now`` whatever changed: one of its
        emergencies has ended, or its local day has turned (its window moves on)."""
        starts: dict[str, str] = {}
        out: set[str] = set()
        for sid, d in self.items():
            if any(end <= now for _, end in d.emergencies):
                out.add(sid)
                continue
            if d.zone not in starts:
                starts[d.zone] = iso_z(window(now, screen_zone(d.zone))[0])
            if starts[d.zone] != d.valid_from:
                out.add(sid)
        return out
