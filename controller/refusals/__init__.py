"""Refusals said to people in their language (issue 12, point 12).

A refusal is built where the rule lives (``controller.review``, ``controller.content``,
the API modules…), and much of that code also serves the command line, the job worker
and tests, where there is no request and so no language. ``refusal(template, **params)``
therefore returns a :class:`Refusal`: a ``str`` whose text is exactly the English
sentence those places always printed (``str()``, f-strings, logs, the CLI and the tests
see today's text), and which remembers its template and parameters. The API's error
handler says it again in the caller's language with :func:`say`. The *template* is
translated, never the finished sentence: ``"No playlist %(playlist)r."`` has one
Vietnamese translation whatever the playlist.

Why gettext with English ids rather than a catalogue of message ids: the code reads as
the sentence it says, Babel extracts every ``refusal("…")`` call (the keyword
``refusal``) so no template can be forgotten in a hand-kept table, translators work in
the same ``.po`` format as the panel's, and named ``%(x)s`` placeholders let a
translation put the names and numbers where Vietnamese wants them. One catalogue for
every API area (``translations/vi/LC_MESSAGES/refusals.po``), not one per area as the
panel has: a refusal raised in ``controller.review`` reaches people through several
routes and must read the same on all of them. ``controller.refusals.catalog`` keeps it
complete (``python -m controller.panel.catalogs update|compile|check`` covers it).

Parameters may themselves be refusals (a sentence inside a sentence, e.g. the text rule's
verdict inside "name.vi %(refusal)s."); they are said in the same language. Names, ids
and numbers are passed as they are: they are data, not language."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

DOMAIN = "refusals"
DIRECTORY = Path(__file__).parent / "translations"
LANGUAGES = ("en", "vi")  # English first: the language of the templates
DEFAULT = "en"


class Refusal(str):
    """The English sentence, remembering ``template`` and ``params`` to be said again
    in another language (:func:`say`)."""

    template: str
    params: dict[str, Any]
    verbatim: bool

    def __new__(cls, template: str, params: dict[str, Any] | None = None,
                verbatim: bool = False) -> Refusal:
        params = dict(params or {})
        text = template % params if params else template
        made = super().__new__(cls, text)
        made.template, made.params, made.verbatim = template, params, verbatim
        return made

    def __str__(self) -> str:  # keep the template through str() and exceptions
        return self

    def said_in(self, language: str) -> str:
        if language == DEFAULT:
            return str.__str__(self)
        template = self.template if self.verbatim else \
            _translations(language).gettext(self.template)
        if not self.params:
            return template
        return template % {name: said(value, language) for name, value in self.params.items()}

    def as_json(self) -> dict[str, Any]:
        """A JSON form to store (a failed job's message), read back by :func:`from_json`."""
        return {"template": self.template, "verbatim": self.verbatim,
                "params": {k: v.as_json() if isinstance(v, Refusal) else v
                           for k, v in self.params.items()}}


def refusal(template: str, **params: Any) -> Refusal:
    """A refusal to be said in the caller's language; ``template`` is a literal (Babel
    extracts it) with named ``%(name)s`` / ``%(name)r`` / ``%(name)d`` placeholders."""
    return Refusal(template, params)


def joined(separator: str, parts: list[Any]) -> Refusal:
    """``separator.join(parts)`` keeping each part a refusal (no words of its own)."""
    names = [f"p{i}" for i in range(len(parts))]
    template = separator.replace("%", "%%").join(f"%({n})s" for n in names)
    return Refusal(template, dict(zip(names, parts, strict=True)), verbatim=True)


def from_json(data: Any) -> str:
    """A refusal stored with :meth:`Refusal.as_json` (or a plain stored sentence)."""
    if not isinstance(data, dict) or "template" not in data:
        return str(data)
    params = {k: from_json(v) if isinstance(v, dict) else v
              for k, v in (data.get("params") or {}).items()}
    return Refusal(str(data["template"]), params, bool(data.get("verbatim")))


def said(value: Any, language: str) -> Any:
    """``value`` in ``language`` when it is a refusal; otherwise unchanged (data)."""
    return value.said_in(language) if isinstance(value, Refusal) else value


def say(message: str, language: str) -> str:
    """The sentence for a person who reads ``language``: a refusal is translated, plain
    text (a sentence nobody marked yet) is returned as it is."""
    return message.said_in(language) if isinstance(message, Refusal) else str(message)


@cache
def _translations(language: str) -> NullTranslations:
    return Translations.load(DIRECTORY, [language], DOMAIN)
