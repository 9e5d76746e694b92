"""GIF on intake (issue 12, point 7), with real GIFs made here by Pillow: a still GIF is
an image whose renditions are PNG, an animated one a looping H.264 MP4 with its GIF kept
(without metadata) for exports, and the same limits hold — a header claiming a huge
canvas, too many frames, too long a loop, a truncated file are refused with a sentence
and leave nothing."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from controller.content.playlists_export import export_playlist
from controller.content.playlists_write import import_playlists
from controller.media.gif import MAX_FRAMES, MAX_SECONDS
from controller.media.ingest import IngestRefused, ingest_file
from controller.media.renditions import rendition_for
from controller.media.store import MediaStore
from controller.models import Media, MediaAlias

from .test_media_ingest import write

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="no ffmpeg")


@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "store")


def gif(frames: int = 1, size: tuple[int, int] = (41, 23), delay: int = 100,
        comment: bytes = b"") -> bytes:
    pictures = [Image.new("RGB", size, (min(255, i * 60), 20, 200)) for i in range(frames)]
    out = io.BytesIO()
    options = {"comment": comment} if comment else {}
    if frames > 1:
        options |= {"save_all": True, "append_images": pictures[1:], "duration": delay,
                    "loop": 0}
    pictures[0].save(out, "GIF", **options)
    return out.getvalue()


def counts(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(Media)),
            session.scalar(select(func.count()).select_from(MediaAlias)))


def stored_files(store: MediaStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []


def test_still_gif_is_an_image_with_png_renditions(session, store, tmp_path):
    data = gif(comment=b"made at the citadel")
    got = ingest_file(session, store, write(tmp_path, "logo.gif", data), "logo.gif").media
    session.commit()
    assert (got.kind, got.mime, got.width, got.height) == ("image", "image/gif", 41, 23)
    kept = store.path_for(got.sha256).read_bytes()
    assert b"citadel" not in kept and Image.open(io.BytesIO(kept)).size == (41, 23)
    for target in ("1920x1080", "thumb"):
        row = rendition_for(session, store, got.sha256, target)
        assert row is not None and row.rendition_sha256 != got.sha256
        assert Image.open(store.path_for(row.rendition_sha256)).format == "PNG"


def probe(path: Path) -> dict[str, str]:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                          "-show_entries", "stream=codec_name,pix_fmt,width,height:"
                          "format=duration", "-of", "default=nw=1", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.split())


@needs_ffmpeg
def test_animated_gif_becomes_a_looping_video_and_keeps_its_original(
        session, store, tmp_path):
    data = gif(frames=4, delay=250, comment=b"secret note")
    upload = write(tmp_path, "dance.gif", data)
    video = ingest_file(session, store, upload, "dance.gif").media
    session.commit()
    assert (video.kind, video.mime, video.original_name) == ("video", "video/mp4",
                                                             "dance.gif")
    assert (video.width, video.height) == (42, 24)  # even, as H.264 in 4:2:0 wants
    assert video.duration == pytest.approx(1.0, abs=0.05)
    info = probe(store.path_for(video.sha256))
    assert (info["codec_name"], info["pix_fmt"]) == ("h264", "yuv420p")
    source = session.get(Media, video.source_sha256)
    assert source is not None and (source.origin, source.mime) == ("source", "image/gif")
    kept = store.path_for(source.sha256).read_bytes()
    assert b"secret" not in kept and Image.open(io.BytesIO(kept)).n_frames == 4
    # The upload again, and the kept original (as an export carries it), are the video.
    assert ingest_file(session, store, upload, "again.gif").media.sha256 == video.sha256
    resent = write(tmp_path, "exported.gif", kept)
    assert ingest_file(session, store, resent, "exported.gif").existing


@needs_ffmpeg
def test_export_carries_the_gif_and_import_gives_the_same_video(session, store, tmp_path):
    media_dir, playlist_dir = tmp_path / "media", tmp_path / "playlists"
    media_dir.mkdir()
    playlist_dir.mkdir()
    (media_dir / "dance.gif").write_bytes(gif(frames=3, delay=200))
    (playlist_dir / "fun.yaml").write_text(
        "id: fun\ntitle: {vi: Vui, en: Fun}\nitems:\n  - id: dance\n    type: video\n"
        "    duration: 10\n    variants:\n      vi: {title: Múa, media: dance.gif}\n"
        "      en: {title: Dance, media: dance.gif}\n", encoding="utf-8")
    import_playlists(session, playlist_dir, store, media_dir, approve=True)
    session.commit()
    text, files = export_playlist(session, store, "fun")
    assert "media: dance.gif" in text.replace('"', "")
    (name, digest), = files.items()
    assert name == "dance.gif" and session.get(Media, digest).mime == "image/gif"
    again = write(tmp_path, "dance.gif", store.path_for(digest).read_bytes())
    video = ingest_file(session, store, again, "dance.gif").media
    assert video.source_sha256 == digest and video.kind == "video"


def header_claiming(width: int, height: int) -> bytes:
    """A 1 KB GIF whose header claims ``width``×``height`` pixels."""
    body = bytearray(gif(size=(4, 4)))
    body[6:10] = struct.pack("<HH", width, height)
    return bytes(body) + bytes(1024 - len(body))


def too_many_frames() -> bytes:
    """Frames of 1×1 pixel, by hand (Pillow would merge identical ones)."""
    head = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    frame = (b"\x21\xf9\x04\x00\x0a\x00\x00\x00" + b"\x2c" + struct.pack("<HHHHB", 0, 0,
             1, 1, 0) + b"\x02\x02\x44\x01\x00")
    return head + frame * (MAX_FRAMES + 1) + b"\x3b"


@pytest.mark.parametrize(("name", "make", "says"), [
    ("bomb.gif", lambda: header_claiming(60000, 60000), "claims 60000×60000 pixels"),
    ("many.gif", too_many_frames, f"more than {MAX_FRAMES} frames"),
    ("long.gif", lambda: gif(frames=4, delay=60000 * 2), f"the {MAX_SECONDS} s"),
    ("cut.gif", lambda: gif(frames=3)[:-40], "cut short"),
    ("still-cut.gif", lambda: gif()[:-30], "cut short"),
])
def test_refused_gif_leaves_nothing(session, store, tmp_path, name, make, says):
    with pytest.raises(IngestRefused) as refused:
        ingest_file(session, store, write(tmp_path, name, make()), name)
    assert says in refused.value.message and name in refused.value.message
    session.rollback()
    assert counts(session) == (0, 0) and stored_files(store) == []
