"""Completeness: does a playlist have every language the screens showing it require?

Pure functions, no database. ``missing_languages`` answers for one list of items and one
list of required languages; ``refusal`` turns the answers for several screens into the
one sentence an import is refused with, naming every item and every missing language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from controller.refusals import Refusal, joined, refusal

Missing = dict[str, list[str]]  # item id -> the required languages it has no variant in


def missing_languages(items: Iterable[Mapping[str, Any]], required: Sequence[str]) -> Missing:
    """``{item_id: [lang, …]}`` for every item lacking a variant in a ``required``
    language (in the order of ``required``); empty when the items are complete."""
    out: Missing = {}
    for item in items:
        variants = item.get("variants") or {}
        lacking = [lang for lang in dict.fromkeys(required) if lang not in variants]
        if lacking:
            out[str(item.get("id"))] = lacking
    return out


def describe_missing(missing: Mapping[str, Sequence[str]]) -> Refusal:
    """``item 'welcome' lacks lo; item 'citadel' lacks fr, lo``."""
    return joined("; ", [refusal("item %(item)r lacks %(languages)s", item=item,
                                 languages=", ".join(langs))
                         for item, langs in missing.items()])


def refusal_for_screens(subject: str, per_screen: Mapping[str, Missing]) -> Refusal | None:
    """None if no screen misses anything; else ``subject`` (e.g. ``"playlist
    'welcome-hue@1'"``) followed by, for each group of screens missing the same things,
    the screens and every item with every language it lacks."""
    groups: dict[str, list[str]] = {}
    said: dict[str, Refusal] = {}
    for screen, missing in per_screen.items():
        if missing:
            what = describe_missing(missing)
            said.setdefault(what, what)
            groups.setdefault(what, []).append(screen)
    if not groups:
        return None
    parts = [refusal("for screens %(screens)s: %(what)s", screens=", ".join(sorted(screens)),
                     what=said[what]) if len(screens) > 1 else
             refusal("for screen %(screen)s: %(what)s", screen=screens[0], what=said[what])
             for what, screens in groups.items()]
    return refusal("%(subject)s lacks languages its screens require — %(groups)s. Add the "
                   "missing variants to the playlist, or change the screens' languages or "
                   "the playlist they show", subject=subject, groups=joined(" | ", parts))
