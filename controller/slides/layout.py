"""Wrapping text at its allowed line breaks and shrinking it step by step until it fits.

Break opportunities, from the most to the least preferred:

1. the Unicode line breaks (UAX #14, with ICU's dictionary for Lao words and a few
   typographic tailorings: :mod:`controller.slides.linebreak`), and explicit ``\\n``;
   a title (a bold paragraph) never ends with one short word alone on its last line;
2. only at the smallest size, as a last resort before refusing the text (a long URL, an
   unusually long Lao compound): **character** boundaries, where a character is a
   grapheme cluster — a base with its combining marks (Vietnamese accents, Lao vowel and
   tone marks, Lao AM) — with a Lao leading vowel (ເ ແ ໂ ໃ ໄ) kept with the consonant
   after it and the Lao vowels ະ າ ຽ and ໆ kept with the one before.

A Lao word is never cut between its syllables at a larger size: the text shrinks first
(a trial found ພິ|ເສດ and ຫວຽດ|ນາມ cut by the syllable rule this replaced).

Nothing is ever cut: a size is accepted only when every line fits the width and the
inked bounding box of every run lies inside the region; otherwise the next smaller size
is tried, and below the smallest :class:`TextDoesNotFit` is raised.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from controller.slides import fonts, linebreak

LEADING_VOWELS = frozenset("\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")  # ເ ແ ໂ ໃ ໄ
# Never at the start of a piece: Lao AM (a spacing mark of its cluster), the vowels
# ະ າ ຽ that follow their consonant, and the repetition mark ໆ.
LAO_FOLLOWERS = frozenset("\u0eb0\u0eb2\u0eb3\u0ebd\u0ec6")


def joins_previous(ch: str) -> bool:
    """True for a character that belongs to the cluster before it."""
    return (unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or ch in "\u200c\u200d\u0eb3" or "\ufe00" <= ch <= "\ufe0f")


def clusters(text: str) -> list[str]:
    """Grapheme clusters: a base and the marks that sit on it."""
    out: list[str] = []
    for ch in text:
        if out and joins_previous(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def char_units(text: str) -> list[str]:
    """The smallest pieces a line may be broken into (module docstring, level 2)."""
    out: list[str] = []
    glue_next = False
    for cluster in clusters(text):
        if out and (glue_next or cluster[0] in LAO_FOLLOWERS):
            out[-1] += cluster
        else:
            out.append(cluster)
        glue_next = cluster in LEADING_VOWELS
    return out


@lru_cache(maxsize=8192)
def text_width(text: str, bold: bool, size: int, lang: str) -> float:
    """Advance width of ``text`` drawn run by run, each run in its script's font."""
    return sum(fonts.font(script, bold, size).getlength(
        run, language=fonts.run_language(script, lang)) for script, run in fonts.split_runs(text))


SHORT_LAST_WORD = 10  # characters: a title's last line of one word this short is a widow


def _fill(pieces: Sequence[str], fits: Callable[[str], bool], char_breaks: bool,
          ) -> list[list[str]] | None:
    """Greedy: each line takes whole pieces while it fits (trailing spaces do not count);
    a piece wider than a line is cut into characters when ``char_breaks`` allows."""
    lines: list[list[str]] = []
    current: list[str] = []
    for piece in pieces:
        if fits("".join(current + [piece]).rstrip()):
            current.append(piece)
            continue
        if current:
            lines.append(current)
            current = []
        word = piece.rstrip()
        if fits(word):
            current = [piece]
            continue
        if not char_breaks:
            return None
        units = char_units(word)
        if not all(fits(u) for u in units):
            return None
        for unit in units:
            if current and not fits("".join(current) + unit):
                lines.append(current)
                current = []
            current = ["".join(current) + unit]
        current[-1] += piece[len(word):]
    lines.append(current)
    return lines


def _no_widow(lines: list[list[str]], fits: Callable[[str], bool]) -> None:
    """A title never ends with one short word alone: the last word of the line before
    moves down when both lines still fit."""
    if len(lines) < 2 or len(lines[-1]) != 1 or len(lines[-2]) < 2:
        return
    if len(lines[-1][0].strip()) > SHORT_LAST_WORD:
        return
    moved = [lines[-2][-1]] + lines[-1]
    if fits("".join(moved).rstrip()) and fits("".join(lines[-2][:-1]).rstrip()):
        lines[-2], lines[-1] = lines[-2][:-1], moved


def wrap(text: str, bold: bool, size: int, lang: str, max_width: float,
         char_breaks: bool = False, title: bool = False) -> list[str] | None:
    """Lines of ``text`` at the Unicode line breaks (:mod:`controller.slides.linebreak`),
    greedy, with no widow in a ``title``; None when some unbreakable piece is wider than
    ``max_width`` (and ``char_breaks`` is not allowed)."""

    def fits(s: str) -> bool:
        return text_width(s, bold, size, lang) <= max_width

    out: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = " ".join(word for word in paragraph.split(" ") if word)
        lines = _fill(linebreak.segments(paragraph, lang), fits, char_breaks) if paragraph \
            else [[]]
        if lines is None:
            return None
        if title:
            _no_widow(lines, fits)
        out += ["".join(line).rstrip() for line in lines]
    return out


@dataclass(frozen=True)
class Para:
    """One text to set: its language, weight, size (a factor of the stack's base size),
    colour, and the space (also a factor of the base size) and rule before it."""

    text: str
    lang: str
    bold: bool
    factor: float
    fill: tuple[int, int, int]
    space_before: float = 0.0
    rule_before: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class PlacedRun:
    x: int
    baseline: int
    text: str
    script: str
    bold: bool
    size: int
    language: str
    fill: tuple[int, int, int]
    bbox: tuple[int, int, int, int]  # inked box on the canvas


@dataclass
class Placed:
    """A stack laid out: the runs to draw, the rules between languages, the base size
    chosen and how many shrink steps it took."""

    runs: list[PlacedRun] = field(default_factory=list)
    rules: list[tuple[int, int, int, int, tuple[int, int, int]]] = field(default_factory=list)
    base: int = 0
    steps: int = 0
    char_breaks: bool = False
    lines: dict[int, list[str]] = field(default_factory=dict)  # para index -> its lines
    # The stack's box: the region's left and right, the first line's top and the last
    # line's bottom (line boxes, not ink).
    block: tuple[int, int, int, int] = (0, 0, 0, 0)


class TextDoesNotFit(ValueError):
    """``langs``: the languages whose texts take about their share of the height or more
    (:func:`fit`), most first (at least one); ``lang`` the first of them."""

    def __init__(self, message: str, langs: Sequence[str]) -> None:
        super().__init__(message)
        self.langs = tuple(langs)
        self.lang = self.langs[0]


def overhang(size: int) -> int:
    """Width kept free at the end of a line for ink beyond the advance width (and for a
    first glyph moved right because it overhangs its origin)."""
    return math.ceil(size * 0.05)


def size_ladder(start: int, minimum: int, factor: float = 0.92) -> list[int]:
    """Sizes from ``start`` down to ``minimum`` (both included), each about ``factor``
    times the one before, strictly decreasing."""
    sizes = [start]
    while sizes[-1] > minimum:
        sizes.append(max(minimum, min(sizes[-1] - 1, int(sizes[-1] * factor))))
    return sizes


def _metrics(text: str, bold: bool, size: int) -> tuple[int, int]:
    scripts = {s for s, _ in fonts.split_runs(text)} or {fonts.LATIN}
    asc = max(fonts.font(s, bold, size).getmetrics()[0] for s in scripts)
    desc = max(fonts.font(s, bold, size).getmetrics()[1] for s in scripts)
    return asc, desc


def _try(paras: Sequence[Para], region: tuple[int, int, int, int], base: int,
         char_breaks: bool, valign: str) -> Placed | None:
    x0, y0, x1, y1 = region
    width = x1 - x0
    blocks = []
    total = 0
    for i, para in enumerate(paras):
        size = max(1, round(base * para.factor))
        lines = wrap(para.text, para.bold, size, para.lang, width - overhang(size), char_breaks,
                     title=para.bold)
        if lines is None:
            return None
        asc, desc = _metrics(para.text, para.bold, size)
        space = round(base * para.space_before) if i else 0
        blocks.append((para, size, lines, asc, desc, space))
        total += space + len(lines) * (asc + desc)
    if total > y1 - y0:
        return None
    spare = y1 - y0 - total
    top = y0 + {"center": spare // 2, "bottom": spare}.get(valign, 0)
    placed = Placed(base=base, char_breaks=char_breaks, block=(x0, top, x1, top + total))
    y = top
    for i, (para, size, lines, asc, desc, space) in enumerate(blocks):
        if para.rule_before is not None and i:
            thickness = max(2, round(base * 0.04))
            mid = y + space // 2 - thickness // 2
            placed.rules.append((x0, mid, x0 + min(width, round(base * 4)), mid + thickness,
                                 para.rule_before))
        y += space
        placed.lines[i] = lines
        for line in lines:
            baseline = y + asc
            runs = fonts.split_runs(line)
            x = float(x0)
            if runs:  # a glyph that overhangs its origin (Lao ປ, italic-like forms)
                script, run = runs[0]
                left = fonts.font(script, para.bold, size).getbbox(
                    run, anchor="ls", language=fonts.run_language(script, para.lang))[0]
                x -= min(0, left)
            for script, run in runs:
                language = fonts.run_language(script, para.lang)
                f = fonts.font(script, para.bold, size)
                left, top_, right, bottom = f.getbbox(run, anchor="ls", language=language)
                bbox = (round(x) + left, baseline + top_, round(x) + right, baseline + bottom)
                if run.strip() and (bbox[0] < x0 or bbox[2] > x1 or bbox[1] < y0
                                    or bbox[3] > y1):
                    return None  # ink outside the region: would be cut off or overlap
                placed.runs.append(PlacedRun(round(x), baseline, run, script, para.bold, size,
                                             language, para.fill, bbox))
                x += f.getlength(run, language=language)
            y += asc + desc
    return placed


def fit(paras: Sequence[Para], region: tuple[int, int, int, int], sizes: Sequence[int],
        valign: str = "center") -> Placed:
    """Lay ``paras`` out in ``region`` (x0, y0, x1, y1) at the first base size of
    ``sizes`` (largest first) at which everything fits; at the last size, character
    breaks are allowed as a last resort. ``valign``: ``center``, ``top`` or ``bottom``
    (a caption band). Raises :class:`TextDoesNotFit` naming the
    languages whose texts are too long."""
    for step, base in enumerate(sizes):
        placed = _try(paras, region, base, False, valign)
        if placed is not None:
            placed.steps = step
            return placed
    placed = _try(paras, region, sizes[-1], True, valign)
    if placed is not None:
        placed.steps = len(sizes) - 1
        return placed
    width = region[2] - region[0]
    height = region[3] - region[1]
    room = _room(paras, width, lambda para: max(1, round(sizes[-1] * para.factor)))
    # Which languages to name: each text's height at one common size (the primary's
    # larger type does not count against it), named when at least 3/4 of an equal share,
    # most first; a short text beside long ones is not named.
    share = _room(paras, width, lambda para: max(1, round(sizes[-1] * SECONDARY_SHARE)))
    ranked = sorted(share, key=lambda k: -share[k])
    over = [lang for lang in ranked if share[lang] >= 0.75 * sum(share.values()) / len(share)]
    raise TextDoesNotFit(f"needs {sum(room.values())} px of height at the smallest size, "
                         f"the space has {height} px", over)


SECONDARY_SHARE = 0.5  # the common size :func:`fit` compares languages at (of the base)


def _room(paras: Sequence[Para], width: int, size_of: Callable[[Para], int],
          ) -> dict[str, int]:
    """Height each language's paragraphs take, wrapped at ``size_of(para)``."""
    room: dict[str, int] = {}
    for para in paras:
        size = size_of(para)
        lines = wrap(para.text, para.bold, size, para.lang, width - overhang(size), True)
        lines = lines or [""] * 10**6
        asc, desc = _metrics(para.text, para.bold, size)
        room[para.lang] = room.get(para.lang, 0) + len(lines) * (asc + desc)
    return room
