"""A new snapshot's data slides, asked of the job worker before the snapshot is stored
(issue 15: a slow drawing never stalls a request or the push path).

A new snapshot is the change ``source:<id>``, and the rebuild that follows needs a data
slide per kind of screen showing the source. Drawn in the rebuild's wait, they would
hold the publisher (and so every other push) until the worker is done. So the poller,
once it has parsed a snapshot whose records differ from the stored ones, asks for them
first (:func:`snapshot_requests`, then ``Renderer.ask_and_wait``: a bounded wait in
the poller's own thread, never a request's or the publisher's) and stores the snapshot
after; the rebuild then finds them drawn and pushes at once. When the worker is late
the snapshot is stored anyway and the rebuild asks for what is still missing, as for
any slide.

The screens are those showing, on their default playlist or by a schedule playing the
approved version, a playlist whose approved version holds a data item of the source
(``controller.timeline.ahead.showing``); one screen per kind (resolution, languages,
mode, site names, time zone), as the slides of a kind are the same picture. The specs
are the rebuild's own (``controller.dataslides.on_screen.screen_spec``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.dataslides.draw import DataSlideSpec, input_hash
from controller.dataslides.fields import approved_data_items
from controller.dataslides.on_screen import screen_spec
from controller.dataslides.stored import request_for
from controller.models import RenderedSlide, Screen
from controller.timeline.ahead import showing
from controller.timeline.inputs import SCREEN_ROWS, screen_facts, screen_rows
from controller.zones.declarations import stored_layouts
from controller.zones.timeline import main_screen

MAX_AHEAD = 500  # data slides asked ahead for one snapshot; the rebuild asks the rest


def _kinds(session: Session, screen_ids: set[str]) -> list[Any]:
    if not screen_ids:
        return []
    kinds: dict[tuple[Any, ...], Any] = {}
    layouts = stored_layouts(session)  # a screen with zones plays at its main area's size
    for row in screen_rows(session, SCREEN_ROWS.where(Screen.__table__.c.id.in_(
            sorted(screen_ids)))):
        facts = main_screen(screen_facts(row, layouts))
        key = (tuple(facts.resolution), tuple(facts.languages), facts.bilingual_mode,
               tuple(sorted(facts.site_name.items())), facts.timezone)
        kinds.setdefault(key, facts)
    return list(kinds.values())


def snapshot_requests(session: Session, source_id: str, records: list[Any],
                      updated: datetime | None) -> list[tuple[str, str, DataSlideSpec]]:
    """The job worker's requests for the data slides ``records`` (data from
    ``updated``) of ``source_id`` will need on the screens showing it, not stored yet."""
    specs: dict[str, DataSlideSpec] = {}
    for playlist_id, items in approved_data_items(session, source_id).items():
        for facts in _kinds(session, set(showing(session, playlist_id))):
            for item in items:
                spec = screen_spec(facts, item, records, updated)
                if spec is None:
                    continue
                alternate = facts.bilingual_mode == "alternate" and len(spec.languages) > 1
                for one in (spec.alternate() if alternate else (spec,)):
                    specs.setdefault(input_hash(one), one)
                if len(specs) >= MAX_AHEAD:
                    break
    if not specs:
        return []
    stored = set(session.scalars(select(RenderedSlide.input_hash).where(
        RenderedSlide.input_hash.in_(sorted(specs)))))
    return [request_for(spec) for key, spec in specs.items() if key not in stored]
