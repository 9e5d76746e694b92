"""A data item in a rebuild (docs/sources.md "Data items"): what a screen plays for it.

- **fresh data**: a ``text`` item whose ``slides`` are the data slide at the screen's
  resolution, in its languages and its site's time zone (players need nothing new: it
  plays like a text item's slide; the item's titles are the HTML text shown if the
  picture is missing);
- **stale or missing data** (older than the source's ``stale_after``, never fetched, the
  source or its template gone): the item's **fallback** in its place — the other item
  it names, or its inline texts drawn as a text slide — under the data item's id and
  duration; without a fallback, its title alone.

Slides are content-addressed like text slides (``rendered_slides``; the key is
:func:`controller.dataslides.draw.input_hash`). In the serving process (a ``missing``
list, as the text slides' ``SlideMaker`` has) nothing is drawn: a slide not stored yet
is a ``("dataslide", key, spec)`` request for the job worker
(:mod:`controller.dataslides.stored`, ``controller/jobs/renders.py``), asked again at
every screen that needs it so the publisher knows who waits; meanwhile the item is its
title alone (no fallback: its slides would be drawn for nothing). Without that list
(the command line, tests) the rebuild draws them itself; with ``make=False`` (the
preview) they are only looked up. A new snapshot is the change ``source:<id>``;
:func:`playlists_of_sources` tells ``controller.timeline.impact`` which playlists, and
so which screens, it reaches."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.dataslides.draw import DataSlideSpec, input_hash
from controller.dataslides.stored import data_slide_media, request_for, stored_slide
from controller.dataslides.table import data_spec
from controller.dataslides.templates import DataTemplate
from controller.media.store import MediaStore
from controller.models import APPROVED, DataSource, DataSourceState, PlaylistVersion
from controller.sources.polling import aware
from controller.sources.views import is_stale

log = logging.getLogger("pano.timeline")

Snapshot = tuple[DataSource, DataSourceState | None]


def playlists_of_sources(session: Session, sources: Collection[str]) -> set[str]:
    """The playlists with an approved version (on air, or pinned by a schedule) holding
    a data item of one of ``sources``."""
    wanted = set(sources)
    out: set[str] = set()
    for playlist_id, items in session.execute(
            select(PlaylistVersion.playlist_id, PlaylistVersion.items)
            .where(PlaylistVersion.state == APPROVED)):
        if playlist_id in out:
            continue
        if any(isinstance(item, Mapping) and item.get("type") == "data"
               and item.get("source") in wanted for item in items or ()):
            out.add(playlist_id)
    return out


def title_only(item: Mapping[str, Any]) -> dict[str, Any]:
    """A data item as a plain text item with its titles (a build without slides)."""
    return {"id": item["id"], "type": "text", "duration": item["duration"],
            "variants": dict(item.get("variants") or {})}


class DataItems:
    """The data items of one rebuild (or preview: ``make=False`` draws nothing)."""

    def __init__(self, session: Session, store: MediaStore, make: bool = True,
                 now: datetime | None = None,
                 missing: list[tuple[Any, ...]] | None = None) -> None:
        self._session = session
        self._store = store
        self._make = make
        self._missing = missing  # the job worker's requests (the serving process)
        self._gaps: set[str] = set()  # slides left to the job worker
        self._now = now or datetime.now(UTC)
        self._sources: dict[str, Snapshot | None] = {}
        self._files: dict[str, tuple[str, int, str] | None] = {}

    def _snapshot(self, source_id: str) -> Snapshot | None:
        if source_id not in self._sources:
            source = self._session.get(DataSource, source_id)
            self._sources[source_id] = None if source is None else (
                source, self._session.get(DataSourceState, source_id))
        return self._sources[source_id]

    def item(self, screen: Any, items: list[Mapping[str, Any]], item: Mapping[str, Any],
             media: dict[str, Any], as_text: Callable[[dict[str, Any]], dict[str, Any]],
             ) -> dict[str, Any]:
        """What ``screen`` plays for the data ``item`` of a playlist whose items are
        ``items``; ``as_text`` is the slide maker's own step for a text item (the
        fallback's slides and QR codes)."""
        spec = self.spec(screen, item)
        if spec is not None:
            # As text slides: one with every language, or one per language on an
            # alternate screen (the player shows each language's in turn).
            specs = (spec.alternate() if screen.bilingual_mode == "alternate"
                     and len(spec.languages) > 1 else (spec,))
            files = [self._slide(one) for one in specs]
            if not all(files) and any(input_hash(one) in self._gaps for one in specs):
                return title_only(item)  # the worker draws it; a later build has it
            if all(files):
                slides = {}
                for one, (path, size, mime) in zip(specs, files, strict=True):  # type: ignore[misc]
                    media[path] = {"size": size, "mime": mime}
                    slides[one.languages[0] if len(specs) > 1 else "*"] = path
                return {"id": item["id"], "type": "text", "duration": item["duration"],
                        "variants": dict(item.get("variants") or {}), "slides": slides}
        return self._fallback(items, item, as_text)

    def spec(self, screen: Any, item: Mapping[str, Any]) -> DataSlideSpec | None:
        """The data slide of ``item`` on ``screen``, or None when its data are stale or
        missing (the fallback is shown)."""
        found = self._snapshot(str(item.get("source")))
        raw = item.get("template")
        if found is None or not isinstance(raw, Mapping):
            return None
        source, state = found
        if state is None or state.records is None or is_stale(source, state, self._now):
            return None
        updated = aware(state.source_updated_at) or aware(state.fetched_at)
        return screen_spec(screen, item, state.records, updated)

    def _slide(self, spec: DataSlideSpec) -> tuple[str, int, str] | None:
        key = input_hash(spec)
        if key not in self._files:
            self._files[key] = self._lookup_or_draw(key, spec)
        elif key in self._gaps and self._missing is not None:
            self._missing.append(request_for(spec))  # this screen waits for it too
        return self._files[key]

    def _lookup_or_draw(self, key: str, spec: DataSlideSpec) -> tuple[str, int, str] | None:
        found = stored_slide(self._session, self._store, key)
        if found is not None:
            return found.sha256, found.size, found.mime
        if self._missing is not None:
            self._missing.append(request_for(spec))  # the job worker draws it
            self._gaps.add(key)
            return None
        if not self._make:
            return None
        try:
            with Session(bind=self._session.get_bind(), expire_on_commit=False) as side:
                made = data_slide_media(side, self._store, spec)
                side.commit()
                return made.sha256, made.size, made.mime
        except Exception as err:  # noqa: BLE001 - one slide never stops a rebuild
            log.warning("data item %s (%sx%s) cannot be drawn (its fallback instead): %s",
                        spec.name, spec.width, spec.height, err)
            return None

    def _fallback(self, items: list[Mapping[str, Any]], item: Mapping[str, Any],
                  as_text: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
        fallback = item.get("fallback") or {}
        target = fallback.get("item")
        other = next((dict(i) for i in items if i.get("id") == target), None) \
            if target else None
        if other is not None and other.get("type") != "data":
            shown = as_text(other)
        elif fallback.get("variants"):
            shown = as_text({"id": item["id"], "type": "text", "duration": item["duration"],
                             "variants": dict(fallback["variants"])})
        else:
            shown = title_only(item)
        return {**shown, "id": item["id"], "duration": item["duration"]}


def screen_spec(screen: Any, item: Mapping[str, Any], records: list[Any],
                updated: datetime | None) -> DataSlideSpec | None:
    """The data slide of ``item`` showing ``records`` on ``screen`` (its resolution,
    languages, site and time zone), or None when it cannot be made (logged; the fallback
    is shown). What a rebuild draws and what the poller asks for ahead are the same
    specs, so they find the same files."""
    width, height = (int(v) for v in screen.resolution)
    raw = item.get("template")
    if not isinstance(raw, Mapping):
        return None
    try:
        return data_spec(DataTemplate.from_json(raw), records, updated,
                         width=width, height=height, languages=list(screen.languages),
                         zone=screen.timezone, site_vi=screen.site_name.get("vi", ""),
                         site_en=screen.site_name.get("en", ""),
                         site_names=screen.site_name,
                         titles=item.get("title") or {}, name=str(item.get("id")))
    except Exception as err:  # noqa: BLE001 - the fallback is shown instead
        log.warning("data item %s: no slide for %s (its fallback instead): %s",
                    item.get("id"), screen.id, err)
        return None
