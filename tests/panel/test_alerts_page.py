"""The Alerts page (/panel/alerts) in a real browser: a technician sees the open
incident in Vietnamese with its runbook link and the message that could not be
delivered, is told (in Vietnamese) that a note is needed, acknowledges it with one, and
the audit log has the note; an administrator changes a rule (a refused value explained),
technicians see it but cannot; viewers do not get the page."""

from __future__ import annotations

from panel.panel_helpers import panel_page
from playwright.sync_api import expect
from sqlalchemy import select
from support.alert_rows import open_incident

from controller.models import AlertRuleSetting, AuditEntry


def _incident(fleet) -> int:
    return open_incident(fleet.sessions, failed_delivery="webhook not reached: refused")


def test_technician_acknowledges_an_incident_with_a_note(browser, fleet, server):
    number = _incident(fleet)
    with panel_page(browser, server.url, "ky-thuat", lang="vi") as page:
        page.goto(server.url + "/panel/alerts")
        row = page.locator(f"#open tr[data-id='{number}']")
        expect(row).to_contain_text("Màn hình mất kết nối")
        expect(row).to_contain_text("a-dot-entry-hall")
        expect(row.locator("a")).to_have_attribute(
            "href", "docs/operations.md#alert-screen-offline")
        expect(page.locator("#problems")).to_contain_text("webhook not reached")
        expect(page.locator("#problems")).to_contain_text("sẽ thử lại")

        row.locator("button.ack").click()
        page.click("#ack-send")  # no note: the server says what is missing
        expect(page.locator("#ack-error")).to_contain_text("'note' phải là văn bản")
        page.fill("#ack-note", "Đã gọi người trực: mất điện ở cửa khẩu")
        page.click("#ack-send")
        expect(row).to_contain_text("Đã gọi người trực: mất điện ở cửa khẩu")
        expect(row.locator("button.ack")).to_have_count(0)
    with fleet.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert.acknowledge")).one()
        assert (entry.actor, entry.note) == ("ky-thuat",
                                             "Đã gọi người trực: mất điện ở cửa khẩu")


def test_the_page_is_for_technicians_and_admins(browser, server):
    with panel_page(browser, server.url, "xem", lang="vi") as page:
        response = page.goto(server.url + "/panel/alerts")
        assert response is not None and response.status == 403
        expect(page.locator("nav")).not_to_contain_text("Cảnh báo")
    with panel_page(browser, server.url, "quan-tri", lang="en") as page:
        page.goto(server.url + "/panel/alerts")
        expect(page.locator("h1")).to_have_text("Alerts")


def test_an_administrator_changes_a_rule(browser, fleet, server):
    with panel_page(browser, server.url, "quan-tri", lang="vi") as page:
        page.goto(server.url + "/panel/alerts")
        row = page.locator("#rules tr[data-rule='cpu_temp_high']")
        expect(row).to_contain_text("Nhiệt độ CPU cao")
        row.locator("button.edit-rule").click()
        page.fill("#limit-max_celsius", "500")
        page.click("#rule-save")  # out of bounds: the server says which
        expect(page.locator("#rule-error")).to_contain_text("từ 30 đến 120")
        page.fill("#limit-max_celsius", "75")
        page.fill("#rule-for", "120")
        page.click("#rule-save")
        expect(row).to_contain_text("đã đổi trong bảng điều khiển: for, max_celsius")
        expect(row).to_contain_text("75")
    with fleet.sessions() as session:
        setting = session.get(AlertRuleSetting, "cpu_temp_high")
        assert setting.settings == {"max_celsius": 75.0, "for": 120.0}
        assert setting.updated_by == "quan-tri"
    with panel_page(browser, server.url, "ky-thuat", lang="vi") as page:
        page.goto(server.url + "/panel/alerts")
        expect(page.locator("#rules tr[data-rule='cpu_temp_high']")).to_contain_text("75")
        expect(page.locator("#rules button.edit-rule")).to_have_count(0)
