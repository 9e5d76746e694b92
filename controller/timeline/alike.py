"""Screens alike: one body built for screens whose timelines differ only in the screen's
id and name (docs/architecture.md "Screens alike", docs/performance.md).

A province's screens come in a few kinds: the screens of one site that show the same
playlists at the same resolution in the same languages have the same segments, the same
playlists part, the same media and the same emergencies; their bodies differ in the
``screen`` member and ``display.name``, nothing else. The loader gives such screens the
same ``alike`` key (``key_of``); the builder builds the first one's body and *stamps* the
others from it (``stamp``): their own id and name in a copy of the top level and of
``display``, every other value the very object the first body holds (nothing changes a
body once built). The hasher (``controller.timeline.hashing``) then encodes the shared
values once.

What makes a screen's body depend on its id beyond those two members keeps it out of
any group: a schedule that names the screen by id (``key_of`` returns None), an item
with a link, whose QR badges are the screen's own (the builder asks the slide step,
``SlideStep.per_screen``). Emergencies that target a screen by id are part of the key,
so only screens with the same emergencies share a body. A property test builds random
fleets both ways and compares every stored hash
(``tests/timeline_incremental/test_alike_property.py``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

__all__ = ["key_of", "stamp"]


def key_of(row: Any, timezone: str, named: bool, schedules: Iterable[Any],
           emergencies: Iterable[Any]) -> Hashable | None:
    """The ``alike`` key of a screen's row (``controller.timeline.inputs.SCREEN_ROWS``)
    in one load: every column but its id and names, its effective ``timezone``, the ids
    of the ``schedules`` and ``emergencies`` that target it. None when a schedule
    ``named`` the screen by id (its segments may be its own)."""
    if named:
        return None
    return (row.site_id, row.orientation, row.width, row.height,
            tuple(row.languages or ()), row.bilingual_mode, row.alternate_timing or "split",
            timezone, row.default_playlist_id, row.layout or "", tuple(row.tags or ()),
            tuple(schedule.id for schedule in schedules),
            tuple(emergency.id for emergency in emergencies))


def stamp(template: dict[str, Any], screen_id: str,
          name: Mapping[str, str]) -> dict[str, Any]:
    """The body of a screen alike ``template``'s: its id and name, the rest shared."""
    display = {**template["display"], "name": dict(name)}
    return {**template, "screen": screen_id, "display": display}
