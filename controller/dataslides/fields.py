"""Which data items show a source, and whether its records have the fields their
templates name (docs/sources.md "Statuses"): a feed that renames or drops a field makes
those cells show a dash (—) on every screen, which only the screens would tell. So each
good poll checks the new records against the templates of the approved data items of
the source, and the source's status ``note`` says which fields are lacking (the
playlist import says the same when an item is written: ``items._missing_note``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.dataslides.templates import DataTemplate, missing_fields
from controller.models import APPROVED, PlaylistVersion
from controller.refusals import Refusal, refusal


def approved_data_items(session: Session, source_id: str,
                        ) -> dict[str, list[Mapping[str, Any]]]:
    """Playlist -> the data items of ``source_id`` in its approved versions."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for playlist_id, items in session.execute(
            select(PlaylistVersion.playlist_id, PlaylistVersion.items)
            .where(PlaylistVersion.state == APPROVED)):
        for item in items or ():
            if isinstance(item, Mapping) and item.get("type") == "data" \
                    and item.get("source") == source_id:
                out.setdefault(playlist_id, []).append(item)
    return out


def fields_lacking(session: Session, source_id: str, records: list[Any]) -> Refusal | None:
    """The sentence naming each template (of an approved data item of ``source_id``) and
    the fields of it no record has; None when nothing lacks, or there are no records
    to tell."""
    if not records:
        return None
    lacking: dict[str, list[str]] = {}
    for items in approved_data_items(session, source_id).values():
        for item in items:
            raw = item.get("template")
            if not isinstance(raw, Mapping):
                continue
            template = DataTemplate.from_json(raw)
            for name in missing_fields(template, records):
                if name not in lacking.setdefault(template.id, []):
                    lacking[template.id].append(name)
    which = "; ".join(f"{tid}: {', '.join(map(repr, names))}"
                      for tid, names in sorted(lacking.items()) if names)
    if not which:
        return None
    return refusal("the records have no field the data templates show (%(which)s): those "
                   "cells show a dash (—) on the screens; check the templates' 'field' "
                   "names against the records", which=which)
