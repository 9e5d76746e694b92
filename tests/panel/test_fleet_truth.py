"""Screen truth on the Screens page: a technician opens "Kiểm tra màn hình" on a screen
whose player sent a periodic capture, and sees the verdict in Vietnamese with its reason,
the capture beside the frame the controller expected, and what the player said of its
kiosk page. Real controller (in-thread), real uploads with the screen's credential, real
Chromium."""

from __future__ import annotations

import io

import requests
from panel.panel_helpers import panel_page
from PIL import Image
from playwright.sync_api import expect
from web.helpers import DEADLINE, wait_for

from controller.models import ScreenTimeline

SCREEN = "a-dot-entry-hall"
CHECKED = "phu-bai-arrivals"  # no capture: the dialog says so
KIOSK = "chan-may-cruise-terminal"  # a kiosk whose page was behind


def _black_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 180)).save(out, "PNG")
    return out.getvalue()


def _has_timeline(fleet) -> bool:
    with fleet.sessions() as session:
        return session.get(ScreenTimeline, SCREEN) is not None


def test_the_capture_beside_the_expected_frame_in_vietnamese(browser, server, fleet):
    wait_for(lambda: _has_timeline(fleet), what="the screen's timeline")
    answer = requests.put(f"{server.url}/api/v1/player/screenshot",
                          params={"periodic": "1", "item": "welcome", "languages": "vi"},
                          data=_black_png(), timeout=DEADLINE,
                          headers={"Authorization": f"Bearer {fleet.tokens[SCREEN]}",
                                   "Content-Type": "image/png"})
    assert answer.status_code == 200 and answer.json()["verdict"] == "black", answer.text
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.goto(server.url + "/panel/fleet")
        row = page.locator(f"tr.screen-row[data-screen='{SCREEN}']")
        row.locator("button.truth-open").click()
        dialog = page.locator("#truth-dialog")
        expect(dialog).to_be_visible()
        expect(page.locator("#truth-title")).to_contain_text("có hiển thị đúng nội dung không?")
        expect(page.locator("#truth-verdict strong")).to_have_text("Màn hình đen")
        expect(page.locator("#truth-verdict")).to_contain_text("chụp lúc")
        expect(page.locator("#truth-verdict .truth-reason")).to_contain_text("welcome")
        expect(page.locator("#truth-page")).to_have_text(
            "Trình phát chưa cho biết trang của nó có hoạt động không.")
        # A headless capture (no page_item): nothing said of a page.
        expect(page.locator("#truth-verdict .truth-where")).to_have_count(0)
        page.wait_for_function(
            "() => document.querySelector('#truth-capture').naturalWidth === 320")
        page.wait_for_function(
            "() => document.querySelector('#truth-expected').naturalWidth > 320")
        expect(page.locator("#truth-expected-none")).to_be_hidden()
        dialog.locator("button[value=close]").click()
        expect(dialog).to_be_hidden()

        page.locator(f"tr.screen-row[data-screen='{CHECKED}'] button.truth-open").click()
        expect(page.locator("#truth-verdict strong")).to_have_text("Chưa có ảnh chụp định kỳ")
        expect(page.locator("#truth-capture")).to_be_hidden()
        expect(page.locator("#truth-expected-none")).to_be_visible()

        # A kiosk whose page was still on another item: where to look, in Vietnamese.
        dialog.locator("button[value=close]").click()
        answer = requests.put(f"{server.url}/api/v1/player/screenshot",
                              params={"periodic": "1", "item": "welcome", "languages": "vi",
                                      "page_item": "friendship"},
                              data=_black_png(), timeout=DEADLINE,
                              headers={"Authorization": f"Bearer {fleet.tokens[KIOSK]}",
                                       "Content-Type": "image/png"})
        assert answer.status_code == 200 and answer.json()["verdict"] == "black", answer.text
        page.locator(f"tr.screen-row[data-screen='{KIOSK}'] button.truth-open").click()
        expect(page.locator("#truth-verdict .truth-where")).to_have_text(
            "Trang kiosk lại đang hiển thị friendship: trang bị chậm hoặc bị treo; "
            "hãy tải lại trang.")
