"""Slides drawn before a version goes on air, so the push that follows its approval
carries them at once (issue 14: "first push within 50 ms of the change"). Image items'
frames and videos' caption overlays (``controller.slides.frame``) are slides here too:
their specs name the original picture, as the rebuild's do.

A text item's slides are pictures at each screen's resolution, languages and frame;
drawing one costs tens to hundreds of milliseconds of CPU. A rebuild in the serving
process never draws (the job worker does, ``controller/jobs/renders.py``) and waits for
what is missing, so without this a text edit reached the screens only after the worker
had drawn it (about 0.7 s for a change on 500 screens). Slides depend only on the item's
texts and the screens' facts, not on the version row, so they can be drawn earlier:

- **in the panel and the API**, when a version is submitted for review the job worker is
  asked for its slides (no waiting: :func:`slide_requests` then ``Renderer.ask_ahead``):
  by the time another person has reviewed and approved it, the push does not wait (a
  slide still missing then is asked for and waited for by the rebuild, as before);
- **in an approving import** (``pano-controller import``), which serves no player, the
  pictures are drawn before the playlists are written (:func:`pictures`) and stored in
  the import's transaction (:func:`store_pictures`), so they commit with the versions.
  (Agencies or sites changed by the same import were written before: on SQLite their
  write lock is held while drawing, as it is while the import's media are stored.)

The screens are those the completeness check uses (``screens_showing``: the playlist's
default screens and the schedules playing whatever version is approved); the specs are
the rebuild's own (``item_slide_specs``), so both find the same files. An item that cannot
be laid out is skipped here: the submit's fit check refuses it, and a rebuild leaves it
as HTML text as before."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.content.assignments import load_placements, load_screens, screens_showing
from controller.media.store import MediaStore
from controller.models import RenderedSlide, Screen
from controller.slides import cache as slide_cache
from controller.slides.frame import FrameSpec
from controller.slides.spec import SlideSpec
from controller.timeline.inputs import SCREEN_ROWS, screen_facts, screen_rows
from controller.timeline.slides import item_frame_specs, item_overlay_specs, item_slide_specs
from controller.zones.declarations import stored_layouts
from controller.zones.timeline import main_screen

log = logging.getLogger("pano.timeline")

MAX_AHEAD = 2_000  # slides asked ahead at once; more is left to the rebuild as before


def _screen_kinds(session: Session, screen_ids: Iterable[str]) -> list[Any]:
    """One screen's facts per kind of slide frame (resolution, languages, mode, site
    names): screens of the same kind share their slides."""
    ids = sorted(set(screen_ids))
    if not ids:
        return []
    kinds: dict[tuple[Any, ...], Any] = {}
    layouts = stored_layouts(session)  # a screen with zones plays at its main area's size
    for row in screen_rows(session, SCREEN_ROWS.where(Screen.__table__.c.id.in_(ids))):
        facts = main_screen(screen_facts(row, layouts))
        key = (tuple(facts.resolution), tuple(facts.languages), facts.bilingual_mode,
               tuple(sorted(facts.site_name.items())))
        kinds.setdefault(key, facts)
    return list(kinds.values())


SPECS_OF = {"text": item_slide_specs, "image": item_frame_specs,
            "video": item_overlay_specs}


def missing_specs(session: Session, screen_ids: Iterable[str],
                  items: Sequence[dict[str, Any]]) -> dict[str, SlideSpec | FrameSpec]:
    """The slides (input hash -> spec) the ``items`` need on ``screen_ids`` that are not
    stored yet: text items' slides, image items' frames, videos' caption overlays."""
    drawn = [item for item in items if isinstance(item, dict) and item.get("type") in SPECS_OF]
    if not drawn:
        return {}
    specs: dict[str, SlideSpec | FrameSpec] = {}
    for facts in _screen_kinds(session, screen_ids):
        for item in drawn:
            try:
                found = SPECS_OF[item["type"]](facts, item)
            except Exception:  # noqa: BLE001 - refused at submit, HTML text on air
                continue
            for spec in found:
                specs.setdefault(slide_cache.input_hash(spec), spec)
            if len(specs) >= MAX_AHEAD:
                break
    if not specs:
        return {}
    stored = set(session.scalars(select(RenderedSlide.input_hash).where(
        RenderedSlide.input_hash.in_(sorted(specs)))))
    return {key: spec for key, spec in specs.items() if key not in stored}


def showing(session: Session, playlist_id: str) -> list[str]:
    """The screens that would show ``playlist_id``'s next approved version."""
    return list(screens_showing(playlist_id, load_screens(session), load_placements(session)))


def slide_requests(session: Session, playlist_id: str,
                   items: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The job worker's requests (``controller/jobs/renders.py``) for the slides a
    version of ``playlist_id`` with ``items`` would need and that do not exist yet."""
    return [("slide", key, spec) for key, spec in
            missing_specs(session, showing(session, playlist_id), items).items()]


Drawn = tuple[str, SlideSpec | FrameSpec, bytes]  # input hash, spec, PNG (a frame: JPEG)


def pictures(session: Session,
             playlists: Iterable[tuple[str, Sequence[dict[str, Any]]]],
             store: MediaStore | None = None) -> list[Drawn]:
    """Draw the slides ``playlists`` ((id, items) each) lack on the screens they would
    reach, writing nothing: the caller stores them with :func:`store_pictures` in the
    transaction that puts the versions on air (drawing first, so a database write lock
    is held only for the storing). Frames need the pictures from ``store``: without it,
    or for a picture not stored yet (a first import stores it later), they are left to
    the rebuild."""
    wanted: dict[str, SlideSpec | FrameSpec] = {}
    for playlist_id, items in playlists:
        wanted.update(missing_specs(session, showing(session, playlist_id), items))
    drawn = []
    for key, spec in wanted.items():
        if isinstance(spec, FrameSpec) and not spec.overlay and (
                store is None or not store.exists(spec.photo)):
            continue
        try:
            data = (slide_cache.frame_bytes(spec, store) if isinstance(spec, FrameSpec)
                    else slide_cache.png_bytes(spec, store))
            drawn.append((key, spec, data))
            slide_cache.SLIDES_RENDERED.inc()
        except Exception as err:  # noqa: BLE001 - one slide never stops an import
            log.warning("slide %s not drawn ahead (the rebuild tries again): %s",
                        spec.name or key[:12], err)
    return drawn


def store_pictures(session: Session, store: MediaStore, drawn: Iterable[Drawn]) -> None:
    """Store what :func:`pictures` drew in ``session`` (the caller commits)."""
    for key, spec, data in drawn:
        if isinstance(spec, FrameSpec) and not spec.overlay:
            slide_cache.store_png(session, store, key, data, f"frame-{key[:12]}.jpg",
                                  (spec.width, spec.height), mime="image/jpeg")
        else:
            slide_cache.store_png(session, store, key, data, f"slide-{key[:12]}.png",
                                  (spec.width, spec.height))
