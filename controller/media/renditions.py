"""Renditions: an image prepared once per target — a screen resolution ``WxH``
(``1920x1080``, ``1080x1920``, ``1280x720`` …) or ``thumb`` (the panel's 320×180
thumbnail) — and stored in the media store as its own file (docs/media.md,
"Renditions").

* Only images get renditions; videos and anything else play as uploaded.
* The image is scaled to fit inside the target box, keeping its aspect ratio, with
  Lanczos; it is never upscaled. An image that already fits *is* its own rendition:
  the ``Rendition`` row points at the original and no file is written.
* Output: JPEG (quality 88, progressive, optimised) for opaque images, PNG for images
  with transparency and for GIFs (always rendered: players get PNG, not GIF); no
  metadata; always 8 bits per channel and sRGB: colours converted
  with the embedded ICC profile when there is one (CMYK included), CMYK without one by
  Pillow's plain formula, 16-bit grey scaled down. An original that fits is its own
  rendition only when it is already so (8-bit RGB, grey or palette, no profile).
* Made once per (content, target): the ``Rendition`` row is the cache. Output is
  deterministic (same input, same Pillow → same bytes → same SHA-256), so two
  controller processes making the same rendition agree; rows are inserted with
  ``ON CONFLICT DO NOTHING``, so making it at the same moment is harmless too.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from controller.db_upsert import upsert_insert
from controller.media.images import to_srgb
from controller.media.store import MediaStore
from controller.metrics.registry import RENDITIONS_RENDERED
from controller.models import Media, Rendition

log = logging.getLogger("pano.media.renditions")

THUMB = "thumb"
THUMB_BOX = (320, 180)
JPEG_QUALITY = 88
_TARGET_RE = re.compile(r"([1-9][0-9]{0,4})x([1-9][0-9]{0,4})")
# EXIF tag 0x0112: 1 = as stored; anything else needs turning before display.
_ORIENTATION = 0x0112


class RenditionError(Exception):
    """The rendition cannot be made: the original is missing, unreadable or corrupt."""


class OriginalMissing(RenditionError):
    """The original's file is not in the media store."""


@dataclass(frozen=True)
class Made:
    """What :func:`render` made: ``data`` is None when the original fits as it is."""

    data: bytes | None
    mime: str
    width: int
    height: int


def screen_target(width: int, height: int) -> str:
    """The rendition target of a screen of ``width`` × ``height`` pixels."""
    return f"{int(width)}x{int(height)}"


def target_box(target: str) -> tuple[int, int]:
    """``"1920x1080"`` -> (1920, 1080); ``"thumb"`` -> (320, 180); ValueError otherwise."""
    if target == THUMB:
        return THUMB_BOX
    match = _TARGET_RE.fullmatch(target or "")
    if match is None:
        raise ValueError(f"not a rendition target (WxH or {THUMB!r}): {target!r}")
    return int(match.group(1)), int(match.group(2))


def fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled to fit inside ``box`` keeping its aspect ratio, never upscaled."""
    width, height = size
    scale = min(box[0] / width, box[1] / height)
    if scale >= 1:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def _has_transparency(image: Image.Image) -> bool:
    if image.mode not in ("RGBA", "LA", "PA", "La", "RGBa") and "transparency" not in image.info:
        return False
    alpha = image.convert("RGBA").getchannel("A")
    low, _high = alpha.getextrema()  # type: ignore[misc]
    return low < 255


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours converted from the embedded ICC profile to sRGB, in the profile's own
    colour space (CMYK with a CMYK profile …); the profile is dropped with the rest of
    the metadata, so it must not be needed any more."""
    return to_srgb(image, image.info.get("icc_profile"))


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit grey (Pillow's I;16 and I modes) scaled to 8 bits; Pillow's own convert
    would clip everything above 255 to white."""
    if image.mode.startswith("I;16") or image.mode == "I":
        return image.convert("I").point(lambda v: v / 257).convert("L")
    return image


def _player_ready(opened: Image.Image, src: Path) -> bool:
    """True when the file itself is what a player may get: JPEG, PNG or WebP, 8 bits
    per channel, RGB, grey or palette, and no ICC profile to apply."""
    if opened.format not in ("JPEG", "PNG", "WEBP") or opened.info.get("icc_profile"):
        return False
    if opened.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
        return False  # CMYK, 16-bit grey, YCbCr …
    if opened.format == "PNG":
        with src.open("rb") as fh:
            return fh.read(25)[24:25] in (b"\x01", b"\x02", b"\x04", b"\x08")  # IHDR depth
    return True


def render(src: Path, box: tuple[int, int]) -> Made:
    """The rendition of the image file ``src`` for ``box`` (pure: no database, no store).
    RenditionError when Pillow cannot read it. In a gevent-patched process the work runs
    in the hub's pool of real threads (Pillow releases the GIL), so a second of decoding
    and scaling does not stall every player's socket."""
    pool = _gevent_threadpool()
    if pool is None:
        return _render_checked(src, box)
    # The error comes back as a value: gevent would print a raised one's traceback.
    outcome = pool.apply(_render_outcome, (src, box))
    if isinstance(outcome, RenditionError):
        raise outcome
    return outcome


def _render_outcome(src: Path, box: tuple[int, int]) -> Made | RenditionError:
    try:
        return _render_checked(src, box)
    except RenditionError as err:
        return err


def _gevent_threadpool() -> Any:
    try:
        from gevent import monkey
    except ImportError:
        return None
    if not monkey.is_module_patched("threading"):
        return None
    import gevent

    return gevent.get_hub().threadpool


def _render_checked(src: Path, box: tuple[int, int]) -> Made:
    try:
        return _render(src, box)
    except RenditionError:
        raise
    except Exception as err:  # noqa: BLE001 - a hostile file may make Pillow raise anything
        raise RenditionError(f"cannot read the image: {type(err).__name__}: {err}") from err


def _render(src: Path, box: tuple[int, int]) -> Made:
    try:
        with Image.open(src) as opened:
            mime = Image.MIME.get(opened.format or "", "")
            drawing = opened.format == "GIF"
            oriented = opened.getexif().get(_ORIENTATION, 1) not in (1, None)
            size = _turned(opened) if oriented else opened.size
            target = fit(size, box)
            opened.load()  # a truncated or corrupt file is no rendition, even if it fits
            if target == size and not oriented and _player_ready(opened, src):
                return Made(None, mime, size[0], size[1])
            image = ImageOps.exif_transpose(opened) if oriented else opened.copy()
            image.info = dict(opened.info)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as err:
        raise RenditionError(f"cannot read the image: {err}") from err

    image = _to_srgb(_eight_bit(image))  # from the profile's own colour space first
    transparent = _has_transparency(image)
    if transparent:
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image.size != target:
        image = image.resize(target, Image.Resampling.LANCZOS)
    image.info = {}  # no metadata: no EXIF, ICC, XMP, comments, DPI
    out = io.BytesIO()
    if transparent or drawing:  # drawings stay sharp: no JPEG artefacts
        image.save(out, "PNG", optimize=False, compress_level=6)
        mime = "image/png"
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
        mime = "image/jpeg"
    return Made(out.getvalue(), mime, target[0], target[1])


def _turned(image: Image.Image) -> tuple[int, int]:
    """The size of ``image`` once its EXIF orientation is applied."""
    turn = image.getexif().get(_ORIENTATION, 1)
    width, height = image.size
    return (height, width) if turn in (5, 6, 7, 8) else (width, height)


def _insert_ignore(session: Session, model: type, values: dict[str, object]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: another process may add the same row at the same
    moment (renditions are deterministic, so its row says the same)."""
    insert = upsert_insert(session)
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def _usable(session: Session, store: MediaStore, row: Rendition | None) -> bool:
    return (row is not None and store.exists(row.rendition_sha256)
            and session.get(Media, row.rendition_sha256) is not None)


def rendition_for(session: Session, store: MediaStore, media_sha256: str,
                  target: str) -> Rendition | None:
    """The rendition of the media ``media_sha256`` for ``target`` (``WxH`` or ``thumb``),
    made and stored if there is none yet (or its file was deleted). None when the media
    is no image (or unknown): the original is used as it is. RenditionError when the
    image cannot be read (OriginalMissing when its file is not in the store). Flushes;
    the caller commits."""
    box = target_box(target)
    row = session.get(Rendition, (media_sha256, target))
    if _usable(session, store, row):
        return row
    media = session.get(Media, media_sha256)
    if media is None or media.kind != "image":
        return None
    if not store.exists(media_sha256):
        raise OriginalMissing(f"media {media_sha256[:12]}… is not in the media store")
    made = render(store.path_for(media_sha256), box)
    RENDITIONS_RENDERED.inc()
    if made.data is None:
        sha = media_sha256
        if media.width is None or media.height is None:
            media.width, media.height = made.width, made.height
    else:
        sha = hashlib.sha256(made.data).hexdigest()
        _insert_ignore(session, Media, {
            "sha256": sha, "size": len(made.data), "mime": made.mime, "kind": "image",
            "original_name": _name(media.original_name, target, made.mime),
            "width": made.width, "height": made.height, "origin": "rendition"})
        if not store.exists(sha):
            _put(session, store, made.data, made.mime)
    if row is not None and row.rendition_sha256 != sha:
        row.rendition_sha256, row.width, row.height = sha, made.width, made.height
    elif row is None:
        _insert_ignore(session, Rendition, {
            "media_sha256": media_sha256, "target": target, "rendition_sha256": sha,
            "width": made.width, "height": made.height})
    session.flush()
    row = session.get(Rendition, (media_sha256, target), populate_existing=True)
    assert row is not None
    return row


def _name(original: str, target: str, mime: str) -> str:
    stem = Path(original or "image").stem or "image"
    return f"{stem}-{target}{'.png' if mime == 'image/png' else '.jpg'}"[:255]


def _put(session: Session, store: MediaStore, data: bytes, mime: str) -> None:
    """Write ``data`` into the store (the store hashes and renames it atomically)."""
    store.root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=store.root, prefix=".rendition-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        store.put_file(session, tmp, "", mime, "image")  # the row exists: not re-added
    finally:
        tmp.unlink(missing_ok=True)


