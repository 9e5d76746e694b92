"""Data slides as stored files (``rendered_slides``, content-addressed like text slides):
the job worker's step for a ``("dataslide", key, spec)`` request
(``controller/jobs/renders.py``), and the look-up a rebuild makes first.

A data slide is drawn by the job worker, never in the serving process (issue 15): a
rebuild that misses one asks for it like a missing text slide (the publisher's
``Renderer``), and the poller asks for a new snapshot's slides before it stores the
snapshot (:mod:`controller.dataslides.ahead`), so the push that follows finds them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from controller.dataslides.draw import DataSlideSpec, input_hash, png_bytes
from controller.media.store import MediaStore
from controller.metrics.registry import SLIDES_RENDERED
from controller.models import Media
from controller.slides.cache import cached, store_png

KIND = "dataslide"  # the job worker's request kind


def request_for(spec: DataSlideSpec) -> tuple[str, str, DataSlideSpec]:
    """The job worker's request for ``spec``'s picture."""
    return (KIND, input_hash(spec), spec)


def stored_slide(session: Session, store: MediaStore, key: str) -> Media | None:
    """The stored picture of data slide ``key``, if it is still in the store."""
    return cached(session, store, key)


def data_slide_media(session: Session, store: MediaStore, spec: DataSlideSpec) -> Media:
    """The stored PNG of ``spec``, drawing it only when no slide with its input hash is
    stored (the worker's step). Raises ``SlideError`` when it cannot be drawn; the
    caller commits."""
    key = input_hash(spec)
    found = cached(session, store, key)
    if found is not None:
        return found
    data = png_bytes(spec)
    SLIDES_RENDERED.inc()
    return store_png(session, store, key, data, f"data-{key[:12]}.png",
                     (spec.width, spec.height))
