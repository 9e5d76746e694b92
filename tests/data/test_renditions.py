"""Renditions (controller/media/renditions.py): real images made with Pillow, a real
media store on disk and a real SQLite database. Caching is checked by counting files
and rows, never by timing."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from support.postgres import pg_url  # noqa: F401  (fixture)

from controller.db import make_engine, make_session_factory, upgrade
from controller.media.renditions import (
    THUMB,
    OriginalMissing,
    RenditionError,
    fit,
    render,
    rendition_for,
    target_box,
)
from controller.media.store import MediaStore
from controller.models import Media, Rendition

from .conftest import mp4_bytes


def photo(width: int, height: int, noise: bool = True) -> Image.Image:
    """A photo-like RGB image (gradients, plus noise unless ``noise`` is false: PNG
    compresses noise slowly)."""
    gradient = Image.linear_gradient("L").resize((width, height))
    other = Image.radial_gradient("L").resize((width, height))
    third = Image.effect_noise((width, height), 40) if noise else gradient.rotate(180)
    return Image.merge("RGB", (gradient, other, third))


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def add(session, store: MediaStore, tmp_path: Path, data: bytes, mime: str,
        kind: str = "image", name: str = "upload") -> Media:
    src = tmp_path / f"{name}-{hashlib.sha256(data).hexdigest()[:8]}"
    src.write_bytes(data)
    media = store.put_file(session, src, name, mime, kind)
    session.commit()
    return media


def files_in(store: MediaStore) -> int:
    return sum(1 for p in store.root.rglob("*") if p.is_file() and not p.name.startswith("."))


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar()


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


@pytest.fixture(scope="module")
def big_jpeg() -> bytes:
    return encode(photo(4000, 3000), "JPEG", quality=92)


def test_targets_and_fitting():
    assert target_box("1920x1080") == (1920, 1080)
    assert target_box(THUMB) == (320, 180)
    for bad in ("", "1920", "0x1080", "1920x1080x2", "big", "-1x5"):
        with pytest.raises(ValueError):
            target_box(bad)
    assert fit((4000, 3000), (1920, 1080)) == (1440, 1080)
    assert fit((4000, 3000), (1080, 1920)) == (1080, 810)
    assert fit((800, 600), (1920, 1080)) == (800, 600)  # never upscaled
    assert fit((4000, 3000), (320, 180)) == (240, 180)


def test_a_large_photo_is_scaled_to_fit_each_screen(session, store, tmp_path, big_jpeg):
    original = add(session, store, tmp_path, big_jpeg, "image/jpeg", name="citadel.jpg")
    landscape = rendition_for(session, store, original.sha256, "1920x1080")
    portrait = rendition_for(session, store, original.sha256, "1080x1920")
    session.commit()
    assert (landscape.width, landscape.height) == (1440, 1080)
    assert (portrait.width, portrait.height) == (1080, 810)
    assert landscape.rendition_sha256 != portrait.rendition_sha256 != original.sha256
    for row in (landscape, portrait):
        media = session.get(Media, row.rendition_sha256)
        assert media.origin == "rendition" and media.kind == "image"
        assert media.mime == "image/jpeg"
        assert (media.width, media.height) == (row.width, row.height)
        data = store.path_for(row.rendition_sha256).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row.rendition_sha256
        assert media.size == len(data)
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and image.size == (row.width, row.height)
            assert image.info.get("progressive") or image.info.get("progression")
            assert "exif" not in image.info and "icc_profile" not in image.info
        assert len(data) < len(big_jpeg)


def test_a_second_request_does_no_work(session, store, tmp_path, big_jpeg, monkeypatch):
    original = add(session, store, tmp_path, big_jpeg, "image/jpeg")
    first = rendition_for(session, store, original.sha256, "1920x1080")
    session.commit()
    files, media, renditions = files_in(store), count(session, Media), count(session, Rendition)
    assert (files, media, renditions) == (2, 2, 1)

    import controller.media.renditions as module

    def no_rendering(*_args, **_kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(module, "render", no_rendering)
    again = rendition_for(session, store, original.sha256, "1920x1080")
    session.commit()
    assert again.rendition_sha256 == first.rendition_sha256
    assert (files_in(store), count(session, Media), count(session, Rendition)) == (
        files, media, renditions)


def test_a_deleted_rendition_file_is_made_again(session, store, tmp_path, big_jpeg):
    original = add(session, store, tmp_path, big_jpeg, "image/jpeg")
    first = rendition_for(session, store, original.sha256, "1280x720")
    session.commit()
    store.path_for(first.rendition_sha256).unlink()
    again = rendition_for(session, store, original.sha256, "1280x720")
    session.commit()
    assert again.rendition_sha256 == first.rendition_sha256
    assert store.exists(first.rendition_sha256)


def test_an_image_that_fits_is_its_own_rendition(session, store, tmp_path):
    original = add(session, store, tmp_path, encode(photo(800, 600), "JPEG"), "image/jpeg")
    for target in ("1920x1080", "1080x1920", "1280x720"):
        row = rendition_for(session, store, original.sha256, target)
        assert row.rendition_sha256 == original.sha256
        assert (row.width, row.height) == (800, 600)
    session.commit()
    assert files_in(store) == 1 and count(session, Media) == 1
    assert count(session, Rendition) == 3
    thumb = rendition_for(session, store, original.sha256, THUMB)
    assert (thumb.width, thumb.height) == (240, 180)
    assert thumb.rendition_sha256 != original.sha256


def test_transparency_stays_png_and_opaque_png_becomes_jpeg(session, store, tmp_path):
    rgba = photo(3000, 2000, noise=False).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((3000, 2000)))
    alpha = add(session, store, tmp_path, encode(rgba, "PNG"), "image/png", name="logo.png")
    flat = photo(3000, 2000, noise=False).convert("RGBA")  # alpha 255 everywhere
    opaque = add(session, store, tmp_path, encode(flat, "PNG"), "image/png", name="opaque.png")
    kept = rendition_for(session, store, alpha.sha256, "1920x1080")
    flattened = rendition_for(session, store, opaque.sha256, "1920x1080")
    session.commit()
    assert session.get(Media, kept.rendition_sha256).mime == "image/png"
    with Image.open(store.path_for(kept.rendition_sha256)) as image:
        assert image.format == "PNG" and image.mode == "RGBA" and image.size == (1620, 1080)
        assert image.getchannel("A").getextrema()[0] < 255
    assert session.get(Media, flattened.rendition_sha256).mime == "image/jpeg"


@pytest.mark.real_drawing  # drawn twice here for real, not once and remembered
def test_output_is_deterministic_across_processes(tmp_path, big_jpeg):
    src = tmp_path / "photo.jpg"
    src.write_bytes(big_jpeg)
    here = render(src, (1920, 1080)).data
    code = ("import hashlib, sys; from pathlib import Path;"
            "from controller.media.renditions import render;"
            "print(hashlib.sha256(render(Path(sys.argv[1]), (1920, 1080)).data).hexdigest())")
    there = subprocess.run([sys.executable, "-c", code, str(src)], check=True,
                           capture_output=True, text=True).stdout.strip()
    assert hashlib.sha256(here).hexdigest() == there
    assert render(src, (1920, 1080)).data == here


def test_rows_added_meanwhile_by_another_process_do_not_clash(session, store, tmp_path,
                                                              big_jpeg, monkeypatch):
    """Another controller made the same rendition between our look-up and our insert:
    it made the same file (deterministic), so the rows are simply there already."""
    original = add(session, store, tmp_path, big_jpeg, "image/jpeg")
    first = rendition_for(session, store, original.sha256, "1920x1080")
    session.commit()
    import controller.media.renditions as module

    monkeypatch.setattr(module, "_usable", lambda *_args: False)  # "not found"
    again = rendition_for(session, store, original.sha256, "1920x1080")
    session.commit()
    assert again.rendition_sha256 == first.rendition_sha256
    assert count(session, Rendition) == 1 and count(session, Media) == 2


def test_exif_orientation_is_applied(session, store, tmp_path):
    image = photo(1600, 1200)
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90° clockwise to display
    original = add(session, store, tmp_path, encode(image, "JPEG", exif=exif.tobytes()),
                   "image/jpeg")
    row = rendition_for(session, store, original.sha256, "1920x1080")
    assert (row.width, row.height) == (810, 1080)  # displayed 1200×1600, fitted
    assert row.rendition_sha256 != original.sha256
    with Image.open(store.path_for(row.rendition_sha256)) as out:
        assert out.size == (810, 1080) and 0x0112 not in out.getexif()


def test_videos_and_unknown_media_get_no_rendition(session, store, tmp_path):
    video = add(session, store, tmp_path, mp4_bytes(), "video/mp4", kind="video")
    assert rendition_for(session, store, video.sha256, "1920x1080") is None
    assert rendition_for(session, store, "f" * 64, "1920x1080") is None
    assert count(session, Rendition) == 0


def test_a_corrupt_image_raises_and_stores_nothing(session, store, tmp_path, big_jpeg):
    truncated = add(session, store, tmp_path, big_jpeg[: len(big_jpeg) // 3], "image/jpeg")
    garbage = add(session, store, tmp_path, b"\xff\xd8\xff" + b"\x00not a jpeg" * 50,
                  "image/jpeg")
    for media in (truncated, garbage):
        with pytest.raises(RenditionError):
            rendition_for(session, store, media.sha256, "1920x1080")
    session.rollback()
    assert count(session, Rendition) == 0 and files_in(store) == 2


def test_a_missing_original_is_reported_as_such(session, store, tmp_path, big_jpeg):
    original = add(session, store, tmp_path, big_jpeg, "image/jpeg")
    store.path_for(original.sha256).unlink()
    with pytest.raises(OriginalMissing):
        rendition_for(session, store, original.sha256, "1920x1080")


def test_postgresql_two_controllers_at_the_same_moment(pg_url, tmp_path, big_jpeg):  # noqa: F811
    """On PostgreSQL, two controllers make the same rendition at the same time: the second
    one's insert waits for the first one's transaction, then finds the rows made (the
    same, the output being deterministic) and does nothing. Both succeed."""
    import threading
    import time

    from sqlalchemy import text

    upgrade(pg_url)
    engine = make_engine(pg_url)
    factory = make_session_factory(engine)
    store = MediaStore(tmp_path / "media")
    flushed, release = threading.Event(), threading.Event()
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with factory() as a:
                results["a"] = rendition_for(a, store, sha, "1920x1080").rendition_sha256
                flushed.set()
                release.wait(60)
                a.commit()
        except BaseException as err:  # noqa: BLE001 - reported by the test
            errors.append(err)
            flushed.set()

    def second() -> None:
        try:
            with factory() as b:
                results["b"] = rendition_for(b, store, sha, "1920x1080").rendition_sha256
                b.commit()
        except BaseException as err:  # noqa: BLE001 - reported by the test
            errors.append(err)

    try:
        with factory() as session:
            sha = add(session, store, tmp_path, big_jpeg, "image/jpeg").sha256
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        threads[0].start()
        assert flushed.wait(60)
        threads[1].start()
        # Let the first commit once the second waits on its rows (a lock wait).
        with engine.connect() as watch:
            for _ in range(600):
                waiting = watch.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'")).scalar()
                if waiting or not threads[1].is_alive():
                    break
                time.sleep(0.05)
        release.set()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        assert results["a"] == results["b"]
        with factory() as check:
            assert count(check, Rendition) == 1 and count(check, Media) == 2
            assert check.get(Media, results["a"]).origin == "rendition"
    finally:
        release.set()
        engine.dispose()
