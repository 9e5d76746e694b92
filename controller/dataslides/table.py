"""From a snapshot's records and a template to the spec of a data slide (pure: no
database, no clock). What a cell shows:

- a text value, NFC, on one line (the slide cuts it with "…" when it is too wide);
- a number as written (``3``, ``24.5``);
- a field the record lacks: a dash (:data:`MISSING`), so a template naming a field the
  feed does not have shows a visible hole, not a shifted table.

The "updated at" line is the time the data are from (the feed's own ``updated`` time
when it gives one, else when the controller downloaded them), in the site's time zone,
in each language of the slide."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from controller.dataslides.draw import DataSlideSpec
from controller.dataslides.templates import DataTemplate
from controller.slides.spec import frame_more, ordered_languages

MISSING = "—"
UPDATED = {"vi": "Cập nhật lúc {time}", "en": "Updated at {time}",
           "lo": "ອັບເດດເວລາ {time}", "fr": "Mis à jour à {time}"}


TIME_FORMATS = {"time": "%H:%M", "date": "%d/%m", "datetime": "%H:%M %d/%m"}


def cell_text(record: Mapping[str, Any], field: str, fmt: str = "text",
              zone: str = "Asia/Ho_Chi_Minh") -> str:
    """What the cell of ``field`` shows for ``record``; a ``time``, ``date`` or
    ``datetime`` column shows an ISO 8601 value in ``zone`` (a value that is not one is
    shown as it is)."""
    if field not in record:
        return MISSING
    value = record[field]
    if fmt in TIME_FORMATS and isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if when.tzinfo is not None:
                when = when.astimezone(ZoneInfo(zone))
            return when.strftime(TIME_FORMATS[fmt])
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, "g") if math.isfinite(value) else MISSING
    text = unicodedata.normalize("NFC", str(value))
    return " ".join(text.split())


def _sort_key(value: Any) -> tuple[int, float, str]:
    """Numbers before text, text by its folded form; a missing value last."""
    if value is None:
        return (2, 0.0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, unicodedata.normalize("NFC", str(value)).casefold())


def ordered_records(template: DataTemplate, records: Sequence[Mapping[str, Any]],
                    ) -> list[Mapping[str, Any]]:
    """The records in the template's order (the feed's own order when it has no
    ``sort``); a record without the sort field goes last either way."""
    if not template.sort:
        return list(records)
    present = [r for r in records if template.sort in r]
    absent = [r for r in records if template.sort not in r]
    present.sort(key=lambda r: _sort_key(r[template.sort]),  # type: ignore[index]
                 reverse=template.descending)
    return present + absent


def updated_lines(when: datetime | None, zone: str, languages: Sequence[str],
                  ) -> tuple[tuple[str, str], ...]:
    """("vi", "Cập nhật lúc 14:05 06/12"), … for each language that has the wording
    (English for the others), in the site's time zone."""
    if when is None:
        return ()
    if when.tzinfo is None:
        raise ValueError("the time the data are from must be time-zone aware")
    local = when.astimezone(ZoneInfo(zone))
    stamp = local.strftime("%H:%M %d/%m")
    return tuple((lang, UPDATED.get(lang, UPDATED["en"]).format(time=stamp))
                 for lang in languages)


def data_spec(template: DataTemplate, records: Sequence[Mapping[str, Any]],
              updated_at: datetime | None, *, width: int, height: int,
              languages: Sequence[str], zone: str, site_vi: str = "", site_en: str = "",
              site_names: Mapping[str, str] | None = None,
              titles: Mapping[str, str] | None = None, name: str = "") -> DataSlideSpec:
    """The data slide of ``records`` through ``template`` on a screen whose profile has
    ``languages``: the template's languages the screen has, in the profile's order
    (vi and en when it has none of them); ``titles`` override the template's per
    language (the item's ``title``)."""
    available = [lang for lang, _ in template.titles]
    langs = tuple(ordered_languages(available, list(languages), others=False))
    title_of = {**dict(template.titles), **{k: v for k, v in (titles or {}).items() if v}}
    ordered = ordered_records(template, records)
    rows = tuple(tuple(cell_text(r, c.field, c.format, zone) for c in template.columns)
                 for r in ordered[:template.max_rows])
    return DataSlideSpec(
        width=width, height=height, languages=langs,
        titles=tuple((lang, title_of[lang]) for lang in langs),
        columns=tuple(tuple((lang, col.label(lang)) for lang in langs)
                      for col in template.columns),
        rows=rows, total=len(records),
        updated=updated_lines(updated_at, zone, langs),
        site_vi=site_vi, site_en=site_en,
        frame_more=frame_more(list(languages), site_names or {}),
        name=name or template.id)
