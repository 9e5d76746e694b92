"""Playlist bundles: a ``.zip`` holding ``<id>.yaml`` (the export format) and
``media/<file name>`` for each media file it names.

:func:`write_bundle` builds one from an export; :func:`unpack_upload` turns an uploaded
``.yaml``/``.yml`` or ``.zip`` into a YAML file and a media checker for
``import_playlists``. Uploads are treated as hostile:

- the size of the zip's directory is checked before the directory is parsed, and the
  directory is then checked whole before a byte is extracted: entry count, names
  (the importer's media-name rule, no links, no duplicates, exactly one YAML file at
  the top level), and sizes against zip bombs (each entry, and the whole archive
  against the real size of the upload: see the limits below);
- the YAML is extracted and read first, and only the ``media/`` entries it names are
  extracted; the others are never unpacked (the import report's notes say so);
- extraction counts the bytes it really writes and refuses an entry that holds more
  than its directory declares, so a lying directory cannot unpack more than was checked.

Nothing here needs a request or an app: any process (the web server, a job worker) can
call :func:`unpack_upload` with a work folder of its own."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from controller.content.items_json import StoredNames
from controller.content.playlists_import import MEDIA_NAME_RE, DirectoryMedia, MediaFile
from controller.content.yamlfile import MAX_BYTES, Fields, YamlError, load_yaml
from controller.media.store import MediaStore
from controller.refusals import refusal

MiB = 1024 * 1024
# The limits, and why (docs/api-playlists.md, "Import"):
# - MAX_UPLOAD: the zip itself. An export of a long playlist with videos fits; more is
#   a job for the command line (`pano-controller playlists import --media-dir`).
MAX_UPLOAD = 256 * MiB
# - MAX_ENTRIES: a playlist of a few hundred items, each language its own file.
MAX_ENTRIES = 1000
# - MAX_DIRECTORY: the zip's directory is read whole into memory by zipfile, one object
#   per entry, before its entries can be counted. 1 KiB an entry is ample (a directory
#   record is 46 bytes, the name at most 207, the extra fields tens), and keeps a 256 MiB
#   upload of millions of empty entries from taking gigabytes of memory.
MAX_DIRECTORY = MAX_ENTRIES * 1024
# - MAX_UNPACKED: all entries together, as declared and as really written. Media are
#   compressed already (export stores them as they are), so a bundle unpacks to about
#   its own size; twice MAX_UPLOAD leaves room for a zip tool that deflated them anyway
#   and bounds the disk one import takes in data_dir/tmp.
MAX_UNPACKED = 2 * MAX_UPLOAD
# - MAX_TOTAL_RATIO: the whole archive (the sum of its entries' sizes over the upload's
#   real size in bytes, which cannot lie) once it unpacks to over TOTAL_RATIO_FLOOR:
#   JPEG, PNG, MP4 and WebM do not shrink 10:1, so a bundle that does is mostly
#   padding: 999 entries of 1 MiB of zeros (1.1 MB) are refused here.
MAX_TOTAL_RATIO = 10
TOTAL_RATIO_FLOOR = 16 * MiB
# - MAX_RATIO: one entry over RATIO_FLOOR (a single bomb hidden among real photos).
MAX_RATIO = 100
RATIO_FLOOR = 1 * MiB
# One media entry may be at most the media upload limit (max_upload_mb, passed in by the
# caller as ``max_entry``): a file too large to upload alone is too large in a bundle.
YAML_SUFFIXES = (".yaml", ".yml")
MEDIA_DIR = "media"
_CHUNK = 1024 * 1024
_LISTED = 10  # skipped names listed in a note


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
                raise LookupError(refusal("media %(name)r (%(sha256)s) is missing from the "
                                          "store", name=name, sha256=digest))
            # media are JPEG/PNG/WebP/MP4/WebM: compressed already
            bundle.write(store.path_for(digest), f"{MEDIA_DIR}/{name}",
                         compress_type=zipfile.ZIP_STORED)


# --------------------------------------------------------------------------- import


class BundleMedia:
    """Media names of an uploaded bundle: files in its ``media/`` folder, else files
    already in the store (see :class:`StoredNames`)."""

    def __init__(self, media_dir: Path | None, session: Session, store: MediaStore,
                 settings: Any = None) -> None:
        self.media_dir = media_dir
        # the checks' cleaned copies go into the upload's work folder, beside media/;
        # ``settings`` gives the limits of an upload (max_image_pixels)
        self.directory = (DirectoryMedia(media_dir, settings, work_dir=media_dir.parent)
                          if media_dir is not None else None)
        self.stored = StoredNames(session, store)

    def check(self, f: Fields, key: str, value: Any, item_type: str) -> MediaFile:
        if (self.directory is not None and self.media_dir is not None
                and isinstance(value, str) and MEDIA_NAME_RE.fullmatch(value)
                and ".." not in value and (self.media_dir / value).is_file()):
            return self.directory.check(f, key, value, item_type)
        return self.stored.check(f, key, value, item_type)


def unpack_upload(name: str, stream: IO[bytes], workdir: Path, *,
                  max_entry: int | None = None,
                  notes: list[str] | None = None) -> tuple[Path, Path | None]:
    """Put the upload under ``workdir``: returns the YAML file and the media folder
    (None for a plain YAML upload). ``stream`` must be seekable. ``max_entry``: the
    largest media file in bytes (the caller's ``max_upload_mb``); ``notes`` receives a
    sentence about media files the YAML does not name (not unpacked). BundleRefused when
    the upload is unreadable or unsafe; whatever was written stays in ``workdir``, which
    the caller removes."""
    suffix = Path(name).suffix.lower()
    if suffix in YAML_SUFFIXES:
        target = workdir / _safe_yaml_name(name)
        _copy(stream, target, MAX_BYTES + 1)
        return target, None
    if suffix != ".zip":
        raise BundleRefused(refusal("%(name)r: upload a playlist .yaml/.yml file or a .zip "
                                    "as export produces.", name=name))
    size = _check_directory_size(name, stream)
    try:
        bundle = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise BundleRefused(_unreadable(name)) from None
    with bundle:
        yaml_entry, media_entries = _check_entries(name, bundle.infolist(), size,
                                                   max_entry)
        target = workdir / yaml_entry.filename
        media_dir = workdir / MEDIA_DIR
        media_dir.mkdir()
        _extract(name, bundle, yaml_entry, target)
        wanted = media_names(target)
        skipped = []
        for entry in media_entries:
            file_name = entry.filename.split("/", 1)[1]
            if file_name in wanted:
                _extract(name, bundle, entry, media_dir / file_name)
            else:
                skipped.append(file_name)
    if skipped and notes is not None:
        shown = ", ".join(skipped[:_LISTED]) + (
            f" and {len(skipped) - _LISTED} more" if len(skipped) > _LISTED else "")
        notes.append(f"{name}: {len(skipped)} file(s) in media/ not named by the playlist "
                     f"were ignored (not unpacked): {shown}")
    return target, media_dir


def media_names(yaml_path: Path) -> set[str]:
    """The ``media:`` values of every item's variants in a playlist file, read without
    judging anything else (the import does, with the app's languages and links): the
    entries of a bundle worth unpacking. Empty when the file is not readable YAML."""
    try:
        data = load_yaml(yaml_path)
    except YamlError:
        return set()
    items = data.get("items") if isinstance(data, dict) else None
    names: set[str] = set()
    for item in items if isinstance(items, list) else ():
        variants = item.get("variants") if isinstance(item, dict) else None
        photo = item.get("photo") if isinstance(item, dict) else None  # a text item's
        if isinstance(photo, dict) and isinstance(photo.get("media"), str):
            names.add(photo["media"])
        for variant in variants.values() if isinstance(variants, dict) else ():
            media = variant.get("media") if isinstance(variant, dict) else None
            if isinstance(media, str):
                names.add(media)
    return names


def _safe_yaml_name(name: str) -> str:
    if not MEDIA_NAME_RE.fullmatch(name) or ".." in name:
        return "playlist" + Path(name).suffix.lower()
    return name


def _check_directory_size(name: str, stream: IO[bytes]) -> int:
    """The upload's size in bytes, once its zip directory is known to be small enough
    to parse (MAX_DIRECTORY). Reads the end record the way zipfile does (its own
    reader, so both agree on which directory is meant)."""
    try:
        size = stream.seek(0, os.SEEK_END)
        end = zipfile._EndRecData(stream)  # the record ZipFile will trust
        stream.seek(0)
    except (OSError, ValueError, EOFError):
        end = None
    if not end:
        raise BundleRefused(_unreadable(name))
    if end[zipfile._ECD_SIZE] > MAX_DIRECTORY:
        raise BundleRefused(refusal(
            "%(name)r: its zip directory takes %(size)s bytes; a bundle of at most "
            "%(entries)d entries needs at most %(kib)d KiB. Refused (too many entries, or a "
            "damaged zip).", name=name, size=format(end[zipfile._ECD_SIZE], ","),
            entries=MAX_ENTRIES, kib=MAX_DIRECTORY // 1024))
    return size


def _unreadable(name: str) -> str:
    return refusal("%(name)r is not a readable zip file.", name=name)


def _mib(n: int) -> str:
    return f"{n / MiB:,.1f} MiB"


def _check_entries(name: str, entries: list[zipfile.ZipInfo], size: int,
                   max_entry: int | None,
                   ) -> tuple[zipfile.ZipInfo, list[zipfile.ZipInfo]]:
    if len(entries) > MAX_ENTRIES:
        raise BundleRefused(refusal("%(name)r holds %(count)d entries; at most %(most)d.",
                                    name=name, count=len(entries), most=MAX_ENTRIES))
    seen: set[str] = set()
    yamls: list[zipfile.ZipInfo] = []
    media: list[zipfile.ZipInfo] = []
    for entry in entries:
        _check_entry(name, entry, seen, max_entry)
        path = entry.filename
        if entry.is_dir():
            continue
        if "/" not in path:
            yamls.append(entry)
        else:
            media.append(entry)
    total = sum(entry.file_size for entry in entries)
    if total > TOTAL_RATIO_FLOOR and total > MAX_TOTAL_RATIO * size:
        raise BundleRefused(refusal(
            "%(name)r would unpack to %(total)s from %(size)s, more than %(ratio)d:1 over "
            "all its entries (a zip bomb?). Refused: zip the media without compression, "
            "as export does.", name=name, total=_mib(total), size=_mib(size),
            ratio=MAX_TOTAL_RATIO))
    if total > MAX_UNPACKED:
        raise BundleRefused(refusal("%(name)r would unpack to %(total)s; a bundle may "
                                    "unpack to at most %(most)s. Refused.", name=name,
                                    total=_mib(total), most=_mib(MAX_UNPACKED)))
    if len(yamls) != 1:
        if yamls:
            raise BundleRefused(refusal(
                "%(name)r must hold exactly one .yaml file at the top level; found "
                "%(count)d: %(names)s.", name=name, count=len(yamls),
                names=", ".join(e.filename for e in yamls)))
        raise BundleRefused(refusal("%(name)r must hold exactly one .yaml file at the top "
                                    "level; found 0.", name=name))
    return yamls[0], media


def _check_entry(name: str, entry: zipfile.ZipInfo, seen: set[str],
                 max_entry: int | None) -> None:
    """One directory record: its name, kind and declared sizes."""
    path = entry.filename
    shown = repr(path[:120])
    if entry.flag_bits & 0x1:
        raise BundleRefused(refusal("%(name)r: entry %(entry)s is encrypted.", name=name,
                                    entry=shown))
    if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise BundleRefused(refusal("%(name)r: entry %(entry)s uses an unsupported "
                                    "compression.", name=name, entry=shown))
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise BundleRefused(refusal("%(name)r: entry %(entry)s is a symbolic link; links "
                                    "are not allowed.", name=name, entry=shown))
    if path.casefold() in seen:
        raise BundleRefused(refusal("%(name)r: entry %(entry)s appears twice.", name=name,
                                    entry=shown))
    seen.add(path.casefold())
    if "\\" in path or path.startswith("/") or ":" in path or "\x00" in path or any(
            part in ("..", ".") for part in path.split("/")):
        raise BundleRefused(refusal("%(name)r: entry %(entry)s is not a plain name (no "
                                    "absolute paths, no '..').", name=name, entry=shown))
    if (entry.file_size > RATIO_FLOOR
            and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)):
        raise BundleRefused(refusal("%(name)r: entry %(entry)s is compressed more than "
                                    "%(ratio)d:1 (a zip bomb?); refused.", name=name,
                                    entry=shown, ratio=MAX_RATIO))
    if entry.is_dir():
        if path.rstrip("/") != MEDIA_DIR:
            raise BundleRefused(refusal("%(name)r: unexpected folder %(entry)s; a bundle "
                                        "holds one .yaml file and a media/ folder.",
                                        name=name, entry=shown))
        return
    parts = path.split("/")
    if len(parts) == 1 and Path(path).suffix.lower() in YAML_SUFFIXES:
        if not MEDIA_NAME_RE.fullmatch(path):
            raise BundleRefused(refusal("%(name)r: bad file name %(entry)s.", name=name,
                                        entry=shown))
        if entry.file_size > MAX_BYTES:
            raise BundleRefused(refusal("%(name)r: %(entry)s is larger than %(kib)d KiB.",
                                        name=name, entry=shown, kib=MAX_BYTES // 1024))
    elif len(parts) == 2 and parts[0] == MEDIA_DIR:
        if not MEDIA_NAME_RE.fullmatch(parts[1]) or ".." in parts[1]:
            raise BundleRefused(refusal("%(name)r: bad media file name %(entry)s: use "
                                        "letters, digits, '.', '_', '-' and spaces.",
                                        name=name, entry=shown))
        if max_entry is not None and entry.file_size > max_entry:
            raise BundleRefused(refusal(
                "%(name)r: entry %(entry)s would unpack to %(size)s; a media file may be at "
                "most %(most)s (max_upload_mb in the settings).", name=name, entry=shown,
                size=_mib(entry.file_size), most=_mib(max_entry)))
    else:
        raise BundleRefused(refusal("%(name)r: unexpected entry %(entry)s; a bundle holds "
                                    "one .yaml file at the top and media files in media/.",
                                    name=name, entry=shown))


def _extract(name: str, bundle: zipfile.ZipFile, entry: zipfile.ZipInfo,
             target: Path) -> None:
    """Write one entry, counting the bytes really written: never more than its
    directory declares (which :func:`_check_entries` bounded), so the declared totals
    bound the disk this upload takes even when the directory lies."""
    shown = repr(entry.filename[:120])
    written = 0
    try:
        with bundle.open(entry) as src, target.open("xb") as out:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                if written > entry.file_size:
                    raise BundleRefused(refusal(
                        "%(name)r: entry %(entry)s holds more than the %(size)s bytes its "
                        "zip directory declares (an altered zip?); refused.", name=name,
                        entry=shown, size=format(entry.file_size, ",")))
                out.write(chunk)
    except BundleRefused:
        raise
    except zipfile.BadZipFile as exc:
        if "CRC" not in str(exc):
            raise BundleRefused(_cannot_extract(name, shown, exc)) from None
        raise BundleRefused(refusal(
            "%(name)r: entry %(entry)s does not match the size (%(size)s bytes) and "
            "checksum its zip directory declares (a damaged or altered zip); refused.",
            name=name, entry=shown, size=format(entry.file_size, ","))) from None
    except (OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise BundleRefused(_cannot_extract(name, shown, exc)) from None


def _cannot_extract(name: str, shown: str, exc: Exception) -> str:
    """The library's own reason is quoted as it is (English)."""
    return refusal("%(name)r: cannot extract entry %(entry)s: %(why)s", name=name,
                   entry=shown, why=str(exc))


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
