"""Pages do not keep stale states (issue 16, point 8): the editor's "waiting for
review" turns into the answer when an approver decides elsewhere, without a reload,
and the editor's versions list is open with its versions counted. Real Chromium, a
real controller; the approval goes through the real API."""

from __future__ import annotations

import pytest
from panel.panel_helpers import panel_page, person_api
from playwright.sync_api import expect

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
WAIT = 20_000  # ms: the page reads the playlist again every 5 s while a version waits


@pytest.mark.parametrize(("lang", "waiting", "approved"),
                         [("vi", "Đang chờ duyệt", "Đã duyệt"), ("en", "In review", "Approved")])
def test_the_editor_sees_the_approval_without_reloading(browser, server, fleet, lang,
                                                         waiting, approved):
    editor, approver = person_api(fleet, server, "bien-tap"), person_api(fleet, server, "duyet")
    items = editor("GET", "/playlists/sea-islands/versions/1")["items"]
    items[0]["variants"]["en"]["title"] = f"Viet Nam's sea and islands ({lang})"
    number = editor("PUT", "/playlists/sea-islands/draft", {"items": items})["version"]["number"]
    editor("POST", f"/playlists/sea-islands/versions/{number}/submit")
    with panel_page(browser, server.url, "bien-tap", lang=lang) as page:
        page.goto(server.url + "/panel/playlists/sea-islands")
        state = page.get_by_test_id("version-state")
        expect(state).to_contain_text(waiting)
        versions = page.locator("#ed-versions")
        expect(versions).to_have_attribute("open", "")
        expect(page.locator("#ed-version-rows tr")).to_have_count(
            len(editor("GET", "/playlists/sea-islands")["versions"]))
        expect(page.locator("#ed-version-count")).not_to_be_empty()
        page.evaluate("window.__notReloaded = true")

        approver("POST", f"/playlists/sea-islands/versions/{number}/approve")
        expect(state).to_contain_text(approved, timeout=WAIT)
        expect(state).not_to_contain_text(waiting)
        assert page.evaluate("window.__notReloaded") is True
