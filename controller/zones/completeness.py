"""A ticker's playlist must speak every language of the screens it scrolls on
(docs/zones.md "Ticker"), like a default or scheduled playlist must: the same check,
the same kind of sentence, at the same moments.

- a playlist imported approved (``controller.content.playlists_import.check_assigned``),
  submitted or approved (``controller.review.workflow.check_complete``) is refused when
  one of its ticker items lacks a language of a screen whose layout scrolls it;
- a sites file is refused at the screen's line when the screen's layout scrolls a
  playlist whose approved version lacks one of the screen's languages
  (``controller.content.sites_import.check_screens``);
- a layouts file is refused at the ticker's ``playlist:`` line when the playlist it
  names lacks a language of a screen using the layout (``controller.zones.checks``).

Only the items that scroll count (text and data items, the first
:data:`~controller.zones.ticker.MAX_ITEMS`): pictures, videos and pages have no place in
a ticker, so their languages do not matter to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from controller.content.assignments import ScreenProfile, load_screens, per_screen
from controller.content.completeness import Missing, refusal_for_screens
from controller.models import Screen
from controller.refusals import Refusal, refusal
from controller.zones.declarations import Layout, stored_layouts
from controller.zones.ticker import MAX_ITEMS

SCROLLING = ("text", "data")


def scrolling(items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The items a ticker scrolls (text and data items among the first it takes)."""
    return [item for item in list(items)[:MAX_ITEMS] if item.get("type") in SCROLLING]


def ticker_layouts(session: Session, playlist_id: str) -> dict[str, Layout]:
    """The stored layouts whose ticker scrolls ``playlist_id``, by name."""
    return {name: layout for name, layout in stored_layouts(session).items()
            if layout.ticker_playlist == playlist_id}


def screens_scrolling(session: Session, playlist_id: str,
                      screens: Mapping[str, ScreenProfile] | None = None
                      ) -> tuple[list[str], dict[str, ScreenProfile]]:
    """(the layouts, the screens) whose ticker scrolls ``playlist_id``."""
    layouts = sorted(ticker_layouts(session, playlist_id))
    if not layouts:
        return [], {}
    ids = set(session.scalars(select(Screen.id).where(Screen.layout.in_(layouts))))
    screens = load_screens(session) if screens is None else screens
    return layouts, {sid: screens[sid] for sid in sorted(ids) if sid in screens}


def in_ticker(subject: str, layouts: Iterable[str]) -> Refusal:
    """``playlist 'news@2' (the ticker of layout 'arrivals-ticker-clock')``."""
    return refusal("%(subject)s (the ticker of layout %(layouts)s)", subject=subject,
                   layouts=", ".join(repr(name) for name in layouts))


def missing_in_ticker(items: Sequence[Mapping[str, Any]], screens: Iterable[ScreenProfile]
                      ) -> dict[str, Missing]:
    """What each screen's ticker would lack of ``items`` (screens lacking nothing left
    out)."""
    return per_screen([dict(item) for item in scrolling(items)], screens)


def ticker_refusal(session: Session, playlist_id: str, items: Sequence[Mapping[str, Any]],
                   subject: str, screens: Mapping[str, ScreenProfile] | None = None
                   ) -> tuple[Refusal, dict[str, Missing]] | None:
    """The refusal (and what is missing, per screen) when ``items``, as the next
    approved version of ``playlist_id``, would lack a language of a screen whose ticker
    scrolls it; None when nothing is missing. ``screens``: the screens' profiles when
    the caller has them."""
    layouts, shown = screens_scrolling(session, playlist_id, screens)
    missing = missing_in_ticker(items, shown.values())
    message = refusal_for_screens(in_ticker(subject, layouts), missing)
    return (message, missing) if message else None


def screen_ticker_refusal(session: Session, screen: ScreenProfile, layout_name: str | None,
                          items_of: Any) -> Refusal | None:
    """The refusal when ``screen``, with the layout ``layout_name``, would scroll a
    playlist whose approved version lacks one of its languages. ``items_of``: a
    ``PlaylistItems`` (``current(id)`` gives ``(key, items)`` or None)."""
    layout = stored_layouts(session).get(layout_name) if layout_name else None
    playlist = layout.ticker_playlist if layout is not None else None
    found = items_of.current(playlist) if playlist else None
    if found is None or layout is None:
        return None
    return refusal_for_screens(in_ticker(refusal("playlist %(playlist)r", playlist=found[0]),
                                         [layout.name]),
                               missing_in_ticker(found[1], [screen]))
