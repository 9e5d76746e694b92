"""The zones' step of one rebuild (the builder's ``zones`` input): the ticker strips'
PNGs and the data items' ticker text (docs/zones.md "Ticker").

A strip is content-addressed like a slide (``rendered_slides``, key
:func:`controller.zones.ticker.input_hash`) and drawn in the rebuild itself when it is
missing (one line of text: milliseconds), in a session of its own committed at once;
with ``make=False`` (the preview) only what exists is named. A strip that cannot be
drawn is logged and left out: the page shows the text itself.

A data item's ticker text is read from the source's last snapshot through the item's
template (as its data slide would be), or its fallback's texts when the data are stale
or missing: stale data are never shown as current.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from controller.dataslides.table import cell_text, ordered_records, updated_lines
from controller.dataslides.templates import DataTemplate
from controller.media.store import MediaStore
from controller.models import DataSource, DataSourceState, Media, RenderedSlide
from controller.slides.cache import store_png
from controller.sources.polling import aware
from controller.sources.views import is_stale
from controller.zones.ticker import DataText, StripSpec, input_hash, item_text, one_line, png_bytes

log = logging.getLogger("pano.timeline")


def data_line(template: DataTemplate, records: list[Mapping[str, Any]],
              updated: datetime | None, zone: str, lang: str, title: str) -> str:
    """``title: cells · cells · … (Updated at HH:MM dd/mm)`` in ``lang``."""
    rows = ordered_records(template, records)[:template.max_rows]
    cells = [" ".join(cell_text(r, c.field, c.format, zone) for c in template.columns)
             for r in rows]
    when = updated_lines(updated, zone, [lang])
    text = f"{one_line(title)}: " + " · ".join(one_line(c) for c in cells)
    return text + (f" ({when[0][1]})" if when else "")


class ZoneFiles:
    """Strips and data texts for one rebuild (or one preview, ``make=False``)."""

    def __init__(self, session: Session, store: MediaStore, make: bool = True,
                 now: datetime | None = None, reported: set[str] | None = None) -> None:
        self._session = session
        self._store = store
        self._make = make
        self._now = now or datetime.now(UTC)
        self._reported = reported if reported is not None else set()
        self._files: dict[str, tuple[str, int, int] | None] = {}
        self._snapshots: dict[str, Any] = {}

    # -- data items ---------------------------------------------------------------------
    def _snapshot(self, source_id: str) -> Any:
        if source_id not in self._snapshots:
            source = self._session.get(DataSource, source_id)
            self._snapshots[source_id] = None if source is None else (
                source, self._session.get(DataSourceState, source_id))
        return self._snapshots[source_id]

    def data_text(self, screen: Any) -> DataText:
        zone = str(screen.timezone)

        def text(item: Mapping[str, Any], lang: str) -> str | None:
            found = self._snapshot(str(item.get("source")))
            raw = item.get("template")
            if found is not None and isinstance(raw, Mapping):
                source, state = found
                if state is not None and state.records is not None and not is_stale(
                        source, state, self._now):
                    template = DataTemplate.from_json(raw)
                    titles = item.get("title") or {}
                    title = titles.get(lang) or template.title(lang)
                    updated = aware(state.source_updated_at) or aware(state.fetched_at)
                    return data_line(template, list(state.records), updated, zone, lang,
                                     title)
            fallback = item.get("fallback") or {}
            if fallback.get("variants"):  # stale or missing: the fallback's words
                return item_text({"type": "text", "variants": fallback["variants"]}, lang)
            return None

        return text

    # -- strips -------------------------------------------------------------------------
    def strip(self, spec: StripSpec, media: dict[str, Any]) -> tuple[str, int] | None:
        """(sha256, width) of the strip's PNG, its facts put into ``media``."""
        key = input_hash(spec)
        if key not in self._files:
            self._files[key] = self._lookup_or_draw(key, spec)
        found = self._files[key]
        if found is None:
            return None
        sha, size, width = found
        media[sha] = {"size": size, "mime": "image/png"}
        return sha, width

    def _lookup_or_draw(self, key: str, spec: StripSpec) -> tuple[str, int, int] | None:
        row = self._session.get(RenderedSlide, key)
        if row is not None and self._store.exists(row.media_sha256):
            found = self._session.get(Media, row.media_sha256)
            if found is not None:
                return found.sha256, found.size, row.width
        if not self._make:
            return None
        for attempt in (1, 2):
            try:
                data, width = png_bytes(spec)
                with Session(bind=self._session.get_bind(), expire_on_commit=False) as side:
                    made = store_png(side, self._store, key, data, f"ticker-{key[:12]}.png",
                                     (width, spec.height))
                    side.commit()
                    return made.sha256, made.size, width
            except IntegrityError:  # another process stored it first: find its rows
                if attempt == 2:
                    break
            except Exception as err:  # noqa: BLE001 - one strip never stops a rebuild
                self._report(key, "ticker strip (%s, %d px high) cannot be drawn (the "
                             "page shows its text): %s", spec.lang, spec.height, err)
                return None
        return None

    def _report(self, key: str, message: str, *args: Any) -> None:
        level = logging.DEBUG if key in self._reported else logging.WARNING
        self._reported.add(key)
        log.log(level, message, *args)
