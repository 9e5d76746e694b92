"""Line breaks follow the Unicode rules (ICU), with Lao cut between words from ICU's
dictionary, never between syllables, and the typographic tailorings of
controller/slides/linebreak.py — the cases a trial with French and Lao texts found."""

from __future__ import annotations

import pytest

from controller.slides import layout
from controller.slides.layout import wrap
from controller.slides.linebreak import segments

FRENCH = "Patrimoine mondial de l'UNESCO « Festival Huế 2025 » et la Cité impériale"
LAO_PRICE = "ຄ່າທຳນຽມ 10.000 ₭ « ລາວ-ຫວຽດນາມ » ສຳລັບນັກທ່ອງທ່ຽວ"
LAO_WORDS = "ບໍລິການພິເສດສຳລັບນັກທ່ອງທ່ຽວຈາກສາລະວັນແລະເຊກອງສູ່ຫວຽດນາມ"


def _widths(text: str, lang: str, size: int = 40) -> list[float]:
    full = layout.text_width(text, False, size, lang)
    return [full * k / 40 for k in range(6, 41)]


def _all_wraps(text: str, lang: str, size: int = 40) -> list[list[str]]:
    out = []
    for width in _widths(text, lang, size):
        lines = wrap(text, False, size, lang, width)
        if lines is not None:
            out.append(lines)
    assert len(out) > 10  # most widths give a layout: the checks below are not vacuous
    return out


def test_pieces_join_back_to_the_text() -> None:
    for text, lang in ((FRENCH, "fr"), (LAO_PRICE, "lo"), (LAO_WORDS, "lo")):
        assert "".join(segments(text, lang)) == text


@pytest.mark.parametrize(("text", "lang"), [(FRENCH, "fr"), (LAO_PRICE, "lo")])
def test_no_line_ends_with_an_opening_guillemet_or_starts_with_a_closing_one(
        text: str, lang: str) -> None:
    for lines in _all_wraps(text, lang):
        for line in lines:
            assert not line.endswith("«"), lines
            assert not line.startswith("»"), lines


def test_a_currency_sign_stays_with_its_number() -> None:
    assert any(p.startswith("10.000 ₭") for p in segments(LAO_PRICE, "lo"))
    for lines in _all_wraps(LAO_PRICE, "lo"):
        assert not any(line.startswith("₭") for line in lines), lines


def test_a_spaced_dash_never_starts_a_line() -> None:
    text = "Cố đô Huế – Đà Nẵng – Hội An – Mỹ Sơn – Phong Nha"
    for lines in _all_wraps(text, "vi"):
        assert not any(line.startswith("–") for line in lines), lines


def test_lao_breaks_between_words_never_inside_one() -> None:
    pieces = segments(LAO_WORDS, "lo")
    for word in ("ພິເສດ", "ສາລະວັນ", "ຫວຽດນາມ", "ທ່ອງທ່ຽວ"):
        assert any(word in p for p in pieces), (word, pieces)
    for lines in _all_wraps(LAO_WORDS, "lo"):
        joined = "|".join(lines)
        for word in ("ພິເສດ", "ສາລະວັນ", "ຫວຽດນາມ"):
            assert word in joined, lines  # a break inside would put "|" in it


def test_a_title_does_not_end_with_one_short_word() -> None:
    title = "Chào mừng quý khách đến với Huế"
    width = layout.text_width("Chào mừng quý khách đến với", True, 60, "vi") + 2
    assert wrap(title, True, 60, "vi", width) == ["Chào mừng quý khách đến với", "Huế"]
    assert wrap(title, True, 60, "vi", width, title=True) == \
        ["Chào mừng quý khách đến", "với Huế"]
