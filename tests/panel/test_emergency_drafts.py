"""Official warnings (CAP drafts, docs/cap.md) on the panel's Emergency page, in real
Chromium over a real controller: a typhoon warning over Thừa Thiên Huế read from the
feed waits as a draft with the agency's Vietnamese and English, its severity, urgency,
expiry and the sites it covers; an emergency officer completes the missing Lao and
sends it (refused first without it, nothing sent); the agency's update shows as such
on a waiting draft and its cancel as "cancelled"; a technician reads them in English
without the buttons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cap.feeds import SOURCE, feed
from panel.english_check import content_of, english_on
from panel.panel_helpers import panel_page
from playwright.sync_api import Page, expect
from web.helpers import Api

from controller.auth.tokens import issue_user_token
from controller.cap.feed import ingest_feed

NOW = datetime.now(UTC).replace(microsecond=0)  # one clock: updates name earlier alerts' times
LAO_TITLE = "ເຕືອນໄພພາຍຸ"
LAO_BODY = "ກະລຸນາຢູ່ໃນອາຄານ."


def ingest(fleet, body: bytes) -> str:
    with fleet.sessions() as session:
        result = ingest_feed(session, SOURCE, body, datetime.now(UTC))
        session.commit()
    return str(result)


def alert(name: str, *ids: tuple[str, str]) -> bytes:
    body = feed(name, NOW)
    for old, new in ids:
        body = body.replace(old.encode(), new.encode())
    return body


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    with fleet.sessions() as session:
        out = {"khan-cap": issue_user_token(session, "khan-cap")}
        session.commit()
    return out


@pytest.fixture(scope="module")
def api(server) -> Api:
    return Api(server)


def waiting(page: Page):
    return page.locator("[data-testid=cap-draft][data-status=waiting]")


def test_an_officer_completes_the_lao_and_sends_a_typhoon_warning(
        browser, server, fleet, api, tokens) -> None:
    ingest(fleet, alert("typhoon-hue.xml", ("TY06-001", "PANEL-1")))
    with panel_page(browser, server.url, "khan-cap") as page:
        page.goto(server.url + "/panel/emergency")
        draft = waiting(page)
        expect(draft).to_have_count(1)
        expect(draft.locator("h3").first).to_have_text("Bão số 6 đổ bộ Thừa Thiên Huế")
        expect(draft.get_by_test_id("cap-status")).to_have_text("Đang chờ bạn")
        facts = draft.locator(".cap-facts")
        expect(facts).to_contain_text("Nghiêm trọng")
        expect(facts).to_contain_text("Sắp xảy ra")
        expect(facts).to_contain_text("Cửa khẩu")  # A Đớt's site, named, not its id
        expect(facts).not_to_contain_text("a-dot-border-gate")
        expect(draft.locator(".cap-lang[data-lang=en] input")).to_have_value(
            "Typhoon No. 6 makes landfall in Thua Thien Hue")
        lao = draft.locator(".cap-lang[data-lang=lo]")
        expect(lao).to_contain_text("Còn thiếu: hãy viết")
        assert english_on(page, content_of(fleet)) == []  # issue 16: no English
        # Sending without the Lao is refused on the page, nothing sent.
        draft.get_by_test_id("cap-send").click()
        expect(draft.locator(".cap-error")).to_contain_text(
            "Hãy viết tiêu đề bằng mọi ngôn ngữ còn thiếu")
        assert api("GET", "/emergencies", tokens["khan-cap"])[1]["emergencies"] == []
        lao.locator("input").fill(LAO_TITLE)
        lao.locator("textarea").fill(LAO_BODY)
        draft.get_by_test_id("cap-send").click()
        sent = page.locator("[data-testid=cap-draft][data-status=sent]")
        expect(sent.get_by_test_id("cap-status")).to_have_text("Đã gửi")
        expect(sent.get_by_role("link", name="Xem xác nhận hiển thị")).to_be_visible()
        expect(page.locator("#recent")).to_contain_text("Bão số 6")
    status, listed = api("GET", "/emergencies", tokens["khan-cap"])
    (emergency,) = listed["emergencies"]
    assert emergency["messages"]["lo"] == {"title": LAO_TITLE, "body": LAO_BODY}
    assert emergency["messages"]["vi"]["title"] == "Bão số 6 đổ bộ Thừa Thiên Huế"


def test_the_agencys_update_and_cancel_show_as_such(browser, server, fleet) -> None:
    ids = [("TY06-001", "PANEL-2"), ("TY06-002", "PANEL-3"), ("TY06-003", "PANEL-4")]
    ingest(fleet, alert("typhoon-hue.xml", *ids))
    with panel_page(browser, server.url, "khan-cap") as page:
        page.goto(server.url + "/panel/emergency")
        expect(waiting(page)).to_have_count(1)
        expect(waiting(page).get_by_test_id("cap-updated")).to_have_count(0)
        assert "1 draft(s) made or updated" in ingest(fleet, alert("update.xml", *ids))
        page.reload()
        expect(waiting(page).locator("h3").first).to_have_text("Bão số 6 mạnh lên cấp 12")
        expect(waiting(page).get_by_test_id("cap-updated")).to_contain_text(
            "Cơ quan ban hành đã cập nhật lúc")
        ingest(fleet, alert("cancel.xml", *ids))
        page.reload()
        expect(waiting(page)).to_have_count(0)
        cancelled = page.locator("[data-testid=cap-draft][data-status=cancelled]")
        expect(cancelled.get_by_test_id("cap-status")).to_have_text("Cơ quan ban hành đã hủy")
        expect(cancelled.get_by_test_id("cap-send")).to_have_count(0)


def test_a_technician_reads_the_warnings_in_english_without_buttons(
        browser, server, fleet) -> None:
    ingest(fleet, alert("typhoon-hue.xml", ("TY06-001", "PANEL-5")))
    with panel_page(browser, server.url, "ky-thuat", lang="en", viewport="tablet") as page:
        page.goto(server.url + "/panel/emergency")
        expect(page.get_by_test_id("cap-drafts").locator("h2")).to_have_text(
            "Official warnings (CAP)")
        draft = waiting(page)
        expect(draft.get_by_test_id("cap-status")).to_have_text("Waiting for you")
        expect(draft.locator(".cap-facts")).to_contain_text("Expected soon")
        expect(draft.locator(".cap-lang[data-lang=lo]")).to_contain_text("Missing: write it")
        expect(draft.get_by_test_id("cap-send")).to_have_count(0)
        expect(draft.locator(".cap-lang[data-lang=vi] input")).to_have_attribute("readonly", "")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
