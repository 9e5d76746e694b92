"""Import playlists written in YAML (``playlists/*.yaml``) into the database.

Every file is validated, and every media file it names is checked and hashed, before
anything is written. Each playlist gets a new immutable version only when its items
changed. Stored items follow the timeline's item format (docs/protocol.md)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from controller.content.assignments import (
    load_placements,
    load_screens,
    per_screen,
    screens_showing,
)
from controller.content.completeness import Missing, refusal_for_screens
from controller.content.item_photo import parse_photo
from controller.content.sites_import import ID_HINT, ID_RE, LANG_RE, label
from controller.content.yamlfile import Fields, YamlError, line_of, load_yaml
from controller.languages import LanguageConfig
from controller.media.store import describe_mime
from controller.qr.allowlist import check_url, current_domains, describe_domains
from controller.refusals import refusal

ITEM_TYPES = ("image", "video", "text", "web", "data")  # data: docs/sources.md
VARIANT_KEYS = ("title", "body", "media", "url")
TITLE_LANGUAGES = ("vi", "en")  # stored as title_vi, title_en
MIN_DURATION, MAX_DURATION = 1, 3600
MAX_TITLE, MAX_BODY, MAX_URL = 200, 2000, 2000
MEDIA_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,200}$")


@dataclass
class MediaFile:
    path: Path
    name: str
    sha256: str
    size: int
    mime: str
    kind: str


@dataclass
class ParsedPlaylist:
    id: str
    file: Path
    title_vi: str
    title_en: str
    items: list[dict[str, Any]]
    media: list[MediaFile] = field(default_factory=list)
    item_lines: list[int | None] = field(default_factory=list)
    agency: str | None = None
    # None: the file has no 'themes:' key (an import keeps the playlist's themes);
    # [] clears them.
    themes: list[str] | None = None
    agency_line: int | None = None
    notes: list[str] = field(default_factory=list)  # said by the import, not refusals

    @property
    def content_hash(self) -> str:
        return items_hash(self.items)


def items_hash(items: list[dict[str, Any]]) -> str:
    """SHA-256 of the items' canonical JSON: equal items, equal hash."""
    blob = json.dumps(items, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class MediaChecker(Protocol):
    """What an item's ``media`` value means: a file name in a directory (YAML files,
    :class:`DirectoryMedia`) or the SHA-256 of a stored file (JSON bodies, see
    ``controller/content/items_json.py``). ``check`` returns the file or raises
    YamlError through ``f.fail(key, …)``."""

    def check(self, f: Fields, key: str, value: Any, item_type: str) -> MediaFile: ...


class DirectoryMedia:
    """Resolves ``media:`` names under the source directory and checks each file once
    the way an upload is checked (``controller.media.ingest``: type by content, whole
    decode, metadata stripped), so items name the SHA-256 the file will be stored
    under. ``settings``: the limits (max_image_pixels); defaults when None.
    ``work_dir``: where the checks' cleaned copies go (an upload's own work folder, so a
    crash leaves nothing elsewhere); the system's temporary folder when None."""

    def __init__(self, source_dir: Path, settings: Any = None,
                 work_dir: Path | None = None) -> None:
        self.source_dir = Path(source_dir)
        self.settings = settings
        self.work_dir = work_dir
        self.cache: dict[Path, MediaFile] = {}

    def check(self, f: Fields, key: str, name: Any, item_type: str) -> MediaFile:
        check_media_name(f, key, name, str(self.source_dir))
        root = self.source_dir.resolve()
        path = (root / name).resolve()
        if path.parent != root:
            f.fail(key, refusal("media %(name)r leads outside %(folder)s (symbolic link?)",
                                name=name, folder=str(self.source_dir)))
        if not path.is_file():
            f.fail(key, refusal("media file %(name)r not found in %(folder)s", name=name,
                                folder=str(self.source_dir)))
        media = self.cache.get(path)
        if media is None:
            media = self._read(f, key, name, path)
            self.cache[path] = media
        check_kind(f, key, media, name, item_type)
        return media

    def _read(self, f: Fields, key: str, name: str, path: Path) -> MediaFile:
        import tempfile

        from controller.media.ingest import IngestRefused, prepare
        from controller.settings import Settings

        try:
            with tempfile.TemporaryDirectory(prefix="pano-media-check-",
                                             dir=self.work_dir) as work:
                ready = prepare(path, name, self.settings or Settings(), Path(work))
        except OSError as exc:
            f.fail(key, refusal("cannot read media %(name)r: %(why)s", name=name,
                                why=str(exc.strerror or exc)))
        except IngestRefused as exc:
            f.fail(key, refusal("media %(refusal)s", refusal=exc.message))
        # The item names the file as it will be stored (cleaned); the path stays the
        # source file, which the import stores through the same ingest.
        return MediaFile(path, name, ready.sha256, ready.size, ready.mime, ready.kind)


_MediaChecker = DirectoryMedia  # the former name


def check_media_name(f: Fields, key: str, name: Any, where: str) -> str:
    """``name`` as a plain media file name (no paths, no '..'), or YamlError."""
    if not isinstance(name, str) or not name.strip():
        f.fail(key, refusal("media must be a file name (text)"))
    if (name.startswith(("/", "\\")) or "/" in name or "\\" in name or ".." in name
            or ":" in name or "\x00" in name):
        f.fail(key, refusal("media %(name)r must be a plain file name inside %(folder)s (no "
                            "paths, no '..')", name=name, folder=where))
    if not MEDIA_NAME_RE.fullmatch(name):
        f.fail(key, refusal("media %(name)r: use letters, digits, '.', '_', '-' and spaces",
                            name=name))
    return name


def check_kind(f: Fields, key: str, media: MediaFile, shown: str, item_type: str) -> None:
    if item_type == "photo":  # a text item's photo (controller.content.item_photo)
        if media.kind != "image":
            f.fail(key, refusal("media %(name)r is %(format)s, not an image: a text item's "
                                "photo must be a picture", name=shown,
                                format=describe_mime(media.mime)))
        return
    if media.kind != item_type:
        kinds = {"image": refusal("an image"), "video": refusal("a video")}
        f.fail(key, refusal("media %(name)r is %(kind)s (%(format)s) but the item's type is "
                            "%(type)s", name=shown, kind=kinds.get(media.kind, media.kind),
                            format=describe_mime(media.mime), type=item_type))


def _text(f: Fields, key: str, max_len: int, multiline: bool = False) -> str | None:
    """Optional text; absent, null and "" all mean None."""
    if key not in f.data or f.data[key] is None or f.data[key] == "":
        return None
    return f.text(key, max_len=max_len, multiline=multiline)


def _url(f: Fields, domains: tuple[str, ...] | None = None) -> str | None:
    """An official page's address: a web item's page, or for any item the page its
    slide's QR code leads to. Checked against the QR allowlist (``domains``, by default
    the running app's ``qr_allowed_domains``: controller/qr/allowlist.py)."""
    url = _text(f, "url", MAX_URL)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(
            c.isspace() for c in url):
        f.fail("url", refusal("url %(url)r must be an http:// or https:// address", url=url))
    domains = current_domains() if domains is None else domains
    reason = check_url(url, domains)
    if reason is not None:
        listed = describe_domains(domains)
        f.fail("url", refusal("url %(url)r is refused: %(why)s", url=url[:200], why=reason)
               if listed in reason else
               refusal("url %(url)r is refused: %(why)s (allowed domains: %(domains)s)",
                       url=url[:200], why=reason, domains=listed))
    return url


def parse_item(file: Path | str, data: Any, index: int, line: int | None,
               media: MediaChecker, used: list[MediaFile],
               config: LanguageConfig) -> dict[str, Any]:
    """One item in the stored format, validated. Works on YAML (LineDict, lines in
    messages) and on plain dicts from JSON (line None)."""
    f = Fields(file, data, label("item", data, index), line)
    if f.data.get("type") == "data":  # a data source through a template (docs/sources.md)
        from controller.dataslides.items import parse_data_item

        return parse_data_item(
            f, config, f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT),  # type: ignore[arg-type]
            f.number("duration", low=MIN_DURATION, high=MAX_DURATION),
            lambda text, i: parse_item(file, text, index, line, media, used, config))
    f.only(required=("id", "type", "duration", "variants"), optional=("photo",))
    item_id = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
    item_type = f.choice("type", ITEM_TYPES)
    duration = f.number("duration", low=MIN_DURATION, high=MAX_DURATION)
    variants_f = f.mapping("variants")
    if not variants_f.data:
        f.fail("variants", refusal("variants must name at least %(languages)s",
                                   languages=", ".join(config.required)))
    variants: dict[str, dict[str, Any]] = {}
    for lang in variants_f.data:
        if not isinstance(lang, str) or not LANG_RE.fullmatch(lang):
            variants_f.fail(lang, refusal("%(lang)r is not a language code (2-3 lowercase "
                                          "letters)", lang=lang))
        unknown = config.unknown(lang)
        if unknown:
            key_lines = getattr(variants_f.data, "key_lines", {})
            raise YamlError(file, key_lines.get(lang) or variants_f.line(),
                            variants_f.said(unknown))
        v = variants_f.mapping(lang, where=refusal("%(where)s, variant %(lang)r",
                                                   where=f.where, lang=lang))
        v.only(optional=VARIANT_KEYS)
        out = {"title": _text(v, "title", MAX_TITLE),
               "body": _text(v, "body", MAX_BODY, multiline=True),
               "media": None, "url": _url(v)}
        if item_type in ("image", "video"):
            if not v.has("media"):
                v.fail(None, refusal("an image item needs 'media' in every language")
                       if item_type == "image" else
                       refusal("a video item needs 'media' in every language"))
            found = media.check(v, "media", v.data["media"], item_type)
            out["media"] = found.sha256
            if found not in used:
                used.append(found)
        elif v.has("media"):
            v.fail("media", refusal("'media' is only for image and video items, not "
                                    "%(type)s", type=item_type))
        if item_type == "web" and out["url"] is None:
            v.fail(None, refusal("a web item needs 'url' in every language"))
        if item_type == "text" and out["title"] is None:
            v.fail(None, refusal("a text item needs a 'title' in every language"))
        variants[lang] = out
    for needed in config.required:
        if needed not in variants:
            f.fail("variants", refusal("variants must include %(lang)r", lang=needed))
    parsed = {"id": item_id, "type": item_type, "duration": duration, "variants": variants}
    photo = parse_photo(f, item_type, media, used)
    if photo is not None:  # absent without one: the stored items (and hashes) stay
        parsed["photo"] = photo
    return parsed


_item = parse_item  # the former name


def parse_playlist(path: Path, media: MediaChecker,
                   config: LanguageConfig | None = None) -> ParsedPlaylist:
    data = load_yaml(path)
    if data is None:
        raise YamlError(path, None, refusal("file is empty (expected id, title and items)"))
    f = Fields(path, data, refusal("playlist"))
    f.only(required=("id", "title", "items"), optional=("agency", "themes"))
    playlist_id = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
    f.where = refusal("playlist %(playlist)r", playlist=playlist_id)
    agency = (f.text("agency", pattern=ID_RE, max_len=63, hint=ID_HINT)
              if f.data.get("agency") is not None else None)
    themes = None
    if "themes" in f.data:
        themes = f.text_list("themes", pattern=ID_RE, required=False, non_empty=False,
                             max_len=63, hint=ID_HINT)
    title = f.mapping("title")
    title.only(required=TITLE_LANGUAGES)
    title_vi, title_en = title.text("vi"), title.text("en")
    items: list[dict[str, Any]] = []
    used: list[MediaFile] = []
    lines: list[int | None] = []
    seen: dict[str, int | None] = {}
    for i, item_data in f.items("items"):
        line = line_of(f.data["items"], i)
        item = parse_item(path, item_data, i, line, media, used, config or LanguageConfig())
        if item["id"] in seen:
            raise YamlError(path, line, f.said(refusal(
                "duplicate item id %(item)r (first on line %(first)s)", item=item["id"],
                first=seen[item["id"]])))
        seen[item["id"]] = line
        items.append(item)
        lines.append(line)
    return ParsedPlaylist(playlist_id, path, title_vi, title_en, items,  # type: ignore[arg-type]
                          used, lines, agency, themes, line_of(f.data, "agency"))


def playlist_files(path: Path) -> list[Path]:
    """``path`` itself, or the *.yaml / *.yml files directly in it, sorted."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
        if not files:
            raise YamlError(path, None, refusal("no *.yaml or *.yml playlist files in this "
                                                "directory"))
        return files
    if not path.exists():
        raise YamlError(path, None, refusal("file or directory not found"))
    return [path]


def parse_playlists(path: Path, media_source_dir: Path | MediaChecker,
                    config: LanguageConfig | None = None) -> list[ParsedPlaylist]:
    """Validate every playlist file; raise YamlError on the first problem.
    ``media_source_dir``: the directory media names refer to, or a MediaChecker that
    resolves them some other way (e.g. against the media store)."""
    checker = (media_source_dir if hasattr(media_source_dir, "check")
               else DirectoryMedia(Path(media_source_dir)))  # type: ignore[arg-type]
    parsed: list[ParsedPlaylist] = []
    seen: dict[str, ParsedPlaylist] = {}
    for file in playlist_files(path):
        playlist = parse_playlist(file, checker, config)
        if playlist.id in seen:
            raise YamlError(file, None, refusal("playlist id %(playlist)r is already used "
                                                "by %(file)s", playlist=playlist.id,
                                                file=str(seen[playlist.id].file)))
        seen[playlist.id] = playlist
        parsed.append(playlist)
    return parsed


def resolve_data(session: Session, parsed: list[ParsedPlaylist]) -> None:
    """The data items' sources and templates checked against the stored ones, each
    template copied into its item (``controller.dataslides.items``); YamlError. Fields
    the sources' current records lack become the playlist's ``notes``."""
    from controller.dataslides.items import resolve_data_items

    for playlist in parsed:
        playlist.notes = resolve_data_items(session, playlist.file, playlist.items,
                                            playlist.item_lines)


def check_assigned(session: Session, parsed: list[ParsedPlaylist]) -> None:
    """Refuse a playlist whose new items would lack a language of a screen that shows
    it: as its default playlist, or through a schedule that plays its current version
    (a schedule pinned to a version keeps that version's items); or in the ticker of
    the screen's layout (its text and data items, ``controller.zones.completeness``)."""
    from controller.zones.completeness import ticker_refusal

    screens = load_screens(session)
    placements = load_placements(session)
    for playlist in parsed:
        shown = screens_showing(playlist.id, screens, placements)
        missing = per_screen(playlist.items, shown.values())
        message = refusal_for_screens(refusal("playlist %(playlist)r", playlist=playlist.id),
                                      missing)
        if message:
            raise YamlError(playlist.file, _first_line(playlist, missing), refusal(
                "%(refusal)s (the playlist is assigned to them already)", refusal=message))
        in_ticker = ticker_refusal(session, playlist.id, playlist.items,
                                   refusal("playlist %(playlist)r", playlist=playlist.id),
                                   screens)  # docs/zones.md
        if in_ticker:
            raise YamlError(playlist.file, _first_line(playlist, in_ticker[1]), refusal(
                "%(refusal)s (the playlist is assigned to them already)",
                refusal=in_ticker[0]))


def _first_line(playlist: ParsedPlaylist, missing: dict[str, Missing]) -> int | None:
    lacking = {item for items in missing.values() for item in items}
    for item, line in zip(playlist.items, playlist.item_lines, strict=False):
        if item["id"] in lacking:
            return line
    return None
