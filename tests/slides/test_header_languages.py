"""The slide header speaks the screen's languages: Vietnamese and English always, Lao on
screens whose profile has Lao (the A Đớt border gate), French where it has French — the
province's name and, when the site has one, the site's name in that language."""

from __future__ import annotations

import pytest

from controller.slides.render import render_layout
from controller.slides.spec import PROVINCE_MORE, item_specs

ITEM = {"id": "friendship", "type": "text", "variants": {
    "vi": {"title": "Tình hữu nghị Việt Nam – Lào"},
    "lo": {"title": "ມິດຕະພາບ ລາວ – ຫວຽດນາມ"},
    "en": {"title": "Viet Nam – Laos friendship"},
    "fr": {"title": "Amitié Viet Nam – Laos"}}}
SITE = {"vi": "Cửa khẩu quốc tế A Đớt", "en": "A Dot International Border Gate",
        "lo": "ດ່ານສາກົນ ອາດົດ"}


def _header_text(languages: list[str], size: tuple[int, int] = (1920, 1080)) -> str:
    spec = item_specs(ITEM, *size, languages, "dual", SITE["vi"], SITE["en"],
                      site_names=SITE)[0]
    out = render_layout(spec)
    return " ".join(run.text for run in out.frame_runs)


def test_a_vietnamese_english_screen_has_no_lao_line() -> None:
    text = _header_text(["vi", "en"])
    assert "Thừa Thiên Huế Province" in text and "A Dot International Border Gate" in text
    assert PROVINCE_MORE["lo"] not in text and SITE["lo"] not in text


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1280, 720)])
def test_a_lao_screen_has_the_province_and_site_in_lao(size: tuple[int, int]) -> None:
    spec = item_specs(ITEM, *size, ["vi", "lo", "en"], "dual", SITE["vi"], SITE["en"],
                      site_names=SITE)[0]
    out = render_layout(spec)
    text = " ".join(run.text for run in out.frame_runs)
    assert PROVINCE_MORE["lo"].replace(" ", "") in text.replace(" ", "")
    assert SITE["lo"].replace(" ", "") in text.replace(" ", "")
    band = round(min(size) * 0.085)
    for run in out.frame_runs:  # every header line inside the band, none overlapping
        assert 0 <= run.bbox[1] and run.bbox[3] <= band, run
    ink: dict[int, tuple[int, int]] = {}
    for r in out.frame_runs:
        top, bottom = ink.get(r.baseline, (r.bbox[1], r.bbox[3]))
        ink[r.baseline] = (min(top, r.bbox[1]), max(bottom, r.bbox[3]))
    lines = [ink[b] for b in sorted(ink)]
    assert len(lines) == 3
    for (_, bottom), (top, _) in zip(lines, lines[1:], strict=False):
        assert bottom <= top + 2, lines


def test_a_french_screen_has_a_french_line_without_a_site_name() -> None:
    text = _header_text(["vi", "fr", "en"])
    assert PROVINCE_MORE["fr"] in text  # the site has no French name: the province alone
