"""Export a playlist version back to YAML, in the format of ``playlists/*.yaml``.

:func:`export_playlist` writes the file an operator would have written, naming each
media file by a plain file name; :func:`copy_media` puts those files, taken from the
content-addressed store, into a directory under those names. Importing the two back
(``pano-controller playlists import FILE --media-dir DIR``) gives the same items, so the
same content hash."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from controller.content.playlists_import import MEDIA_NAME_RE, VARIANT_KEYS
from controller.media.store import KNOWN_TYPES, MediaStore, sniff
from controller.models import Media, Playlist, PlaylistVersion
from controller.refusals import refusal

FLOW_WIDTH = 100  # a mapping whose one-line form fits in this many columns is written inline
_CHUNK = 1024 * 1024


class MediaConflict(ValueError):
    """The target directory holds a different file under an exported media name."""


# --------------------------------------------------------------------------- YAML text


class _Flow(dict):
    """A mapping written inline: ``{vi: "…", en: "…"}``."""


class _FlowList(list):
    """A list written inline: ``[festival, heritage]``."""


class _Text(str):
    """Operator text, written double-quoted as in the shipped files."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the importer refuses anchors and aliases

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # "items:" then "  - id: …" as in the files


def _represent_mapping(flow: bool) -> Any:
    def represent(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
        return dumper.represent_mapping("tag:yaml.org,2002:map", list(data.items()),
                                        flow_style=flow)
    return represent


def _represent_text(dumper: yaml.SafeDumper, data: _Text) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


_Dumper.add_representer(dict, _represent_mapping(False))
_Dumper.add_representer(_Flow, _represent_mapping(True))
_Dumper.add_representer(_Text, _represent_text)
_Dumper.add_representer(_FlowList, lambda dumper, data: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", list(data), flow_style=True))


def _mapping(key: str, values: dict[str, Any], indent: int,
             block: bool = False) -> dict[str, Any]:
    """``values`` inline when its one-line form is short and plain, else as a block."""
    if block:
        return dict(values)
    width = indent + len(key) + 4 + sum(len(k) + len(str(v)) + 6 for k, v in values.items())
    plain = all("\n" not in str(v) and str(v).isprintable() for v in values.values())
    return _Flow(values) if plain and width <= FLOW_WIDTH else dict(values)


def _number(value: Any) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# --------------------------------------------------------------------------- media names


def _extension(mime: str) -> str:
    if mime not in KNOWN_TYPES:
        raise LookupError(refusal("media of type %(mime)r cannot be exported", mime=mime))
    return KNOWN_TYPES[mime][1][0]


def is_safe_name(name: str, mime: str) -> bool:
    """True for a plain file name the importer accepts for a file of type ``mime``."""
    return (bool(name) and MEDIA_NAME_RE.fullmatch(name) is not None and ".." not in name
            and mime in KNOWN_TYPES and Path(name).suffix.lower() in KNOWN_TYPES[mime][1])


def media_names(session: Session, store: MediaStore, digests: list[str]) -> dict[str, str]:
    """``{sha256: file name}``: the original name when it is safe and unique within
    ``digests`` (ignoring case, for case-insensitive file systems), else
    ``<sha256[:12]>.<ext>``."""
    mimes: dict[str, str] = {}
    wanted: dict[str, str | None] = {}
    for digest in digests:
        row = session.get(Media, digest)
        mime = row.mime if row is not None else _stored_mime(store, digest)
        mimes[digest] = mime
        original = row.original_name if row is not None else ""
        wanted[digest] = original if is_safe_name(original, mime) else None
    fallback = {d: f"{d[:12]}{_extension(mimes[d])}" for d in digests}
    if len({name.casefold() for name in fallback.values()}) < len(fallback):
        fallback = {d: f"{d}{_extension(mimes[d])}" for d in digests}
    counts = Counter(name.casefold() for name in wanted.values() if name)
    taken = {name.casefold() for name in fallback.values()}
    return {d: name if name and counts[name.casefold()] == 1 and name.casefold() not in taken
            else fallback[d] for d, name in wanted.items()}


def exported_file(session: Session, store: MediaStore, digest: str) -> str:
    """The file an export carries for the media ``digest``: its ``source_sha256`` (the
    kept original it was made from, which imports make into the same file again) when
    that is in the store, else itself."""
    row = session.get(Media, digest)
    source = row.source_sha256 if row is not None else None
    return source if source and store.exists(source) else digest


def _stored_mime(store: MediaStore, digest: str) -> str:
    """The type of a stored file that has no Media row (judged by its content)."""
    try:
        with store.path_for(digest).open("rb") as fh:
            mime = sniff(fh.read(4096))
    except (OSError, ValueError):
        mime = None
    if mime is None:
        raise LookupError(refusal("media %(sha256)s is neither in the database nor in the "
                                  "store", sha256=digest))
    return mime


# --------------------------------------------------------------------------- export


def _version(session: Session, playlist_id: str,
             version: int | None) -> tuple[Playlist, PlaylistVersion]:
    playlist = session.get(Playlist, playlist_id)
    if playlist is None:
        raise LookupError(refusal("no playlist %(playlist)r", playlist=playlist_id))
    if version is None and playlist.current_version is None:  # never approved: the newest
        version = session.scalar(select(func.max(PlaylistVersion.number)).where(
            PlaylistVersion.playlist_id == playlist_id))
    number = playlist.current_version if version is None else version
    row = session.execute(select(PlaylistVersion).where(
        PlaylistVersion.playlist_id == playlist_id, PlaylistVersion.number == number)
    ).scalar_one_or_none()
    if row is None:
        numbers = session.execute(select(PlaylistVersion.number).where(
            PlaylistVersion.playlist_id == playlist_id)).scalars().all()
        known = ", ".join(str(n) for n in sorted(numbers)) or refusal("none")
        raise LookupError(refusal("playlist %(playlist)r has no version %(number)s "
                                  "(versions: %(known)s)", playlist=playlist_id,
                                  number=number, known=known))
    return playlist, row


def export_playlist(session: Session, store: MediaStore, playlist_id: str,
                    version: int | None = None) -> tuple[str, dict[str, str]]:
    """The YAML text of a playlist version (default: the one on air, else the newest)
    with the playlist's agency and themes, and ``{file name:
    sha256}`` of the media it names. Raises LookupError for an unknown playlist or
    version."""
    playlist, row = _version(session, playlist_id, version)
    items: list[dict[str, Any]] = list(row.items or [])
    digests = list(dict.fromkeys(
        [v["media"] for item in items for v in (item.get("variants") or {}).values()
         if v.get("media")]
        + [item["photo"]["media"] for item in items  # a text item's photo (content.md)
           if isinstance(item.get("photo"), dict) and item["photo"].get("media")]))
    # A file made from another (an animated GIF's video) is exported as that original.
    exported = {d: exported_file(session, store, d) for d in digests}
    by_file = media_names(session, store, list(dict.fromkeys(exported.values())))
    names = {d: by_file[exported[d]] for d in digests}
    out_items = []
    for item in items:
        if item.get("type") == "data":  # source and template by id (docs/sources.md)
            from controller.dataslides.items import as_written

            written = as_written(item)
            written["duration"] = _number(written["duration"])
            out_items.append(written)
            continue
        variants: dict[str, Any] = {}
        for lang, variant in (item.get("variants") or {}).items():
            values: dict[str, Any] = {}
            for key in VARIANT_KEYS:
                value = variant.get(key)
                if value is None:
                    continue
                values[key] = names[value] if key == "media" else _Text(value)
            variants[lang] = _mapping(lang, values, indent=6, block="body" in values)
        written_item = {"id": item["id"], "type": item["type"],
                        "duration": _number(item["duration"]), "variants": variants}
        photo = item.get("photo")
        if isinstance(photo, dict) and photo.get("media"):
            written_item["photo"] = _mapping("photo", {
                "media": names[photo["media"]],
                "placement": photo.get("placement") or "background"}, indent=4)
        out_items.append(written_item)
    title = {"vi": _Text(playlist.title_vi), "en": _Text(playlist.title_en)}
    data: dict[str, Any] = {"id": playlist.id, "title": _mapping("title", title, indent=0)}
    if playlist.agency_id is not None:
        data["agency"] = playlist.agency_id
    if playlist.themes:
        data["themes"] = _FlowList(playlist.themes)
    data["items"] = out_items
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1_000_000, indent=2)
    current = (" (on air)" if row.number == playlist.current_version
               else f" ({row.state.replace('_', ' ')})")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = [f"# Playlist {playlist.id!r}, version {row.number}{current}, "
              f"exported {now} by pano-controller."]
    if names:
        header.append("# media: file names in the directory given to 'playlists import "
                      "--media-dir'.")
    return "\n".join(header) + "\n" + body, {names[d]: exported[d] for d in digests}


# --------------------------------------------------------------------------- files


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(fd: int) -> None:
    try:
        os.fsync(fd)
    except OSError:
        pass


def copy_media(store: MediaStore, media: dict[str, str], directory: Path) -> int:
    """Copy ``{file name: sha256}`` from the store into ``directory``; return how many
    files were written (a file already there with the same content is kept). Checks
    everything before writing anything: raises MediaConflict if a different file has
    one of the names, LookupError if the store lacks a file. Each file appears whole
    (temporary file, fsync, rename) and never replaces another."""
    directory = Path(directory)
    todo: list[tuple[str, str]] = []
    for name, digest in sorted(media.items()):
        if not store.exists(digest):
            raise LookupError(f"media {name!r} ({digest}) is missing from the store "
                              f"{store.root}")
        target = directory / name
        if target.exists() or target.is_symlink():
            if not target.is_file() or _sha256_of(target) != digest:
                raise MediaConflict(f"{target} exists and is a different file; "
                                    "remove it or export into another directory")
            continue
        todo.append((name, digest))
    directory.mkdir(parents=True, exist_ok=True)
    for name, digest in todo:
        _copy_one(store.path_for(digest), directory / name, digest)
    return len(todo)


def _copy_one(src: Path, target: Path, digest: str) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".export-")
    tmp = Path(tmp_name)
    try:
        hasher = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            while chunk := inp.read(_CHUNK):
                hasher.update(chunk)
                out.write(chunk)
            out.flush()
            _fsync(out.fileno())
        if hasher.hexdigest() != digest:
            raise ValueError(f"the stored file {src} is damaged (its SHA-256 differs)")
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, target)  # fails if the name appeared meanwhile: never overwrites
        except FileExistsError:
            if _sha256_of(target) != digest:
                raise MediaConflict(f"{target} appeared meanwhile and is a different "
                                    "file") from None
        except OSError:  # no hard links (FAT, some network shares)
            if target.exists():
                raise
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that it is either old or whole."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".",
                                    prefix=f".{path.name}.")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            _fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
