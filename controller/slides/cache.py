"""Rendering a slide once: ``slide_media`` looks the spec's input hash up in
``rendered_slides`` and renders only when it is new.

The input hash is the SHA-256 of a canonical JSON document holding the spec
(:meth:`SlideSpec.canonical`), :data:`RENDERER_VERSION` (raise it whenever the drawing
changes), the SHA-256 of every slide font file, and the Pillow / HarfBuzz / FriBiDi
versions (a new shaper may move glyphs). The PNG is encoded without metadata (no time
stamp), so the same spec gives the same bytes and so the same media SHA-256.

An image item's frame (:class:`~controller.slides.frame.FrameSpec`: photo, caption, QR
corner) is cached the same way, keyed by its own spec (which names the photo's SHA-256)
and stored as a JPEG (a photo as PNG would be ten times larger on a player's card);
:func:`input_hash` and :func:`slide_media` take either kind, so the job worker's
``slide`` requests draw both.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, features
from sqlalchemy.orm import Session

from controller.media.store import MediaStore
from controller.metrics.registry import SLIDES_RENDERED
from controller.models import Media, RenderedSlide
from controller.slides import fonts
from controller.slides.frame import (
    FRAME_VERSION,
    JPEG_QUALITY,
    FrameSpec,
    open_photo,
    render_frame,
    render_overlay,
)
from controller.slides.render import SlideError, SlideSpec, render

RENDERER_VERSION = 2  # 2: Unicode line breaks (ICU), header lines in Lao/French
PNG_COMPRESS_LEVEL = 6

# Slides actually rendered by this process (the tests and the bench read it).
render_count = 0


def _engine() -> dict[str, str | None]:
    return {"pillow": PIL.__version__, "raqm": features.version("raqm"),
            "harfbuzz": features.version("harfbuzz"), "fribidi": features.version("fribidi")}


def hash_inputs(kind: dict[str, Any], canonical_spec: str) -> str:
    """SHA-256 (hex) of everything that goes into a picture: ``kind`` (which drawing and
    its version), the spec, the fonts' hashes and the layout engine's versions."""
    doc = {**kind, "spec": json.loads(canonical_spec), "fonts": fonts.fonts_digest(),
           "engine": _engine()}
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def input_hash(spec: SlideSpec | FrameSpec) -> str:
    """SHA-256 (hex) of everything that goes into the slide (or an image's frame)."""
    if isinstance(spec, FrameSpec):
        return hash_inputs({"frame": FRAME_VERSION}, spec.canonical())
    return hash_inputs({"renderer": RENDERER_VERSION}, spec.canonical())


def encode_png(image: Image.Image) -> bytes:
    """A deterministic PNG (no metadata, fixed compression)."""
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=PNG_COMPRESS_LEVEL, optimize=False)
    return out.getvalue()


def slide_photo(spec: SlideSpec, store: MediaStore | None) -> Image.Image | None:
    """The picture of a text slide's photo from ``store`` (None without a photo);
    SlideError when it is not there or cannot be read."""
    if spec.photo is None:
        return None
    if store is None or not store.exists(spec.photo.media):
        raise SlideError(f"{spec.name or 'slide'}: its photo {spec.photo.media[:12]}… is "
                         "not in the media store")
    return open_photo(store.path_for(spec.photo.media), (spec.width, spec.height))


def png_bytes(spec: SlideSpec, store: MediaStore | None = None) -> bytes:
    """Render ``spec`` and encode it as a PNG (deterministic: no metadata); a slide with
    a photo takes it from ``store`` (SlideError without it)."""
    global render_count
    image = render(spec, slide_photo(spec, store))
    render_count += 1
    return encode_png(image)


def cached(session: Session, store: MediaStore, key: str) -> Media | None:
    """The stored picture of input hash ``key``, if it is still in the store."""
    row = session.get(RenderedSlide, key)
    if row is None or not store.exists(row.media_sha256):
        return None
    return session.get(Media, row.media_sha256)


def store_png(session: Session, store: MediaStore, key: str, data: bytes, name: str,
              size: tuple[int, int], mime: str = "image/png") -> Media:
    """Store a rendered PNG (origin ``slide``; or a frame's JPEG, ``mime``) and remember
    it under ``key``."""
    known = session.get(Media, hashlib.sha256(data).hexdigest()) is not None
    # In the store, not the system temp folder: a crash leaves a ".work-" folder the
    # start-up sweep removes (controller/housekeeping/orphan_media.py).
    store.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=store.root, prefix=".work-") as tmp:
        path = Path(tmp) / ("picture.jpg" if mime == "image/jpeg" else "picture.png")
        path.write_bytes(data)
        media = store.put_file(session, path, name, mime, "image")
    if not known:
        media.origin = "slide"
        media.width, media.height = size
    row = session.get(RenderedSlide, key)
    if row is None:
        session.add(RenderedSlide(input_hash=key, media_sha256=media.sha256,
                                  width=size[0], height=size[1]))
    else:  # the file was lost from the store: rendered again, same bytes
        row.media_sha256 = media.sha256
    session.flush()
    return media


def frame_bytes(spec: FrameSpec, store: MediaStore | None) -> bytes:
    """Draw the frame ``spec`` with its photo from ``store``: a deterministic JPEG (a
    video's caption overlay: a PNG with transparency).
    SlideError when the photo is not in the store or the caption does not fit."""
    global render_count
    if spec.overlay:  # a video's caption: transparent, so a PNG
        render_count += 1
        return encode_png(render_overlay(spec)[0])
    if store is None or not store.exists(spec.photo):
        raise SlideError(f"{spec.name or 'image'}: its picture {spec.photo[:12]}… is not "
                         "in the media store")
    image, _ = render_frame(spec, open_photo(store.path_for(spec.photo),
                                             (spec.width, spec.height)))
    render_count += 1
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
    return out.getvalue()


def slide_media(session: Session, store: MediaStore, spec: SlideSpec | FrameSpec) -> Media:
    """The stored PNG of ``spec`` (origin ``slide``), rendering it only if no slide with
    the same input hash is stored; for a :class:`FrameSpec` the frame's JPEG. Raises
    :class:`SlideError` (``SlideDoesNotFit``) when the spec cannot be drawn. The caller
    commits."""
    key = input_hash(spec)
    found = cached(session, store, key)
    if found is not None:
        return found
    if isinstance(spec, FrameSpec):
        data = frame_bytes(spec, store)
        SLIDES_RENDERED.inc()
        if spec.overlay:
            return store_png(session, store, key, data, f"overlay-{key[:12]}.png",
                             (spec.width, spec.height))
        return store_png(session, store, key, data, f"frame-{key[:12]}.jpg",
                         (spec.width, spec.height), mime="image/jpeg")
    data = png_bytes(spec, store)
    SLIDES_RENDERED.inc()
    return store_png(session, store, key, data, f"slide-{key[:12]}.png",
                     (spec.width, spec.height))
