"""The Reports and Replay pages in Debian's Chromium against a real controller holding
the known data set (tests/reports/plays_data.py): the page shows the API's totals and
rows, the charts load, and Replay's strip shows the journal's thumbnails in order."""

from __future__ import annotations

import pytest
import requests
from panel.panel_helpers import panel_page
from reports.plays_data import Builder, build_march
from sqlalchemy import select

from controller.auth.tokens import issue_user_token
from controller.models import Media

BAGGAGE = "phu-bai-baggage"


@pytest.fixture(scope="module")
def pictures(fleet):
    """The data set, plus three records on the baggage screen with real pictures (the
    demo's media), shown in a known order."""
    with fleet.sessions() as session:
        build_march(session)
        shas = list(session.scalars(select(Media.sha256).where(Media.kind == "image")
                                    .order_by(Media.sha256).limit(3)))
        assert len(shas) == 3
        b = Builder(session)
        for i, sha in enumerate(reversed(shas)):
            b.record(BAGGAGE, f"2026-03-12T0{i}:00:00Z", 15, "happy-hue-2025", "welcome",
                     ["vi"], media=[sha])
        token = issue_user_token(session, "quan-tri")
        session.commit()
    return list(reversed(shas)), token


def _api(server, token, **params):
    return requests.get(server.url + "/api/v1/reports/plays", params=params, timeout=30,
                        headers={"Authorization": f"Bearer {token}"}).json()


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", ".").replace("\u202f", "")
                 .replace("%", "").strip())


@pytest.mark.parametrize("user", ["quan-tri", "bien-tap"])
def test_reports_page_shows_the_api_totals(browser, server, pictures, user):
    _, token = pictures
    period = {"from": "2026-03-01", "to": "2026-03-31"}
    with panel_page(browser, server.url, user) as page:
        page.goto(server.url + "/panel/reports?from=2026-03-01&to=2026-03-31&group_by=agency")
        page.wait_for_selector("#report:not([hidden])")
        shown = {key: page.text_content(f"#total-{key}") for key in ("plays", "hours", "qr")}
        rows = {row.get_attribute("data-key"): [c.text_content() for c in
                                                  row.query_selector_all("td")]
                for row in page.query_selector_all("#rows tbody tr")}
        # The charts are real pictures the browser decoded.
        page.wait_for_function("() => ['chart-theme', 'chart-availability', 'chart-language']"
                               ".every((id) => document.getElementById(id).naturalWidth > 0)")
        assert page.locator("#emergencies tbody tr").count() == 1
        assert page.locator("#findings li").count() == 1
    body = _api(server, token, group_by="agency", **period) if user == "quan-tri" else \
        _api(server, token, group_by="agency", agency="tourism", **period)
    assert int(shown["plays"]) == body["totals"]["plays"]
    assert _number(shown["hours"]) == round(body["totals"]["airtime_hours"], 2)
    assert int(shown["qr"]) == body["totals"]["qr_scans"]
    assert set(rows) == {r["key"]["agency"] for r in body["rows"]}
    for row in body["rows"]:
        cells = rows[row["key"]["agency"]]
        assert int(cells[1]) == row["plays"]
        assert _number(cells[3]) == round(100 * row["share"], 1)


def test_reports_page_in_english_and_export_links(browser, server, pictures):
    with panel_page(browser, server.url, "xem", lang="en") as page:
        page.goto(server.url + "/panel/reports?from=2026-03-01&to=2026-03-31")
        page.wait_for_selector("#report:not([hidden])")
        assert page.text_content("#total-plays") == "10"  # 7 + the 3 baggage records
        pdf = page.get_attribute("#export-pdf", "href")
        assert pdf.startswith("/api/v1/reports/ttdn?") and "year=2026" in pdf
        answer = page.request.get(server.url + page.get_attribute("#export-csv", "href"))
        assert answer.status == 200 and answer.body()[:3] == b"\xef\xbb\xbf"


def test_replay_strip_shows_the_thumbnails_in_order(browser, server, pictures):
    shas, _ = pictures
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.goto(server.url + f"/panel/replay?screen={BAGGAGE}&from=2026-03-12T06:00"
                  "&to=2026-03-12T10:00")
        page.wait_for_selector("#replay:not([hidden])")
        page.wait_for_function("() => [...document.querySelectorAll('#strip img')]"
                               ".every((img) => img.complete && img.naturalWidth > 0)")
        strip = page.query_selector_all("#strip li")
        assert [li.get_attribute("data-seq") for li in strip] == ["1", "2", "3"]
        assert [img.get_attribute("data-sha") for img in
                page.query_selector_all("#strip img")] == shas
        assert page.locator("#records tbody tr").count() == 3
        assert page.text_content("#count") == "3 bản ghi"


def test_replay_of_a_quiet_range_says_so(browser, server, pictures):
    with panel_page(browser, server.url, "bien-tap", lang="en") as page:
        page.goto(server.url + f"/panel/replay?screen={BAGGAGE}&from=2025-01-01T00:00"
                  "&to=2025-01-02T00:00")
        page.wait_for_selector("#empty:not([hidden])")
        assert "no record" in page.text_content("#empty")
