"""A text item's photo (background or side) and the contrast rule, measured on the
drawn PNG: whatever the photo, every pixel behind the text keeps at least 4.5:1 with the
text's ink (WCAG 2.x). Real Pillow drawing, a real SQLite database and media store."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from controller.media.store import MediaStore
from controller.slides import cache
from controller.slides.photo import MIN_CONTRAST, luminance
from controller.slides.render import render_layout
from controller.slides.spec import PhotoSpec, SlideError, item_specs

ITEM = {"id": "welcome", "type": "text", "variants": {
    "vi": {"title": "Chào mừng đến Cố đô Huế", "body": "Di sản văn hoá thế giới"},
    "en": {"title": "Welcome to the Imperial City", "body": "A World Heritage Site"}}}
# The canonical spec of ITEM as drawn before photos existed (copied from that version):
# items without a photo keep their specs, so their hashes and stored slides stay.
BEFORE_PHOTOS = (
    '{"height":1080,"kind":"item","mode":"dual","name":"welcome","province_en":"Thừa Thiên '
    'Huế Province","province_vi":"Tỉnh Thừa Thiên Huế","qr":null,"reserve_qr":true,'
    '"site_en":"Chan May Port","site_vi":"Cảng Chân Mây","texts":[{"body":"Huế","lang":'
    '"vi","title":"Chào mừng"},{"body":"Hue","lang":"en","title":"Welcome"}],"width":1920}')


def _spec(placement: str | None, width: int = 1920, height: int = 1080, item=ITEM):
    item = dict(item)
    if placement is not None:
        item["photo"] = {"media": "ab" * 32, "placement": placement}
    (spec,) = item_specs(item, width, height, ["vi", "en"], "dual", "Cảng Chân Mây",
                         "Chan May Port", reserve_qr=True)
    return spec


def _photo(kind: str) -> Image.Image:
    """A noisy photo: very bright, very dark, or half white and half black."""
    rng = np.random.default_rng(15)
    if kind == "bright":
        pixels = rng.integers(215, 256, (900, 1600, 3))
    elif kind == "dark":
        pixels = rng.integers(0, 40, (900, 1600, 3))
    else:
        pixels = np.zeros((900, 1600, 3), int)
        pixels[:, ::2] = 255  # white and black stripes: no single ink suits both
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


def _background_contrast(png: bytes, laid) -> float:
    """The lowest contrast between a text run's ink and any pixel of the drawn PNG under
    the text (inside the box round all runs, outside every run's own inked box and the
    rules between languages)."""
    runs = laid.text_runs
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    x0, y0 = min(r.bbox[0] for r in runs), min(r.bbox[1] for r in runs)
    x1, y1 = max(r.bbox[2] for r in runs), max(r.bbox[3] for r in runs)
    behind = np.ones(image.shape[:2], bool)
    behind[:y0, :] = behind[y1:, :] = False
    behind[:, :x0] = behind[:, x1:] = False
    for r in runs:  # the glyphs themselves (and their anti-aliased edges) are not behind
        behind[max(0, r.bbox[1] - 1):r.bbox[3] + 1, max(0, r.bbox[0] - 1):r.bbox[2] + 1] = False
    for rx0, ry0, rx1, ry1 in laid.rules:
        behind[ry0:ry1, rx0:rx1] = False
    lum = luminance(image[behind])
    assert lum.size > 1000
    worst = 21.0
    for ink in {r.fill for r in runs}:
        li = float(luminance(np.array(ink)))
        for lp in (float(lum.min()), float(lum.max())):
            worst = min(worst, (max(li, lp) + 0.05) / (min(li, lp) + 0.05))
    return worst


@pytest.mark.parametrize("kind", ["bright", "dark", "stripes"])
def test_text_on_any_background_photo_keeps_at_least_4_5_to_1(kind, session,
                                                              tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    path = tmp_path / f"{kind}.png"
    _photo(kind).save(path)
    sha = store.put_file(session, path, path.name, "image/png", "image").sha256
    spec = _spec("background")
    spec = type(spec)(**{**spec.__dict__, "photo": PhotoSpec(sha, "background")})
    png = cache.png_bytes(spec, store)
    laid = render_layout(spec, _photo(kind))
    assert laid.photo_box == (0, laid.photo_box[1], 1920, 1080)
    assert _background_contrast(png, laid) >= MIN_CONTRAST
    # … and the photo is really there round the scrim (not a plain slide).
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    corner = image[1050:1075, 1890:1915].reshape(-1, 3)
    assert len({tuple(p) for p in corner}) > 3


def test_a_slide_with_a_photo_not_in_the_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SlideError, match="not in the media store"):
        cache.png_bytes(_spec("background"), MediaStore(tmp_path / "media"))


@pytest.mark.parametrize("placement", ["side-left", "side-right"])
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1280, 720)])
def test_a_side_photo_and_the_text_never_overlap(placement, size) -> None:
    spec = _spec(placement, *size)
    laid = render_layout(spec, _photo("stripes"))
    px0, py0, px1, py1 = laid.photo_box
    assert px1 - px0 == size[0] // 3 and py1 == size[1]
    assert px0 == 0 if placement == "side-left" else px1 == size[0]
    for run in laid.text_runs:
        x0, _, x1, _ = run.bbox
        assert x1 <= px0 or x0 >= px1, (run.text, run.bbox, laid.photo_box)
    assert laid.scrim_box is None  # beside the photo: the slide's own background
    # the text region is narrower than the same slide's without a photo
    plain = render_layout(_spec(None, *size))
    assert laid.text_region[2] - laid.text_region[0] < plain.text_region[2] - plain.text_region[0]


def test_an_item_without_a_photo_keeps_its_spec_and_a_photo_changes_it() -> None:
    item = {"id": "welcome", "type": "text", "variants": {
        "vi": {"title": "Chào mừng", "body": "Huế"}, "en": {"title": "Welcome", "body": "Hue"}}}
    assert _spec(None, item=item).canonical() == BEFORE_PHOTOS
    hashes = {cache.input_hash(_spec(p, item=item))
              for p in (None, "background", "side-left", "side-right")}
    assert len(hashes) == 4


def test_a_photo_placement_that_does_not_exist_is_refused() -> None:
    with pytest.raises(SlideError, match="placement 'top' is not one of"):
        _spec("top")


def test_the_fit_check_lays_the_text_out_beside_a_side_photo() -> None:
    """A text that fits the whole width is refused when a side photo takes a third."""
    from controller.models import Screen
    from controller.review.fit import _text_misfits

    screen = Screen(width=1920, height=1080, languages=["vi", "en"], bilingual_mode="dual")
    item = {"id": "long", "type": "text", "variants": {
        "vi": {"title": "Chào", "body": "Thuyền rồng trên sông Hương " * 28},
        "en": {"title": "Hi", "body": "Dragon boats on the Perfume River " * 28}}}
    assert _text_misfits(item, screen, None) == []
    for placement in ("side-left", "side-right"):
        beside = {**item, "photo": {"media": "ab" * 32, "placement": placement}}
        assert sorted(_text_misfits(beside, screen, None)) == ["en", "vi"]
    behind = {**item, "photo": {"media": "ab" * 32, "placement": "background"}}
    assert _text_misfits(behind, screen, None) == []  # a background leaves the room whole
