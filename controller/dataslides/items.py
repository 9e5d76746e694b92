"""The playlist item ``type: data`` (docs/sources.md "Data items"): a data source drawn
through a template, with a fallback shown while the data are stale or missing.

```yaml
- id: arrivals
  type: data
  source: phu-bai-arrivals       # a source of config/sources.yaml
  template: arrivals-board       # a template of config/data_templates.yaml
  duration: 20
  title: {vi: Chuyến bay đến Phú Bài}   # optional, per language: replaces the template's
  fallback: welcome              # another item of the playlist, or inline texts:
  # fallback: {variants: {vi: {title: …, body: …}, en: {title: …, body: …}}}
```

Read in two steps: :func:`parse_data_item` checks the item's own shape (no database:
it runs inside ``playlists_import.parse_item``); :func:`resolve_data_items` then checks
the source and template exist and the fallback names an item of the same playlist, and
**copies the template** into the item (``template`` becomes the template's JSON, and
``variants`` its titles per language, so completeness counts the template's languages).
What review approves is therefore exactly the title and labels the screens show; the
records are not reviewed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from controller.content.sites_import import ID_HINT, ID_RE
from controller.content.yamlfile import Fields, LineDict, YamlError
from controller.dataslides.templates import (
    MAX_TITLE,
    DataTemplate,
    missing_fields,
    stored_templates,
)
from controller.languages import LanguageConfig
from controller.models import DataSource, DataSourceState
from controller.refusals import refusal

DATA_KEYS = ("id", "type", "source", "template", "duration", "title", "fallback")
FALLBACK_TYPES = ("text", "web")  # fixed content with no file to prepare per screen

# parse_item of controller.content.playlists_import, for an inline fallback's texts
ParseText = Callable[[Any, int], dict[str, Any]]


def parse_data_item(f: Fields, config: LanguageConfig, item_id: str, duration: float,
                    parse_text: ParseText) -> dict[str, Any]:
    """The rest of a data item (``f`` is the item; id, type and duration are read)."""
    f.only(required=("id", "type", "source", "template", "duration"),
           optional=("title", "fallback"))
    source = f.text("source", pattern=ID_RE, max_len=63, hint=ID_HINT)
    template = f.text("template", pattern=ID_RE, max_len=63, hint=ID_HINT)
    titles: dict[str, str] = {}
    if f.has("title"):
        title = f.mapping("title")
        for code in title.data:
            reason = config.unknown(str(code))
            if reason:
                title.fail(code, reason)
        titles = {str(code): title.text(str(code), max_len=MAX_TITLE)  # type: ignore[misc]
                  for code in title.data}
    fallback: dict[str, Any] | None = None
    if f.has("fallback"):
        raw = f.data["fallback"]
        if isinstance(raw, str):
            fallback = {"item": f.text("fallback", pattern=ID_RE, max_len=63, hint=ID_HINT)}
        else:
            inline = f.mapping("fallback")
            inline.only(required=("variants",))
            text = LineDict({"id": f"{item_id}-fallback", "type": "text",
                             "duration": duration, "variants": inline.data["variants"]})
            text.line = inline.line() or 0
            text.value_lines["variants"] = inline.line("variants") or 0
            fallback = {"variants": parse_text(text, 0)["variants"]}
    return {"id": item_id, "type": "data", "duration": duration, "source": source,
            "template": template, "title": titles, "fallback": fallback, "variants": {}}


def resolve_data_items(session: Session, file: Path | str, items: list[dict[str, Any]],
                       lines: Sequence[int | None] = ()) -> list[str]:
    """Check each data item of one playlist against the stored sources and templates
    and copy its template in (in place). YamlError, naming the item and what to do, for
    an unknown source or template or a fallback that is not another (non-data) item of
    the playlist. Items already resolved (a version read back) are checked again
    against their own copy only. Returns notes: the template fields the source's
    current records lack (shown as a dash until the feed has them)."""
    notes: list[str] = []
    if not any(item.get("type") == "data" for item in items):
        return notes
    templates = stored_templates(session)
    by_id = {str(item.get("id")): item for item in items}
    for i, item in enumerate(items):
        if item.get("type") != "data":
            continue
        line = lines[i] if i < len(lines) else None
        source = str(item.get("source"))
        if session.get(DataSource, source) is None:
            known = ", ".join(sorted(session.scalars(DataSource.__table__.select()
                                                     .with_only_columns(DataSource.id))))
            raise YamlError(file, line, refusal(
                "item %(item)r: there is no data source %(source)r (declared: %(known)s); "
                "declare it in config/sources.yaml and import it, or name one of those",
                item=item["id"], source=source, known=known or "—"))
        ref = item.get("template")
        if isinstance(ref, str):
            template = templates.get(ref)
            if template is None:
                raise YamlError(file, line, refusal(
                    "item %(item)r: there is no data template %(name)r (imported: "
                    "%(known)s); add it to config/data_templates.yaml and import it, or "
                    "name one of those", item=item["id"], name=ref,
                    known=", ".join(templates) or "—"))
            item["template"] = template.as_json()
        template = DataTemplate.from_json(item["template"])
        item["variants"] = _title_variants(template, item.get("title") or {})
        notes += _missing_note(session, f"item {item['id']!r}", source, template)
        fallback = item.get("fallback") or {}
        target = fallback.get("item")
        if target is not None:
            other = by_id.get(target)
            if other is None or target == item["id"]:
                raise YamlError(file, line, refusal(
                    "item %(item)r: its fallback %(fallback)r is not another item of this "
                    "playlist; name one, or write the fallback's texts inline (fallback: "
                    "{variants: …})", item=item["id"], fallback=target))
            if other.get("type") not in FALLBACK_TYPES:
                raise YamlError(file, line, refusal(
                    "item %(item)r: its fallback %(fallback)r is a data item too, which may "
                    "be stale as well; name a text or web item, or write the fallback's "
                    "texts inline (fallback: {variants: …})", item=item["id"],
                    fallback=target) if other.get("type") == "data" else refusal(
                    "item %(item)r: its fallback %(fallback)r is a %(type)s item; name a "
                    "text or web item, or write the fallback's texts inline (fallback: "
                    "{variants: …})", item=item["id"], fallback=target,
                    type=other.get("type")))
    return notes


def _missing_note(session: Session, where: str, source: str,
                  template: DataTemplate) -> list[str]:
    """What the check against the source's current snapshot finds (nothing when the
    source has no data yet: it cannot tell)."""
    state = session.get(DataSourceState, source)
    if state is None or not state.records:
        return []
    lacking = missing_fields(template, state.records)
    if not lacking:
        return []
    return [f"{where}: the current records of source {source!r} have no field "
            f"{', '.join(map(repr, lacking))} that template {template.id!r} shows: those "
            "cells show a dash (—) until the feed has them; check the template's 'field' "
            "names against the source's records"]


def _title_variants(template: DataTemplate, titles: dict[str, str]) -> dict[str, Any]:
    """What completeness and the HTML fallback read: the title in each language of the
    template (the item's own where it gives one)."""
    return {lang: {"title": titles.get(lang) or text, "body": None, "media": None,
                   "url": None} for lang, text in template.titles}


def as_written(item: dict[str, Any]) -> dict[str, Any]:
    """A stored data item as a playlist file writes it (``playlists export``): the
    template and source by id, the item's own titles and its fallback, so an import
    reads it back (and copies the template as it is then)."""
    template = item.get("template")
    out: dict[str, Any] = {
        "id": item["id"], "type": "data", "source": item.get("source"),
        "template": template.get("id") if isinstance(template, dict) else template,
        "duration": item["duration"]}
    if item.get("title"):
        out["title"] = dict(item["title"])
    fallback = item.get("fallback") or {}
    if fallback.get("item"):
        out["fallback"] = fallback["item"]
    elif fallback.get("variants"):
        out["fallback"] = {"variants": {
            lang: {k: v for k, v in variant.items() if v is not None and k != "media"}
            for lang, variant in fallback["variants"].items()}}
    return out
