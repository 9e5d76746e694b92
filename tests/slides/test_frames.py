"""Issue 16, point 2: what the controller draws never hides text. Every demo item — the
image items' frames (photo, caption, QR corner: controller/slides/frame.py) and the text
items' slides, videos' caption overlays — and the long-text cases, laid out on every
resolution in use (config/sites.yaml: 1920×1080, 1280×720, 1080×1920) with every
language profile in use, in both bilingual modes, with and without a QR badge: the
boxes the layout returns never intersect, every line lies inside the screen and its own
room, and every letter of every text is on the picture. A text that cannot fit is
refused (``SlideDoesNotFit``), never cut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from controller.slides.frame import (
    FrameSpec,
    caption_too_long,
    frame_layout,
    item_frames,
    item_overlays,
    overlay_band,
    render_frame,
    render_overlay,
)
from controller.slides.render import badge_box, item_specs, render_layout
from controller.slides.spec import SlideDoesNotFit

REPO = Path(__file__).resolve().parents[2]
Box = tuple[int, int, int, int]


def _screen_kinds() -> list[tuple[int, int, tuple[str, ...], str]]:
    """Every resolution of the shipped sites' screens with every language profile in
    use, in both bilingual modes: (width, height, languages, mode)."""
    doc = yaml.safe_load((REPO / "config" / "sites.yaml").read_text(encoding="utf-8"))
    sizes, profiles = set(), set()
    for site in doc["sites"]:
        for screen in site.get("screens") or []:
            sizes.add(tuple(int(v) for v in str(screen["resolution"]).split("x")))
            profiles.add(tuple(screen["languages"]))
    assert {(1920, 1080), (1280, 720), (1080, 1920)} <= sizes
    return sorted((w, h, langs, mode) for w, h in sizes for langs in profiles
                  for mode in ("dual", "alternate"))


KINDS = _screen_kinds()


def _demo_items(kind: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((REPO / "playlists").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out += [(f"{path.stem}:{item['id']}", item) for item in doc.get("items") or []
                if item.get("type") == kind]
    return out


IMAGES = _demo_items("image")
TEXTS = _demo_items("text")
LONG_VI = ("Vịnh Lăng Cô, Khu kinh tế Chân Mây – Lăng Cô: cửa ngõ biển của Huế, "
           "nơi hội tụ cảng nước sâu, du lịch nghỉ dưỡng và các dự án đầu tư lớn, "
           "với hội nhập quốc tế và phát triển bền vững")  # about 200 characters
LONG_EN = ("Lăng Cô Bay and the Chân Mây – Lăng Cô Economic Zone: Huế's gateway to the "
           "sea, where a deep-water port, resort tourism and large investment projects "
           "meet, open to the world and growing sustainably")
LONG_LO = "ອ່າວລັງໂກ ແລະ ເຂດເສດຖະກິດຈັນມາຍ-ລັງໂກ: ປະຕູສູ່ທະເລຂອງເມືອງເຫວ້ " * 2


def _photo_size(item: dict[str, Any]) -> tuple[int, int]:
    name = next(iter(item["variants"].values()))["media"]
    with Image.open(REPO / "media" / name) as image:
        return image.size


def _long(with_url: bool) -> dict[str, Any]:
    variants = {lang: {"title": text, "media": "hue-citadel.jpg",
                       **({"url": "https://hue.gov.vn/"} if with_url else {})}
                for lang, text in (("vi", LONG_VI), ("en", LONG_EN), ("lo", LONG_LO))}
    return {"id": "long-caption", "type": "image", "duration": 10, "variants": variants}


def _disjoint(a: Box | None, b: Box | None) -> bool:
    if a is None or b is None:
        return True
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def _inside(inner: Box, outer: Box) -> bool:
    return (outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2]
            and inner[3] <= outer[3])


def _letters(text: str) -> str:
    """The text without its spaces: lines break at spaces and after hyphens."""
    return "".join(text.split())


def _check_frame(spec: FrameSpec, photo: tuple[int, int]) -> None:
    where = frame_layout(spec, photo)
    screen = (0, 0, spec.width, spec.height)
    assert _inside(where.photo, where.photo_room) and _inside(where.photo, screen)
    assert _disjoint(where.photo, where.qr), (spec.name, where)
    assert _disjoint(where.photo, where.caption), (spec.name, where)
    assert _disjoint(where.caption, where.qr), (spec.name, where)
    if where.qr is not None:
        assert where.qr == badge_box(spec.width, spec.height)
    titles = [t for t in spec.captions if t.title]
    if not titles:
        assert where.caption is None and not where.runs
        return
    assert where.caption is not None and where.caption_region is not None
    assert _inside(where.caption, where.caption_region)
    for run in where.runs:  # the ink: inside its room, off the photo and the badge
        if run.text.strip():
            assert _inside(run.bbox, where.caption_region), (spec.name, run)
            assert _disjoint(run.bbox, where.qr) and _disjoint(run.bbox, where.photo)
    # Nothing cut: every letter of every title is on one of the lines drawn.
    for i, text in enumerate(titles):
        assert _letters("".join(where.lines[i])) == _letters(text.title), (spec.name, i)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k[0]}x{k[1]}-{'-'.join(k[2])}-{k[3]}")
@pytest.mark.parametrize("with_url", [False, True], ids=["no-link", "link"])
def test_every_demo_image_frame_keeps_photo_caption_and_badge_apart(kind, with_url) -> None:
    width, height, languages, mode = kind
    assert IMAGES, "the demo playlists lost their image items"
    for name, item in IMAGES:
        if with_url:
            item = {**item, "variants": {lang: {**v, "url": "https://hue.gov.vn/"}
                                         for lang, v in item["variants"].items()}}
        frames = item_frames(item, width, height, list(languages), mode, with_url)
        assert frames, name
        if mode == "alternate":  # one frame per language the screen shows
            assert len(frames) == len([lang for lang in languages
                                       if lang in item["variants"]]) or len(frames) == 1
        for spec in frames:
            _check_frame(spec, _photo_size(item))


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k[0]}x{k[1]}-{'-'.join(k[2])}-{k[3]}")
@pytest.mark.parametrize("with_url", [False, True], ids=["no-link", "link"])
def test_a_long_caption_fits_whole_or_is_refused_never_cut(kind, with_url) -> None:
    width, height, languages, mode = kind
    for spec in item_frames(_long(with_url), width, height, list(languages), mode, with_url):
        for photo in ((1920, 1080), (1080, 1920), (4000, 1000)):
            try:
                _check_frame(spec, photo)
            except SlideDoesNotFit as exc:
                assert exc.langs and set(exc.langs) <= set(spec.languages)
                assert caption_too_long(spec) == exc.langs


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k[0]}x{k[1]}-{'-'.join(k[2])}-{k[3]}")
def test_a_caption_of_a_thousand_characters_is_refused_naming_its_languages(kind) -> None:
    width, height, languages, mode = kind
    item = _long(True)
    item["variants"]["vi"]["title"] = (LONG_VI + " ") * 6  # 1,100 characters or so
    frames = item_frames(item, width, height, list(languages), mode, True)
    refused = [caption_too_long(spec) for spec in frames if "vi" in spec.languages]
    assert refused and all("vi" in langs for langs in refused)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k[0]}x{k[1]}-{'-'.join(k[2])}-{k[3]}")
@pytest.mark.parametrize("with_url", [False, True], ids=["no-link", "link"])
def test_every_demo_text_slide_keeps_its_texts_off_the_badge(kind, with_url) -> None:
    width, height, languages, mode = kind
    assert TEXTS
    badge = badge_box(width, height)
    for name, item in TEXTS:
        specs = item_specs(item, width, height, list(languages), mode, "Cảng Chân Mây",
                           "Chân Mây Port", name=name, reserve_qr=with_url)
        for spec in specs:
            drawn = render_layout(spec, paint=False)  # the boxes, not the ink
            screen = (0, 0, width, height)
            assert _inside(drawn.text_region, screen)
            for run in drawn.text_runs:
                if run.text.strip():
                    assert _inside(run.bbox, drawn.text_region), (name, run)
                    if with_url:
                        assert _disjoint(run.bbox, badge), (name, run)
            texts = [p for t in spec.texts for p in (t.title, t.body) if p]
            drawn_text = "".join(line for i in sorted(drawn.lines) for line in drawn.lines[i])
            assert _letters(drawn_text) == _letters("".join(texts)), name


def test_the_frame_is_drawn_at_the_screen_size_with_the_caption_in_ink() -> None:
    """The drawing follows the layout: the picture has the screen's size, the photo's
    box holds the photo, and the caption's box has white ink on black."""
    item = next(item for _, item in IMAGES)
    with Image.open(REPO / "media" / next(iter(item["variants"].values()))["media"]) as im:
        photo = im.convert("RGB")
    spec = item_frames(item, 1920, 1080, ["vi", "en"], "dual", True)[0]
    image, where = render_frame(spec, photo)
    assert image.size == (1920, 1080)
    assert where.caption is not None
    band = image.crop(where.caption).convert("L")
    assert band.getextrema() == (0, 255) or band.getextrema()[1] > 200
    corner = image.crop(where.qr).convert("L")  # left free (black) for the badge
    assert corner.getextrema() == (0, 0)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: f"{k[0]}x{k[1]}-{'-'.join(k[2])}-{k[3]}")
@pytest.mark.parametrize("with_url", [False, True], ids=["no-link", "link"])
def test_a_video_caption_overlay_keeps_off_the_badge(kind, with_url) -> None:
    """A video's caption (drawn on a transparent overlay) and its band never reach the
    badge's box; nothing cut, or refused."""
    width, height, languages, _ = kind
    video = {**_long(with_url), "type": "video"}
    (spec,) = item_overlays(video, width, height, list(languages), with_url)
    assert spec.overlay and spec.languages == tuple(lang for lang in languages
                                                    if lang in video["variants"])
    try:
        where = frame_layout(spec)
    except SlideDoesNotFit:
        assert caption_too_long(spec)
        return
    band = overlay_band(spec, where)
    assert band is not None and _inside(where.caption, band)
    assert _disjoint(band, where.qr) and _disjoint(where.caption, where.qr)
    for run in where.runs:
        if run.text.strip():
            assert _inside(run.bbox, band) and _disjoint(run.bbox, where.qr)
    image, _ = render_overlay(spec)
    assert image.mode == "RGBA" and image.size == (width, height)
    assert image.getchannel("A").crop((0, 0, width, band[1])).getextrema() == (0, 0)
    if where.qr is not None:
        assert image.getchannel("A").crop(where.qr).getextrema() == (0, 0)
