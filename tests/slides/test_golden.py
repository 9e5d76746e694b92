"""Rendered slides compared with golden images in ``tests/slides/golden/``.

A slide matches when the mean absolute difference of every channel is below
``TOLERANCE`` (out of 255) **and** no 12×12 tile differs by more than ``TILE_TOLERANCE``
on average: the global mean alone would not see a lost accent on a 2-megapixel slide.
Anti-aliasing changes (a FreeType or HarfBuzz update; simulated below with a blur and a
sharpen) pass, a layout change (a line moved by a pixel, a colour changed, a glyph or an
accent missing) fails.
On failure the rendered slide and an amplified difference image are written to a
temporary directory named in the message.

To regenerate the golden images after an intended change (and then look at them):

    PANO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/slides/test_golden.py

and raise ``controller.slides.cache.RENDERER_VERSION`` so that cached slides are redrawn.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageChops, ImageFilter, ImageStat

from controller.slides.render import (
    QrSpec,
    SlideSpec,
    emergency_spec,
    item_specs,
    render,
)

from .conftest import GOLDEN, REPO, emergency_examples

TOLERANCE = 1.5
TILE, TILE_TOLERANCE = 12, 40
UPDATE = os.environ.get("PANO_UPDATE_GOLDEN") == "1"
QR = QrSpec("https://pano.example/q/AB12CD34", "pano.example/q/AB12CD34")


def _item(playlist: str, item_id: str) -> dict:
    doc = yaml.safe_load((REPO / "playlists" / f"{playlist}.yaml").read_text(encoding="utf-8"))
    return next(item for item in doc["items"] if item["id"] == item_id)


def golden_specs() -> dict[str, SlideSpec]:
    [dual] = item_specs(_item("welcome-hue", "welcome"), 1920, 1080, ["vi", "en"], "dual",
                        "Cảng Chân Mây", "Chan May Port", qr=QR)
    [a_dot] = item_specs(_item("border-welcome", "friendship"), 1080, 1920, ["vi", "lo", "en"],
                         "dual", "Cửa khẩu quốc tế A Đớt", "A Dot International Border Gate",
                         qr=QR)
    alternate = item_specs(_item("safe-border-crossing", "prohibited-goods"), 1920, 1080,
                           ["vi", "lo", "en"], "alternate", "Cửa khẩu quốc tế A Đớt",
                           "A Dot International Border Gate")
    protocol, openapi = emergency_examples()[:2]
    messages = dict(openapi, lo=protocol["lo"])  # the OpenAPI example, with the Lao title
    emergency = emergency_spec(messages, 1920, 1080, ["vi", "lo", "en"],
                               "Cửa khẩu quốc tế A Đớt", "A Dot International Border Gate",
                               qr=QR, name="emergency example")
    assert [s.languages for s in alternate] == [("vi",), ("lo",), ("en",)]
    return {"dual-vi-en-1920x1080": dual, "a-dot-vi-lo-en-1080x1920": a_dot,
            "alternate-lo-1920x1080": alternate[1], "emergency-1920x1080": emergency}


def compare(name: str, image: Image.Image) -> None:
    path = GOLDEN / f"{name}.png"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        image.save(path, "PNG")
        return
    assert path.is_file(), f"{path} is missing: run with PANO_UPDATE_GOLDEN=1 (module doc)"
    with Image.open(path) as golden:
        golden = golden.convert("RGB")
    assert golden.size == image.size, f"{name}: {image.size} != golden {golden.size}"
    problem = difference(image, golden)
    if problem:
        out = Path(tempfile.mkdtemp(prefix=f"pano-golden-{name}-"))
        image.save(out / "rendered.png")
        diff = ImageChops.difference(image, golden)
        diff.point(lambda v: min(255, v * 8)).save(out / "diff-x8.png")
        pytest.fail(f"{name}: {problem}; rendered and diff (×8) images in {out}")


def difference(image: Image.Image, golden: Image.Image) -> str | None:
    """Why ``image`` does not match ``golden`` (module docstring), or None."""
    diff = ImageChops.difference(image, golden)
    means = ImageStat.Stat(diff).mean
    if max(means) >= TOLERANCE:
        return f"mean difference per channel {[round(m, 2) for m in means]} >= {TOLERANCE}"
    grey = diff.convert("L")
    tiles = grey.resize((grey.width // TILE, grey.height // TILE), Image.Resampling.BOX)
    worst = tiles.getextrema()[1]
    if worst > TILE_TOLERANCE:
        return f"a {TILE}×{TILE} tile differs by {worst} on average (> {TILE_TOLERANCE})"
    return None


@pytest.mark.parametrize("name", sorted(golden_specs()))
def test_slide_matches_its_golden_image(name: str) -> None:
    spec = golden_specs()[name]
    image = render(spec)
    assert image.mode == "RGB" and image.size == (spec.width, spec.height)
    compare(name, image)


def test_the_emergency_slide_is_red_and_white() -> None:
    image = render(golden_specs()["emergency-1920x1080"])
    colours = sorted(image.getcolors(1920 * 1080), reverse=True)
    (_, first), (_, second) = colours[:2]
    assert {first, second} == {(183, 18, 18), (255, 255, 255)}


def test_the_comparison_sees_a_lost_accent_but_not_anti_aliasing() -> None:
    spec = golden_specs()["dual-vi-en-1920x1080"]
    image = render(spec)
    en = spec.texts[1]
    lost = replace(spec, texts=(spec.texts[0], replace(en, title=en.title.replace("Huế", "Hue"))))
    assert difference(render(lost), image) is not None
    assert difference(ImageChops.offset(image, 1, 0), image) is not None
    for softer in (ImageFilter.GaussianBlur(0.4), ImageFilter.SHARPEN):
        assert difference(image.filter(softer), image) is None
