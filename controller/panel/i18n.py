"""The panel's languages: Vietnamese by default, English one click away (Flask-Babel).

Message ids are English; each area of the panel keeps its Vietnamese catalogue in its
own ``translations/`` folder and Flask-Babel merges them (``BABEL_TRANSLATION_DIRECTORIES``
lists them all). The chosen language is kept in the session, so it follows the person
from page to page and survives logging in. Dates are shown in the province's time zone
(Asia/Ho_Chi_Minh), in the language's format."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, session
from flask_babel import Babel

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"
TIMEZONE = "Asia/Ho_Chi_Minh"
SESSION_KEY = "panel_lang"

babel = Babel()


def current_language() -> str:
    lang = session.get(SESSION_KEY)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


ROOT = Path(__file__).parent


def areas(root: Path = ROOT) -> list[Path]:
    """The panel's base folder and every area folder that has a catalogue."""
    return [root, *sorted(p for p in root.iterdir() if (p / "translations").is_dir())]


def translation_directories() -> list[Path]:
    """The base catalogue and every area's, in a fixed order."""
    return [area / "translations" for area in areas()]


def init_i18n(app: Flask) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    app.config["BABEL_DEFAULT_TIMEZONE"] = TIMEZONE
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        str(p) for p in translation_directories())
    babel.init_app(app, locale_selector=current_language)
