"""Wrapping text at word boundaries and shrinking it step by step until it fits.

Break opportunities, from the most to the least preferred:

1. spaces (and explicit line breaks ``\\n``);
2. inside a Lao "word" (Lao writes no spaces between words, a space-delimited Lao chunk
   is often a whole phrase) that does not fit on a line of its own: Lao **syllable**
   boundaries, found by a conservative rule (:func:`syllable_units`);
3. only at the smallest size, as a last resort before refusing the text (a long URL, an
   unusually long Lao compound): **character** boundaries, where a character is a
   grapheme cluster — a base with its combining marks (Vietnamese accents, Lao vowel and
   tone marks, Lao AM) — with a Lao leading vowel (ເ ແ ໂ ໃ ໄ) kept with the consonant
   after it and the Lao vowels ະ າ ຽ and ໆ kept with the one before.

Nothing is ever cut: a size is accepted only when every line fits the width and the
inked bounding box of every run lies inside the region; otherwise the next smaller size
is tried, and below the smallest :class:`TextDoesNotFit` is raised.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from controller.slides import fonts

LEADING_VOWELS = frozenset("\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")  # ເ ແ ໂ ໃ ໄ
# Never at the start of a piece: Lao AM (a spacing mark of its cluster), the vowels
# ະ າ ຽ that follow their consonant, and the repetition mark ໆ.
LAO_FOLLOWERS = frozenset("\u0eb0\u0eb2\u0eb3\u0ebd\u0ec6")
LAO_HO = "\u0eab"  # ຫ: the silent prefix of ຫນ ຫມ ຫລ ຫວ … clusters
LAO_HO_CLUSTER = frozenset("\u0e87\u0e8d\u0e99\u0ea1\u0ea3\u0ea5\u0ea7")  # ງ ຍ ນ ມ ຣ ລ ວ


def is_lao_consonant(ch: str) -> bool:
    return "\u0e81" <= ch <= "\u0eae" or "\u0edc" <= ch <= "\u0edf"


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
    """The smallest pieces a line may be broken into (module docstring, level 3)."""
    out: list[str] = []
    glue_next = False
    for cluster in clusters(text):
        if out and (glue_next or cluster[0] in LAO_FOLLOWERS):
            out[-1] += cluster
        else:
            out.append(cluster)
        glue_next = cluster in LEADING_VOWELS
    return out


def _has_vowel(piece: str) -> bool:
    return any(fonts.is_lao(ch) and not is_lao_consonant(ch) for ch in piece)


def syllable_units(text: str) -> list[str]:
    """``text`` cut at the Lao syllable boundaries a conservative rule is sure of: before
    a leading vowel, or before a consonant that carries a vowel or tone mark (a final
    consonant never does), unless the piece so far has no vowel yet (``ກ|ວ່າ``), or the
    previous unit is the prefix ຫ or a leading vowel with a bare consonant (``ເຫ|ວ້``,
    ``ໃຫ|ຍ່`` are one syllable each); a bare ຫ before ງ ຍ ນ ມ ຣ ລ ວ carrying a mark
    starts one (``ເທດ|ຫວຽດ``). Non-Lao characters never start a piece."""
    units = char_units(text)
    pieces: list[str] = []
    for i, unit in enumerate(units):
        if i == 0:
            pieces.append(unit)
            continue
        prev = units[i - 1]
        nxt = units[i + 1] if i + 1 < len(units) else ""
        starts = (unit[0] in LEADING_VOWELS or (is_lao_consonant(unit[0]) and len(unit) > 1)
                  or (unit == LAO_HO and nxt[:1] in LAO_HO_CLUSTER and len(nxt) > 1))
        blocked = (not fonts.is_lao(prev[-1]) or not _has_vowel(pieces[-1]) or prev == LAO_HO
                   or (len(prev) == 2 and prev[0] in LEADING_VOWELS
                       and is_lao_consonant(prev[1])))
        if starts and not blocked:
            pieces.append(unit)
        else:
            pieces[-1] += unit
    return pieces


@lru_cache(maxsize=8192)
def text_width(text: str, bold: bool, size: int, lang: str) -> float:
    """Advance width of ``text`` drawn run by run, each run in its script's font."""
    return sum(fonts.font(script, bold, size).getlength(
        run, language=fonts.run_language(script, lang)) for script, run in fonts.split_runs(text))


def wrap(text: str, bold: bool, size: int, lang: str, max_width: float,
         char_breaks: bool = False) -> list[str] | None:
    """Greedy line breaking (module docstring); None when some unbreakable piece is
    wider than ``max_width``."""

    def fits(s: str) -> bool:
        return text_width(s, bold, size, lang) <= max_width

    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = [w for w in paragraph.split(" ") if w]
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if fits(candidate):
                current = candidate
                continue
            if current:
                lines.append(current)
                current = ""
            if fits(word):
                current = word
                continue
            pieces = syllable_units(word)
            if not all(fits(p) for p in pieces):
                if not char_breaks:
                    return None
                pieces = char_units(word)
                if not all(fits(p) for p in pieces):
                    return None
            for piece in pieces:
                if fits(current + piece):
                    current += piece
                else:
                    lines.append(current)
                    current = piece
        lines.append(current)
    return lines


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


class TextDoesNotFit(ValueError):
    def __init__(self, message: str, lang: str) -> None:
        super().__init__(message)
        self.lang = lang


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
        lines = wrap(para.text, para.bold, size, para.lang, width - overhang(size), char_breaks)
        if lines is None:
            return None
        asc, desc = _metrics(para.text, para.bold, size)
        space = round(base * para.space_before) if i else 0
        blocks.append((para, size, lines, asc, desc, space))
        total += space + len(lines) * (asc + desc)
    if total > y1 - y0:
        return None
    top = y0 + ((y1 - y0 - total) // 2 if valign == "center" else 0)
    placed = Placed(base=base, char_breaks=char_breaks)
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
    breaks are allowed as a last resort. Raises :class:`TextDoesNotFit` naming the
    language whose text takes the most room."""
    for step, base in enumerate(sizes):
        placed = _try(paras, region, base, False, valign)
        if placed is not None:
            placed.steps = step
            return placed
    placed = _try(paras, region, sizes[-1], True, valign)
    if placed is not None:
        placed.steps = len(sizes) - 1
        return placed
    room: dict[str, int] = {}
    width = region[2] - region[0]
    for para in paras:
        size = max(1, round(sizes[-1] * para.factor))
        lines = wrap(para.text, para.bold, size, para.lang, width - overhang(size), True)
        lines = lines or [""] * 10**6
        asc, desc = _metrics(para.text, para.bold, size)
        room[para.lang] = room.get(para.lang, 0) + len(lines) * (asc + desc)
    worst = max(room, key=lambda k: room[k])
    raise TextDoesNotFit(f"needs {sum(room.values())} px of height at the smallest size, "
                         f"the space has {region[3] - region[1]} px", worst)
