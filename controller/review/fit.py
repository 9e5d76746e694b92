"""Do a playlist's text items (and image items' captions) fit on the screens they would
reach? Checked when a version is submitted and approved, so an editor learns that a
text is too long before it goes on air, instead of screens falling back to plain HTML
text. Each text item is laid out exactly as the timeline builder will
(:func:`controller.slides.spec.item_specs`), each image item's caption as its frame will
be (:func:`controller.slides.frame.item_frames`), once per screen size, language
profile, bilingual mode and site; nothing is stored."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.models import Screen, Site
from controller.refusals import Refusal, refusal
from controller.slides.frame import (
    caption_too_long,
    item_frames,
    item_overlays,
    needs_frame,
    needs_overlay,
)
from controller.slides.render import render_layout
from controller.slides.spec import (
    SlideDoesNotFit,
    SlideError,
    SlideSpec,
    item_specs,
    language_list,
)
from controller.zones.declarations import stored_layouts
from controller.zones.geometry import main_area_size


@lru_cache(maxsize=2048)
def too_long(spec: SlideSpec) -> tuple[str, ...]:
    """The languages of ``spec`` whose texts do not fit (empty: the slide fits); a
    SlideError other than not fitting is raised. Remembered per spec: the editor checks
    while the person types and again at each save, and laying a slide out costs tens of
    milliseconds of CPU in the process that serves the players, so only the items that
    changed are laid out again."""
    try:
        render_layout(spec, paint=False)
    except SlideDoesNotFit as exc:
        return exc.langs
    return ()


def _reserve_qr(item: dict[str, Any]) -> bool:
    return any((v or {}).get("url") for v in (item.get("variants") or {}).values())


def _text_misfits(item: dict[str, Any], screen: Screen, site: Site | None,
                  size: tuple[int, int] | None = None) -> list[str]:
    """The languages of a text item that do not fit ``screen``'s slides (``size``: its
    main area's, docs/zones.md; default its resolution)."""
    width, height = size or (int(screen.width), int(screen.height))
    specs = item_specs(item, width, height,
                       list(screen.languages or []), screen.bilingual_mode,
                       site.name_vi if site else "", site.name_en if site else "",
                       site_names=site.names if site else {}, reserve_qr=_reserve_qr(item))
    misfit: list[str] = []
    for spec in specs:  # every slide: an alternate screen has one per language
        misfit += [lang for lang in too_long(spec) if lang not in misfit]
    return misfit


def caption_misfits(item: dict[str, Any], screen: Screen,
                    size: tuple[int, int] | None = None) -> list[str]:
    """The languages of an image item whose caption does not fit under the picture on
    ``screen`` (its frames), or of a video's caption overlay (controller/slides/frame.py);
    ``size``: its main area's (docs/zones.md), default its resolution."""
    misfit: list[str] = []
    width, height = size or (int(screen.width), int(screen.height))
    frames = (item_overlays(item, width, height, list(screen.languages or []),
                            _reserve_qr(item)) if item.get("type") == "video"
              else item_frames(item, width, height, list(screen.languages or []),
                               screen.bilingual_mode, _reserve_qr(item)))
    for frame in frames:
        misfit += [lang for lang in caption_too_long(frame) if lang not in misfit]
    return misfit


def misfits(session: Session, screen_ids: Iterable[str],
            items: list[dict[str, Any]]) -> list[Refusal]:
    """One sentence per text item (or image item's caption) that does not fit some of
    the screens (empty: all fit)."""
    ids = list(screen_ids)
    # Text items, image items whose caption is drawn under the picture (their frames)
    # and videos whose caption is drawn over them (controller/slides/frame.py).
    text_items = [item for item in items
                  if item.get("type") == "text" or needs_frame(item) or needs_overlay(item)]
    if not ids or not text_items:
        return []
    screens = session.scalars(select(Screen).where(Screen.id.in_(ids))).all()
    sites = {site.id: site for site in session.scalars(select(Site))}
    problems: dict[str, Refusal] = {}
    seen: set[tuple[Any, ...]] = set()
    layouts = stored_layouts(session) if any(s.layout for s in screens) else {}
    for screen in screens:
        site = sites.get(screen.site_id)
        # A screen with zones plays its items in its main area (docs/zones.md).
        size = main_area_size(layouts.get(screen.layout or ""), int(screen.width),
                              int(screen.height))
        key = (size, tuple(screen.languages or ()), screen.bilingual_mode, screen.site_id)
        if key in seen:
            continue
        seen.add(key)
        for item in text_items:
            item_id = str(item.get("id", ""))
            if item_id in problems:
                continue
            try:
                misfit = (_text_misfits(item, screen, site, size)
                          if item.get("type") == "text" else caption_misfits(item, screen, size))
            except SlideError as exc:
                problems[item_id] = refusal("item %(item)r: %(why)s", item=item_id,
                                            why=str(exc))
                continue
            if misfit:
                params = {"item": item_id, "texts": language_list(misfit),
                          "width": size[0], "height": size[1],
                          "site": screen.site_id}
                problems[item_id] = refusal(
                    "item %(item)r: %(texts)s does not fit the %(width)d×%(height)d screens "
                    "of %(site)s; shorten it", **params) if len(misfit) == 1 else refusal(
                    "item %(item)r: %(texts)s do not fit the %(width)d×%(height)d screens "
                    "of %(site)s; shorten them", **params)
    return list(problems.values())
