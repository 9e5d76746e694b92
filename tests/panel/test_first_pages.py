"""Each role's first page, the review tab's count, dates written dd/mm/yyyy with
24-hour time, and Huế time named once per page (issue 16, points 7 and 8). Real
Chromium against a real controller, in Vietnamese and English."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from panel.panel_helpers import login, panel_page, set_language
from playwright.sync_api import expect

from controller.auth.tokens import issue_user_token

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TWO_DIGIT_YEAR = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{2}(?![\d/])")


def submit_one(fleet: Any, server: Any) -> None:
    """bien-tap (tourism) submits a draft of sea-islands (a tourism playlist)."""
    with fleet.sessions() as session:
        token = issue_user_token(session, "bien-tap")
        session.commit()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    base = server.url + "/api/v1/playlists/sea-islands"
    items = http.get(base + "/versions/1", timeout=10).json()["items"]
    items[0]["variants"]["en"]["title"] = "Viet Nam's sea and islands, waiting for review"
    answer = http.put(base + "/draft", json={"items": items}, timeout=10)
    assert answer.status_code < 300, answer.text
    number = answer.json()["version"]["number"]
    assert http.post(f"{base}/versions/{number}/submit", timeout=10).status_code < 300


@pytest.mark.parametrize(("user", "first"), [("duyet", "/panel/review"),
                                             ("khan-cap", "/panel/emergency"),
                                             ("ky-thuat", "/panel/fleet"),
                                             ("bien-tap", "/panel/playlists")])
def test_each_role_lands_where_its_work_starts(browser, server, user, first):
    with panel_page(browser, server.url, None) as page:
        login(page, server.url, user)
        expect(page).to_have_url(server.url + first)


def test_the_review_tab_counts_the_versions_waiting(browser, server, fleet):
    with panel_page(browser, server.url, "duyet-dl", lang="vi") as page:
        page.goto(server.url + "/panel/review")
        tab = page.locator(".mainnav a[data-endpoint='panel_review.queue']")
        before = int(tab.get_by_test_id("nav-count").inner_text())
        submit_one(fleet, server)
        count = tab.get_by_test_id("nav-count")
        page.click("#refresh")  # the queue reads again: the tab follows, no reload
        expect(count).to_have_text(str(before + 1))
        expect(tab).to_have_attribute("aria-description",
                                      f"Số phiên bản đang chờ bạn duyệt: {before + 1}")
        page.reload()
        expect(count).to_have_text(str(before + 1))
        expect(count).to_have_attribute("title", f"Số phiên bản đang chờ bạn duyệt: {before + 1}")
        # The same versions as the queue the page lists for this approver.
        queue = page.evaluate("() => Pano.api('GET', '/api/v1/review-queue')")["queue"]
        assert len(queue) == before + 1
    with panel_page(browser, server.url, "quan-tri", lang="vi") as page:  # no tab, no count
        page.goto(server.url + "/panel/fleet")
        expect(page.get_by_test_id("nav-count")).to_have_count(0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_dates_and_huế_time_once_on_every_page(browser, server, lang):
    """A browser set to US English: every date is dd/mm/yyyy, never a two-digit year,
    and each page names Huế time once (the top bar, or the page's own words)."""
    zone = "giờ huế" if lang == "vi" else "huế time"
    with panel_page(browser, server.url, "quan-tri", lang=lang, locale="en-US") as page:
        page.goto(server.url + "/panel/fleet")
        paths = page.locator(".mainnav a").evaluate_all(
            "links => links.map(a => new URL(a.href).pathname)")
        assert len(paths) >= 10, paths  # every page of an administrator
        for path in paths:
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            text = page.evaluate("() => document.body.innerText")
            assert text.lower().count(zone) == 1, (path, text.lower().count(zone))
            assert not TWO_DIGIT_YEAR.search(text), (path, TWO_DIGIT_YEAR.search(text))
        page.goto(server.url + "/panel/audit")
        first = page.locator("#entries tbody tr td").first
        expect(first).to_have_text(re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$"))
        page.goto(server.url + "/panel/playlists")
        page.wait_for_load_state("networkidle")
        dates = re.findall(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}",
                           page.evaluate("() => document.body.innerText"))
        assert dates, "the playlists list shows when each was changed"


def test_the_language_switch_keeps_the_page(browser, server):
    with panel_page(browser, server.url, "duyet", lang="vi") as page:
        page.goto(server.url + "/panel/review")
        set_language(page, "en")
        expect(page).to_have_url(server.url + "/panel/review")
        expect(page.get_by_test_id("zone-note")).to_have_text("Times: Huế time (UTC+7)")
        set_language(page, "vi")
        expect(page.get_by_test_id("zone-note")).to_have_text("Giờ hiển thị: giờ Huế (UTC+7)")


CHECK_FIELDS = """() => {
  const native = [...document.querySelectorAll('input[type=date], input[type=time],'
                                              + ' input[type=datetime-local]')].map((i) => i.id);
  const out = [];
  for (const input of document.querySelectorAll('input[data-pano-date]')) {
    const kind = input.dataset.panoDate;
    const iso = {date: '2026-06-12', time: '19:00', 'datetime-local': '2026-06-12T19:00'}[kind];
    const before = input.value;
    input.value = iso;  // what a page's script sets: ISO in, the panel's format shown
    out.push({id: input.id, kind, shown: Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype, 'value').get.call(input), value: input.value,
      placeholder: input.placeholder});
    input.value = before;
  }
  return {native, fields: out};
}"""


def test_date_and_time_fields_use_the_panels_format_in_a_us_browser(browser, server):
    """Every date, time and date-time field of every page an administrator has, in a
    browser set to US English: no native picker (it showed 12/06/2026 and 07:00 PM),
    the field shows dd/mm/yyyy and 24-hour time and gives its page ISO."""
    shown = {"date": "12/06/2026", "time": "19:00", "datetime-local": "12/06/2026 19:00"}
    iso = {"date": "2026-06-12", "time": "19:00", "datetime-local": "2026-06-12T19:00"}
    seen: set[str] = set()
    with panel_page(browser, server.url, "quan-tri", lang="vi", locale="en-US") as page:
        page.goto(server.url + "/panel/fleet")
        paths = page.locator(".mainnav a").evaluate_all(
            "links => links.map(a => new URL(a.href).pathname)")
        for path in paths:
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            found = page.evaluate(CHECK_FIELDS)
            assert found["native"] == [], (path, found["native"])
            for field in found["fields"]:
                assert field["shown"] in (shown[field["kind"]], shown[field["kind"]] + ":00"), \
                    (path, field)
                # (a field with seconds, step="1", gives them too: 19:00:00)
                assert field["value"] in (iso[field["kind"]], iso[field["kind"]] + ":00"), \
                    (path, field)
                assert "dd/mm/yyyy" in field["placeholder"] or "hh:mm" in field["placeholder"]
                seen.add(field["kind"])
    assert seen >= {"date", "datetime-local"}, seen  # the audit log's days, Replay, Emergency
