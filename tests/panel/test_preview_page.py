"""The Preview page (/panel/preview): a screen at a chosen time, drawn by the controller
at the screen's own resolution, beside what plays then and why."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from panel.panel_helpers import panel_page
from playwright.sync_api import Page, expect
from web.helpers import REPO, call

from controller.content.schedules_import import import_schedules

SCREEN = "phu-bai-arrivals"
AFTERNOON = "2026-12-08T13:00:00+07:00"  # phu-bai-afternoon-festival: Festival Huế


@pytest.fixture(scope="module", autouse=True)
def demo_schedules(fleet):
    with fleet.sessions() as session:
        import_schedules(session, REPO / "config" / "schedules.yaml")
        session.commit()


def api(server, fleet, path: str):
    status, body = call(server, "GET", path, fleet.users["viewer"])
    assert status == 200, body
    return body


def screen_of(server, fleet, screen_id: str) -> dict:
    sites = api(server, fleet, "/api/v1/sites")["sites"]
    return next(sc for site in sites for sc in site["screens"] if sc["id"] == screen_id)


def natural_size(page: Page) -> tuple[int, int]:
    image = page.locator("#p-image")
    expect(image).to_have_js_property("complete", True)
    page.wait_for_function("() => document.getElementById('p-image').naturalWidth > 0")
    return tuple(page.evaluate("[document.getElementById('p-image').naturalWidth, "
                               "document.getElementById('p-image').naturalHeight]"))


def test_a_screen_at_a_chosen_time_as_it_would_show(browser, server, fleet):
    screen = screen_of(server, fleet, SCREEN)
    expected = api(server, fleet, f"/api/v1/screens/{SCREEN}/preview?at={quote(AFTERNOON)}")
    assert expected["playing"]["playlist"].startswith("festival-hue-2025@")
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/preview")
        expect(page.locator("h1")).to_have_text("Xem trước")
        page.select_option("#p-screen", SCREEN)
        page.fill("#p-date", "2026-12-08")
        page.fill("#p-time", "13:00:00")
        page.click("#p-show")
        expect(page).to_have_url(re.compile(r"at=2026-12-08T13%3A00%3A00%2B07%3A00"))
        assert natural_size(page) == (screen["width"], screen["height"])
        facts = page.locator("#p-facts")
        expect(facts).to_contain_text("Festival Huế 2025")
        expect(facts.locator(f"code[data-item='{expected['playing']['item']}']")).to_be_visible()
        expect(page.locator("#p-why")).to_have_text(
            "“Festival Huế 2025” đang phát theo lịch (ưu tiên 0, nhắm màn hình theo mã "
            "màn hình).")
        expect(page.locator("#p-caption")).to_have_text(
            f"{screen['width']}×{screen['height']} điểm ảnh, màn hình ngang, ngôn ngữ: vi, en")
        # The frame keeps the screen's aspect ratio.
        box = page.locator("#p-frame").bounding_box()
        assert abs(box["width"] / box["height"] - screen["width"] / screen["height"]) < 0.02

        # Outside every schedule the default playlist plays, and the page says so.
        page.fill("#p-time", "03:00:00")
        page.click("#p-show")
        expect(page.locator("#p-why")).to_have_text(
            "Không có lịch nào đang bật: màn hình phát danh sách phát mặc định.")
        expect(facts).to_contain_text("welcome-hue@")


def test_the_picture_is_the_controllers_at_the_screens_resolution(browser, server, fleet):
    """A portrait screen: the image keeps its own size, the frame its shape."""
    sites = api(server, fleet, "/api/v1/sites")["sites"]
    portrait = next((sc for site in sites for sc in site["screens"]
                     if sc["height"] > sc["width"]), None)
    target = portrait or screen_of(server, fleet, "a-dot-outdoor-pano")
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.goto(server.url + f"/panel/preview?screen={target['id']}&at={quote(AFTERNOON)}")
        expect(page.locator("#p-screen")).to_have_value(target["id"])
        assert natural_size(page) == (target["width"], target["height"])
        expect(page.locator("#p-caption")).to_contain_text(f"{target['width']}×{target['height']}")
        expect(page.locator("#p-week")).to_have_count(0)  # technicians have no week view


def test_in_english_on_a_tablet(browser, server, fleet):
    screen = screen_of(server, fleet, SCREEN)
    with panel_page(browser, server.url, "xem", lang="en", viewport="tablet") as page:
        page.goto(server.url + f"/panel/preview?screen={SCREEN}&at={quote(AFTERNOON)}")
        expect(page.locator("h1")).to_have_text("Preview")
        expect(page.locator("#p-time")).to_have_value("13:00:00")
        expect(page.locator("#p-why")).to_have_text(
            "“Festival Huế 2025” plays by its schedule (priority 0, targets the screen by its "
            "screen id).")
        expect(page.locator("#p-caption")).to_have_text(
            f"{screen['width']}×{screen['height']} pixels, landscape, languages: vi, en")
        assert natural_size(page) == (screen["width"], screen["height"])
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        frame = page.locator("#p-frame").bounding_box()
        assert frame["width"] <= 820
        assert page.locator("#p-now").bounding_box()["height"] >= 36
        page.click("#p-week")
        page.wait_for_url(re.compile(r"/panel/schedules\?screen=phu-bai-arrivals&start=2026-12-07"))
        expect(page.locator(".day-head").first).to_have_text(re.compile(r"^Mon"))


def test_a_late_answer_for_an_earlier_choice_is_not_drawn(browser, server, fleet):
    """03:00 asked first and its explanation held back until 13:00 has been shown: when
    the late answer arrives, the page keeps 13:00's playlist and reason (it drew the
    earlier choice's title over the later one under load)."""
    festival = ("“Festival Huế 2025” đang phát theo lịch (ưu tiên 0, nhắm màn hình theo "
                "mã màn hình).")
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/preview")
        expect(page.locator("h1")).to_have_text("Xem trước")
        page.select_option("#p-screen", SCREEN)
        page.fill("#p-date", "2026-12-08")
        held: list = []

        def hold_first(route) -> None:  # noqa: ANN001 - a Playwright Route
            if held:
                route.continue_()
            else:
                held.append(route)

        page.route("**/week?start=*", hold_first)
        page.fill("#p-time", "03:00:00")
        page.click("#p-show")
        expect(page.locator("#p-facts")).to_contain_text("welcome-hue@")
        page.wait_for_function("() => true")  # let the held request reach the route
        assert len(held) == 1
        page.fill("#p-time", "13:00:00")
        page.click("#p-show")
        expect(page.locator("#p-why")).to_have_text(festival)
        expect(page.locator("#p-facts")).to_contain_text("Festival Huế 2025")
        held[0].continue_()  # 03:00's explanation arrives last
        page.wait_for_timeout(800)
        expect(page.locator("#p-why")).to_have_text(festival)
        expect(page.locator("#p-facts")).to_contain_text("Festival Huế 2025")
