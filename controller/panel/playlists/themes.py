"""The playlists' themes, as people choose them: a translated list, not slugs typed in
(issue 16, point 5). A playlist stores the theme's id (``tourism``); the panel shows its
name in the panel's language. A new theme is a new entry here, with its Vietnamese in
this area's catalogue; a theme a playlist file or the API gave that is not listed is
shown by its id until it is added."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

THEMES = (
    ("tourism", _l("Tourism")),
    ("heritage", _l("Heritage")),
    ("festival", _l("Festivals")),
    ("sea-islands", _l("Sea and islands")),
    ("border", _l("Border crossing")),
    ("vietnam-laos", _l("Vietnam–Laos friendship")),
    ("safety", _l("Safety")),
    ("investment", _l("Investment")),
    ("transport", _l("Travel and transport")),
    ("weather", _l("Weather")),
)


def theme_choices() -> list[dict[str, str]]:
    """``[{"id", "label"}]`` in the current language, in the list's order."""
    return [{"id": theme_id, "label": str(label)} for theme_id, label in THEMES]
