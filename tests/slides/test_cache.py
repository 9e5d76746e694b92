"""``slide_media``: rendered once per input hash, stored as a ``slide`` PNG, and the same
spec always gives the same bytes."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from controller.media.store import MediaStore
from controller.models import Media, RenderedSlide
from controller.slides import cache
from controller.slides.render import LangText

from .test_golden import golden_specs

# These count and compare real drawings: none comes from the run's memo
# (tests/support/drawing_memo.py).
pytestmark = pytest.mark.real_drawing


def _count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar()


def test_same_spec_twice_renders_once(session, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    spec = golden_specs()["dual-vi-en-1920x1080"]
    before = cache.render_count
    first = cache.slide_media(session, store, spec)
    session.commit()
    second = cache.slide_media(session, store, spec)
    assert cache.render_count - before == 1
    assert first.sha256 == second.sha256
    assert (_count(session, RenderedSlide), _count(session, Media)) == (1, 1)
    row = session.get(RenderedSlide, cache.input_hash(spec))
    assert (row.media_sha256, row.width, row.height) == (first.sha256, 1920, 1080)
    assert (first.origin, first.kind, first.mime) == ("slide", "image", "image/png")
    assert (first.width, first.height) == (1920, 1080)
    data = store.path_for(first.sha256).read_bytes()
    assert hashlib.sha256(data).hexdigest() == first.sha256
    with Image.open(store.path_for(first.sha256)) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", (1920, 1080))


def test_rendering_is_deterministic_and_the_hash_covers_the_inputs() -> None:
    spec = golden_specs()["alternate-lo-1920x1080"]
    assert cache.png_bytes(spec) == cache.png_bytes(spec)
    assert cache.input_hash(spec) == cache.input_hash(replace(spec))
    changed = [replace(spec, texts=(LangText("lo", spec.texts[0].title + "."),)),
               replace(spec, width=1280, height=720), replace(spec, kind="emergency"),
               replace(spec, site_en="Another site")]
    hashes = {cache.input_hash(s) for s in changed} | {cache.input_hash(spec)}
    assert len(hashes) == len(changed) + 1


def test_the_hash_depends_on_the_renderer_version_and_fonts(monkeypatch) -> None:
    spec = golden_specs()["alternate-lo-1920x1080"]
    base = cache.input_hash(spec)
    monkeypatch.setattr(cache, "RENDERER_VERSION", cache.RENDERER_VERSION + 1)
    assert cache.input_hash(spec) != base
    monkeypatch.undo()
    monkeypatch.setattr(cache.fonts, "fonts_digest", lambda: {"NotoSans-Regular.ttf": "0"})
    assert cache.input_hash(spec) != base


def test_a_slide_lost_from_the_store_is_rendered_again(session, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    spec = golden_specs()["alternate-lo-1920x1080"]
    media = cache.slide_media(session, store, spec)
    session.commit()
    store.path_for(media.sha256).unlink()
    before = cache.render_count
    again = cache.slide_media(session, store, spec)
    assert cache.render_count - before == 1 and again.sha256 == media.sha256
    assert store.exists(media.sha256) and _count(session, RenderedSlide) == 1
