"""Finding the slide fonts and picking one per script run.

Two families, regular and bold, from Debian's ``fonts-noto-core``
(``scripts/install-system-deps.sh`` installs it):

- **Noto Sans** for Latin text: Vietnamese with all its stacked diacritics, English,
  French, digits, punctuation, spaces;
- **Noto Sans Lao** for the Lao block (U+0E80–U+0EFF) only. It has no digits and no
  punctuation (Lao texts write ``1962``, ``,``, ``.`` and ``·`` with the Latin glyphs),
  and Noto Sans has no Lao glyph, so every text is cut into *runs* by script and each
  run is drawn with the font that has its glyphs.

The choice is by character block alone: Lao vowel and tone marks are in the Lao block
and so always share their base's run; the combining accents of Latin text (rare: texts
are kept NFC) are drawn by Noto Sans with their Latin base.

``PANO_FONT_DIR`` (a directory) is searched before the system directories.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

LAO, LATIN = "lao", "latin"
SCRIPTS = (LATIN, LAO)

FONT_FILES: dict[tuple[str, bool], str] = {
    (LATIN, False): "NotoSans-Regular.ttf",
    (LATIN, True): "NotoSans-Bold.ttf",
    (LAO, False): "NotoSansLao-Regular.ttf",
    (LAO, True): "NotoSansLao-Bold.ttf",
}
SYSTEM_DIRS = (
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/noto",
    "/usr/local/share/fonts",
    "/usr/share/fonts/opentype/noto",
)


class FontMissing(RuntimeError):
    """A slide font is not installed."""


def is_lao(ch: str) -> bool:
    return "\u0e80" <= ch <= "\u0eff"


def script_of(ch: str) -> str:
    """The script whose font draws ``ch``."""
    return LAO if is_lao(ch) else LATIN


def split_runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into ``(script, run)`` pieces; marks stay in their base's run."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        script = script_of(ch)
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + ch)
        else:
            runs.append((script, ch))
    return runs


def run_language(script: str, lang: str) -> str:
    """The BCP 47 language passed to raqm for a run: ``lo`` for Lao runs, else the
    text's own language (``vi`` selects Noto Sans' Vietnamese forms)."""
    return "lo" if script == LAO else lang


def _search_dirs() -> list[Path]:
    dirs = [Path(d) for d in SYSTEM_DIRS]
    extra = os.environ.get("PANO_FONT_DIR")
    return ([Path(extra)] if extra else []) + dirs


@cache
def font_path(script: str, bold: bool = False) -> Path:
    """The file of the font for ``script`` (``latin`` or ``lao``)."""
    name = FONT_FILES[(script, bold)]
    for directory in _search_dirs():
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise FontMissing(f"{name} not found in {', '.join(map(str, _search_dirs()))}: install "
                      f"Debian's fonts-noto-core (scripts/install-system-deps.sh) or set "
                      f"PANO_FONT_DIR")


def font_for_char(ch: str, bold: bool = False) -> Path:
    """The font file the renderer draws ``ch`` with (what the glyph test checks)."""
    return font_path(script_of(ch), bold)


@lru_cache(maxsize=256)
def font(script: str, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(script, bold)), size,
                              layout_engine=ImageFont.Layout.RAQM)


@cache
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fonts_digest() -> dict[str, str]:
    """``{file name: sha256}`` of every slide font (part of a slide's cache key)."""
    out = {}
    for key in sorted(FONT_FILES):
        path = font_path(*key)
        stat = path.stat()
        out[path.name] = _file_sha256(str(path), stat.st_size, stat.st_mtime_ns)
    return out
