"""Images on intake (docs/media.md, "Uploads"): the file's structure is walked to its
end marker (anything hidden after it is refused or dropped), the whole image is decoded
under Pillow's decompression-bomb guard, and the picture is turned upright and stripped
of metadata (EXIF, XMP, GPS, comments, ICC converted to sRGB) — re-encoded only when it
has to be, so a clean file is stored byte for byte.

Called by :mod:`controller.media.ingest`; refusals are :class:`ImageRefused` with a
sentence for the person who uploaded the file (a refusal, said in the API caller's
language; the decoder's own reasons are quoted as they are)."""

from __future__ import annotations

import io
import re
import struct
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from controller.refusals import refusal

PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP",
                  "image/heic": "HEIF", "image/gif": "GIF"}
ORIENTATION = 0x0112
# Bytes after an image's end that betray a second file: a ZIP (or JAR, DOCX …), a web
# page or script, a PDF, an executable.
_PAYLOAD_RE = re.compile(
    rb"PK\x03\x04|PK\x05\x06|<\s*(?:html|script|svg|iframe|body|\?php|!doctype)|%PDF-|"
    rb"MZ\x90\x00|\x7fELF|<\?xml", re.IGNORECASE)
# PNG chunks a clean file may keep: the picture itself, transparency, colour basics,
# pixel density, animation.
_PNG_PLAIN = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB",
              b"pHYs", b"bKGD", b"sBIT", b"acTL", b"fcTL", b"fdAT"}
# JPEG segments that are not metadata: APP0 (JFIF), APP14 (Adobe colour transform).
_JPEG_PLAIN_APPS = {0xE0, 0xEE}
_WEBP_PLAIN = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}
_pillow_lock = threading.Lock()  # Image.MAX_IMAGE_PIXELS and warning filters are global


class ImageRefused(Exception):
    pass


class _Malformed(ValueError):
    """A structure that ends too early or lies about its sizes (said as the file being
    damaged or cut short)."""


@dataclass
class Structure:
    end: int  # offset just after the image's end marker
    metadata: list[str]  # what metadata the file carries ("EXIF", "text chunks" …)
    lossless: bool = False  # WebP: VP8L


@dataclass
class CleanImage:
    path: Path | None  # the cleaned file, None when the upload is stored as it is
    mime: str
    width: int
    height: int
    changes: list[str]


def prepare_image(path: Path, mime: str, max_pixels: int, workdir: Path,
                  shown: str) -> CleanImage:
    """Check ``path`` (sniffed as ``mime``) and clean it into ``workdir`` if needed."""
    data = path.read_bytes() if mime != "image/heic" else b""
    structure = _structure(data, mime, shown) if data else Structure(0, ["HEIF container"])
    check_trailing(data[structure.end:] if data else b"", shown, structure.metadata)
    im = decode(path, mime, max_pixels, shown)
    try:
        return _clean(im, path, data, mime, structure, workdir, shown)
    finally:
        im.close()


def check_trailing(trailing: bytes, shown: str, metadata: list[str]) -> None:
    """Bytes after the image's end marker: a hidden file is refused as a disguise;
    anything else is noted in ``metadata`` (it is dropped)."""
    if trailing.strip(b"\x00\xff\r\n\t "):
        if _PAYLOAD_RE.search(trailing):
            raise ImageRefused(refusal(
                "%(name)s hides other data after the end of the image (an archive, web "
                "page or script): it is refused as a disguised file. Save the picture "
                "again from an image editor.", name=shown))
        metadata.append("extra data after the image")
    elif trailing:
        metadata.append("padding after the image")


def decode(path: Path, mime: str, max_pixels: int, shown: str) -> Image.Image:
    """The image at ``path`` opened and decoded whole (every frame) under the
    decompression-bomb guard of ``max_pixels``; ImageRefused when it cannot be."""
    fmt = PILLOW_FORMATS[mime]
    if mime == "image/heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    with _pillow_lock, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        process_limit = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = max_pixels  # for this decoding only: restored below
        try:
            return _decode_guarded(path, fmt, mime, max_pixels, shown)
        finally:
            Image.MAX_IMAGE_PIXELS = process_limit


def _decode_guarded(path: Path, fmt: str, mime: str, max_pixels: int,
                    shown: str) -> Image.Image:
    """Open and decode whole; called by :func:`decode` under its lock, limit and
    warning filter."""
    try:
        im = Image.open(path, formats=[fmt])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(bomb_message(shown, None, max_pixels)) from None
    except (OSError, SyntaxError, ValueError, struct.error, EOFError):
        raise ImageRefused(refusal("%(name)s starts like a %(type)s image but cannot be "
                                   "read as one: it is damaged or disguised.", name=shown,
                                   type=_name(mime))) from None
    width, height = im.size
    if width <= 0 or height <= 0:
        im.close()
        raise ImageRefused(no_pixels(shown, width, height))
    if width * height > max_pixels:
        im.close()
        raise ImageRefused(bomb_message(shown, (width, height), max_pixels))
    try:
        for frame in range(getattr(im, "n_frames", 1)):
            im.seek(frame)
            im.load()
        im.seek(0)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        im.close()
        raise ImageRefused(bomb_message(shown, (width, height), max_pixels)) from None
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, MemoryError):
        im.close()
        raise ImageRefused(refusal("%(name)s is damaged or cut short: the picture cannot "
                                   "be decoded to the end. Upload the complete file.",
                                   name=shown)) from None
    return im


def _clean(im: Image.Image, path: Path, data: bytes, mime: str, structure: Structure,
           workdir: Path, shown: str) -> CleanImage:
    exif = im.getexif()
    orientation = exif.get(ORIENTATION, 1)
    if orientation not in range(1, 9):
        orientation = 1
    needs = list(structure.metadata)
    if orientation != 1:
        needs.append(f"EXIF orientation {orientation}")
    if not needs:
        return CleanImage(None, mime, im.width, im.height, [])
    trailer_only = orientation == 1 and set(structure.metadata) <= {
        "extra data after the image", "padding after the image"}
    if trailer_only:
        # Only bytes after the end marker to drop: keep the image itself, byte for byte.
        out = workdir / ("image" + _suffix(mime))
        out.write_bytes(data[:structure.end])
        return CleanImage(out, mime, im.width, im.height, needs)
    if getattr(im, "n_frames", 1) > 1:
        raise ImageRefused(refusal(
            "%(name)s is an animated image carrying metadata (%(metadata)s), which cannot "
            "be removed without losing the animation. Export it without metadata, or as a "
            "video.", name=shown, metadata=", ".join(needs)))
    icc = im.info.get("icc_profile")
    picture = ImageOps.exif_transpose(im) if orientation != 1 else im.copy()
    picture = to_srgb(picture, icc)
    picture.info = {}
    out_mime = mime
    if mime == "image/heic":
        out_mime = "image/png" if _has_alpha(picture) else "image/jpeg"
    out = workdir / ("clean" + _suffix(out_mime))
    try:
        _save(picture, out, out_mime, structure.lossless)
    except (OSError, ValueError) as exc:
        raise ImageRefused(refusal("%(name)s could not be cleaned of its metadata "
                                   "(%(why)s).", name=shown, why=str(exc))) from None
    return CleanImage(out, out_mime, picture.width, picture.height, needs)


def _save(picture: Image.Image, out: Path, mime: str, lossless: bool) -> None:
    if mime == "image/jpeg":
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.save(out, "JPEG", quality=92, optimize=True)
    elif mime == "image/png":
        picture.save(out, "PNG")
    else:
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
        picture.save(out, "WEBP", lossless=lossless, quality=90 if not lossless else 100)


def to_srgb(picture: Image.Image, icc: bytes | None) -> Image.Image:
    """Pixels converted from the embedded ICC profile to sRGB, or as they are (profile
    dropped) when there is none or it cannot be used."""
    if picture.mode == "CMYK":
        picture = picture.convert("RGB") if not icc else picture
    if not icc:
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if _has_alpha(picture) else "RGB"
        if picture.mode == "P":
            picture = picture.convert(mode)
        converted = ImageCms.profileToProfile(picture, source, target, outputMode=mode)
        return converted if converted is not None else picture
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture.convert("RGB") if picture.mode == "CMYK" else picture


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info)


def _suffix(mime: str) -> str:
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(mime, "")


def _name(mime: str) -> str:
    return {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP",
            "image/heic": "HEIC", "image/gif": "GIF"}[mime]


def bomb_message(shown: str, size: tuple[int, int] | None, max_pixels: int) -> str:
    if size is None:
        return refusal("%(name)s is too large to open safely (the limit is %(most)s "
                       "pixels; max_image_pixels in the settings). It looks like a "
                       "decompression bomb; scale the picture down and upload it again.",
                       name=shown, most=format(max_pixels, ","))
    return refusal("%(name)s claims %(width)d×%(height)d pixels and is too large to open "
                   "safely (the limit is %(most)s pixels; max_image_pixels in the "
                   "settings). It looks like a decompression bomb; scale the picture down "
                   "and upload it again.", name=shown, width=size[0], height=size[1],
                   most=format(max_pixels, ","))


def no_pixels(shown: str, width: int, height: int) -> str:
    return refusal("%(name)s has no pixels (%(width)d×%(height)d).", name=shown,
                   width=width, height=height)


def cut_short(shown: str, kind: str) -> str:
    """The file's structure (``kind``: JPEG, PNG, WebP, GIF) ends too early."""
    return refusal("%(name)s is damaged or cut short: its %(type)s structure ends too "
                   "early. Upload the complete file.", name=shown, type=kind)


# -- structure: where the image ends, what metadata it carries --------------------------


def _structure(data: bytes, mime: str, shown: str) -> Structure:
    try:
        if mime == "image/jpeg":
            return _jpeg(data)
        if mime == "image/png":
            return _png(data)
        return _webp(data)
    except (IndexError, struct.error, ValueError):
        raise ImageRefused(cut_short(shown, _name(mime))) from None


def _jpeg(data: bytes) -> Structure:
    metadata: list[str] = []
    pos = 2
    n = len(data)
    while True:
        if pos >= n:
            raise _Malformed("no end marker")
        if data[pos] != 0xFF:
            raise _Malformed("not a marker")
        while data[pos] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return Structure(pos, metadata)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            continue
        (length,) = struct.unpack(">H", data[pos:pos + 2])
        if length < 2 or pos + length > n:
            raise _Malformed("segment overruns the file")
        segment = data[pos + 2:pos + length]
        pos += length
        if 0xE0 <= marker <= 0xEF and marker not in _JPEG_PLAIN_APPS:
            metadata.append(_app_name(marker, segment))
        elif marker == 0xFE:
            metadata.append("comment")
        elif marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            while True:
                pos = data.index(b"\xff", pos)
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    pos += 1 if following == 0xFF else 2
                    continue
                break


def _app_name(marker: int, segment: bytes) -> str:
    if segment.startswith(b"Exif\x00"):
        return "EXIF"
    if segment.startswith(b"http://ns.adobe.com/"):
        return "XMP"
    if segment.startswith(b"ICC_PROFILE"):
        return "ICC profile"
    if segment.startswith(b"Photoshop"):
        return "IPTC"
    return f"APP{marker - 0xE0} data"


def _png(data: bytes) -> Structure:
    metadata: list[str] = []
    pos = 8
    while True:
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise _Malformed("chunk overruns the file")
        pos = end
        if kind == b"IEND":
            return Structure(pos, metadata)
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            label = "text chunks"
        elif kind == b"eXIf":
            label = "EXIF"
        elif kind == b"iCCP":
            label = "ICC profile"
        elif kind not in _PNG_PLAIN:
            label = f"{kind.decode('latin-1')!r} chunk"
        else:
            continue
        if label not in metadata:
            metadata.append(label)


def _webp(data: bytes) -> Structure:
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if end > len(data) or riff_size < 4:
        raise _Malformed("RIFF size overruns the file")
    metadata: list[str] = []
    lossless = False
    pos = 12
    while pos < end:
        kind, size = struct.unpack("<4sI", data[pos:pos + 8])
        pos += 8 + size + (size & 1)
        if pos > end + 1:
            raise _Malformed("chunk overruns the file")
        if kind == b"VP8L":
            lossless = True
        if kind == b"EXIF":
            metadata.append("EXIF")
        elif kind == b"XMP ":
            metadata.append("XMP")
        elif kind == b"ICCP":
            metadata.append("ICC profile")
        elif kind not in _WEBP_PLAIN:
            metadata.append(f"{kind.decode('latin-1')!r} chunk")
    return Structure(end, metadata, lossless)
