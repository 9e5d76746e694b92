"""A data slide looked at as an image: the records of a source drawn through a template,
in Vietnamese and Lao (and English), in the text slides' frame, fonts and shaping; too
many rows cut at a whole row with "+N more" in each language; a missing field shown as
a dash; a long value cut with "…" inside its column; equal inputs give identical PNGs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dataitems.sample import ARRIVALS, T0, TEMPLATES
from PIL import Image, ImageChops, ImageDraw

from controller.dataslides.draw import (
    DataRendered,
    input_hash,
    png_bytes,
    render_data_layout,
)
from controller.dataslides.table import MISSING, cell_text, data_spec
from controller.dataslides.templates import parse_templates
from controller.slides import fonts
from controller.slides.layout import PlacedRun
from controller.slides.render import ITEM_PALETTE
from controller.slides.spec import PROVINCE_MORE, SlideDoesNotFit

SITE = {"vi": "Cửa khẩu quốc tế A Đớt", "en": "A Dot International Border Gate",
        "lo": "ດ່ານສາກົນ ອາດົດ"}
TEMPLATES_BY_ID = {t.id: t for t in parse_templates(TEMPLATES)}
ARRIVALS_BOARD = TEMPLATES_BY_ID["arrivals-board"]


def _spec(records: list[dict], languages: list[str], size: tuple[int, int] = (1920, 1080),
          template=ARRIVALS_BOARD, **kw):
    return data_spec(template, records, T0, width=size[0], height=size[1],
                     languages=languages, zone="Asia/Ho_Chi_Minh", site_vi=SITE["vi"],
                     site_en=SITE["en"], site_names=SITE, **kw)


def _text(runs: list[PlacedRun]) -> str:
    return "".join(r.text for r in runs)


def _drawn_alone(run: PlacedRun, size: tuple[int, int], text: str,
                 background: tuple[int, int, int]) -> Image.Image:
    """``text`` drawn by the slide fonts on a blank canvas where ``run`` was drawn."""
    canvas = Image.new("RGB", size, background)
    ImageDraw.Draw(canvas).text((run.x, run.baseline), text, fill=run.fill, anchor="ls",
                                font=fonts.font(fonts.script_of(text[0]), run.bold, run.size),
                                language=fonts.run_language(fonts.script_of(text[0]),
                                                            run.language))
    return canvas


def _same_ink(out: DataRendered, run: PlacedRun, text: str) -> None:
    """The slide's pixels in ``run``'s box are ``text`` as the fonts draw it there, and
    there is ink (not a blank box)."""
    size = out.image.size
    box = run.bbox
    alone = _drawn_alone(run, size, text, ITEM_PALETTE.background).crop(box)
    drawn = out.image.crop(box)
    assert ImageChops.difference(alone, drawn).getbbox() is None, text
    dark = sum(drawn.convert("L").histogram()[:130])  # pixels darker than mid-grey
    assert dark > 20, f"no ink for {text!r}"


def test_a_lao_and_vietnamese_slide_draws_every_language_where_it_says() -> None:
    out = render_data_layout(_spec(ARRIVALS, ["vi", "lo", "en"]))
    assert out.image.size == (1920, 1080) and out.shown == 3 and out.more == 0
    title = _text(out.title_runs)
    assert title == "Chuyến bay đến / ຖ້ຽວບິນມາຮອດ / Arrivals"
    # The Lao run of the title is drawn by the Lao font, the Vietnamese by Noto Sans.
    lao = next(r for r in out.title_runs if r.script == fonts.LAO)
    assert lao.text == "ຖ້ຽວບິນມາຮອດ" and lao.language == "lo"
    viet = next(r for r in out.title_runs if r.script == fonts.LATIN)
    assert viet.text.startswith("Chuyến bay đến")
    _same_ink(out, lao, "ຖ້ຽວບິນມາຮອດ")
    _same_ink(out, viet, viet.text)
    # Column labels: Vietnamese, Lao, English lines under each other.
    labels = [r.text for r in out.label_runs]
    assert {"Chuyến bay", "ຖ້ຽວບິນ", "Flight", "ສະຖານະ"} <= set(labels)
    vi_label = next(r for r in out.label_runs if r.text == "Chuyến bay")
    lo_label = next(r for r in out.label_runs if r.text == "ຖ້ຽວບິນ")
    assert lo_label.bbox[1] >= vi_label.bbox[3] - 2  # below it, not over it
    # Rows sorted by 'scheduled': QV313 (09:50) first; a Lao status in its cell.
    assert [row[0] for row in out.cell_texts] == ["QV313", "VN1541", "VJ521"]
    status = out.cells[0][3]
    assert _text(status) == "ຊ້າ 20 ນາທີ"
    lao_status = next(r for r in status if r.script == fonts.LAO)
    _same_ink(out, lao_status, lao_status.text)
    _same_ink(out, out.cells[0][1][0], "Viêng Chăn")
    # The frame speaks Lao too, and the footer says when the data are from (Huế time).
    frame = " ".join(r.text for r in out.frame_runs)
    assert PROVINCE_MORE["lo"].replace(" ", "") in frame.replace(" ", "")
    footer = " ".join(r.text for r in out.footer_runs)
    assert "Cập nhật lúc 10:00 06/12" in footer and "Updated at 10:00 06/12" in footer
    assert "ອັບເດດເວລາ" in footer.replace(" ", "")
    # Every cell inside its column and above the footer.
    top_of_footer = min(r.bbox[1] for r in out.footer_runs)
    for row in out.cells:
        for c, runs in enumerate(row):
            x0, x1 = out.columns[c]
            for r in runs:
                assert x0 <= r.bbox[0] and r.bbox[2] <= x1 and r.bbox[3] < top_of_footer


def test_a_vietnamese_english_screen_shows_no_lao() -> None:
    out = render_data_layout(_spec(ARRIVALS[:2], ["vi", "en"], (1280, 720)))
    assert _text(out.title_runs) == "Chuyến bay đến / Arrivals"
    assert not any(r.script == fonts.LAO for r in out.title_runs + out.label_runs
                   + out.frame_runs)


def test_too_many_rows_are_cut_at_a_whole_row_and_counted_in_each_language() -> None:
    records = [{"flight": f"VN{100 + i}", "from.vi": "Hà Nội", "scheduled": f"{i:02d}:00",
                "status": "Đúng giờ"} for i in range(24)]
    template = ARRIVALS_BOARD.__class__.from_json({**ARRIVALS_BOARD.as_json(),
                                                   "max_rows": 30})
    out = render_data_layout(_spec(records, ["vi", "lo", "en"], (1280, 720),
                                   template=template))
    assert 3 <= out.shown < 24
    assert out.more == 24 - out.shown
    assert len(out.cells) == out.shown  # whole rows: every drawn row has its four cells
    assert all(len(row) == 4 and all(runs for runs in row) for row in out.cells)
    footer = " ".join(r.text for r in out.footer_runs)
    assert f"+{out.more} mục nữa" in footer and f"+{out.more} more" in footer
    assert f"ອີກ {out.more} ລາຍການ".replace(" ", "") in footer.replace(" ", "")
    last = max(r.bbox[3] for r in out.cells[-1][0])
    assert last < min(r.bbox[1] for r in out.footer_runs)
    # A template's own limit counts too: 12 rows at most, the rest are "+N more".
    out = render_data_layout(_spec(records, ["vi", "en"], (1920, 1080)))
    assert out.shown == 12 and out.more == 12


def test_a_missing_field_shows_a_dash() -> None:
    records = [{"flight": "VN1541", "scheduled": "10:35", "status": "Đúng giờ"}]
    spec = _spec(records, ["vi", "en"])
    assert spec.rows == (("VN1541", MISSING, "10:35", "Đúng giờ"),)
    out = render_data_layout(spec)
    assert out.cell_texts[0][1] == MISSING
    _same_ink(out, out.cells[0][1][0], MISSING)


def test_a_long_value_is_cut_with_an_ellipsis_inside_its_column() -> None:
    long = "Đã hạ cánh, hành khách vui lòng nhận hành lý tại băng chuyền số 2 " * 30
    lao = "ຍິນດີຕ້ອນຮັບສູ່ປະເທດຫວຽດນາມ" * 20
    records = [{"flight": "VN1541", "from.vi": lao, "scheduled": "10:35", "status": long}]
    out = render_data_layout(_spec(records, ["vi", "lo", "en"]))
    from_cell, status_cell = out.cell_texts[0][1], out.cell_texts[0][3]
    assert status_cell.endswith("…") and len(status_cell) < 200
    assert from_cell.endswith("…") and lao.startswith(from_cell[:-1].rstrip())
    for c in (1, 3):
        x0, x1 = out.columns[c]
        assert all(x0 <= r.bbox[0] and r.bbox[2] <= x1 for r in out.cells[0][c])
    # No column takes the whole width: the flight number keeps its room.
    assert out.cell_texts[0][0] == "VN1541"


def test_equal_inputs_give_identical_pictures_and_names() -> None:
    a = _spec(ARRIVALS, ["vi", "lo", "en"], (1280, 720))
    b = _spec([dict(r) for r in ARRIVALS], ["vi", "lo", "en"], (1280, 720))
    assert a == b and a.canonical() == b.canonical()
    assert input_hash(a) == input_hash(b)
    assert png_bytes(a) == png_bytes(b)
    changed = _spec(ARRIVALS[:2], ["vi", "lo", "en"], (1280, 720))
    assert input_hash(changed) != input_hash(a)
    later = data_spec(ARRIVALS_BOARD, ARRIVALS, datetime(2026, 12, 6, 4, 0, tzinfo=UTC),
                      width=1280, height=720, languages=["vi", "lo", "en"],
                      zone="Asia/Ho_Chi_Minh")
    assert input_hash(later) != input_hash(a)


def test_times_are_shown_in_the_sites_zone() -> None:
    record = {"start": "2026-12-08T00:00:00+00:00", "end": "not a time"}
    assert cell_text(record, "start", "datetime", "Asia/Ho_Chi_Minh") == "07:00 08/12"
    assert cell_text(record, "start", "time", "Asia/Vientiane") == "07:00"
    assert cell_text(record, "end", "time") == "not a time"
    assert cell_text({"t": 24.5}, "t") == "24.5" and cell_text({}, "t") == MISSING
    calls = [{"summary": "Queen Mary 2", "start": "2026-12-08T07:00:00+07:00",
              "start_utc": "2026-12-08T00:00:00+00:00", "end": "2026-12-08T18:00:00+07:00",
              "location": "Cảng Chân Mây"}]
    spec = _spec(calls, ["vi", "en"], template=TEMPLATES_BY_ID["ship-calls"])
    assert spec.rows == (("Queen Mary 2", "07:00 08/12", "18:00 08/12", "Cảng Chân Mây"),)


def test_a_title_too_long_for_the_slide_is_refused_by_name() -> None:
    with pytest.raises(SlideDoesNotFit) as exc:
        render_data_layout(_spec(ARRIVALS, ["vi", "en"], (480, 320),
                                 titles={"vi": "Chuyến bay đến " * 40}, name="arrivals"))
    assert "arrivals" in str(exc.value) and "shorten" in str(exc.value)
