"""The frame the controller expected a screen to show: the file of the item the player
says it was showing when it took the capture, from the timeline the controller sent it
(``screen_timelines``): a text item's rendered slide (``controller.timeline.slides``),
an image item's frame (its picture with the caption drawn, ``controller.slides.frame``)
or, for an image without caption or link, its rendition for the screen
(``controller.timeline.publisher``). Videos,
web pages and items without a rendered slide have no single expected frame: ``None``
(the verdict is then "unknown" unless the capture is black or frozen)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from controller.media.store import MediaStore, is_sha256
from controller.models import ScreenTimeline
from controller.zones.capture import Box, main_box
from player.timeline import slide_file


@dataclass(frozen=True)
class Expected:
    """The expected frame's file in the media store, and what it is."""

    sha256: str
    path: Path
    what: str  # "slide", "frame" or "image"
    # On a screen with zones: its main area, where the capture is compared
    # (``controller.zones.capture``); None: the whole capture.
    main: Box | None = None


def _items(body: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for playlist in (body.get("playlists") or {}).values():
        if isinstance(playlist, Mapping):
            for item in playlist.get("items") or []:
                if isinstance(item, Mapping):
                    yield item


def _image_sha(item: Mapping[str, Any], languages: list[str]) -> str | None:
    variants = item.get("variants") or {}
    if not isinstance(variants, Mapping):
        return None
    order = [lang for lang in languages if lang in variants] + list(variants)
    for lang in order:
        variant = variants.get(lang)
        if isinstance(variant, Mapping) and is_sha256(str(variant.get("media") or "")):
            return str(variant["media"])
    return None


def expected_frame(session: Session, media_dir: Path, screen_id: str, item_id: str | None,
                   languages: list[str]) -> Expected | None:
    """The expected frame of ``item_id`` on ``screen_id`` (its slide in ``languages``), or
    None when there is nothing to compare with."""
    if not item_id:
        return None
    row = session.get(ScreenTimeline, screen_id)
    if row is None or not isinstance(row.body, Mapping):
        return None
    display = row.body.get("display") or {}
    langs = languages or list(display.get("languages") or [])
    for item in _items(row.body):
        if str(item.get("id")) != item_id:
            continue
        kind = item.get("type")
        if kind == "text":
            # The slide of the language(s) on screen; without them, the first one's
            # (alternate mode has a slide per language).
            sha = slide_file(dict(item), langs) or slide_file(dict(item), langs[:1])
            what = "slide"
        elif kind == "image":
            # Its frame (picture and caption, drawn by the controller) when it has one,
            # as the kiosk shows it; else the picture itself.
            frame = slide_file(dict(item), langs) or slide_file(dict(item), langs[:1])
            sha, what = (frame, "frame") if frame else (_image_sha(item, langs), "image")
        else:
            return None
        if not sha or not is_sha256(sha):
            return None
        path = MediaStore(media_dir).path_for(sha)
        return Expected(sha, path, what, main_box(display)) if path.is_file() else None
    return None
