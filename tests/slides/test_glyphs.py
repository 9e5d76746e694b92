"""Every character of every shipped text has a glyph in the font the renderer picks for
it (fontTools' cmap): no empty boxes on a screen. Fails if, say, the Lao font were
picked for Vietnamese (Noto Sans Lao has no Latin letters, no digits, no punctuation)
or Noto Sans for Lao (it has no Lao)."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import pytest

from controller.slides import fonts
from controller.slides.render import EMERGENCY_LABELS, PROVINCE_EN, PROVINCE_VI

from .conftest import emergency_examples, playlist_texts, site_names

ttLib = pytest.importorskip("fontTools.ttLib", reason="fontTools (the dev extra) is needed")


@cache
def cmap(path: Path) -> frozenset[int]:
    return frozenset(ttLib.TTFont(str(path)).getBestCmap())


def _texts() -> list[tuple[str, str, str]]:
    texts = list(playlist_texts())
    for n, messages in enumerate(emergency_examples()):
        for lang, message in messages.items():
            texts += [(f"emergency example {n}", lang, message.get("title") or ""),
                      (f"emergency example {n}", lang, message.get("body") or "")]
    texts += [(f"site {sid}", lang, name) for sid, lang, name in site_names()]
    texts += [("frame", "vi", PROVINCE_VI), ("frame", "en", PROVINCE_EN)]
    texts += [("emergency label", lang, label) for lang, label in EMERGENCY_LABELS.items()]
    return texts


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` the renderer would draw with a font lacking them, checked
    run by run exactly as the renderer cuts the text, in both weights."""
    text = unicodedata.normalize("NFC", text)
    missing = []
    for bold in (False, True):
        for script, run in fonts.split_runs(text):
            have = cmap(fonts.font_path(script, bold))
            for ch in run:
                if ch != "\n" and ord(ch) not in have:
                    missing.append(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')} "
                                   f"({fonts.font_path(script, bold).name})")
    return missing


def test_the_shipped_texts_cover_every_language_and_script() -> None:
    texts = _texts()
    langs = {lang for _, lang, _ in texts}
    assert {"vi", "en", "fr", "lo"} <= langs
    assert any(fonts.is_lao(ch) for _, _, t in texts for ch in t)
    assert any(ch in "Ứừữậẩẫặễệổỗộợụủứửự" for _, _, t in texts for ch in t)


@pytest.mark.parametrize(("where", "lang", "text"), _texts(),
                         ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None)
def test_every_character_has_a_glyph_in_its_font(where: str, lang: str, text: str) -> None:
    assert missing_glyphs(text) == [], f"{where} ({lang}): {text!r}"


def test_vietnamese_is_never_drawn_with_the_lao_font_nor_lao_with_noto_sans() -> None:
    assert fonts.font_for_char("ế").name == "NotoSans-Regular.ttf"
    assert fonts.font_for_char("1").name == "NotoSans-Regular.ttf"
    assert fonts.font_for_char("ດ", bold=True).name == "NotoSansLao-Bold.ttf"
    # The check above would catch the swap: each font lacks the other's letters.
    assert ord("ế") not in cmap(fonts.font_path(fonts.LAO))
    assert ord("ດ") not in cmap(fonts.font_path(fonts.LATIN))
    assert fonts.split_runs("ປີ 1962, ເຫວ້.") == [
        ("lao", "ປີ"), ("latin", " 1962, "), ("lao", "ເຫວ້"), ("latin", ".")]
