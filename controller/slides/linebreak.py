"""Where a line of slide text may end: the Unicode line-breaking algorithm (UAX #14) as
ICU implements it, with ICU's dictionary for Lao, which writes no spaces between words
(ພິເສດ, ຫວຽດນາມ and ສາລະວັນ are never cut between syllables), plus the few tailorings
UAX #14 leaves to typography and ICU 72 does not yet make:

- an opening quotation mark or bracket written with a space after it, as French and Lao
  texts write ``« Festival``, stays with the word after it (never "… UNESCO «" at the end
  of a line; Unicode 15.1's rule LB15a, not in ICU 72);
- a closing one written with a space before it (``2025 »``) stays with the word before
  it (LB15b);
- a dash written between spaces (``Huế – Đà Nẵng``) never starts a line;
- a currency sign after a number and a space (``10.000 ₭``) stays with its number.

:func:`segments` cuts a text into pieces that may not be broken further; a line is a
run of whole pieces. ICU break iterators are not thread-safe: each thread keeps its own
(a line iterator costs a few hundred microseconds to make, a text a few microseconds to
cut).
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

import icu

_local = threading.local()

OPENING = frozenset(("Ps", "Pi"))
CLOSING = frozenset(("Pe", "Pf"))


def _iterator(lang: str) -> icu.BreakIterator:
    cache: dict[str, icu.BreakIterator] = _local.__dict__.setdefault("iterators", {})
    if lang not in cache:
        cache[lang] = icu.BreakIterator.createLineInstance(icu.Locale(lang))
    return cache[lang]


def _icu_pieces(text: str, lang: str) -> list[str]:
    iterator = _iterator(lang)
    iterator.setText(text)
    pieces, start = [], 0
    for end in iterator:
        pieces.append(text[start:end])
        start = end
    return pieces


def _category(ch: str) -> str:
    return unicodedata.category(ch)


def _glue_to_next(piece: str) -> bool:
    """A piece that must not end a line: an opening mark standing alone (``« ``)."""
    word = piece.rstrip()
    return len(word) == 1 and _category(word) in OPENING


def _glue_to_previous(piece: str, previous: str) -> bool:
    """A piece that must not start a line: a closing mark or a dash standing alone
    (``» ``, ``– ``), or a currency sign after a number (``₭`` after ``10.000 ``)."""
    word = piece.rstrip()
    if len(word) != 1:
        return False
    category = _category(word)
    if category in CLOSING or category == "Pd":
        return True
    before = previous.rstrip()
    return category == "Sc" and bool(before) and before[-1].isdigit()


@lru_cache(maxsize=4096)
def segments(text: str, lang: str) -> tuple[str, ...]:
    """``text`` (one paragraph, no ``\\n``) cut at its allowed line breaks; each piece
    keeps the spaces that follow it, so ``"".join(segments(t, lang)) == t``."""
    out: list[str] = []
    glue_next = False
    for piece in _icu_pieces(text, lang):
        if out and (glue_next or _glue_to_previous(piece, out[-1])):
            out[-1] += piece
        else:
            out.append(piece)
        glue_next = _glue_to_next(piece)
    return tuple(out)
