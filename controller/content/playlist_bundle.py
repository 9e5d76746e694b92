"""Playlist bundles: a ``.zip`` holding ``<id>.yaml`` (the export format) and
``media/<file name>`` for each media file it names.

:func:`write_bundle` builds one from an export; :func:`unpack_upload` turns an uploaded
``.yaml``/``.yml`` or ``.zip`` into a YAML file and a media checker for
``import_playlists``. Uploads are treated as hostile: the archive's directory is
checked whole before a byte is extracted (entry count, declared sizes and compression
ratios against zip bombs, names against the importer's media-name rule, no symbolic
links, no duplicates, exactly one YAML file at the top level), and extraction never
writes more than an entry declared."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from controller.content.items_json import StoredNames
from controller.content.playlists_import import MEDIA_NAME_RE, DirectoryMedia, MediaFile
from controller.content.yamlfile import MAX_BYTES, Fields
from controller.media.store import MediaStore

MAX_UPLOAD = 256 * 1024 * 1024  # bytes of the upload itself
MAX_ENTRIES = 1000
MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # all entries together, as declared
MAX_RATIO = 100  # uncompressed / compressed, for entries over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
MEDIA_DIR = "media"
_CHUNK = 1024 * 1024


class BundleRefused(ValueError):
    """An upload that is not a readable, safe playlist file or bundle (HTTP 400)."""


def display_name(raw: str | None) -> str:
    """The uploaded file's name as shown in messages: its last path part, printable."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())[:100]
    return name or "upload"


# --------------------------------------------------------------------------- export


def write_bundle(out: IO[bytes], store: MediaStore, yaml_name: str, yaml_text: str,
                 media: dict[str, str]) -> None:
    """Write the zip to ``out``: the YAML, then each ``{file name: sha256}`` from the
    store under ``media/``. LookupError if the store lacks a file."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(yaml_name, yaml_text.encode("utf-8"))
        for name, digest in sorted(media.items()):
            if not store.exists(digest):
                raise LookupError(f"media {name!r} ({digest}) is missing from the store")
            # media are JPEG/PNG/WebP/MP4/WebM: compressed already
            bundle.write(store.path_for(digest), f"{MEDIA_DIR}/{name}",
                         compress_type=zipfile.ZIP_STORED)


# --------------------------------------------------------------------------- import


class BundleMedia:
    """Media names of an uploaded bundle: files in its ``media/`` folder, else files
    already in the store (see :class:`StoredNames`)."""

    def __init__(self, media_dir: Path | None, session: Session, store: MediaStore) -> None:
        self.media_dir = media_dir
        self.directory = DirectoryMedia(media_dir) if media_dir is not None else None
        self.stored = StoredNames(session, store)

    def check(self, f: Fields, key: str, value: Any, item_type: str) -> MediaFile:
        if (self.directory is not None and self.media_dir is not None
                and isinstance(value, str) and MEDIA_NAME_RE.fullmatch(value)
                and ".." not in value and (self.media_dir / value).is_file()):
            return self.directory.check(f, key, value, item_type)
        return self.stored.check(f, key, value, item_type)


def unpack_upload(name: str, stream: IO[bytes], workdir: Path) -> tuple[Path, Path | None]:
    """Put the upload under ``workdir``: returns the YAML file and the media folder
    (None for a plain YAML upload). BundleRefused when it is unreadable or unsafe."""
    suffix = Path(name).suffix.lower()
    if suffix in YAML_SUFFIXES:
        target = workdir / _safe_yaml_name(name)
        _copy(stream, target, MAX_BYTES + 1)
        return target, None
    if suffix != ".zip":
        raise BundleRefused(f"{name!r}: upload a playlist .yaml/.yml file or a .zip as "
                            "export produces.")
    try:
        bundle = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise BundleRefused(f"{name!r} is not a readable zip file.") from None
    with bundle:
        yaml_entry, media_entries = _check_entries(name, bundle.infolist())
        target = workdir / yaml_entry.filename
        media_dir = workdir / MEDIA_DIR
        media_dir.mkdir()
        try:
            _extract(bundle, yaml_entry, target)
            for entry in media_entries:
                _extract(bundle, entry, media_dir / entry.filename.split("/", 1)[1])
        except (zipfile.BadZipFile, OSError, ValueError, EOFError,
                NotImplementedError) as exc:
            raise BundleRefused(f"{name!r}: cannot extract: {exc}") from None
    return target, media_dir


def _safe_yaml_name(name: str) -> str:
    if not MEDIA_NAME_RE.fullmatch(name) or ".." in name:
        return "playlist" + Path(name).suffix.lower()
    return name


def _check_entries(name: str, entries: list[zipfile.ZipInfo],
                   ) -> tuple[zipfile.ZipInfo, list[zipfile.ZipInfo]]:
    if len(entries) > MAX_ENTRIES:
        raise BundleRefused(f"{name!r} holds {len(entries)} entries; at most {MAX_ENTRIES}.")
    total = 0
    seen: set[str] = set()
    yamls: list[zipfile.ZipInfo] = []
    media: list[zipfile.ZipInfo] = []
    for entry in entries:
        path = entry.filename
        shown = repr(path[:120])
        if entry.flag_bits & 0x1:
            raise BundleRefused(f"{name!r}: entry {shown} is encrypted.")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleRefused(f"{name!r}: entry {shown} uses an unsupported compression.")
        mode = entry.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise BundleRefused(f"{name!r}: entry {shown} is a symbolic link; links are "
                                "not allowed.")
        if path.casefold() in seen:
            raise BundleRefused(f"{name!r}: entry {shown} appears twice.")
        seen.add(path.casefold())
        if "\\" in path or path.startswith("/") or ":" in path or "\x00" in path or any(
                part in ("..", ".") for part in path.split("/")):
            raise BundleRefused(f"{name!r}: entry {shown} is not a plain name (no absolute "
                                "paths, no '..').")
        total += entry.file_size
        if total > MAX_UNCOMPRESSED:
            raise BundleRefused(f"{name!r} would unpack to more than "
                                f"{MAX_UNCOMPRESSED // (1024 * 1024)} MiB; refused.")
        if (entry.file_size > RATIO_FLOOR
                and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)):
            raise BundleRefused(f"{name!r}: entry {shown} is compressed more than "
                                f"{MAX_RATIO}:1 (a zip bomb?); refused.")
        if entry.is_dir():
            if path.rstrip("/") != MEDIA_DIR:
                raise BundleRefused(f"{name!r}: unexpected folder {shown}; a bundle holds "
                                    "one .yaml file and a media/ folder.")
            continue
        parts = path.split("/")
        if len(parts) == 1 and Path(path).suffix.lower() in YAML_SUFFIXES:
            if not MEDIA_NAME_RE.fullmatch(path):
                raise BundleRefused(f"{name!r}: bad file name {shown}.")
            if entry.file_size > MAX_BYTES:
                raise BundleRefused(f"{name!r}: {shown} is larger than "
                                    f"{MAX_BYTES // 1024} KiB.")
            yamls.append(entry)
        elif len(parts) == 2 and parts[0] == MEDIA_DIR:
            if not MEDIA_NAME_RE.fullmatch(parts[1]) or ".." in parts[1]:
                raise BundleRefused(f"{name!r}: bad media file name {shown}: use letters, "
                                    "digits, '.', '_', '-' and spaces.")
            media.append(entry)
        else:
            raise BundleRefused(f"{name!r}: unexpected entry {shown}; a bundle holds one "
                                ".yaml file at the top and media files in media/.")
    if len(yamls) != 1:
        raise BundleRefused(f"{name!r} must hold exactly one .yaml file at the top level; "
                            f"found {len(yamls)}"
                            + (f": {', '.join(e.filename for e in yamls)}." if yamls else "."))
    return yamls[0], media


def _extract(bundle: zipfile.ZipFile, entry: zipfile.ZipInfo, target: Path) -> None:
    with bundle.open(entry) as src:
        _copy(src, target, entry.file_size)


def _copy(src: IO[bytes], target: Path, limit: int) -> None:
    """Copy at most ``limit`` bytes (a YAML upload one byte more, so load_yaml sees it
    is too large); never follow or replace an existing file."""
    written = 0
    with target.open("xb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                out.write(chunk[:max(0, limit - (written - len(chunk)))])
                break
            out.write(chunk)
