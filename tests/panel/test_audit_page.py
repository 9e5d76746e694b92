"""The Audit log page (/panel/audit): search by person, object and date range (days in
Huế time), entry details, paging, in Vietnamese and English, on desktop and tablet.
The approval is made through the real API; a few older entries are added straight into
the append-only table (inserting is what the log allows) to have other days to find."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from panel.panel_helpers import panel_page
from playwright.sync_api import expect

from controller.auth.tokens import issue_user_token
from controller.models import AuditEntry

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
# 17:30 UTC on 15 January is 00:30 on 16 January in Huế.
LATE_EVENING_UTC = datetime(2026, 1, 15, 17, 30, tzinfo=UTC)
MORNING_UTC = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)  # 10:00 on 15 January in Huế


def api(fleet: Any, base_url: str, username: str) -> requests.Session:
    with fleet.sessions() as session:
        token = issue_user_token(session, username)
        session.commit()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    http.base = base_url + "/api/v1"  # type: ignore[attr-defined]
    return http


def ok(http: requests.Session, method: str, path: str, body: Any = None) -> Any:
    response = http.request(method, http.base + path, json=body, timeout=10)  # type: ignore[attr-defined]
    assert response.status_code < 300, (response.status_code, response.text)
    return response.json()


def add_entry(fleet: Any, at: datetime, actor: str, action: str, object_id: str,
              **extra: Any) -> None:
    with fleet.sessions() as session:
        session.add(AuditEntry(at=at, actor=actor, agency_id="tourism", action=action,
                               object_type="playlist_version", object_id=object_id,
                               **extra))
        session.commit()


@pytest.fixture(scope="module")
def approval(fleet, server) -> str:
    """bien-tap edits and submits sea-islands, duyet approves it: 'sea-islands@N'."""
    editor = api(fleet, server.url, "bien-tap")
    items = ok(editor, "GET", "/playlists/sea-islands/versions/1")["items"]
    items[0]["variants"]["en"]["title"] = "Viet Nam's sea and islands, for everyone"
    draft = ok(editor, "PUT", "/playlists/sea-islands/draft", {"items": items})
    number = draft["version"]["number"]
    ok(editor, "POST", f"/playlists/sea-islands/versions/{number}/submit")
    ok(api(fleet, server.url, "duyet"), "POST", f"/playlists/sea-islands/versions/{number}/approve")
    add_entry(fleet, MORNING_UTC, "duyet", "playlist.approve", "old-news@3",
              before={"state": "in_review"}, after={"state": "approved"})
    add_entry(fleet, LATE_EVENING_UTC, "duyet", "playlist.reject", "old-news@4",
              before={"state": "in_review"}, after={"state": "draft"},
              note="Sai chính tả ở tiêu đề tiếng Anh.")
    return f"sea-islands@{number}"


def rows(page: Any) -> Any:
    return page.locator("#entries tbody tr")


def test_search_by_person_finds_the_approval(browser, server, fleet, approval):
    with panel_page(browser, server.url, "xem", lang="vi") as page:
        page.goto(server.url + "/panel/audit")
        expect(rows(page).first).to_be_visible()
        page.fill("#f-actor", "duyet")
        page.click("#search")
        expect(page).to_have_url(server.url + "/panel/audit?actor=duyet")
        approved = page.locator(f"#entries tbody tr[data-action='playlist.approve']"
                                f":has-text('{approval}')")
        expect(approved).to_contain_text("Đã duyệt")
        expect(approved).to_contain_text("Sở Du lịch")
        # States in words, as the playlists page says them (issue 16, point 7).
        expect(approved).to_contain_text("Trạng thái: Đang chờ duyệt → Đã duyệt")
        expect(approved).not_to_contain_text("in_review")
        expect(page.locator("#entries tbody tr[data-actor='bien-tap']")).to_have_count(0)
        assert set(rows(page).evaluate_all("rs => rs.map(r => r.dataset.actor)")) == {"duyet"}

        approved.get_by_role("button", name="Chi tiết").click()
        dialog = page.locator("#entry-dialog")
        expect(dialog).to_contain_text(approval)
        state = dialog.locator("#entry-fields tr.changed:has(th:text-is('Trạng thái'))")
        expect(state).to_contain_text("Đang chờ duyệt")
        expect(state).to_contain_text("Đã duyệt")
        page.click("#entry-close")

        # A click on the object shows its whole story: submitted by bien-tap, approved.
        approved.get_by_role("link", name=approval).click()
        expect(page).to_have_url(f"{server.url}/panel/audit?actor=duyet&object_type="
                                 f"playlist_version&object_id={approval.replace('@', '%40')}")
        expect(rows(page)).to_have_count(1)


def test_search_by_date_range_uses_hue_days(browser, server, fleet, approval):
    today = datetime.now(HUE).date().isoformat()
    with panel_page(browser, server.url, "duyet", lang="vi") as page:
        page.goto(server.url + "/panel/audit?actor=duyet&from=2026-01-15&to=2026-01-15")
        expect(rows(page)).to_have_count(1)
        expect(rows(page)).to_contain_text("old-news@3")

        page.fill("#f-from", "2026-01-16")
        page.fill("#f-to", "2026-01-16")
        page.click("#search")
        expect(rows(page)).to_have_count(1)
        expect(rows(page)).to_contain_text("old-news@4")
        expect(rows(page)).to_contain_text("Sai chính tả ở tiêu đề tiếng Anh.")

        page.goto(server.url + f"/panel/audit?actor=duyet&from={today}&to={today}")
        expect(page.locator(f"#entries tbody tr:has-text('{approval}')")).to_have_count(1)
        expect(page.locator("#entries tbody tr:has-text('old-news')")).to_have_count(0)

        page.fill("#f-from", "2026-02-01")
        page.fill("#f-to", "2026-01-01")
        page.click("#search")
        expect(page.locator("#error")).to_contain_text("Ngày “Từ” sau ngày “Đến”")


def test_dates_are_written_dd_mm_yyyy_whatever_the_browsers_locale(
        browser, server, fleet, approval):
    """A browser set to US English showed native date fields as mm/dd/yyyy; the panel
    shows and accepts dd/mm/yyyy (datefields.js) and still sends ISO dates."""
    with panel_page(browser, server.url, "duyet", lang="vi", locale="en-US") as page:
        page.goto(server.url + "/panel/audit?actor=duyet&from=2026-01-15&to=2026-01-15")
        expect(rows(page)).to_have_count(1)
        field = page.locator("#f-from")
        expect(field).to_have_value("15/01/2026")
        expect(field).to_have_attribute("placeholder", "dd/mm/yyyy")
        field.fill("16/01/2026")
        page.fill("#f-to", "16/1/2026")  # the short form is accepted, and tidied
        page.click("#search")
        expect(rows(page)).to_have_count(1)
        expect(rows(page)).to_contain_text("old-news@4")
        expect(page.locator("#f-to")).to_have_value("16/01/2026")
        assert "from=2026-01-16" in page.url and "to=2026-01-16" in page.url
        field.fill("31/02/2026")  # no such day
        assert page.evaluate("() => document.querySelector('#f-from').validity.valid") is False
        message = page.evaluate("() => document.querySelector('#f-from').validationMessage")
        assert message == "Ghi ngày theo dạng dd/mm/yyyy, ví dụ 05/12/2026."


def test_english_on_a_tablet_with_older_entries(browser, server, fleet, approval):
    start = datetime(2026, 2, 1, 2, 0, tzinfo=UTC)
    for n in range(55):
        add_entry(fleet, start + timedelta(minutes=n), "bulk-import", "playlist.edit",
                  f"bulk@{n}", before={"items": n}, after={"items": n + 1})
    with panel_page(browser, server.url, "quan-tri", lang="en", viewport="tablet") as page:
        page.goto(server.url + "/panel/audit?actor=bulk-import")
        expect(rows(page)).to_have_count(50)
        expect(rows(page).first).to_contain_text("Draft edited")
        expect(page.locator("#count")).to_contain_text("older ones follow")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.get_by_role("button", name="Older entries").click()
        expect(rows(page)).to_have_count(55)
        expect(page.locator("#more")).to_be_hidden()

        page.goto(server.url + "/panel/audit?action=playlist.approve")
        expect(page.locator("#f-action")).to_have_value("playlist.approve")
        expect(page.locator(f"#entries tbody tr:has-text('{approval}')")).to_contain_text(
            "Approved")


def test_approver_of_an_agency_reads_only_its_entries(browser, server, fleet, approval):
    with panel_page(browser, server.url, "duyet-dl", lang="vi") as page:
        page.goto(server.url + "/panel/audit?agency=culture")
        expect(page.locator("#error")).to_contain_text(
            "chỉ được xem các mục nhật ký của cơ quan")  # the API's refusal, in Vietnamese
        expect(page.locator("#scope-note")).to_contain_text("Sở Du lịch")
    with panel_page(browser, server.url, "bien-tap", lang="vi") as page:
        response = page.goto(server.url + "/panel/audit")
        assert response is not None and response.status == 403
