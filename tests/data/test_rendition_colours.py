"""Every rendition a player gets is 8-bit sRGB (issue 12, point 8): a CMYK JPEG, 16-bit
PNGs (grey and RGB) and a picture with an ICC profile are stored as they are (here put
in the store directly, as files that did not come through the intake), and their
renditions — even for a screen they already fit — are 8-bit RGB or grey, with the
colours sRGB says (a 16-bit grey at 25 % is grey 64, not white)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from controller.media.renditions import THUMB, rendition_for
from controller.media.store import MediaStore
from controller.models import Media

from .colour_samples import cmyk_jpeg, linear_rgb_profile, png16, png_with_profile


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


def add(session, store: MediaStore, tmp_path: Path, data: bytes, mime: str) -> Media:
    src = tmp_path / hashlib.sha256(data).hexdigest()[:12]
    src.write_bytes(data)
    media = store.put_file(session, src, "upload", mime, "image")
    session.commit()
    return media


def rendered(session, store: MediaStore, media: Media, target: str) -> Image.Image:
    row = rendition_for(session, store, media.sha256, target)
    assert row is not None
    session.commit()
    assert row.rendition_sha256 != media.sha256, "the original is not player-ready"
    image = Image.open(store.path_for(row.rendition_sha256))
    assert image.format in ("JPEG", "PNG") and image.mode in ("RGB", "RGBA", "L")
    assert "icc_profile" not in image.info
    if image.format == "PNG":  # 8 bits per channel in the file itself
        assert store.path_for(row.rendition_sha256).read_bytes()[24] == 8
    return image.convert("RGB")


def near(pixel: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


@pytest.mark.parametrize("target", ["1920x1080", THUMB])
def test_cmyk_jpeg_becomes_rgb(session, store, tmp_path, target):
    media = add(session, store, tmp_path, cmyk_jpeg((160, 90), (0, 128, 255, 0)),
                "image/jpeg")
    assert near(rendered(session, store, media, target).getpixel((5, 5)), (255, 127, 0))


def test_16_bit_grey_keeps_its_shade(session, store, tmp_path):
    for size, target in (((400, 300), "1920x1080"), ((2400, 1800), "1280x720")):
        media = add(session, store, tmp_path, png16(size, (0x4000,)), "image/png")
        assert near(rendered(session, store, media, target).getpixel((10, 10)),
                    (64, 64, 64), 2)


def test_16_bit_rgb_png_that_fits_is_made_8_bit(session, store, tmp_path):
    media = add(session, store, tmp_path, png16((64, 48), (0x8000, 0x4000, 0xFFFF)),
                "image/png")
    assert near(rendered(session, store, media, "1920x1080").getpixel((3, 3)),
                (128, 64, 255), 4)


def test_icc_profile_is_applied_even_when_the_picture_fits(session, store, tmp_path):
    data = png_with_profile((120, 80), (128, 128, 128), linear_rgb_profile())
    media = add(session, store, tmp_path, data, "image/png")
    assert near(rendered(session, store, media, "1920x1080").getpixel((4, 4)),
                (188, 188, 188), 3)


def test_plain_srgb_picture_that_fits_is_still_its_own_rendition(session, store, tmp_path):
    src = tmp_path / "plain.png"
    Image.new("RGB", (32, 20), (9, 99, 199)).save(src, "PNG")
    media = add(session, store, tmp_path, src.read_bytes(), "image/png")
    row = rendition_for(session, store, media.sha256, "1920x1080")
    assert row is not None and row.rendition_sha256 == media.sha256
