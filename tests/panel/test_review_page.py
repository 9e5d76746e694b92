"""The Review pages (/panel/review): an approver sees what an editor submitted, reads
the changes against the version on air, approves or rejects with a reason; nobody
approves their own work; roles without review get 403. Data is set up through the real
API with each person's own personal token, and checked through the API afterwards."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from panel.panel_helpers import PASSWORD, panel_page
from playwright.sync_api import expect

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Api:
    """The JSON API as one person (their own personal API token)."""

    def __init__(self, fleet: Any, base_url: str, username: str) -> None:
        with fleet.sessions() as session:
            token = issue_user_token(session, username)
            session.commit()
        self.base = base_url + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = self.http.request(method, self.base + path, json=body, timeout=10)
        return response.status_code, response.json()

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, data = self.call(method, path, body)
        assert status < 300, (status, data)
        return data


def edit_and_submit(api: Api, playlist: str, item: str, lang: str, title: str) -> int:
    """The editor changes one title of the version on air and submits the draft."""
    on_air = api.ok("GET", f"/playlists/{playlist}")["on_air"]
    items = api.ok("GET", f"/playlists/{playlist}/versions/{on_air}")["items"]
    next(entry for entry in items if entry["id"] == item)["variants"][lang]["title"] = title
    number = api.ok("PUT", f"/playlists/{playlist}/draft", {"items": items})["version"]["number"]
    api.ok("POST", f"/playlists/{playlist}/versions/{number}/submit")
    return number


def version_state(api: Api, playlist: str, number: int) -> dict[str, Any]:
    details = api.ok("GET", f"/playlists/{playlist}")
    return next(v for v in details["versions"] if v["number"] == number)


def test_approver_reads_the_changes_and_approves(browser, server, fleet):
    editor = Api(fleet, server.url, "bien-tap")
    number = edit_and_submit(editor, "sea-islands", "lang-co-bay", "en",
                             "Lăng Cô Bay, one of the world's most beautiful bays")
    with panel_page(browser, server.url, "duyet", lang="vi") as page:
        page.goto(server.url + "/panel/review")
        row = page.locator("#queue tbody tr[data-playlist='sea-islands']")
        expect(row).to_contain_text("Biển, đảo Việt Nam")
        expect(row).to_contain_text("Sở Du lịch")
        expect(row).to_contain_text("bien-tap")
        expect(row).to_contain_text("1 thay đổi")
        queued = Api(fleet, server.url, "duyet").ok("GET", "/review-queue")["queue"]
        assert next(q for q in queued if q["playlist"] == "sea-islands")["changes"] == {
            "added": 0, "removed": 0, "moved": 0, "changed": 1}
        row.get_by_role("link", name="Xem và duyệt").click()

        change = page.locator(".diff-item.changed[data-item='lang-co-bay'] "
                              ".change[data-field='title'][data-language='en']")
        expect(change.locator(".old-col")).to_contain_text("Lăng Cô Bay")
        expect(change.locator(".new-col")).to_contain_text(
            "Lăng Cô Bay, one of the world's most beautiful bays")
        expect(change.locator(".new-col ins")).to_contain_text("most beautiful bays")
        expect(page.locator("#summary")).to_contain_text("1 thay đổi")
        expect(page.locator("#why-not")).to_be_hidden()

        page.click("#approve")
        expect(page.locator("#approve-dialog")).to_contain_text(
            "sẽ được gửi tới mọi màn hình có lịch phát")  # approved is not yet on air
        page.click("#approve-confirm")
        expect(page.locator("#done")).to_contain_text("đã được duyệt")
        expect(page).to_have_url(server.url + "/panel/review")
        expect(page.locator("#queue tbody tr[data-playlist='sea-islands']")).to_have_count(0)

    assert version_state(editor, "sea-islands", number)["state"] == "approved"
    assert editor.ok("GET", "/playlists/sea-islands")["on_air"] == number


def test_reject_needs_a_reason_in_english_on_a_tablet(browser, server, fleet):
    editor = Api(fleet, server.url, "bien-tap-2")
    number = edit_and_submit(editor, "welcome-hue", "citadel", "en", "The Imperial Citadel")
    approver = Api(fleet, server.url, "duyet-dl")
    status, body = approver.call("POST", f"/playlists/welcome-hue/versions/{number}/reject",
                                 {"reason": "   "})
    assert status == 422 and "reason" in body["message"]

    with panel_page(browser, server.url, "duyet-dl", lang="en", viewport="tablet") as page:
        page.goto(server.url + f"/panel/review/welcome-hue?version={number}")
        expect(page.locator(".change[data-field='title'][data-language='en'] .new-col ins")
               ).to_contain_text("Imperial")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.click("#reject")
        page.click("#reject-confirm")
        expect(page.locator("#reject-dialog .error")).to_contain_text("Write a reason")
        assert version_state(editor, "welcome-hue", number)["state"] == "in_review"

        reason = "Please keep the full name: The Huế Imperial Citadel."
        page.fill("#reason", reason)
        page.click("#reject-confirm")
        expect(page.locator("#done")).to_contain_text("went back to its editors")

    rejected = version_state(editor, "welcome-hue", number)
    assert rejected["state"] == "draft"
    assert rejected["rejection_reason"] == reason


def test_nobody_approves_their_own_work(browser, server, fleet):
    with fleet.sessions() as session:
        add_user(session, "bien-tap-3", "editor", password=PASSWORD, agency="tourism")
        session.commit()
    author = Api(fleet, server.url, "bien-tap-3")
    number = edit_and_submit(author, "happy-hue-2025", "welcome", "en", "Happy Huế!")
    # The editor becomes an approver of the same agency while the version waits.
    Api(fleet, server.url, "quan-tri").ok("PATCH", "/users/bien-tap-3", {"role": "approver"})

    with panel_page(browser, server.url, "bien-tap-3", lang="vi") as page:
        page.goto(server.url + "/panel/review")
        row = page.locator("#queue tbody tr[data-playlist='happy-hue-2025']")
        expect(row).to_contain_text("bản sửa của bạn")
        row.get_by_role("link", name="Xem", exact=True).click()
        expect(page.locator("#why-not")).to_have_text(
            "Bạn là người sửa cuối cùng của phiên bản này nên không thể duyệt hay từ chối: "
            "một người duyệt khác phải làm việc này.")
        expect(page.locator("#approve")).to_be_hidden()
        expect(page.locator("#reject")).to_be_hidden()

    diff = author.ok("GET", f"/playlists/happy-hue-2025/versions/{number}/diff")
    assert (diff["may_approve"], diff["why_not_code"]) == (False, "own_edit")
    status, body = author.call("POST", f"/playlists/happy-hue-2025/versions/{number}/approve")
    assert status == 403 and "may not approve it" in body["message"]
    assert version_state(author, "happy-hue-2025", number)["state"] == "in_review"


def test_new_playlist_is_all_added_and_refusals_are_shown(browser, server, fleet):
    editor = Api(fleet, server.url, "bien-tap")
    item = {"id": "night-market", "type": "text", "duration": 10, "variants": {
        "vi": {"title": "Chợ đêm Huế", "body": "Mở cửa từ 18 giờ bên bờ sông Hương."},
        "en": {"title": "Huế night market", "body": "Open from 6 pm on the Perfume River."}}}
    editor.ok("POST", "/playlists", {"id": "night-market", "title": {
        "vi": "Chợ đêm", "en": "Night market"}, "items": [item]})
    editor.ok("POST", "/playlists/night-market/versions/1/submit")

    with panel_page(browser, server.url, "duyet", lang="vi") as page:
        page.goto(server.url + "/panel/review")
        row = page.locator("#queue tbody tr[data-playlist='night-market']")
        expect(row).to_contain_text("danh sách mới")
        row.get_by_role("link", name="Xem và duyệt").click()
        added = page.locator("#section-added .diff-item.added[data-item='night-market']")
        expect(added).to_contain_text("Chợ đêm Huế")
        expect(added).to_contain_text("Open from 6 pm on the Perfume River.")
        expect(page.locator("#summary")).to_contain_text("1 đã thêm")

        # The editor takes the version back while the approver reads it.
        editor.ok("POST", "/playlists/night-market/versions/1/withdraw")
        page.click("#approve")
        page.click("#approve-confirm")
        expect(page.locator("#approve-dialog .error")).to_contain_text("Máy chủ từ chối")
        # The server's own refusal, in the page's language (Accept-Language).
        expect(page.locator("#approve-dialog .error")).to_contain_text(
            "phiên bản này đang ở trạng thái bản nháp, không phải chờ duyệt")


def test_review_is_for_approvers_only(browser, server, fleet):
    for username in ("xem", "bien-tap"):
        with panel_page(browser, server.url, username, lang="vi") as page:
            response = page.goto(server.url + "/panel/review")
            assert response is not None and response.status == 403
            expect(page.locator(".mainnav")).not_to_contain_text("Duyệt")
    editor = Api(fleet, server.url, "bien-tap")
    status, body = editor.call("POST", "/playlists/welcome-hue/versions/1/approve")
    assert status == 403 and "editor" in body["message"]
