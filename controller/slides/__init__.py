"""Text slides (playlist ``text`` items, emergencies) rendered with Pillow and raqm,
correct for Vietnamese and Lao: :func:`render`, :func:`slide_media` (docs/media.md)."""

from controller.slides.cache import input_hash, slide_media
from controller.slides.render import (
    LangText,
    QrSpec,
    SlideDoesNotFit,
    SlideError,
    SlideSpec,
    emergency_spec,
    item_specs,
    render,
    render_layout,
)

__all__ = ["LangText", "QrSpec", "SlideDoesNotFit", "SlideError", "SlideSpec",
           "emergency_spec", "input_hash", "item_specs", "render", "render_layout",
           "slide_media"]
