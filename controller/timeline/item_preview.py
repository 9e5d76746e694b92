"""One item of any playlist version (a draft included) drawn for one screen: the picture
behind ``GET /api/v1/playlists/<id>/versions/<n>/preview.png?screen=&item=&lang=``
(issue 16: the approver sees what will air, drawn by the code that draws the screens).

The item is prepared as a rebuild prepares it for that screen (``SlideMaker`` without
making anything: the slides, frames, QR codes and badges that exist are named; the
picture's rendition for the screen if it exists), then whatever is still missing is
drawn here, the same specs with the same renderer (``controller.slides``), and composed
as :func:`controller.timeline.preview.compose` composes the screen's preview: the
slide or frame full screen, the badge at ``badge_box``. Nothing is written: a draft's
slides are not stored (the submit asks the job worker for them), and a link without a
short code yet is drawn as a code of the page itself. Pictures drawn here are drawn in
real threads beside the event loop, at most :data:`DRAWERS` at once
(``controller.off_loop``), and kept in a small in-process cache (:data:`CACHE_SIZE`),
keyed by what went into them."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.media.store import MediaStore
from controller.models import Media, Screen, Site
from controller.off_loop import run_off_loop
from controller.slides import cache as slide_cache
from controller.slides.badge import BadgeSpec, render_badge
from controller.slides.badge import input_hash as badge_hash
from controller.slides.frame import FrameSpec
from controller.slides.render import SlideSpec, badge_box, render
from controller.timeline.builder import MediaFacts, PlaylistOnAir
from controller.timeline.preview import compose, open_media, screen_facts_of
from controller.timeline.rendition_choice import RenditionChooser
from controller.timeline.slides import (
    SlideMaker,
    item_frame_specs,
    item_overlay_specs,
    item_slide_specs,
)
from controller.zones.preview import with_layout
from controller.zones.timeline import main_screen
from player.timeline import badge_of, drawn_file, overlay_file, slide_languages

CACHE_SIZE = 32  # pictures (a few MB each at most)
DRAWERS = 2  # pictures drawn at once, in real threads beside the event loop
_cache: OrderedDict[str, Image.Image] = OrderedDict()
_lock = threading.Lock()


class NoSuchSlide(LookupError):
    """The item shows no slide in the language asked for on that screen."""


def _remember(key: str, draw: Any) -> Image.Image:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    # Drawing is CPU work: beside the event loop, at most DRAWERS at once (the others
    # wait their turn), so a reviewer's page of pictures never stalls the screens.
    picture = run_off_loop("item-preview", DRAWERS, draw)
    with _lock:
        _cache[key] = picture
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return picture


def _decoded(data: bytes, mode: str = "RGB") -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert(mode)


def _slide_picture(store: MediaStore, spec: SlideSpec | FrameSpec) -> Image.Image:
    """The slide or frame of ``spec`` as the rebuild would store it (a frame through its
    JPEG, so the pixels are the screen's)."""
    key = slide_cache.input_hash(spec)
    if isinstance(spec, FrameSpec):
        return _remember(key, lambda: _decoded(slide_cache.frame_bytes(spec, store)))
    return _remember(key, lambda: render(  # a text item's photo from the store
        spec, slide_cache.slide_photo(spec, store)).convert("RGB"))


def _chosen(session: Session, item: Mapping[str, Any], target: str) -> dict[str, Any]:
    """``item`` with each picture replaced by its rendition for ``target`` when one
    exists (nothing is made)."""
    variants = item.get("variants") or {}
    shas = {v.get("media") for v in variants.values() if isinstance(v, Mapping)
            and v.get("media")}
    if not shas:
        return dict(item)
    rows = session.execute(select(Media.sha256, Media.size, Media.mime, Media.kind)
                           .where(Media.sha256.in_(sorted(shas)))).all()
    chooser = RenditionChooser(session, None, {r.sha256: (MediaFacts(r.size, r.mime), r.kind)
                                               for r in rows}, make=False)
    out = {}
    for lang, variant in variants.items():
        sha = variant.get("media") if isinstance(variant, Mapping) else None
        chosen = chooser(sha, target) if sha else None
        out[lang] = {**variant, "media": chosen[0]} if chosen else variant
    return {**item, "variants": out}


def item_png(session: Session, store: MediaStore, base_url: str | None, screen: Screen,
             playlist_id: str, version: int, items: list[dict[str, Any]], item_id: str,
             lang: str | None) -> bytes:
    """The PNG of item ``item_id`` of ``items`` on ``screen`` (its slide showing
    ``lang``, else its first; the main area's picture on a screen with a layout).
    LookupError for an unknown item, NoSuchSlide for a language the item does not show
    there; SlideError (``SlideDoesNotFit``) when its texts cannot be laid out for that
    screen."""
    item = next((i for i in items if str(i.get("id")) == item_id), None)
    if item is None:
        raise LookupError(item_id)
    # A screen with a layout (docs/zones.md): its playlists are drawn for the main area,
    # so the item is drawn at the main area's size, as the rebuild draws it.
    facts = main_screen(with_layout(session, screen,
                                    screen_facts_of(screen, session.get(Site, screen.site_id))))
    width, height = (int(v) for v in facts.resolution)
    display = {"languages": list(facts.languages), "bilingual_mode": facts.bilingual_mode}
    slides = slide_languages(item, display)
    index = 0
    if lang is not None:
        index = next((i for i, langs in enumerate(slides) if lang in langs), -1)
        if index < 0:
            raise NoSuchSlide(lang)
    langs = slides[index]
    prepared = _chosen(session, item, f"{width}x{height}")
    named: dict[str, Any] = prepared
    if store is not None and base_url:  # what exists already (rebuild's own names)
        maker = SlideMaker(session, store, base_url, make=False)
        named = maker.item(facts, PlaylistOnAir(playlist_id, version, {}, items), prepared, {})
    picture = open_media(store, drawn_file(named, langs))
    if picture is None and prepared.get("type") in ("text", "image"):
        # (frames from the original picture, as a rebuild draws them)
        specs: tuple[Any, ...] = (tuple(item_slide_specs(facts, prepared))
                                  if prepared.get("type") == "text"
                                  else item_frame_specs(facts, item))
        if specs:
            picture = _slide_picture(store, specs[min(index, len(specs) - 1)])
    if picture is None and prepared.get("type") == "image":  # shown as it is
        variant = (prepared.get("variants") or {}).get(langs[0]) or {}
        picture = open_media(store, variant.get("media"))
    overlay = None
    if prepared.get("type") == "video":  # its caption over black (no still is drawn)
        overlay = open_media(store, overlay_file(named, langs), "RGBA")
        overlays = item_overlay_specs(facts, prepared) if overlay is None else ()
        if overlays:
            overlay = _remember(slide_cache.input_hash(overlays[0]),
                                lambda: _decoded(slide_cache.frame_bytes(overlays[0], store),
                                                 "RGBA"))
    badge_image = None
    qr = badge_of(named, langs)
    if qr is not None:
        badge_image = open_media(store, qr.get("badge"))
    if badge_image is None:  # a link with no short code yet: a code of the page itself
        url = str(((prepared.get("variants") or {}).get(langs[0]) or {}).get("url") or "")
        if url:
            spec = BadgeSpec(width, height, url)
            badge_image = _remember(badge_hash(spec), lambda: render_badge(spec).convert("RGB"))
    left, top, _, _ = badge_box(width, height)
    return compose((width, height), picture, badge_image, (left, top), overlay)
