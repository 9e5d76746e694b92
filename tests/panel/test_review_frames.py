"""Issue 16, point 3: the review shows what will air. For a changed image caption, the
approver sees the item drawn by the controller for every kind of screen that will show
it (and each language slide of an alternate screen), this version beside the version
on air; media are named by file name, never by hash; fields are named as the editor
names them ("Chú thích", not "Tiêu đề", for an image)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from panel.panel_helpers import panel_page
from playwright.sync_api import expect

from controller.auth.tokens import issue_user_token

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PLAYLIST, ITEM = "welcome-hue", "citadel"  # an image item, on five kinds of screen


class Api:
    """The JSON API as one person (their own personal API token)."""

    def __init__(self, fleet: Any, base_url: str, username: str) -> None:
        with fleet.sessions() as session:
            token = issue_user_token(session, username)
            session.commit()
        self.base = base_url + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, self.base + path, json=body, timeout=30)
        assert response.status_code < 300, (response.status_code, response.text)
        return response.json()


def expected_rows(kinds: list[dict], item: dict) -> int:
    """A row per kind of screen, per language slide on an alternate screen."""
    rows = 0
    for kind in kinds:
        langs = [lang for lang in kind["languages"] if lang in item["variants"]]
        rows += len(langs) if kind["bilingual_mode"] == "alternate" and len(langs) > 1 else 1
    return rows


def test_the_approver_sees_the_changed_caption_drawn_for_every_screen_kind(
        browser, server, fleet):
    editor = Api(fleet, server.url, "bien-tap")
    on_air = editor.ok("GET", f"/playlists/{PLAYLIST}")["on_air"]
    items = editor.ok("GET", f"/playlists/{PLAYLIST}/versions/{on_air}")["items"]
    item = next(entry for entry in items if entry["id"] == ITEM)
    item["variants"]["vi"]["title"] = "Kinh thành Huế, di sản thế giới được UNESCO công nhận"
    number = editor.ok("PUT", f"/playlists/{PLAYLIST}/draft", {"items": items})["version"]["number"]
    editor.ok("POST", f"/playlists/{PLAYLIST}/versions/{number}/submit")
    reviewer = Api(fleet, server.url, "duyet")
    kinds = reviewer.ok("GET", f"/playlists/{PLAYLIST}/screen-kinds")["kinds"]
    assert len(kinds) >= 3, kinds  # 1920×1080, 1280×720, 1080×1920 at least
    media = reviewer.ok("GET", f"/media/{next(iter(item['variants'].values()))['media']}")

    with panel_page(browser, server.url, "duyet", lang="vi") as page:
        page.goto(f"{server.url}/panel/review/{PLAYLIST}?version={number}")
        card = page.locator(f".diff-item.changed[data-item='{ITEM}']")
        change = card.locator(".change[data-field='title'][data-language='vi']")
        expect(change.locator(".change-label")).to_contain_text("Chú thích")
        rows = card.locator(".frames .frame-row")
        expect(rows).to_have_count(expected_rows(kinds, item))
        # Every picture is drawn (the on-air one and this version's), at its screen's
        # proportions, and this version's comes from the version under review.
        pictures = card.locator(".frames img.frame-shot")
        expect(pictures).to_have_count(2 * expected_rows(kinds, item))
        page.wait_for_function("""(n) => {
          const imgs = Array.from(document.querySelectorAll('.frames img.frame-shot'));
          imgs.forEach((i) => i.scrollIntoView());
          return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
        }""", arg=2 * expected_rows(kinds, item), timeout=60_000)
        sources = pictures.evaluate_all("imgs => imgs.map(i => [i.src, i.naturalWidth, "
                                        "i.naturalHeight])")
        for (src, width, height), kind in zip(sources[1::2], [k for k in kinds for _ in
                                                             range(expected_rows([k], item))],
                                              strict=True):
            assert f"/versions/{number}/preview.png" in src
            assert [width, height] == kind["resolution"]
        assert all(f"/versions/{on_air}/preview.png" in src for src, _, _ in sources[0::2])
        # The two pictures differ: the caption changed on the screens.
        first_old, first_new = (reviewer.http.get(src, timeout=30).content
                                for src, _, _ in sources[:2])
        assert first_old != first_new
        # Media by file name, never by hash.
        sha = next(iter(item["variants"].values()))["media"]
        expect(card.locator(".file-name").first).to_have_text(media["original_name"])
        assert sha[:12] not in card.inner_text()

