"""The Schedules page (/panel/schedules): the week view of a screen as the controller's
scheduling code decides it, conflicts explained, and schedules created, edited and
deleted through the page — in Vietnamese, in English, on a desktop and on a tablet."""

from __future__ import annotations

import re

import pytest
from panel.panel_helpers import panel_page
from playwright.sync_api import Page, expect
from web.helpers import REPO, call

from controller.content.schedules_import import import_schedules

# A week inside the demo schedules' dates (2026-01-01 … 2027-12-31), Monday first.
WEEK = "2026-12-07"
WEDNESDAY, FRIDAY, SATURDAY = "2026-12-09", "2026-12-11", "2026-12-12"
PHU_BAI = f"/panel/schedules?site=phu-bai-airport&screen=phu-bai-arrivals&start={WEEK}"


@pytest.fixture(scope="module", autouse=True)
def demo_schedules(fleet):
    """The shipped config/schedules.yaml (the fleet fixture imports sites and playlists)."""
    with fleet.sessions() as session:
        import_schedules(session, REPO / "config" / "schedules.yaml")
        session.commit()


def api(server, fleet, method: str, path: str, body=None):
    return call(server, method, path, fleet.users["admin"], body)


def slot(page: Page, day: str, start: str):
    return page.locator(f".slot[data-day='{day}'][data-start='{start}']")


def open_week(page: Page, server) -> None:
    page.goto(server.url + PHU_BAI)
    expect(page.locator(".day-head")).to_have_count(7)
    expect(page.locator(".slot").first).to_be_visible()


def test_the_week_shows_what_the_controller_decides(browser, server, fleet):
    status, week = api(server, fleet, "GET", f"/api/v1/screens/phu-bai-arrivals/week?start={WEEK}")
    assert status == 200 and week["days"][0] == WEEK
    with panel_page(browser, server.url, "duyet") as page:
        open_week(page, server)
        expect(page.locator("h1")).to_have_text("Lịch phát")
        expect(page.locator("#screen-switch button[aria-pressed=true]")
               ).to_have_text("Sảnh đến quốc tế")
        # Every segment of the API is drawn, cut at local midnights.
        evening = slot(page, WEDNESDAY, "18:00")
        expect(evening).to_have_attribute("data-playlist", re.compile(r"^border-welcome@\d+$"))
        expect(evening).to_have_attribute("data-end", "23:30")
        expect(slot(page, WEDNESDAY, "06:00")).to_have_attribute("data-schedule",
                                                                 "phu-bai-morning-invest")
        expect(slot(page, SATURDAY, "06:00")).to_have_count(0)  # weekdays only
        expect(page.locator(".legend")).to_contain_text("Chào mừng đến Huế")
        evening.click()
        expect(page.locator(".detail-winner")).to_have_text(
            "“Chào mừng qua cửa khẩu A Đớt” đang phát theo lịch (ưu tiên 0, nhắm màn hình theo "
            "địa điểm).")
        expect(page.locator(".detail-time")).to_contain_text("18:00–23:30")
        # The preview link opens the screen at that time.
        page.get_by_role("link", name="Xem trước lúc này").click()
        page.wait_for_url(re.compile(r"/panel/preview\?screen=phu-bai-arrivals&at=2026-12-09T18"))
        expect(page.locator("#p-facts")).to_contain_text("border-welcome@")


def test_an_editor_schedules_an_approved_playlist_on_phu_bai(browser, server, fleet):
    with panel_page(browser, server.url, "bien-tap") as page:
        open_week(page, server)
        expect(slot(page, WEDNESDAY, "10:00")).to_have_attribute("data-playlist",
                                                                 re.compile("^welcome-hue@"))
        page.click("#new-schedule")
        dialog = page.locator("#schedule-dialog")
        expect(dialog).to_be_visible()
        expect(page.locator("#f-delete")).to_be_hidden()  # nothing to delete yet
        # Only approved playlists the editor may see (tourism's) are offered.
        options = page.locator("#f-playlist option").all_inner_texts()
        assert "Happy Huế 2025" in options and "Festival Huế 2025" not in options
        page.select_option("#f-playlist", "happy-hue-2025")
        expect(page.locator("#f-id")).to_have_value("happy-hue-2025-phu-bai-airport")
        expect(page.locator("input[name=site][value=phu-bai-airport]")).to_be_checked()
        for day in ("mon", "tue", "thu", "fri", "sat", "sun"):
            page.uncheck(f"input[name=weekday][value={day}]")
        page.click("#f-add-window")
        page.fill(".window-row .w-start", "10:00")
        page.fill(".window-row .w-end", "12:00")
        page.fill("#f-priority", "2")
        page.click("#f-save")
        expect(dialog).to_be_hidden()
        block = slot(page, WEDNESDAY, "10:00")
        expect(block).to_have_attribute("data-playlist", re.compile(r"^happy-hue-2025@\d+$"))
        expect(block).to_have_attribute("data-end", "12:00")
        expect(slot(page, "2026-12-08", "10:00")).to_have_attribute(
            "data-playlist", re.compile("^welcome-hue@"))  # Tuesday unchanged
        expect(page.locator("#schedule-table tr[data-schedule='happy-hue-2025-phu-bai-airport']")
               ).to_contain_text("10:00–12:00")

    status, stored = api(server, fleet, "GET", "/api/v1/schedules/happy-hue-2025-phu-bai-airport")
    assert status == 200
    assert stored["targets"] == {"sites": ["phu-bai-airport"]}
    assert stored["weekdays"] == ["wed"] and stored["windows"] == ["10:00-12:00"]
    assert stored["priority"] == 2 and stored["created_by"] == "bien-tap"


def test_editing_and_deleting_a_schedule(browser, server, fleet):
    body = {"id": "sea-islands-phu-bai-dawn", "playlist": "sea-islands",
            "targets": {"screens": ["phu-bai-arrivals"]}, "weekdays": ["sat"],
            "windows": ["04:00-05:00"]}
    assert api(server, fleet, "POST", "/api/v1/schedules", body)[0] == 201
    with panel_page(browser, server.url, "bien-tap") as page:
        open_week(page, server)
        slot(page, SATURDAY, "04:00").click()
        page.get_by_role("button", name="Sửa lịch").click()
        expect(page.locator("#f-id")).to_have_value("sea-islands-phu-bai-dawn")
        expect(page.locator(".window-row .w-start")).to_have_value("04:00")
        page.fill(".window-row .w-end", "05:30")
        page.click("#f-save")
        expect(slot(page, SATURDAY, "04:00")).to_have_attribute("data-end", "05:30")
        page.locator("#schedule-table tr[data-schedule='sea-islands-phu-bai-dawn'] button").click()
        page.click("#f-delete")
        expect(page.locator("#f-delete")).to_have_text("Bấm lần nữa để xóa hẳn")
        page.click("#f-delete")
        expect(page.locator("#schedule-dialog")).to_be_hidden()
        expect(slot(page, SATURDAY, "04:00")).to_have_count(0)
    assert api(server, fleet, "GET", "/api/v1/schedules/sea-islands-phu-bai-dawn")[0] == 404


def test_a_conflict_says_which_schedule_wins_and_why(browser, server, fleet):
    body = {"id": "sea-islands-friday-evening", "playlist": "sea-islands",
            "targets": {"screens": ["phu-bai-arrivals"]}, "weekdays": ["fri"],
            "windows": ["19:00-21:00"], "priority": 5}
    assert api(server, fleet, "POST", "/api/v1/schedules", body)[0] == 201
    status, week = api(server, fleet, "GET", f"/api/v1/screens/phu-bai-arrivals/week?start={WEEK}")
    piece = next(s for s in week["segments"] if s["local_start"] == f"{FRIDAY}T19:00:00+07:00")
    assert piece["schedule"] == "sea-islands-friday-evening"
    assert [(o["schedule"], o["rule"]) for o in piece["overridden"]] == [
        ("phu-bai-evening-friendship", "priority")]
    with panel_page(browser, server.url, "xem") as page:
        open_week(page, server)
        block = slot(page, FRIDAY, "19:00")
        expect(block).to_have_class(re.compile(r"\bconflict\b"))
        expect(block.locator(".slot-conflict")).to_have_text("⚠ 1")
        expect(slot(page, FRIDAY, "18:00")).to_have_attribute("data-end", "19:00")
        expect(slot(page, FRIDAY, "21:00")).to_have_attribute("data-schedule",
                                                              "phu-bai-evening-friendship")
        block.click()
        expect(page.locator(".why")).to_have_text(
            "“Biển, đảo Việt Nam” (ưu tiên 5) thắng “Chào mừng qua cửa khẩu A Đớt” (ưu tiên "
            "0): lịch có ưu tiên cao hơn.")
        expect(page.locator("details.engine p")).to_have_text(piece["reason"])


def test_the_servers_refusal_is_shown_and_the_form_kept(browser, server, fleet):
    with panel_page(browser, server.url, "bien-tap") as page:
        open_week(page, server)
        page.click("#new-schedule")
        page.select_option("#f-playlist", "welcome-hue")
        expect(page.locator("#f-id")).to_be_hidden()  # made from the names, under Advanced
        page.click("#f-advanced summary")
        page.fill("#f-id", "welcome-backwards")
        page.fill("#f-from", "2026-12-10")
        page.fill("#f-until", "2026-12-01")
        page.click("#f-save")
        error = page.locator("#schedule-error")
        expect(error).to_be_visible()
        # the panel is Vietnamese: the server's own refusal, in Vietnamese
        expect(error).to_contain_text("'until' 2026-12-01 trước 'from' 2026-12-10")
        expect(page.locator("#schedule-dialog")).to_be_visible()
        expect(page.locator("#f-id")).to_have_value("welcome-backwards")
        # shown the panel's way (dd/mm/yyyy), sent the API's (the refusal names ISO dates)
        expect(page.locator("#f-from")).to_have_value("10/12/2026")
        expect(page.locator("#f-playlist")).to_have_value("welcome-hue")
    assert api(server, fleet, "GET", "/api/v1/schedules/welcome-backwards")[0] == 404


def test_a_viewer_reads_but_cannot_write(browser, server):
    with panel_page(browser, server.url, "xem") as page:
        open_week(page, server)
        expect(page.locator("#schedule-table tbody tr").first).to_be_visible()
        # Schedules are named by their playlists, not by ids nobody chose (issue 16, 5).
        expect(page.locator("#schedule-table")).to_contain_text("Chào mừng qua cửa khẩu A Đớt")
        expect(page.locator("#schedule-table")).not_to_contain_text("phu-bai-evening-friendship")
        expect(page.locator("#new-schedule")).to_have_count(0)
        expect(page.locator("#schedule-dialog")).to_have_count(0)
        expect(page.locator("#schedule-table button")).to_have_count(0)
        slot(page, WEDNESDAY, "18:00").click()
        expect(page.locator(".detail-actions button")).to_have_count(0)


def test_in_english_on_a_tablet(browser, server):
    with panel_page(browser, server.url, "duyet", lang="en", viewport="tablet") as page:
        page.goto(server.url + "/panel/schedules?site=phu-bai-airport")
        expect(page.locator("h1")).to_have_text("Schedules")
        expect(page.locator(".day-head").first).to_be_visible()
        page.click("#week-today")
        page.goto(server.url + PHU_BAI)
        expect(page.locator(".day-head").first).to_have_text(re.compile(r"^Mon"))
        page.click("#week-next")
        expect(page.locator(".day-head").first).to_have_text(re.compile(r"^Mon.*14"))
        page.click("#week-prev")
        slot(page, WEDNESDAY, "18:00").click()
        expect(page.locator(".detail-winner")).to_have_text(
            "“Welcome through the A Dot border gate” plays by its schedule (priority 0, targets "
            "the screen by its site).")
        page.locator("#screen-switch button", has_text="Baggage claim").click()
        expect(page.locator("#week-title")).to_contain_text("Baggage claim")
        # Nothing scrolls sideways but the grid inside its frame; buttons are touchable.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        for selector in ("#week-next", "#new-schedule", "#screen-switch button"):
            assert page.locator(selector).first.bounding_box()["height"] >= 36
        page.click("#new-schedule")
        expect(page.locator("#schedule-dialog-title")).to_have_text("New schedule")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_week_route_refuses_what_it_cannot_read(server, fleet):
    status, body = api(server, fleet, "GET", "/api/v1/screens/phu-bai-arrivals/week?start=07-12")
    assert status == 400 and "YYYY-MM-DD" in body["message"]
    status, body = api(server, fleet, "GET", "/api/v1/screens/no-such-screen/week")
    assert status == 404
    status, week = api(server, fleet, "GET", "/api/v1/screens/phu-bai-arrivals/week")
    assert status == 200 and len(week["days"]) == 7
    assert week["segments"][0]["start"] == week["from"]
    assert week["segments"][-1]["end"] == week["until"]
    pairs = zip(week["segments"], week["segments"][1:], strict=False)
    assert all(a["end"] == b["start"] for a, b in pairs)


def test_a_late_week_for_an_earlier_choice_is_not_drawn(browser, server):
    """Baggage claim chosen, its week held back, then Arrivals chosen again: when the
    baggage week arrives last, the page keeps showing Arrivals' week (an answer drawn
    out of order showed one screen's week under another's button)."""
    with panel_page(browser, server.url, "duyet", lang="en") as page:
        open_week(page, server)
        expect(page.locator("#week-title")).to_contain_text("International arrivals hall")
        held: list = []

        def hold_baggage(route) -> None:  # noqa: ANN001 - a Playwright Route
            if "/phu-bai-baggage/week" in route.request.url and not held:
                held.append(route)
            else:
                route.continue_()

        page.route("**/week*", hold_baggage)
        page.click("#screen-switch button[data-screen=phu-bai-baggage]")
        expect(page.locator("#week-grid")).to_have_attribute("aria-busy", "true")
        page.wait_for_function("() => true")  # let the held request reach the route
        assert len(held) == 1
        page.click("#screen-switch button[data-screen=phu-bai-arrivals]")
        expect(page.locator("#week-grid")).not_to_have_attribute("aria-busy", "true")
        expect(page.locator("#week-title")).to_contain_text("International arrivals hall")
        held[0].continue_()  # the baggage week arrives last
        page.wait_for_timeout(800)
        expect(page.locator("#week-title")).to_contain_text("International arrivals hall")
        expect(page.locator("#screen-switch button[aria-pressed=true]")).to_have_attribute(
            "data-screen", "phu-bai-arrivals")


def _boxes_meet(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def _no_inner_scroll(page: Page) -> bool:
    return page.evaluate("(() => { const s = document.getElementById('week-scroll');"
                         " return s.scrollHeight <= s.clientHeight + 1; })()")


@pytest.mark.parametrize("viewport", ["desktop", "tablet"])
def test_the_hours_chosen_show_whole_without_an_inner_scroll(browser, server, viewport):
    with panel_page(browser, server.url, "duyet", viewport=viewport) as page:
        open_week(page, server)
        hours = page.locator(".week-grid .hour")
        # Scheduled hours: 06:00 to the evening schedule's 23:30, the empty night left out.
        expect(hours.first).to_have_text("06:00")
        expect(hours.last).to_have_text("23:00")
        assert _no_inner_scroll(page)
        # Whole names, wrapped inside their block (not cut at the block's right edge).
        evening = slot(page, WEDNESDAY, "18:00")
        title, box = evening.locator(".slot-title").bounding_box(), evening.bounding_box()
        assert title["x"] + title["width"] <= box["x"] + box["width"] + 1
        assert title["y"] + title["height"] <= box["y"] + box["height"]
        assert evening.locator(".slot-title").evaluate("n => n.scrollWidth <= n.clientWidth")
        page.select_option("#hours-select", "office")
        expect(hours.first).to_have_text("08:00")
        expect(hours.last).to_have_text("17:00")
        expect(slot(page, WEDNESDAY, "18:00")).to_have_count(0)  # outside 08–18, and said so
        expect(page.locator("#week-outside")).to_contain_text("nằm ngoài khung giờ")
        assert _no_inner_scroll(page)
        page.select_option("#hours-select", "full")
        expect(hours.first).to_have_text("00:00")
        expect(page.locator("#week-outside")).to_be_hidden()
        assert _no_inner_scroll(page)


def test_a_conflict_badge_never_covers_the_name(browser, server, fleet):
    body = {"id": "sea-islands-sunday-noon", "playlist": "sea-islands",
            "targets": {"screens": ["phu-bai-arrivals"]}, "weekdays": ["sun"],
            "windows": ["12:00-13:00"], "priority": 5}
    assert api(server, fleet, "POST", "/api/v1/schedules", body)[0] == 201
    try:
        with panel_page(browser, server.url, "xem", viewport="tablet") as page:
            open_week(page, server)
            block = slot(page, "2026-12-13", "12:00")
            badge = block.locator(".slot-conflict")
            expect(badge).to_have_text("⚠ 1")
            title = block.locator(".slot-title")
            assert not _boxes_meet(badge.bounding_box(), title.bounding_box())
    finally:
        api(server, fleet, "DELETE", "/api/v1/schedules/sea-islands-sunday-noon")


def test_coming_back_shows_the_site_screen_and_hours_chosen_last(browser, server):
    with panel_page(browser, server.url, "duyet") as page:
        open_week(page, server)
        page.select_option("#site-select", "a-dot-border-gate")
        page.locator("#screen-switch button").last.click()
        chosen = page.locator("#screen-switch button").last.get_attribute("data-screen")
        page.select_option("#hours-select", "full")
        page.locator("nav a[href$='/panel/playlists']").first.click()
        page.wait_for_url(re.compile(r"/panel/playlists"))
        page.locator("nav a[href$='/panel/schedules']").first.click()
        expect(page.locator("#site-select")).to_have_value("a-dot-border-gate")
        expect(page.locator("#screen-switch button[aria-pressed=true]")).to_have_attribute(
            "data-screen", chosen)
        expect(page.locator("#hours-select")).to_have_value("full")
        expect(page.locator(".week-grid .hour").first).to_have_text("00:00")
        # An address naming a site still wins over what was kept.
        page.goto(server.url + PHU_BAI)
        expect(page.locator("#site-select")).to_have_value("phu-bai-airport")


def test_a_taken_id_made_from_the_names_gets_a_number(browser, server, fleet):
    """Nobody types a schedule id: the page makes it from the playlist and the site, and
    when that id is taken it saves as …-2 instead of refusing (issue 16 point 5)."""
    base = "sea-islands-phu-bai-airport"
    body = {"id": base, "playlist": "sea-islands", "targets": {"sites": ["phu-bai-airport"]},
            "weekdays": ["sat"], "windows": ["05:00-05:30"], "priority": 0}
    assert api(server, fleet, "POST", "/api/v1/schedules", body)[0] == 201
    try:
        with panel_page(browser, server.url, "bien-tap") as page:
            open_week(page, server)
            page.click("#new-schedule")
            page.select_option("#f-playlist", "sea-islands")
            expect(page.locator("#f-id")).to_be_hidden()
            for day in ("mon", "tue", "wed", "thu", "fri", "sat"):
                page.uncheck(f"input[name=weekday][value={day}]")
            page.click("#f-add-window")
            page.fill(".window-row .w-start", "05:00")
            page.fill(".window-row .w-end", "05:30")
            page.click("#f-save")
            expect(page.locator("#schedule-dialog")).to_be_hidden()
            expect(page.locator(f"#schedule-table tr[data-schedule='{base}-2']")).to_have_count(1)
    finally:
        for slug in (base, base + "-2"):
            api(server, fleet, "DELETE", f"/api/v1/schedules/{slug}")
