"""The whole story of the issue, in one run through the panel with a real player:
an editor creates a bilingual playlist and uploads a photo (the progress bar moves),
submits it; the editor cannot approve it; an approver approves it; a schedule puts it on
Phú Bài; the Phú Bài player (a real ``pano-player`` process) plays it within seconds and
the technician's Screens page says so, without reloading."""

from __future__ import annotations

import re

from panel.panel_helpers import panel_page
from panel.test_playlist_upload import RECORD, photo
from playwright.sync_api import expect
from support.processes import Player, wait_for

SCREEN = "phu-bai-arrivals"
PLAYLIST = "den-hue-mua-le-hoi"
PLAYED_WITHIN = 90_000  # ms: "within seconds"; generous: four test workers share two cores
SLOW_UPLOAD = {"offline": False, "latency": 20, "downloadThroughput": -1,
               "uploadThroughput": 4 * 1024 * 1024 // 8}  # 4 Mbit/s, like a 4G uplink


def editor_writes_and_submits(browser, base: str, picture) -> None:
    with panel_page(browser, base, "bien-tap", keep=False) as page:  # network emulated
        page.goto(base + "/panel/playlists/new")
        expect(page.locator("#ed-root")).to_have_attribute("aria-busy", "false")
        page.fill("#ed-title-vi", "Đến Huế mùa lễ hội")
        page.fill("#ed-title-en", "Huế in festival season")
        expect(page.locator("#ed-id")).to_have_value(PLAYLIST)
        first = page.locator(".pl-item").nth(0)
        first.locator(".pl-variant[data-lang=vi] input[data-field=title]").fill(
            "Chào mừng quý khách đến Huế")
        first.locator(".pl-variant[data-lang=en] input[data-field=title]").fill(
            "Welcome to Huế")
        page.click("#ed-add [data-add=image]")
        second = page.locator(".pl-item").nth(1)
        second.locator(".pl-variant[data-lang=vi] input[data-field=title]").fill(
            "Ngọ Môn về đêm")
        second.locator(".pl-variant[data-lang=en] input[data-field=title]").fill(
            "Ngọ Môn gate at night")
        second.locator(".pl-variant[data-lang=vi] .pl-pick").click()
        expect(page.locator("#media-dialog")).to_be_visible()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_UPLOAD)
        page.evaluate(RECORD)
        page.set_input_files("#media-file", str(picture))
        expect(page.locator("#media-dialog")).to_be_hidden(timeout=60_000)
        cdp.send("Network.emulateNetworkConditions", {**SLOW_UPLOAD, "uploadThroughput": -1})
        seen = [s["value"] for s in page.evaluate("window.progressSeen") if not s["hidden"]]
        assert any(0 < value < 100 for value in seen), f"the bar never moved: {seen}"
        assert seen == sorted(seen) and seen[-1] == 100, seen
        expect(page.get_by_test_id("completeness-summary")).to_contain_text("Mọi mục đã có đủ")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("version-state")).to_contain_text("Đang chờ duyệt")
        # The editor has no Review page, and the server refuses the approval anyway.
        expect(page.locator("nav.mainnav").get_by_role("link", name="Duyệt nội dung")
               ).to_have_count(0)
        answer = page.evaluate("""async (url) => {
            const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken':
              document.querySelector('meta[name=csrf-token]').content}});
            return [r.status, (await r.json()).message]; }""",
                               f"{base}/api/v1/playlists/{PLAYLIST}/versions/1/approve")
        assert answer[0] == 403, answer


def approver_approves(browser, base: str) -> None:
    with panel_page(browser, base, "duyet") as page:
        page.goto(base + "/panel/review")
        row = page.locator(f"#queue tbody tr[data-playlist='{PLAYLIST}']")
        expect(row).to_contain_text("Đến Huế mùa lễ hội")
        row.get_by_role("link", name="Xem và duyệt").click()
        expect(page.locator("main")).to_contain_text("Ngọ Môn gate at night")
        page.click("#approve")
        page.click("#approve-confirm")
        expect(page.locator("#done")).to_contain_text("đã được duyệt")


def editor_schedules_on_phu_bai(browser, base: str) -> None:
    with panel_page(browser, base, "bien-tap") as page:
        page.goto(base + "/panel/schedules?site=phu-bai-airport")
        # the page's script has drawn the week (its buttons work) before the click
        expect(page.locator("#schedule-table tbody tr").first).to_be_visible()
        page.click("#new-schedule")
        expect(page.locator("#schedule-dialog")).to_be_visible()
        page.select_option("#f-playlist", PLAYLIST)
        site = page.locator("input[name=site][value=phu-bai-airport]")
        if not site.is_checked():
            site.check()
        page.fill("#f-priority", "9")
        page.click("#f-save")
        expect(page.locator("#schedule-dialog")).to_be_hidden()
        expect(page.locator(f"#schedule-table tr[data-schedule^='{PLAYLIST}']")).to_have_count(1)


def test_from_an_editors_draft_to_the_phu_bai_screen(browser, server, fleet, tmp_path):
    picture = photo(tmp_path / "ngo-mon.jpg", 2400, 1600)
    player = Player(server.url, SCREEN, fleet.tokens[SCREEN], tmp_path / "cache")
    player.start()
    try:
        with panel_page(browser, server.url, "ky-thuat") as fleet_page:
            fleet_page.goto(server.url + "/panel/fleet")
            row = fleet_page.locator(f"tr.screen-row[data-screen='{SCREEN}']")
            expect(row).to_contain_text("Trực tuyến", timeout=PLAYED_WITHIN)
            fleet_page.evaluate("window.__notReloaded = true")

            editor_writes_and_submits(browser, server.url, picture)
            approver_approves(browser, server.url)
            editor_schedules_on_phu_bai(browser, server.url)

            def playing() -> str | None:
                status, body = player.status()
                return status == 200 and ((body.get("now_playing") or {}).get("playlist")
                                          or "")

            now = wait_for(lambda: re.match(rf"^{PLAYLIST}@1$", playing() or ""),
                           timeout=PLAYED_WITHIN / 1000, what="the player to play it")
            assert now
            expect(row).to_contain_text("Đến Huế mùa lễ hội", timeout=PLAYED_WITHIN)
            assert fleet_page.evaluate("window.__notReloaded") is True
    finally:
        player.stop()


def test_an_emergency_reaches_the_a_dot_players_and_the_board_fills_in(
        browser, server, fleet, tmp_path):
    """Two real players at A Đớt: one running, one started only after the message was
    sent (it was off when the officer pressed Send). Both end up shown on the board."""
    texts = {"vi": ("Tạm dừng thông quan", "Cửa khẩu A Đớt tạm dừng làm thủ tục."),
             "lo": ("ຢຸດຜ່ານແດນຊົ່ວຄາວ", "ກະລຸນາລໍຖ້າຄຳແນະນຳ."),
             "en": ("Border crossing suspended", "Formalities are suspended for now.")}
    hall = Player(server.url, "a-dot-entry-hall", fleet.tokens["a-dot-entry-hall"],
                  tmp_path / "hall")
    pano = Player(server.url, "a-dot-outdoor-pano", fleet.tokens["a-dot-outdoor-pano"],
                  tmp_path / "pano")
    hall.start()
    try:
        with panel_page(browser, server.url, "khan-cap") as page:
            page.goto(server.url + "/panel/emergency")
            page.locator("label.site", has_text="Cửa khẩu quốc tế A Đớt").click()
            for lang, (title, body) in texts.items():
                page.fill(f"#msg-{lang}-title", title)
                page.fill(f"#msg-{lang}-body", body)
            page.get_by_role("button", name="Xem lại và gửi…").click()
            page.locator("#confirm").get_by_role("button", name="Gửi ngay").click()
            page.wait_for_url(re.compile(r"/panel/emergency/\d+$"))
            rows = page.locator("#receipts tbody tr")
            expect(rows).to_have_count(2)
            hall_row = rows.filter(has_text="a-dot-entry-hall")
            pano_row = rows.filter(has_text="a-dot-outdoor-pano")
            expect(hall_row).to_have_attribute("data-status", "shown", timeout=PLAYED_WITHIN)
            expect(pano_row).not_to_have_attribute("data-status", "shown")
            pano.start()  # switched on late: it gets the message on connecting
            expect(pano_row).to_have_attribute("data-status", "shown", timeout=PLAYED_WITHIN)
            expect(page.get_by_test_id("count-shown")).to_have_text("2")
    finally:
        hall.stop()
        pano.stop()
