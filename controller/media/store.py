"""The content-addressed media store: ``root/ab/abcdef…`` holds the file whose SHA-256
is ``abcdef…``. A file never changes under its name, so it can be cached forever.

Also decides what a file *is* from its first bytes (:func:`sniff`), never from its name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from controller.models import Media
from player.store import fsync_dir  # one durable-rename helper for both sides

_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024
# ISO base media brands that are MP4 video (not HEIC/AVIF images or QuickTime).
_MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
               b"avc1", b"dash", b"M4V ", b"mmp4", b"MSNV", b"f4v "}

# mime -> (kind, file name extensions that may carry it)
KNOWN_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "image/jpeg": ("image", (".jpg", ".jpeg")),
    "image/png": ("image", (".png",)),
    "image/webp": ("image", (".webp",)),
    "image/gif": ("image", (".gif",)),  # still; an animated one is stored as a video
    "video/mp4": ("video", (".mp4", ".m4v")),
    "video/webm": ("video", (".webm",)),
}
# Accepted on upload only (controller/media/ingest.py), when pillow-heif can open them,
# and stored converted to JPEG or PNG: players' Chromium cannot show HEIC.
UPLOAD_ONLY_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "image/heic": ("image", (".heic", ".heif", ".hif")),
}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                b"heif"}


def is_sha256(s: str) -> bool:
    """64 lowercase hex digits."""
    return isinstance(s, str) and _SHA256_RE.fullmatch(s) is not None


def sniff(head: bytes) -> str | None:
    """The mime type of a file from its first bytes (≥ 64 recommended), or None when it
    is none of JPEG, PNG, WebP, GIF, MP4, WebM."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "video/webm"
    return None


def sniff_file(path: Path, head: bytes | None = None) -> str | None:
    """:func:`sniff`, plus HEIC/HEIF ("image/heic") when pillow-heif is installed and can
    open the whole file ``path``."""
    if head is None:
        with Path(path).open("rb") as fh:
            head = fh.read(4096)
    mime = sniff(head)
    if mime is not None or head[4:8] != b"ftyp" or head[8:12] not in _HEIF_BRANDS:
        return mime
    try:
        import pillow_heif
    except ImportError:
        return None
    try:
        heif = pillow_heif.open_heif(str(path), convert_hdr_to_8bit=True)
        return "image/heic" if len(heif) > 0 else None
    except Exception:  # noqa: BLE001 - any failure means "not a HEIF image we can read"
        return None


def describe_mime(mime: str | None) -> str:
    names = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF",
             "image/heic": "HEIC", "video/mp4": "MP4", "video/webm": "WebM"}
    return names.get(mime or "", "unknown")


def _touch(path: Path) -> bool:
    """Set ``path``'s mtime to now; False when it is gone (swept meanwhile). A file
    this process may not touch (another owner) is left as it is."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    except PermissionError:
        pass
    return True


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()  # a relative root would move with the cwd

    def path_for(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 (64 lowercase hex digits): {sha256!r}")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return is_sha256(sha256) and self.path_for(sha256).is_file()

    def put_file(self, session: Session, src: Path, original_name: str, mime: str,
                 kind: str) -> Media:
        """Copy ``src`` into the store (hashing while copying to a temporary file in the
        root, fsync, atomic rename) and return its Media row, adding one if new. A file
        already stored is not written again. The caller commits. Uploads go through
        ``controller.media.ingest`` instead, which checks and cleans them first."""
        sha256, size, _ = self.place(src)
        media = session.get(Media, sha256)
        if media is None:
            media = Media(sha256=sha256, size=size, mime=mime, kind=kind,
                          original_name=original_name[:255])
            session.add(media)
            session.flush()
        return media

    def place(self, src: Path) -> tuple[str, int, bool]:
        """Copy ``src`` into the store (hashing while copying to a temporary file in the
        root, fsync, atomic rename): (sha256, size, whether this call placed the file; False
        when it was already there)."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, Path(src).open("rb") as inp:
                while chunk := inp.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.path_for(sha256)
            # A file already there is touched: its row comes after this call, and the
            # sweep (controller/housekeeping/orphan_media.py) spares young files only.
            placed = not (final.is_file() and final.stat().st_size == size
                          and _touch(final))
            if not placed:
                tmp.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp, 0o644)
                os.replace(tmp, final)
                fsync_dir(final.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return sha256, size, placed

    def remove(self, sha256: str) -> None:
        """Delete a stored file (one this process just placed and must take back)."""
        path = self.path_for(sha256)
        path.unlink(missing_ok=True)
        fsync_dir(path.parent)
