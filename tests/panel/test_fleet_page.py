"""The Screens page (/panel/fleet): technicians see every screen of every site live,
a real ``pano-player`` process going online, dying (SIGKILL) and coming back, and send
it commands from the page; other roles are kept out or read-only.

Real controller (in-thread, heartbeat 0.5 s), real player processes, real Chromium."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from panel.panel_helpers import PASSWORD, panel_page
from playwright.sync_api import expect
from support.processes import Player
from web.helpers import BORDER_SCREENS, WELCOME_SCREENS

from controller.models import ScreenStatus

PLAYER_SCREEN = "phu-bai-arrivals"
REPORTED_SCREEN = "lang-co-bay-pano"  # facts written by the test, last seen long ago
ALL_SCREENS = WELCOME_SCREENS + BORDER_SCREENS
SITES = {"chan-may-port": "Cảng Chân Mây", "phu-bai-airport": "Cảng hàng không quốc tế Phú Bài",
         "a-dot-border-gate": "Cửa khẩu quốc tế A Đớt", "lang-co-pano": "Cụm pano Lăng Cô"}
ONLINE = re.compile(r"\bonline\b")
OFFLINE = re.compile(r"\boffline\b")
LIVE_WAIT = 20_000  # ms: heartbeat timeout (1.6 s) + feed round + slow CI


def _png(path: Path, width: int = 64, height: int = 36) -> Path:
    """A small real PNG (what the player's screenshot command prints)."""
    raw = b"".join(b"\x00" + bytes((200, 40, 90)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def reported(fleet) -> None:
    """A screen that reported trouble two hours ago and then went quiet."""
    with fleet.sessions() as session:
        session.merge(ScreenStatus(
            screen_id=REPORTED_SCREEN, connected=False,
            last_seen=datetime.now(UTC) - timedelta(hours=2), acked_version=None,
            missing_media=["a" * 64, "b" * 64],
            facts={"cpu_temp": 84.5, "disk": {"total": 32_000_000_000, "free": 1_600_000_000},
                   "software": "pano-player/0.1.0", "last_error": "media aaaa: HTTP 500",
                   "playing": {"playlist": "welcome-hue@1", "item": "citadel",
                               "since": "2026-11-26T07:00:10Z"}}))
        session.commit()


def _row(page, screen: str):
    return page.locator(f"tr.screen-row[data-screen='{screen}']")


def test_technician_sees_every_screen_grouped_by_site(browser, server, reported):
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.goto(server.url + "/panel/fleet")
        expect(page.locator("h1")).to_have_text("Màn hình")
        expect(page.locator("#live-state")).to_have_text("Trực tiếp")
        groups = page.locator("section.site-group")
        expect(groups).to_have_count(len(SITES))
        for site, name in SITES.items():
            expect(page.locator(f"section[data-site='{site}'] h2")).to_contain_text(name)
        expect(page.locator("tr.screen-row")).to_have_count(len(ALL_SCREENS))
        for screen in BORDER_SCREENS:
            expect(page.locator(f"section[data-site='a-dot-border-gate'] "
                                f"tr[data-screen='{screen}']")).to_be_visible()
        # Nothing is connected: every screen is offline and marked so.
        expect(page.locator("tr.screen-row.offline")).to_have_count(len(ALL_SCREENS))
        expect(page.locator("#fleet-summary")).to_contain_text("0 trực tuyến")
        expect(page.locator("#fleet-summary")).to_contain_text(f"{len(ALL_SCREENS)} ngoại tuyến")

        row = _row(page, REPORTED_SCREEN)
        expect(row.locator(".presence")).to_have_text("Ngoại tuyến")
        expect(row.locator(".last-seen")).to_have_text("2 giờ trước")
        expect(row.locator(".last-seen")).to_have_attribute(
            "title", re.compile(r"^Liên lạc lần cuối: \d{2}/\d{2}/\d{4} \d{2}:\d{2}$"))
        expect(row.locator(".c-playing")).to_contain_text("Quần thể di tích Cố đô Huế")
        expect(row.locator(".c-playing")).to_contain_text("Chào mừng đến Huế")
        expect(row.locator(".temp .badge.bad")).to_contain_text("84,5 °C")
        expect(row.locator(".disk .badge.warn")).to_contain_text("5")
        expect(row.locator(".software")).to_have_text("pano-player/0.1.0")
        expect(row.locator(".missing")).to_contain_text("2")
        expect(row.locator(".last-error")).to_contain_text("media aaaa: HTTP 500")
        never = _row(page, "a-dot-entry-hall")
        expect(never.locator(".last-seen")).to_have_text("Chưa từng kết nối")
        # Nothing is known of a screen that never connected: not "Sự cố: Không có".
        expect(never.locator(".c-problems")).to_have_text(
            "Chưa rõ: màn hình chưa kết nối lần nào")
        expect(row.locator(".c-problems")).not_to_contain_text("Chưa rõ")
        # The timeline column is not named like the Schedules menu ("Lịch phát").
        expect(page.locator("th.c-timeline").first).to_have_text("Phiên bản nội dung phát")

        # Filters: one site, a search without diacritics, only offline screens.
        page.select_option("#filter-site", "a-dot-border-gate")
        expect(page.locator("tr.screen-row:visible")).to_have_count(len(BORDER_SCREENS))
        expect(page.locator("section[data-site='phu-bai-airport']")).to_be_hidden()
        page.select_option("#filter-site", "")
        page.fill("#filter-search", "lang co")
        expect(page.locator("tr.screen-row:visible")).to_have_count(1)
        expect(_row(page, REPORTED_SCREEN)).to_be_visible()
        page.fill("#filter-search", "khong-co-man-hinh-nay")
        expect(page.locator("#fleet-empty")).to_be_visible()
        page.fill("#filter-search", "")
        page.check("#filter-offline")
        expect(page.locator("tr.screen-row:visible")).to_have_count(len(ALL_SCREENS))


def test_a_real_player_goes_online_offline_and_back_without_reloading(
        browser, server, fleet, tmp_path):
    shot = _png(tmp_path / "screen.png")
    player = Player(server.url, PLAYER_SCREEN, fleet.tokens[PLAYER_SCREEN], tmp_path / "cache",
                    extra=["--screenshot-command", f"cat {shot}"])
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.goto(server.url + "/panel/fleet")
        row = _row(page, PLAYER_SCREEN)
        expect(row).to_have_class(OFFLINE)
        page.evaluate("window.__notReloaded = true")
        try:
            player.start()
            expect(row).to_have_class(ONLINE, timeout=LIVE_WAIT)
            expect(row.locator(".presence")).to_have_text("Trực tuyến")
            expect(row).not_to_have_class(OFFLINE)
            expect(row.locator(".software")).to_contain_text("pano-player")
            expect(row.locator(".ack")).to_have_text("Đã áp dụng", timeout=LIVE_WAIT)
            expect(row.locator(".c-playing strong")).not_to_be_empty(timeout=LIVE_WAIT)

            player.kill()  # SIGKILL: no goodbye, the heartbeats just stop
            expect(row).to_have_class(OFFLINE, timeout=LIVE_WAIT)
            expect(row.locator(".presence")).to_have_text("Ngoại tuyến")
            expect(row.locator("button.cmd").first).to_be_disabled()

            player.start()
            expect(row).to_have_class(ONLINE, timeout=LIVE_WAIT)
            assert page.evaluate("window.__notReloaded") is True

            # Commands from the page reach the real player and come back answered.
            identify = row.locator("button[data-command='identify']")
            expect(identify).to_be_enabled(timeout=LIVE_WAIT)
            identify.click()
            line = row.locator(".cmd-line[data-command='identify']")
            expect(line).to_have_attribute("data-state", "done", timeout=LIVE_WAIT)
            expect(line).to_contain_text("Nhận diện: xong")
            # The result in the panel's words, not the player's English (issue 16, 9).
            # (This player has no display: it writes the name and id to its log.)
            expect(line).to_contain_text("tên và mã màn hình đã được ghi vào nhật ký của nó")
            expect(line).not_to_contain_text("name and id")

            row.locator("button[data-command='screenshot']").click()
            dialog = page.locator("#shot-dialog")
            expect(dialog).to_be_visible(timeout=LIVE_WAIT)
            expect(page.locator("#shot-when")).to_contain_text("Chụp lúc")
            # The picture the player's capture printed, decoded in the page.
            page.wait_for_function("() => document.querySelector('#shot-img').naturalWidth === 64")
            dialog.locator("button", has_text="Đóng").click()
            expect(dialog).to_be_hidden()
            expect(row.locator(".cmd-line[data-command='screenshot']")).to_have_attribute(
                "data-state", "done")

            # Clearing the cache asks first; cancelling sends nothing.
            row.locator("button[data-command='clear_cache']").click()
            confirm = page.locator("#confirm-clear")
            expect(confirm).to_be_visible()
            expect(confirm).to_contain_text(PLAYER_SCREEN)
            confirm.locator("button[value='cancel']").click()
            expect(row.locator(".cmd-line[data-command='clear_cache']")).to_have_count(0)
            row.locator("button[data-command='clear_cache']").click()
            confirm.locator("button[value='confirm']").click()
            expect(row.locator(".cmd-line[data-command='clear_cache']")).to_have_attribute(
                "data-state", "done", timeout=60_000)  # every file downloaded again
            expect(row.locator(".cmd-line[data-command='clear_cache']")).to_contain_text(
                "tệp mà lịch phát cần")
        finally:
            player.stop()
        expect(row).to_have_class(OFFLINE, timeout=LIVE_WAIT)
        assert page.evaluate("window.__notReloaded") is True


def test_a_player_that_cannot_capture_says_so_on_its_screenshot_button(
        browser, server, fleet, tmp_path):
    """Issue 16 point 10: the demo player (no devtools_url, no screenshot_command) says
    in its heartbeat that it cannot capture; the button is off and says why and how to
    set one up, in the panel's language, before anyone clicks it."""
    screen = "chan-may-gate-kiosk"
    player = Player(server.url, screen, fleet.tokens[screen], tmp_path / "cache")
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.goto(server.url + "/panel/fleet")
        row = _row(page, screen)
        try:
            player.start()
            expect(row).to_have_class(ONLINE, timeout=LIVE_WAIT)
            expect(row.locator("button[data-command='identify']")).to_be_enabled(
                timeout=LIVE_WAIT)
            shot = row.locator("button[data-command='screenshot']")
            expect(shot).to_be_disabled()
            note = row.locator(".cmd-capture-note")
            expect(note).to_contain_text("chưa có cách chụp màn hình")
            expect(note).to_contain_text("devtools_url")
            expect(shot).to_have_attribute("title", re.compile("chưa có cách chụp"))
        finally:
            player.kill()


@pytest.mark.parametrize("username", ["xem", "bien-tap"])
def test_roles_without_the_page_get_403_and_no_link(browser, server, username):
    with panel_page(browser, server.url) as page:
        # Signing in on the way to the page (not through the role's own first page).
        page.goto(server.url + "/panel/login?next=/panel/fleet")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        with page.expect_response(lambda r: r.url.endswith("/panel/fleet")) as answer:
            page.click("form[action$='/panel/login'] button[type=submit]")
        assert answer.value.status == 403
        expect(page.locator("h1")).to_have_text("Không được phép")
        expect(page.get_by_role("link", name="Màn hình", exact=True)).to_have_count(0)
        expect(page.locator("tr.screen-row")).to_have_count(0)


def test_emergency_officer_sees_the_fleet_read_only(browser, server):
    with panel_page(browser, server.url, "khan-cap") as page:
        page.goto(server.url + "/panel/fleet")
        expect(page.get_by_role("link", name="Màn hình", exact=True)).to_be_visible()
        expect(page.locator("tr.screen-row")).to_have_count(len(ALL_SCREENS))
        expect(page.locator("#live-state")).to_have_text("Trực tiếp")
        expect(page.locator("button.cmd")).to_have_count(0)
        expect(page.locator("th.c-actions")).to_have_count(0)
        expect(page.locator("#confirm-clear")).to_have_count(0)
        # The API refuses the role anyway.
        status = page.evaluate("""async () => (await fetch(
            '/api/v1/screens/phu-bai-arrivals/commands',
            {method: 'POST', headers: {'Content-Type': 'application/json',
             'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
             body: JSON.stringify({command: 'identify'})})).status""")
        assert status == 403


def test_the_page_in_english(browser, server, reported):
    with panel_page(browser, server.url, "quan-tri", lang="en", viewport="tablet") as page:
        page.goto(server.url + "/panel/fleet")
        expect(page.locator("h1")).to_have_text("Screens")
        expect(page.locator("#live-state")).to_have_text("Live")
        expect(page.locator("label[for='filter-site']")).to_have_text("Site")
        expect(page.locator(".filter-check")).to_have_text("Only offline screens")
        expect(page.locator("th.c-playing").first).to_have_text("Now playing")
        row = _row(page, REPORTED_SCREEN)
        expect(row.locator(".presence")).to_have_text("Offline")
        expect(row.locator(".last-seen")).to_have_text("2 hours ago")
        expect(row.locator("button[data-command='identify']")).to_have_text("Identify")
        # Content stays as stored, Vietnamese first.
        expect(page.locator("section[data-site='chan-may-port'] h2")).to_have_text(
            "Cảng Chân Mây · Chan May Port")
        # A tablet held upright: the page itself does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_without_socket_io_the_page_says_so_and_still_lists_the_screens(browser, server):
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.route("**/socket.io.min.js", lambda route: route.abort())
        page.goto(server.url + "/panel/fleet")
        expect(page.locator("#live-missing")).to_be_visible()
        expect(page.locator("#live-missing")).to_contain_text("Không có cập nhật trực tiếp")
        expect(page.locator("#live-state")).to_have_text("Không cập nhật trực tiếp")
        expect(page.locator("tr.screen-row")).to_have_count(len(ALL_SCREENS))


def test_the_live_snapshot_is_a_few_queries_whatever_the_fleet_size(fleet, server, reported):
    """The feed recomputes it every second: no query per screen (titles included)."""
    from sqlalchemy import event

    from controller.panel.fleet.live_source import snapshot

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(fleet.engine, "before_cursor_execute", count)
    try:
        # Sources run in an application context (the feed's or a subscribe handler's).
        with server.app.app_context(), fleet.sessions() as session:
            screens = snapshot(session)
            statements.clear()
            screens = snapshot(session)
    finally:
        event.remove(fleet.engine, "before_cursor_execute", count)
    assert set(screens) == set(ALL_SCREENS)
    assert len(statements) <= 4, statements
    playing = screens[REPORTED_SCREEN]["playing"]
    assert playing["item_title"] == {"vi": "Quần thể di tích Cố đô Huế",
                                     "en": "Complex of Huế Monuments"}
    assert playing["playlist_title"]["vi"] == "Chào mừng đến Huế"
    assert screens[REPORTED_SCREEN]["online"] is False
    assert screens[REPORTED_SCREEN]["site_name"]["en"] == "Lang Co pano cluster"
