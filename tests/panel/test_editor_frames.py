"""Issue 16, point 3: the editor sees what the screens will show while editing. Under
the items, each item of the saved draft is drawn by the controller for every kind of
screen that will show it (the review's pictures); an item's pictures load when it is
opened; unsaved changes are said to be not drawn yet."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from panel.panel_helpers import panel_page
from playwright.sync_api import expect

from controller.auth.tokens import issue_user_token

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PLAYLIST, ITEM = "welcome-hue", "citadel"


def _api(fleet: Any, base_url: str, username: str) -> requests.Session:
    with fleet.sessions() as session:
        token = issue_user_token(session, username)
        session.commit()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    http.base = base_url + "/api/v1"  # type: ignore[attr-defined]
    return http


def test_the_editor_sees_the_saved_draft_drawn_for_every_screen_kind(browser, server, fleet):
    http = _api(fleet, server.url, "bien-tap")
    on_air = http.get(f"{http.base}/playlists/{PLAYLIST}", timeout=30).json()["on_air"]
    items = http.get(f"{http.base}/playlists/{PLAYLIST}/versions/{on_air}",
                     timeout=30).json()["items"]
    next(i for i in items if i["id"] == ITEM)["variants"]["vi"]["title"] = \
        "Kinh thành Huế về đêm"
    saved = http.put(f"{http.base}/playlists/{PLAYLIST}/draft", json={"items": items},
                     timeout=30)
    assert saved.status_code in (200, 201), saved.text
    draft = saved.json()["version"]["number"]
    kinds = http.get(f"{http.base}/playlists/{PLAYLIST}/screen-kinds", timeout=30).json()["kinds"]
    assert kinds

    with panel_page(browser, server.url, "bien-tap", lang="vi") as page:
        page.goto(f"{server.url}/panel/playlists/{PLAYLIST}")
        frames = page.get_by_test_id("frames")
        expect(frames).to_contain_text("Màn hình sẽ hiển thị như thế nào")
        expect(frames).to_contain_text(f"Phiên bản {draft} như đã lưu")
        item = frames.locator(f".pl-frames-item[data-item='{ITEM}']")
        expect(item).to_contain_text("Kinh thành Huế về đêm")
        item.locator("details.frames > summary").click()
        pictures = item.locator("img.frame-shot")
        expect(pictures.first).to_be_visible()
        page.wait_for_function("""(id) => {
          const imgs = Array.from(document.querySelectorAll(
            `.pl-frames-item[data-item='${id}'] img.frame-shot`));
          imgs.forEach((i) => i.scrollIntoView());
          return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
        }""", arg=ITEM, timeout=60_000)
        sources = pictures.evaluate_all("imgs => imgs.map(i => i.src)")
        assert len(sources) >= len(kinds)
        assert all(f"/versions/{draft}/preview.png" in src for src in sources)
        # The draft's picture is not the version on air's: the caption changed.
        drawn = http.get(sources[0], timeout=30).content
        aired = http.get(sources[0].replace(f"/versions/{draft}/", f"/versions/{on_air}/"),
                         timeout=30).content
        assert drawn != aired
        # Typing without saving: the section says the change is not drawn yet.
        first_title = page.locator(".pl-item input[data-field='title']").first
        first_title.fill(first_title.input_value() + " !")
        expect(frames).to_contain_text("Bạn có thay đổi chưa lưu")
