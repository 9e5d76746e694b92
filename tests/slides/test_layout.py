"""Wrapping (Unicode line breaks, never mid-grapheme), shrinking, and the clear
refusal of a text that cannot fit even at the smallest size."""

from __future__ import annotations

import unicodedata

import pytest

from controller.slides import layout
from controller.slides.layout import char_units, wrap
from controller.slides.render import (
    LangText,
    QrSpec,
    SlideDoesNotFit,
    SlideError,
    SlideSpec,
    render_layout,
)

LAO_LONG = "ຍິນດີຕ້ອນຮັບສູ່ປະເທດຫວຽດນາມ"
QR = QrSpec("https://pano.example/q/AB12CD34", "pano.example/q/AB12CD34")


def _starts_mid_grapheme(piece: str) -> bool:
    return layout.joins_previous(piece[0]) or piece[0] in layout.LAO_FOLLOWERS


def test_character_units_keep_marks_with_their_base() -> None:
    units = char_units("ເຈົ້າໜ້າທີ່ນ້ຳ")
    assert "".join(units) == "ເຈົ້າໜ້າທີ່ນ້ຳ"
    assert units == ["ເຈົ້າ", "ໜ້າ", "ທີ່", "ນ້ຳ"]
    assert not any(_starts_mid_grapheme(u) for u in units)
    assert not any(u[-1] in layout.LEADING_VOWELS for u in units)
    decomposed = unicodedata.normalize("NFD", "Huế")
    assert char_units(decomposed) == ["H", "u", "e\u0302\u0301"]


def test_a_lao_text_wider_than_the_line_breaks_between_words_only() -> None:
    text = LAO_LONG * 3
    width = layout.text_width(text, True, 60, "lo") / 4
    lines = wrap(text, True, 60, "lo", width)
    assert lines is not None and len(lines) >= 4
    assert "".join(lines) == text
    words = {"ຍິນດີ", "ຕ້ອນຮັບ", "ສູ່", "ປະເທດ", "ຫວຽດນາມ"}
    for line in lines:
        assert layout.text_width(line, True, 60, "lo") <= width
        assert any(line.startswith(w) for w in words), line  # never mid-word


def test_latin_words_are_not_broken_until_the_last_resort() -> None:
    width = layout.text_width("Thừa", False, 40, "vi") * 1.5
    assert wrap("Thừa Thiên Huế", False, 40, "vi", width) == ["Thừa", "Thiên", "Huế"]
    assert wrap("pano.example/q/AB12CD34", False, 40, "en", width) is None
    lines = wrap("pano.example/q/AB12CD34", False, 40, "en", width, char_breaks=True)
    assert lines and "".join(lines) == "pano.example/q/AB12CD34" and len(lines) > 1


def _inside(box: tuple[int, int, int, int], region: tuple[int, int, int, int]) -> bool:
    return region[0] <= box[0] and box[2] <= region[2] and region[1] <= box[1] \
        and box[3] <= region[3]


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_a_very_long_text_shrinks_and_still_fits(size: tuple[int, int]) -> None:
    body_vi = ("Thừa Thiên Huế hợp tác với các tỉnh Salavan và Sekong trong giáo dục, y tế, "
               "thương mại và du lịch. ") * 5
    body_lo = ("ສາຍພົວພັນມິດຕະພາບອັນຍິ່ງໃຫຍ່, ຄວາມສາມັກຄີພິເສດ ແລະ ການຮ່ວມມືຮອບດ້ານ "
               "ລາວ – ຫວຽດນາມ. ") * 4
    body_en = "Thừa Thiên Huế works with the provinces of Salavan and Sekong. " * 5
    spec = SlideSpec(*size, (LangText("vi", "Tình hữu nghị Việt Nam – Lào", body_vi),
                             LangText("lo", "ມິດຕະພາບ ລາວ – ຫວຽດນາມ", body_lo),
                             LangText("en", "Viet Nam – Laos friendship", body_en)),
                     site_vi="Cửa khẩu quốc tế A Đớt", site_en="A Dot International Border Gate",
                     qr=QR, name="long")
    out = render_layout(spec)
    assert out.steps > 0  # it shrank
    assert out.image.size == size and out.image.mode == "RGB"
    canvas = (0, 0, *size)
    for run in out.text_runs:
        assert _inside(run.bbox, out.text_region), run
    for run in out.frame_runs:
        assert _inside(run.bbox, canvas), run
    # The text area never meets the QR code nor its link.
    for box in (out.qr_box, out.link_box):
        assert not (box[0] < out.text_region[2] and out.text_region[0] < box[2]
                    and box[1] < out.text_region[3] and out.text_region[1] < box[3])
    # Every word of the texts was set (nothing dropped).
    drawn = "".join(run.text for run in out.text_runs).replace(" ", "")
    assert drawn.count("Salavan") == 10


def test_a_short_text_does_not_shrink() -> None:
    spec = SlideSpec(1920, 1080, (LangText("vi", "Chào mừng", "Huế"), LangText("en", "Welcome")))
    assert render_layout(spec).steps == 0


def test_an_impossible_text_is_refused_naming_the_item_and_language() -> None:
    spec = SlideSpec(1920, 1080, (LangText("vi", "Chào mừng", "Xin chào."),
                                  LangText("lo", "ຍິນດີຕ້ອນຮັບ", "ສາຍພົວພັນມິດຕະພາບ ລາວ " * 400),
                                  LangText("en", "Welcome")), name="friendship")
    with pytest.raises(SlideDoesNotFit, match=r"item friendship: the Lao \(lo\) text does not "
                                              r"fit on a 1920×1080 slide") as caught:
        render_layout(spec)
    assert (caught.value.name, caught.value.lang) == ("friendship", "lo")


def test_spec_validation_and_normalisation() -> None:
    nfd = unicodedata.normalize("NFD", "Thừa Thiên Huế")
    spec = SlideSpec(1920, 1080, (LangText("vi", f"  {nfd}  "),), mode="single")
    assert spec.texts[0].title == "Thừa Thiên Huế"  # NFC, trimmed
    with pytest.raises(SlideError, match="exactly one"):
        SlideSpec(1920, 1080, (LangText("vi", "a"), LangText("en", "b")), mode="single")
    with pytest.raises(SlideError, match="not a screen size"):
        SlideSpec(10, 1080, (LangText("vi", "a"),))
    with pytest.raises(SlideError, match="empty"):
        LangText("vi", " ", "")
    alternate = SlideSpec(1080, 1920, (LangText("vi", "a"), LangText("lo", "ກ"))).alternate()
    assert [s.languages for s in alternate] == [("vi",), ("lo",)]
    assert all(s.mode == "single" for s in alternate)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_a_layout_without_paint_places_everything_where_the_drawing_does(
        size: tuple[int, int]) -> None:
    """The fit checks (review, emergencies) lay slides out without drawing them: what
    they find must be what the drawn slide has, and the unpainted image has no ink."""
    spec = SlideSpec(*size, (LangText("vi", "Tình hữu nghị Việt Nam – Lào", "Huế " * 60),
                             LangText("lo", "ມິດຕະພາບ ລາວ – ຫວຽດນາມ", "ລາວ – ຫວຽດນາມ " * 30),
                             LangText("en", "Viet Nam – Laos friendship", "Hue " * 60)),
                     site_vi="Cửa khẩu quốc tế A Đớt", site_en="A Dot International Border Gate",
                     qr=QR, name="both")
    painted, laid = render_layout(spec), render_layout(spec, paint=False)
    for field in ("text_region", "text_runs", "frame_runs", "qr_box", "link_box", "steps",
                  "lines", "rules"):
        assert getattr(laid, field) == getattr(painted, field), field
    assert painted.steps > 0  # the texts had to shrink: the ladder was walked the same way
    assert painted.image.crop(painted.qr_box).getextrema() != laid.image.crop(
        laid.qr_box).getextrema()  # the drawing has the code, the layout only its room
