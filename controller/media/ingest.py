"""The media store's intake (docs/media.md, "Uploads" and "What is refused"): every
uploaded or imported media file comes in through :func:`ingest`.

- The type is decided by the content, never by the name; a name whose extension says
  another type is refused as mislabelled.
- Images are decoded whole (truncated, corrupt, disguised files and decompression bombs
  are refused), turned upright and stripped of metadata (:mod:`controller.media.images`);
  HEIC/HEIF becomes JPEG or PNG. A still GIF is an image; an animated GIF becomes a
  looping MP4, its GIF kept beside it for exports (:mod:`controller.media.gif`). Videos
  are read by ffprobe and copied without metadata (:mod:`controller.media.video`).
  A file already clean is stored byte for byte.
- The upload's own SHA-256 is recorded in ``media_aliases``: the same bytes uploaded again
  give the stored Media at once, without decoding. Each name an upload came under is
  kept in ``media_uploads`` (the library list shows every one).
- Nothing is half-stored: the file is placed atomically (temporary file in the store
  root, fsync, rename), the rows are added in the caller's transaction, and a file this
  call newly placed is removed again when adding the rows fails or the transaction is
  rolled back."""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from controller.content.text_rule import BIDI_CONTROLS
from controller.media.gif import prepare_gif
from controller.media.images import ImageRefused, prepare_image
from controller.media.store import (
    KNOWN_TYPES,
    UPLOAD_ONLY_TYPES,
    MediaStore,
    describe_mime,
    sniff_file,
)
from controller.media.video import VideoRefused, prepare_video
from controller.models import Media, MediaAlias, MediaUpload
from controller.refusals import refusal
from controller.settings import Settings

ALL_TYPES = {**KNOWN_TYPES, **UPLOAD_ONLY_TYPES}
ACCEPTED = "JPEG, PNG, WebP, GIF or HEIC image, or an MP4 or WebM video"
_PLACED_KEY = "pano.media_placed"
_CHUNK = 1024 * 1024


class IngestRefused(Exception):
    """The file is not accepted; ``message`` says why, for the person who sent it (a
    refusal, said in the API caller's language; the decoders' own reasons are quoted as
    they are)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Prepared:
    """A checked file ready for the store: ``path`` is the upload itself when it was
    already clean, else a cleaned copy in the work directory."""

    path: Path
    sha256: str
    size: int
    mime: str
    kind: str
    upload_sha256: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    codec: str | None = None
    cleaned: list[str] | None = None
    # The file this one was made from, stored beside it and exported instead (an
    # animated GIF's kept original for its video).
    source: Prepared | None = None


@dataclass
class Ingested:
    media: Media
    existing: bool  # True: the same content (or the same upload) was already stored
    name: str = ""  # this upload's own name (display_name), which may differ from
    # media.original_name, the name the content was first stored under


def ingest(session: Session, store: MediaStore, path: Path, original_name: str,
           settings: Settings | None = None, *, origin: str = "upload") -> Media:
    """Check, clean and store the file at ``path``; return its Media row (added to
    ``session``, not committed). IngestRefused when the file is not accepted."""
    return ingest_file(session, store, path, original_name, settings, origin=origin).media


def ingest_file(session: Session, store: MediaStore, path: Path, original_name: str,
                settings: Settings | None = None, *, origin: str = "upload") -> Ingested:
    """:func:`ingest`, also saying whether the media was already stored."""
    path = Path(path)
    upload_sha256, size = file_sha256(path)
    known = lookup(session, store, upload_sha256)
    if known is not None:
        with path.open("rb") as fh:
            mime = sniff_file(path, fh.read(4096))
        if mime is not None:  # the same bytes under a name of another type: refused
            _check_name(mime, original_name)
        _remember_name(session, known, original_name, origin)
        return Ingested(known, True, display_name(original_name))
    store.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=store.root, prefix=".work-") as work:
        prepared = prepare(path, original_name, settings or Settings(), Path(work),
                           upload_sha256=upload_sha256, size=size)
        return place(session, store, prepared, original_name, origin=origin)


def lookup(session: Session, store: MediaStore, upload_sha256: str) -> Media | None:
    """The stored Media for an upload with this SHA-256 (as an alias, or because the
    upload was stored as it is), when its file is in the store."""
    alias = session.get(MediaAlias, upload_sha256)
    media = session.get(Media, alias.media_sha256 if alias else upload_sha256)
    if media is not None and store.exists(media.sha256):
        return media
    return None


def prepare(path: Path, original_name: str, settings: Settings, workdir: Path, *,
            upload_sha256: str | None = None, size: int | None = None) -> Prepared:
    """Check ``path`` and clean it into ``workdir`` when needed; no database, no store.
    IngestRefused when it is not accepted."""
    path = Path(path)
    shown = repr(display_name(original_name))
    if upload_sha256 is None or size is None:
        upload_sha256, size = file_sha256(path)
    if size == 0:
        raise IngestRefused(refusal("%(name)s is an empty file (0 bytes).", name=shown))
    with path.open("rb") as fh:
        head = fh.read(4096)
    mime = sniff_file(path, head)
    if mime is None:
        what = _what_it_is(head)
        raise IngestRefused(refusal(
            "%(name)s is not a JPEG, PNG, WebP, GIF, MP4 or WebM file, nor a HEIC photo "
            "(judged by its content, not its name); %(what)s.", name=shown, what=what)
            if what else refusal(
            "%(name)s is not a JPEG, PNG, WebP, GIF, MP4 or WebM file, nor a HEIC photo "
            "(judged by its content, not its name).", name=shown))
    kind = _check_name(mime, original_name)
    try:
        if mime == "image/gif":
            return _prepare_gif(path, settings, workdir, shown, upload_sha256, size)
        if kind == "image":
            image = prepare_image(path, mime, settings.max_image_pixels, workdir, shown)
            result = image.path or path
            sha256, stored_size = ((upload_sha256, size) if image.path is None
                                   else file_sha256(result))
            return Prepared(result, sha256, stored_size, image.mime, kind, upload_sha256,
                            image.width, image.height, None, None, image.changes)
        clip = prepare_video(path, mime, workdir, shown)
    except (ImageRefused, VideoRefused) as exc:
        raise IngestRefused(str(exc)) from None
    sha256, stored_size = file_sha256(clip.path)
    return Prepared(clip.path, sha256, stored_size, mime, kind, upload_sha256, clip.width,
                    clip.height, clip.duration, clip.codec, ["metadata"])


def _prepare_gif(path: Path, settings: Settings, workdir: Path, shown: str,
                 upload_sha256: str, size: int) -> Prepared:
    gif = prepare_gif(path, settings.max_image_pixels, workdir, shown)
    sha256, kept_size = ((upload_sha256, size) if gif.original == path
                         else file_sha256(gif.original))
    kept = Prepared(gif.original, sha256, kept_size, "image/gif", "image", upload_sha256,
                    gif.width, gif.height, None, None, gif.changes)
    if gif.video is None:
        return kept
    kept.upload_sha256 = sha256  # the upload's alias leads to the video, not here
    video_sha, video_size = file_sha256(gif.video)
    return Prepared(gif.video, video_sha, video_size, "video/mp4", "video", upload_sha256,
                    gif.video_width, gif.video_height, gif.duration, "h264", gif.changes,
                    source=kept)


def _check_name(mime: str, original_name: str) -> str:
    """The kind of ``mime``; IngestRefused when the name's extension says another type."""
    kind, extensions = ALL_TYPES[mime]
    shown = repr(display_name(original_name))
    suffix = Path(display_name(original_name)).suffix.lower()
    if suffix and suffix not in extensions:
        said = {"name": shown, "type": describe_mime(mime), "suffix": suffix,
                "extension": extensions[0]}
        raise IngestRefused(refusal(
            "%(name)s is a %(type)s file by its content but its name says otherwise "
            "(%(suffix)s): refused as mislabelled. It is really a %(type)s image; rename "
            "it to end in %(extension)s if that is what you meant to send.", **said)
            if kind == "image" else refusal(
            "%(name)s is a %(type)s file by its content but its name says otherwise "
            "(%(suffix)s): refused as mislabelled. It is really a %(type)s video; rename "
            "it to end in %(extension)s if that is what you meant to send.", **said))
    return kind


def place(session: Session, store: MediaStore, prepared: Prepared, original_name: str,
          *, origin: str = "upload") -> Ingested:
    """Put a prepared file into the store and add its Media row and alias to the
    session (flushed, not committed). A file newly placed here is removed again if
    adding the rows fails or the session's transaction is rolled back."""
    source = prepared.source
    if source is not None:  # the kept original first: the video's row names it
        place(session, store, source, original_name, origin="source")
    sha256, size, placed = store.place(prepared.path)
    try:
        if sha256 != prepared.sha256:
            raise IngestRefused(refusal("%(name)r changed while it was being stored; send "
                                        "it again.", name=display_name(original_name)))
        media = session.get(Media, sha256)
        existing = media is not None
        if media is None:
            media = Media(sha256=sha256, size=size, mime=prepared.mime, kind=prepared.kind,
                          original_name=display_name(original_name), width=prepared.width,
                          height=prepared.height, duration=prepared.duration,
                          origin=origin, source_sha256=source.sha256 if source else None)
            session.add(media)
        # The upload, and a kept original re-sent (an export), both lead to this file.
        for upload_sha256 in {prepared.upload_sha256, source.sha256 if source else sha256}:
            if upload_sha256 != sha256 and session.get(MediaAlias, upload_sha256) is None:
                session.add(MediaAlias(upload_sha256=upload_sha256, media_sha256=sha256))
        _remember_name(session, media, original_name, origin)
        session.flush()
    except BaseException:
        if placed:
            store.remove(sha256)
        raise
    if placed:
        _remove_on_rollback(session, store, sha256)
    return Ingested(media, existing and not placed, display_name(original_name))


def _remember_name(session: Session, media: Media, original_name: str,
                   origin: str) -> None:
    """Add the library entry for an upload of ``media`` under ``original_name`` (one
    per name: the same bytes sent again under the same name add nothing)."""
    if origin != "upload" or media.origin != "upload":
        return
    name = display_name(original_name)
    with session.no_autoflush:
        known = session.query(MediaUpload.id).filter_by(
            media_sha256=media.sha256, original_name=name).first()
    if known is None:
        session.add(MediaUpload(media_sha256=media.sha256, original_name=name))
        session.flush()


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# Controls (C0, DEL, C1), slashes, and the bidirectional controls the text rule refuses
# (an upload named "gnp.\u202eexe" would show as "exe.png" in the media picker).
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f/\\\\{BIDI_CONTROLS}]+")


def display_name(raw: str | None) -> str:
    """An upload's name for display only (never a path): the last path component,
    control characters, bidirectional controls and slashes removed, at most 255
    characters."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".")
    return name[:255] or "upload"


def _what_it_is(head: bytes) -> str:
    """What a refused file seems to be, as a clause ("it looks like …"), or ""."""
    probes = [(b"PK\x03\x04", refusal("it looks like a ZIP archive")),
              (b"%PDF-", refusal("it looks like a PDF document")),
              (b"BM", refusal("it looks like a BMP image")),
              (b"II*\x00", refusal("it looks like a TIFF image")),
              (b"MM\x00*", refusal("it looks like a TIFF image")),
              (b"\x1a\x45\xdf\xa3", refusal("it looks like a Matroska (MKV) video, not "
                                           "WebM")),
              (b"RIFF", refusal("it looks like a RIFF file (AVI or WAV?)")),
              (b"ID3", refusal("it looks like an MP3 audio file"))]
    for magic, what in probes:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("latin-1", "replace").strip()
        return refusal("it is an ISO media file of brand %(brand)r (QuickTime, HEIC or "
                       "AVIF?)", brand=brand)
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<", b"<?xml")):
        return refusal("it looks like a web page or XML (SVG?)")
    return ""


def _remove_on_rollback(session: Session, store: MediaStore, sha256: str) -> None:
    """Remember a newly placed file; remove it if the transaction is rolled back."""
    placed: list[tuple[MediaStore, str]] | None = session.info.get(_PLACED_KEY)
    if placed is None:
        placed = session.info[_PLACED_KEY] = []

        def _committed(sess: Session) -> None:
            sess.info.get(_PLACED_KEY, []).clear()

        def _rolled_back(sess: Session) -> None:
            files = sess.info.get(_PLACED_KEY, [])
            for owner, digest in files:
                owner.remove(digest)
            files.clear()

        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_rollback", _rolled_back)
    placed.append((store, sha256))
