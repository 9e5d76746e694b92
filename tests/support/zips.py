"""Zip files built in a test: playlist bundles, honest ones, and ones whose directory
lies about a size."""

from __future__ import annotations

import io
import struct
import zipfile


def make_zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]],
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as bundle:
        for name, data in entries:
            bundle.writestr(name, data)
    return out.getvalue()


def declare(data: bytes, entry: str, *, file_size: int | None = None,
            compress_size: int | None = None) -> bytes:
    """The zip with ``entry``'s sizes in its central directory replaced: a lie."""
    raw = bytearray(data)
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + name_len] == entry.encode():
            if compress_size is not None:
                struct.pack_into("<L", raw, at + 20, compress_size)
            if file_size is not None:
                struct.pack_into("<L", raw, at + 24, file_size)
            return bytes(raw)
        at = raw.find(b"PK\x01\x02", at + 46)
    raise AssertionError(f"no entry {entry}")


def playlist_yaml(*media: str, playlist_id: str = "gallery", agency: str | None = None,
                  kind: str = "image") -> bytes:
    """A playlist file with one item per media file name."""
    items = "".join(
        f"  - id: item-{i}\n    type: {kind}\n    duration: 5\n    variants:\n"
        f"      vi: {{title: Ảnh {i}, media: {name}}}\n"
        f"      en: {{title: Photo {i}, media: {name}}}\n"
        for i, name in enumerate(media))
    owner = f"agency: {agency}\n" if agency else ""
    return (f"id: {playlist_id}\ntitle: {{vi: Thư viện, en: Gallery}}\n{owner}"
            f"items:\n{items}").encode()
