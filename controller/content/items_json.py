"""Playlist content sent as JSON over the API: the same item format and the same
validation as the YAML files (``playlists_import.parse_item``), except that an item's
``media`` is the SHA-256 of a file already in the media store.

Also :class:`StoredNames`, which resolves the file names of an uploaded YAML playlist
against media already stored (an upload without its media files).

Every refusal is a YamlError whose ``reason`` names the item and language; the API
turns it into a 422."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.content.playlists_import import (
    TITLE_LANGUAGES,
    MediaFile,
    check_kind,
    check_media_name,
    parse_item,
)
from controller.content.sites_import import ID_HINT, ID_RE
from controller.content.yamlfile import Fields, YamlError, describe
from controller.languages import LanguageConfig
from controller.media.store import KNOWN_TYPES, MediaStore, is_sha256
from controller.models import Agency, Media
from controller.refusals import refusal

MAX_ITEMS = 500
BODY = "request body"


class StoredMedia:
    """``media`` = the SHA-256 of a stored file (a ``Media`` row whose file is in the
    store)."""

    def __init__(self, session: Session, store: MediaStore) -> None:
        self.session = session
        self.store = store

    def check(self, f: Fields, key: str, value: Any, item_type: str) -> MediaFile:
        if not isinstance(value, str) or not is_sha256(value):
            f.fail(key, refusal("media must be the SHA-256 of a stored media file (64 "
                                "lowercase hex digits), got %(got)s", got=repr(value)[:160]))
        row = self.session.get(Media, value)
        if row is None or not self.store.exists(value):
            f.fail(key, refusal("media %(sha)s is not in the media store; upload the file "
                                "first", sha=value))
        media = _media_file(self.store, row)
        check_kind(f, key, media, value, item_type)
        return media


class StoredNames:
    """``media`` = a file name that names a stored file: its original name (when one
    stored file alone has it) or the name an export gives a file without a usable
    original name (``<first 12 or all 64 hex digits of its SHA-256><extension>``)."""

    def __init__(self, session: Session, store: MediaStore) -> None:
        self.session = session
        self.store = store

    def check(self, f: Fields, key: str, value: Any, item_type: str) -> MediaFile:
        name = check_media_name(f, key, value, "the media store")
        stem, dot, ext = name.partition(".")
        rows: list[Media] = []
        if dot and len(stem) in (12, 64) and all(c in "0123456789abcdef" for c in stem):
            rows = [r for r in self.session.scalars(
                select(Media).where(Media.sha256.startswith(stem)))
                if f".{ext.lower()}" in KNOWN_TYPES.get(r.mime, ("", ()))[1]]
        if not rows:
            rows = list(self.session.scalars(select(Media).where(
                Media.original_name == name)))
        # A kept original (an animated GIF) names the file made of it (its video).
        rows = [self._made_of(r) if r.origin == "source" else r for r in rows]
        rows = [r for r in rows if r is not None and self.store.exists(r.sha256)]
        if not rows:
            f.fail(key, refusal("media file %(name)r is neither in the upload nor in the "
                                "media store; upload a .zip with the media (as export "
                                "produces)", name=name))
        if len({r.sha256 for r in rows}) > 1:
            f.fail(key, refusal("media %(name)r names %(count)d different stored files; "
                                "upload a .zip with the media (as export produces)",
                                name=name, count=len(rows)))
        media = _media_file(self.store, rows[0])
        check_kind(f, key, media, name, item_type)
        return media


    def _made_of(self, source: Media) -> Media | None:
        return self.session.scalars(select(Media).where(
            Media.source_sha256 == source.sha256).limit(1)).first()


def _media_file(store: MediaStore, row: Media) -> MediaFile:
    return MediaFile(store.path_for(row.sha256), row.original_name or row.sha256,
                     row.sha256, row.size, row.mime, row.kind)


def parse_items(session: Session, store: MediaStore, data: Any,
                config: LanguageConfig | None = None,
                where: str = "items") -> list[dict[str, Any]]:
    """Validate a JSON list of items; return them in the stored format."""
    if not isinstance(data, list):
        raise YamlError(BODY, None, refusal("%(key)r must be a list of items, got %(got)s",
                                            key=where, got=describe(data)))
    if not data:
        raise YamlError(BODY, None, refusal("%(key)r must not be an empty list", key=where))
    if len(data) > MAX_ITEMS:
        raise YamlError(BODY, None, refusal("%(key)r has %(count)d items; at most %(most)d",
                                            key=where, count=len(data), most=MAX_ITEMS))
    checker = StoredMedia(session, store)
    used: list[MediaFile] = []
    items: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(data):
        item = parse_item(BODY, entry, i, None, checker, used, config or LanguageConfig())
        if item["id"] in seen:
            raise YamlError(BODY, None, refusal(
                "item #%(number)d: duplicate item id %(item)r (also item #%(other)d)",
                number=i + 1, item=item["id"], other=seen[item["id"]] + 1))
        seen[item["id"]] = i
        items.append(item)
    from controller.dataslides.items import resolve_data_items  # docs/sources.md

    resolve_data_items(session, BODY, items)
    return items


def parse_title(f: Fields, partial: bool = False) -> dict[str, str]:
    """``title: {vi, en}`` (``partial``: either may be left out)."""
    title = f.mapping("title")
    if partial:
        title.only(optional=TITLE_LANGUAGES)
    else:
        title.only(required=TITLE_LANGUAGES)
    return {lang: title.text(lang) for lang in TITLE_LANGUAGES  # type: ignore[misc]
            if not partial or lang in title.data}


def parse_themes(f: Fields) -> list[str]:
    return f.text_list("themes", pattern=ID_RE, required=False, non_empty=False,
                       max_len=63, hint=ID_HINT)


def parse_new_playlist(session: Session, store: MediaStore, data: Any,
                       config: LanguageConfig | None = None) -> dict[str, Any]:
    """``{id, title: {vi, en}, agency?, themes?, items}`` → keyword values for
    ``workflow.create_playlist`` (``agency`` None when not given)."""
    f = Fields(BODY, data, refusal("playlist"))
    f.only(required=("id", "title", "items"), optional=("agency", "themes"))
    playlist_id = f.text("id", pattern=ID_RE, max_len=63, hint=ID_HINT)
    agency = (f.text("agency", pattern=ID_RE, max_len=63, hint=ID_HINT)
              if f.data.get("agency") is not None else None)
    if agency is not None and session.get(Agency, agency) is None:
        known = ", ".join(sorted(session.scalars(select(Agency.id))))
        f.fail("agency", refusal("unknown agency %(agency)r (known: %(known)s)",
                                 agency=agency, known=known) if known else
               refusal("unknown agency %(agency)r (known: none)", agency=agency))
    title = parse_title(f)
    themes = parse_themes(f)
    items = parse_items(session, store, data["items"], config)
    return {"id": playlist_id, "title_vi": title["vi"], "title_en": title["en"],
            "agency": agency, "themes": themes, "items": items}


def parse_details(data: Any) -> dict[str, Any]:
    """``{title?: {vi?, en?}, themes?}`` → keyword values for
    ``workflow.update_details``."""
    f = Fields(BODY, data, refusal("playlist"))
    f.only(optional=("title", "themes"))
    out: dict[str, Any] = {}
    if "title" in f.data:
        title = parse_title(f, partial=True)
        out.update({f"title_{lang}": text for lang, text in title.items()})
    if "themes" in f.data:
        out["themes"] = parse_themes(f)
    return out


def parse_draft(session: Session, store: MediaStore, data: Any,
                config: LanguageConfig | None = None) -> list[dict[str, Any]]:
    """``{items: [...]}`` → the items."""
    f = Fields(BODY, data, refusal("draft"))
    f.only(required=("items",))
    return parse_items(session, store, data["items"], config)
