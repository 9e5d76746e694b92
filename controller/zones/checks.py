"""Checks of the layouts against what they name, at import (docs/zones.md): a ticker's
playlist whose text is too long for a ticker is refused at the layout's ``playlist:``
line, naming the item, the language and its length, so nothing is stored; so is one
whose approved version lacks a language of a screen using the layout
(``controller.zones.completeness``).

Run after the playlists are imported (``controller.content.import_all``), on the
latest version of each ticker playlist (the one just imported, draft or approved);
a ticker playlist not imported yet is fine: the ticker stays empty until it is."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.content.assignments import PlaylistItems, load_screens
from controller.content.completeness import refusal_for_screens
from controller.content.yamlfile import YamlError, line_of, load_yaml
from controller.models import PlaylistVersion, Screen
from controller.refusals import refusal
from controller.zones.completeness import in_ticker, missing_in_ticker
from controller.zones.declarations import parse_layouts
from controller.zones.ticker import MAX_ITEM_CHARS, too_long

LANGUAGES = ("vi", "en", "lo", "fr")


def _playlist_line(path: Path, index: int) -> int | None:
    data = load_yaml(path)
    try:
        entry = data["layouts"][index]
        return line_of(entry["ticker"], "playlist") or line_of(entry)
    except (KeyError, IndexError, TypeError):
        return None


def check_tickers(session: Session, path: Path) -> None:
    """Refuse the layouts file when a ticker's playlist holds an item whose text in a
    language is longer than a ticker takes, or when its approved version lacks a
    language of a screen using the layout."""
    path = Path(path)
    screens = load_screens(session)
    approved = PlaylistItems(session)
    for index, layout in enumerate(parse_layouts(path)):
        found = approved.current(layout.ticker_playlist) if layout.ticker_playlist else None
        if found is not None:
            using = session.scalars(select(Screen.id).where(Screen.layout == layout.name))
            message = refusal_for_screens(
                in_ticker(refusal("playlist %(playlist)r", playlist=found[0]), [layout.name]),
                missing_in_ticker(found[1], [screens[sid] for sid in using if sid in screens]))
            if message:
                raise YamlError(path, _playlist_line(path, index), message)
        playlist = layout.ticker_playlist
        if playlist is None:
            continue
        items = session.scalar(select(PlaylistVersion.items)
                               .where(PlaylistVersion.playlist_id == playlist)
                               .order_by(PlaylistVersion.number.desc()).limit(1))
        for item_id, lang, length in too_long(list(items or []), LANGUAGES)[:1]:
            raise YamlError(path, _playlist_line(path, index), refusal(
                "layout %(layout)r: the ticker's playlist %(playlist)r has item %(item)r "
                "whose %(lang)s text is %(length)d characters; a ticker item takes at most "
                "%(most)d (a sentence a traveller reads as it passes): shorten it or "
                "split it into items", layout=layout.name, playlist=playlist,
                item=item_id, lang=lang, length=length, most=MAX_ITEM_CHARS))
