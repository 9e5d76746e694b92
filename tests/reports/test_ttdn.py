"""The yearly foreign-information report: the PDF rendered and its pages looked at as
pictures (Vietnamese diacritics and Lao really drawn, fonts embedded), the CSV's BOM and
Vietnamese headers read back with the csv module, the HTML's figures, the command line,
refusals."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reports.pdf_pages import NOTO, difference, drawn, font_names, word_image

LAO = "ປິດດ່ານ"
VIETNAMESE = "Đóng cửa khẩu"


@pytest.fixture(scope="module")
def pdf(api):
    answer = api("/api/v1/reports/ttdn", year="2026", format="pdf")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/pdf"
    assert "bao-cao-ttdn-2026-toan-tinh.pdf" in answer.headers["Content-Disposition"]
    return pdfium.PdfDocument(answer.content)


def test_pdf_has_the_sections_and_embeds_the_fonts(pdf):
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    for words in ("Báo cáo thông tin đối ngoại năm 2026", "Kết quả theo cơ quan",
                  "Sở Du lịch", "Tin khẩn cấp", "Tỷ lệ hoạt động", "thiếu bản ghi",
                  "Cửa khẩu quốc tế A Đớt", "2 / 2"):
        assert words in text, words
    fonts = font_names(pdf)
    assert "Noto-Sans" in fonts and "Noto-Sans-Lao" in fonts, fonts


def test_lao_is_drawn_in_lao_glyphs_not_tofu(pdf):
    on_page = word_image(pdf, LAO)
    right = difference(on_page, drawn(LAO, NOTO / "NotoSansLao-Regular.ttf"))
    tofu = difference(on_page, drawn(LAO, NOTO / "NotoSans-Regular.ttf"))  # no Lao in it
    assert right < 0.12 and right < tofu / 2, (right, tofu)  # measured 0.06 vs 0.37


def test_vietnamese_diacritics_are_drawn(pdf):
    on_page = word_image(pdf, VIETNAMESE)
    right = difference(on_page, drawn(VIETNAMESE, NOTO / "NotoSans-Regular.ttf"))
    bare = difference(on_page, drawn("Dong cua khau", NOTO / "NotoSans-Regular.ttf"))
    assert right < 0.12 and right < bare / 2, (right, bare)  # measured 0.03 vs 0.14


def test_csv_has_a_bom_and_vietnamese_headers(api):
    answer = api("/api/v1/reports/ttdn", year="2026", format="csv")
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert answer.content[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["Cơ quan", "Lượt phát", "Thời lượng phát (giờ)",
                       "Tỷ lệ thời lượng (%)", "Tiếng Việt (giờ)", "Tiếng Anh (giờ)",
                       "Tiếng Lào (giờ)", "Lượt quét mã QR"]
    by_agency = {row[0]: row for row in rows[1:]}
    # The year: March's records plus 28 Feb (4 s cuisine) and 1 April (5 s border).
    assert by_agency["Sở Du lịch"][1:2] == ["4"]
    assert by_agency["Sở Du lịch"][7] == "3"
    assert by_agency["Tổng cộng"][1] == "9"
    assert float(by_agency["Tổng cộng"][2]) == pytest.approx(114 / 3600, abs=1e-4)


def test_english_on_request_and_one_agency(api):
    answer = api("/api/v1/reports/ttdn", year="2026", format="csv", lang="en",
                 agency="tourism")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Agency" and rows[1][0] == "Department of Tourism"
    assert len(rows) == 3


def test_html_links_its_stylesheet_and_charts(api):
    answer = api("/api/v1/reports/ttdn", year="2026")
    assert answer.headers["Content-Type"].startswith("text/html")
    page = answer.text
    assert "/panel/static/reports/ttdn.css" in page
    assert page.count("/api/v1/reports/charts/") == 3
    assert "Toàn tỉnh" in page and "9 lượt phát" in page


@pytest.mark.parametrize(("params", "status", "words"), [
    ({}, 400, "'year' is required"),
    ({"year": "26"}, 400, "'year' must be a whole number from 2000 to 2100"),
    ({"year": "2026", "format": "docx"}, 400, "'format' must be one of html, pdf, csv"),
    ({"year": "2026", "lang": "fr"}, 400, "'lang' must be vi or en"),
])
def test_bad_ttdn_requests(api, params, status, words):
    answer = api("/api/v1/reports/ttdn", **params)
    assert answer.status_code == status
    assert words in answer.json()["message"]


def test_editor_gets_own_agency_report_only(api):
    assert api("/api/v1/reports/ttdn", role="editor", year="2026",
               agency="culture").status_code == 403
    own = api("/api/v1/reports/ttdn", role="editor", year="2026", format="csv")
    rows = list(csv.reader(io.StringIO(own.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Sở Du lịch", "Tổng cộng"]


def test_command_line_writes_the_pdf(march, tmp_path):
    fleet, _ = march
    out = tmp_path / "report.pdf"
    env = {**os.environ, "PANO_DATA_DIR": str(fleet.settings.data_dir),
           "PANO_DATABASE_URL": fleet.settings.db_url}
    done = subprocess.run([sys.executable, "-m", "controller.cli", "report", "ttdn",
                           "--year", "2026", "--agency", "border-guard", "--lang", "en",
                           "--out", str(out)], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stderr
    document = pdfium.PdfDocument(out)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Foreign-information report 2026" in text
    assert "Provincial Border Guard Command" in text
    bad = subprocess.run([sys.executable, "-m", "controller.cli", "report", "ttdn",
                          "--year", "2026", "--agency", "nobody", "--out",
                          str(tmp_path / "x.pdf")], env=env, capture_output=True,
                         text=True, cwd=tmp_path, timeout=60, check=False)
    assert bad.returncode == 2 and "no agency 'nobody'" in bad.stderr
    assert not Path(tmp_path / "x.pdf").exists()
