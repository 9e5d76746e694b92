"""The content-addressed media store on a real directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from controller.media.store import MediaStore, is_sha256, sniff
from controller.models import Media

from .conftest import REPO, mp4_bytes, png_bytes, webm_bytes

JPEG = REPO / "media" / "hue-citadel.jpg"


def test_is_sha256() -> None:
    assert is_sha256("a" * 64)
    assert not is_sha256("A" * 64)
    assert not is_sha256("a" * 63)
    assert not is_sha256("../" + "a" * 61)
    assert not is_sha256(None)  # type: ignore[arg-type]


def test_path_layout_and_refusals(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    digest = "ab" + "c" * 62
    assert store.path_for(digest) == tmp_path / "ab" / digest
    for bad in ("xyz", "../../etc/passwd", "AB" + "C" * 62):
        with pytest.raises(ValueError, match="not a SHA-256"):
            store.path_for(bad)
    assert store.exists("../../etc/passwd") is False


def test_put_file_stores_by_content_and_deduplicates(session, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    digest = hashlib.sha256(JPEG.read_bytes()).hexdigest()
    assert not store.exists(digest)
    media = store.put_file(session, JPEG, "hue-citadel.jpg", "image/jpeg", "image")
    session.commit()
    assert media.sha256 == digest and media.size == JPEG.stat().st_size
    assert store.exists(digest)
    assert store.path_for(digest).read_bytes() == JPEG.read_bytes()
    copy = tmp_path / "renamed.jpg"
    copy.write_bytes(JPEG.read_bytes())
    again = store.put_file(session, copy, "renamed.jpg", "image/jpeg", "image")
    session.commit()
    assert again.sha256 == digest and again.original_name == "hue-citadel.jpg"
    assert session.execute(select(func.count()).select_from(Media)).scalar() == 1
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert files == [store.path_for(digest)]  # no temporary files left behind


def test_put_file_of_a_missing_source_leaves_nothing(session, tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "store")
    with pytest.raises(FileNotFoundError):
        store.put_file(session, tmp_path / "nope.jpg", "nope.jpg", "image/jpeg", "image")
    assert not [p for p in store.root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (JPEG.read_bytes()[:64], "image/jpeg"),
        (png_bytes(), "image/png"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (mp4_bytes(), "video/mp4"),
        (webm_bytes(), "video/webm"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", None),  # HEIC image, not MP4
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", None),  # QuickTime
        (b"\x1a\x45\xdf\xa3\x42\x82\x88matroska", None),  # MKV, not WebM
        (b"GIF89a", "image/gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"", None),
    ],
)
def test_sniff(head: bytes, mime) -> None:
    assert sniff(head) == mime
