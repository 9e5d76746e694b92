"""The media intake with real files made here: what is stored is upright, free of EXIF,
GPS and text chunks, with the right size; a clean file is stored byte for byte; the same
upload twice is one file; anything refused leaves no file and no row."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select

from controller.content.playlists_write import import_playlists
from controller.media.ingest import IngestRefused, file_sha256, ingest, ingest_file
from controller.media.store import MediaStore
from controller.models import Media, MediaAlias, PlaylistVersion
from controller.settings import Settings

from .conftest import make_video, png_bytes


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


def stored_files(store: MediaStore) -> list[Path]:
    if not store.root.exists():
        return []
    return [p for p in store.root.rglob("*") if p.is_file()]


def rows(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(Media)),
            session.scalar(select(func.count()).select_from(MediaAlias)))


def jpeg_with_exif(width: int = 40, height: int = 20) -> bytes:
    """A JPEG whose pixels are stored sideways with EXIF orientation 6 (turn 90° clockwise
    to view), a camera make, GPS coordinates and a comment."""
    im = Image.new("RGB", (width, height), (200, 30, 30))
    im.paste((30, 30, 200), (0, 0, width // 4, height))  # a blue band on the left
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneCam"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (16.0, 27.0, 50.0)
    gps[3], gps[4] = "E", (107.0, 35.0, 10.0)
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes(), comment=b"taken at the citadel", quality=95)
    return out.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def test_jpeg_is_turned_upright_and_stripped(session, store, tmp_path):
    upload = write(tmp_path, "citadel.jpg", jpeg_with_exif())
    media = ingest(session, store, upload, "citadel.jpg", Settings())
    session.commit()
    stored = Image.open(store.path_for(media.sha256))
    assert stored.format == "JPEG"
    assert stored.size == (20, 40) == (media.width, media.height)  # upright: portrait
    # the blue band, on the left before turning, is now along the top
    assert stored.convert("RGB").getpixel((10, 2))[2] > 150
    assert stored.convert("RGB").getpixel((10, 38))[0] > 150
    assert len(stored.getexif()) == 0
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(stored.info)
    assert b"PhoneCam" not in store.path_for(media.sha256).read_bytes()
    assert (media.kind, media.mime, media.original_name) == ("image", "image/jpeg",
                                                             "citadel.jpg")
    alias = session.get(MediaAlias, file_sha256(upload)[0])
    assert alias is not None and alias.media_sha256 == media.sha256


def test_png_text_chunks_removed(session, store, tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyen Van A")
    info.add_text("Location", "16.46N 107.59E")
    out = io.BytesIO()
    Image.new("RGBA", (30, 10), (0, 128, 0, 128)).save(out, "PNG", pnginfo=info)
    media = ingest(session, store, write(tmp_path, "map.png", out.getvalue()), "map.png")
    stored = Image.open(store.path_for(media.sha256))
    assert stored.format == "PNG" and stored.size == (30, 10) and stored.mode == "RGBA"
    assert not getattr(stored, "text", {})
    assert b"Nguyen" not in store.path_for(media.sha256).read_bytes()


def test_clean_file_stored_byte_for_byte(session, store, tmp_path):
    data = png_bytes(5, 3)
    media = ingest(session, store, write(tmp_path, "clean.png", data), "clean.png")
    assert store.path_for(media.sha256).read_bytes() == data
    assert (media.width, media.height) == (5, 3)
    assert rows(session) == (1, 0)  # no alias needed: stored under its own hash


def test_same_upload_twice_is_one_file(session, store, tmp_path):
    upload = write(tmp_path, "a.jpg", jpeg_with_exif())
    first = ingest_file(session, store, upload, "a.jpg")
    session.commit()
    files = stored_files(store)
    second = ingest_file(session, store, upload, "other name.jpg")
    assert second.existing and not first.existing
    assert second.media.sha256 == first.media.sha256
    assert stored_files(store) == files and rows(session) == (1, 1)
    # The cleaned file itself, uploaded again, is the same media too.
    again = ingest_file(session, store, store.path_for(first.media.sha256), "b.jpg")
    assert again.existing and again.media.sha256 == first.media.sha256


def truncated_jpeg() -> bytes:
    data = jpeg_with_exif(400, 300)
    return data[:len(data) * 2 // 3]


def truncated_png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((200, 200), 50).save(out, "PNG")
    data = out.getvalue()
    return data[:len(data) // 2]


def jpeg_zip_polyglot() -> bytes:
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return png_free_jpeg() + archive.getvalue()


def png_free_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 0, 0)).save(out, "JPEG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header claiming a huge picture (a decompression bomb's first bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


REFUSED = [
    ("empty.jpg", lambda: b"", "empty file"),
    ("cut.jpg", truncated_jpeg, "cut short"),
    ("cut.png", truncated_png, "cut short"),
    ("poly.jpg", jpeg_zip_polyglot, "disguised"),
    ("html.jpg", lambda: png_free_jpeg() + b"<html><script>steal()</script></html>",
     "disguised"),
    ("photo.jpg", lambda: png_bytes(4, 4), "really a PNG image"),
    ("bomb.png", lambda: png_claiming(30000, 30000), "decompression bomb"),
    ("notes.png", lambda: b"just some text, not a picture\n" * 10, "not a JPEG"),
    ("fake.png", lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(500), "cut short"),
    ("page.jpg", lambda: b"\xff\xd8\xff\xe0<html>" + os.urandom(100), "cut short"),
    ("clip.mp4", lambda: png_free_jpeg(), "really a JPEG image"),
]


@pytest.mark.parametrize(("name", "make", "says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_leaves_nothing(session, store, tmp_path, name, make, says):
    upload = write(tmp_path, name, make())
    with pytest.raises(IngestRefused) as refused:
        ingest(session, store, upload, name, Settings())
    assert says in refused.value.message
    assert repr(name) in refused.value.message  # names the file, nothing of the server
    assert str(tmp_path) not in refused.value.message
    session.rollback()
    assert stored_files(store) == [] and rows(session) == (0, 0)


def test_bomb_limit_follows_the_setting(session, store, tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (100, 100)).save(out, "PNG")
    upload = write(tmp_path, "big.png", out.getvalue())
    process_limit = Image.MAX_IMAGE_PIXELS
    with pytest.raises(IngestRefused, match="decompression bomb"):
        ingest(session, store, upload, "big.png", Settings(max_image_pixels=5000))
    # The limit held for that upload only: Pillow's process-wide one is as it was, so a
    # later rendition (or another upload's settings) is not refused by it.
    assert Image.MAX_IMAGE_PIXELS == process_limit
    assert ingest(session, store, upload, "big.png", Settings()).width == 100
    assert Image.MAX_IMAGE_PIXELS == process_limit


def test_rollback_removes_a_newly_placed_file(session, store, tmp_path):
    ingest(session, store, write(tmp_path, "a.jpg", jpeg_with_exif()), "a.jpg")
    assert len(stored_files(store)) == 1
    session.rollback()
    assert stored_files(store) == [] and rows(session) == (0, 0)


def test_heic_is_stored_as_jpeg(session, store, tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    try:
        Image.new("RGB", (32, 24), (10, 200, 10)).save(out, "HEIF")
    except (OSError, KeyError, ValueError) as exc:
        pytest.skip(f"this libheif cannot encode HEIC: {exc}")
    media = ingest(session, store, write(tmp_path, "phone.heic", out.getvalue()),
                   "phone.heic")
    stored = Image.open(store.path_for(media.sha256))
    assert (media.mime, stored.format, stored.size) == ("image/jpeg", "JPEG", (32, 24))


@pytest.mark.parametrize(("suffix", "mime"), [(".mp4", "video/mp4"),
                                              (".webm", "video/webm")])
def test_video_probed_and_stripped(session, store, tmp_path, suffix, mime):
    clip = make_video(tmp_path, suffix)
    assert b"Secret title" in clip.read_bytes()
    media = ingest(session, store, clip, clip.name)
    assert (media.kind, media.mime, media.width, media.height) == ("video", mime, 64, 48)
    assert media.duration == pytest.approx(1.0, abs=0.15)
    data = store.path_for(media.sha256).read_bytes()
    assert b"Secret title" not in data and b"+16.46" not in data
    again = ingest_file(session, store, clip, "again" + suffix)
    assert again.existing and again.media.sha256 == media.sha256


def test_unreadable_video_refused(session, store, tmp_path):
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe is not installed")
    body = b"ftypisom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    data = struct.pack(">I", len(body) + 4) + body + struct.pack(">I", 8) + b"mdat"
    with pytest.raises(IngestRefused, match="cannot be read as a video"):
        ingest(session, store, write(tmp_path, "broken.mp4", data), "broken.mp4")
    session.rollback()
    assert stored_files(store) == [] and rows(session) == (0, 0)


def test_missing_ffprobe_names_the_package(session, store, tmp_path, monkeypatch):
    monkeypatch.setattr("controller.media.video.shutil.which", lambda _name: None)
    body = b"ftypisom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    data = struct.pack(">I", len(body) + 4) + body + struct.pack(">I", 8) + b"mdat"
    with pytest.raises(IngestRefused, match="Debian package 'ffmpeg'"):
        ingest(session, store, write(tmp_path, "clip.mp4", data), "clip.mp4")


PLAYLIST = """\
id: gallery
title: {vi: "Ảnh", en: "Pictures"}
items:
  - id: photo
    type: image
    duration: 8
    variants:
      vi: {title: "Đại Nội", media: NAME}
      en: {title: "Citadel", media: NAME}
"""


def test_playlist_import_stores_the_clean_file(session, store, tmp_path):
    media_dir = tmp_path / "media"
    media_dir.mkdir()
    (media_dir / "citadel.jpg").write_bytes(jpeg_with_exif())
    playlist = tmp_path / "pl"
    playlist.mkdir()
    (playlist / "gallery.yaml").write_text(PLAYLIST.replace("NAME", "citadel.jpg"))
    import_playlists(session, playlist, store, media_dir, approve=True)
    session.commit()
    version = session.scalars(select(PlaylistVersion)).one()
    sha = version.items[0]["variants"]["vi"]["media"]
    stored = Image.open(store.path_for(sha))
    assert stored.size == (20, 40) and len(stored.getexif()) == 0
    assert sha != file_sha256(media_dir / "citadel.jpg")[0]


def test_playlist_import_refuses_a_mislabelled_file(session, store, tmp_path):
    media_dir = tmp_path / "media"
    media_dir.mkdir()
    (media_dir / "citadel.jpg").write_bytes(png_bytes())
    playlist = tmp_path / "pl"
    playlist.mkdir()
    (playlist / "gallery.yaml").write_text(PLAYLIST.replace("NAME", "citadel.jpg"))
    from controller.content.yamlfile import YamlError

    with pytest.raises(YamlError, match="really a PNG image"):
        import_playlists(session, playlist, store, media_dir, approve=True)
    session.rollback()
    assert stored_files(store) == [] and rows(session) == (0, 0)
