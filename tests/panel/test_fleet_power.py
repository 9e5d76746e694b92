"""Screens page: restarting a real player and rebooting its device (a harmless
``--reboot-command`` that writes a file) from the buttons, each asked first in a
Vietnamese dialog that cancels without sending anything; and the warning when players
run different software versions, with the odd screen marked. Real Chromium, a real
controller, a real player process."""

from __future__ import annotations

import re
import shlex
import sys
from datetime import UTC, datetime, timedelta

import pytest
from panel.panel_helpers import panel_page
from playwright.sync_api import expect
from support.processes import Player, wait_for

from controller.models import ScreenStatus

PLAYER_SCREEN = "phu-bai-arrivals"
OLD_SCREEN = "lang-co-bay-pano"
LIVE_WAIT = 20_000  # ms


@pytest.fixture(scope="module")
def old_version(fleet) -> None:
    """A screen that last reported an older player version."""
    with fleet.sessions() as session:
        session.merge(ScreenStatus(
            screen_id=OLD_SCREEN, connected=False, acked_version=None, missing_media=[],
            last_seen=datetime.now(UTC) - timedelta(hours=1),
            facts={"software": "pano-player/0.0.9"}))
        session.commit()


def _row(page, screen: str):
    return page.locator(f"tr.screen-row[data-screen='{screen}']")


def test_restart_and_reboot_are_confirmed_and_versions_compared(
        browser, server, fleet, old_version, tmp_path):
    marker = tmp_path / "rebooted"
    writes = shlex.join([sys.executable, "-c", f"open({str(marker)!r}, 'w').write('ok')"])
    player = Player(server.url, PLAYER_SCREEN, fleet.tokens[PLAYER_SCREEN],
                    tmp_path / "cache", extra=["--reboot-command", writes])
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.goto(server.url + "/panel/fleet")
        banner = page.locator("#software-mixed")
        expect(banner).to_be_hidden()  # one version known so far
        try:
            player.start()
            row = _row(page, PLAYER_SCREEN)
            expect(row.locator(".software")).to_contain_text("pano-player/0.1",
                                                             timeout=LIVE_WAIT)
            expect(banner).to_be_visible()
            expect(banner).to_contain_text("phiên bản phần mềm khác nhau")
            expect(banner).to_contain_text("pano-player/0.0.9 trên 1 màn hình")
            expect(banner).to_contain_text("trên 1 màn hình")
            # Equal counts: the first by name is the reference, the other one is marked.
            odd = page.locator(".software.version-odd")
            expect(odd).to_have_count(1)
            expect(odd).to_have_attribute("title", re.compile("đa số màn hình"))

            restart = row.locator("button[data-command='restart']")
            expect(restart).to_have_text("Khởi động lại trình phát")
            expect(restart).to_be_enabled(timeout=LIVE_WAIT)
            restart.click()
            dialog = page.locator("#confirm-power")
            expect(dialog).to_be_visible()
            expect(dialog.locator("h2")).to_have_text("Khởi động lại trình phát?")
            expect(dialog).to_contain_text(PLAYER_SCREEN)
            dialog.locator("button[value='cancel']").click()
            expect(dialog).to_be_hidden()
            expect(row.locator(".cmd-line[data-command='restart']")).to_have_count(0)
            started = player.status()[1]["started_at"]

            restart.click()
            expect(dialog.locator("button[value='confirm']")).to_have_text(
                "Khởi động lại trình phát")
            dialog.locator("button[value='confirm']").click()
            line = row.locator(".cmd-line[data-command='restart']")
            expect(line).to_have_attribute("data-state", "done", timeout=LIVE_WAIT)
            expect(line).to_contain_text("Khởi động lại trình phát: xong")

            # The player re-executes itself: its status page is away for a moment, and
            # the row may still show the old connection until the controller notices.
            wait_for(lambda: player.status()[1]["started_at"] != started,
                     timeout=LIVE_WAIT / 1000, what="the player started again")
            reboot = row.locator("button[data-command='reboot']")
            expect(reboot).to_be_enabled(timeout=LIVE_WAIT)  # connected again
            reboot.click()
            expect(dialog.locator("h2")).to_have_text("Khởi động lại thiết bị?")
            expect(dialog).to_contain_text("một phút hoặc lâu hơn")
            dialog.locator("button[value='confirm']").click()
            line = row.locator(".cmd-line[data-command='reboot']")
            expect(line).to_have_attribute("data-state", "done", timeout=LIVE_WAIT)
            expect(line).to_contain_text("thiết bị đang khởi động lại")
            assert marker.read_text() == "ok"
        finally:
            player.stop()
