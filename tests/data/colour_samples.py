"""Pictures whose colours are not 8-bit sRGB, made here: a CMYK JPEG, 16-bit PNGs (grey
and RGB, written chunk by chunk since Pillow cannot save 16-bit RGB) and an ICC profile
built byte by byte (sRGB primaries with a linear tone curve, so a value of 128 means
a lighter grey in sRGB, about 188)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

_D50 = (0.9642, 1.0, 0.8249)
# sRGB primaries adapted to D50 (the ICC connection space), as sRGB profiles carry them.
_PRIMARIES = {b"rXYZ": (0.4361, 0.2225, 0.0139), b"gXYZ": (0.3851, 0.7169, 0.0971),
              b"bXYZ": (0.1431, 0.0606, 0.7141)}


def _xyz(values: tuple[float, float, float]) -> bytes:
    return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(v * 65536)) for v in values)


def _text(kind: bytes, words: str) -> bytes:
    if kind == b"desc":
        ascii_ = words.encode() + b"\0"
        return (b"desc\0\0\0\0" + struct.pack(">I", len(ascii_)) + ascii_
                + struct.pack(">II", 0, 0) + struct.pack(">HB", 0, 0) + bytes(67))
    return b"text\0\0\0\0" + words.encode() + b"\0"


def linear_rgb_profile() -> bytes:
    """An ICC v2 display profile: sRGB's primaries, gamma 1.0 (a linear tone curve)."""
    curve = b"curv\0\0\0\0" + struct.pack(">I", 0)  # no entries: identity
    tags = [(b"desc", _text(b"desc", "Linear RGB (test)")), (b"wtpt", _xyz(_D50)),
            *[(name, _xyz(xyz)) for name, xyz in _PRIMARIES.items()],
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
            (b"cprt", _text(b"text", "No copyright"))]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for name, data in tags:
        padded = data + bytes(-len(data) % 4)
        table += struct.pack(">4sII", name, offset + len(body), len(data))
        body += padded
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0\0\0\0" + struct.pack(">I", 0x02100000)
              + b"mntrRGB XYZ " + struct.pack(">6H", 2026, 12, 6, 0, 0, 0) + b"acsp"
              + bytes(24) + struct.pack(">I", 0) + _xyz(_D50)[8:] + bytes(4 + 16 + 28))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def cmyk_jpeg(size: tuple[int, int], cmyk: tuple[int, int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("CMYK", size, cmyk).save(out, "JPEG", quality=95)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


def png16(size: tuple[int, int], value: tuple[int, ...]) -> bytes:
    """A 16-bit PNG of one colour: grey for one value, RGB for three (0–65535 each)."""
    width, height = size
    colour_type = 0 if len(value) == 1 else 2
    row = b"\0" + struct.pack(f">{len(value)}H", *value) * width
    return (b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, colour_type,
                                           0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(row * height)) + _chunk(b"IEND", b""))


def png_with_profile(size: tuple[int, int], rgb: tuple[int, int, int],
                     icc: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, rgb).save(out, "PNG", icc_profile=icc)
    return out.getvalue()
