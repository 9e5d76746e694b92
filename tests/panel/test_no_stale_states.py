"""Pages do not keep stale states (issue 16, point 8): the editor's "waiting for
review" turns into the answer when an approver decides elsewhere, without a reload,
and the editor's versions list is open with its versions counted. Real Chromium, a
real controller; the approval goes through the real API."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from panel.panel_helpers import panel_page
from playwright.sync_api import expect

from controller.auth.tokens import issue_user_token

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
WAIT = 20_000  # ms: the page reads the playlist again every 5 s while a version waits


def _api(fleet: Any, server: Any, username: str) -> Any:
    with fleet.sessions() as session:
        token = issue_user_token(session, username)
        session.commit()

    def call(method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, server.url + "/api/v1" + path, json=body,
                                  headers={"Authorization": f"Bearer {token}"}, timeout=20)
        assert answer.status_code < 300, (answer.status_code, answer.text)
        return answer.json()

    return call


@pytest.mark.parametrize(("lang", "waiting", "approved"),
                         [("vi", "Đang chờ duyệt", "Đã duyệt"), ("en", "In review", "Approved")])
def test_the_editor_sees_the_approval_without_reloading(browser, server, fleet, lang,
                                                         waiting, approved):
    editor, approver = _api(fleet, server, "bien-tap"), _api(fleet, server, "duyet")
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
