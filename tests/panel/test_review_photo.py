"""The review shows a text item's photo: an editor gives a text item a photo (through
the real API with a personal token) and submits; the approver, in Vietnamese in real
Chromium, sees that change (before: no photo; after: the picture and where it goes on
the slide), so a photo never goes on air unseen (docs/content.md "Photos on text
slides")."""

from __future__ import annotations

import pytest
from panel.panel_helpers import panel_page
from panel.test_review_page import Api
from playwright.sync_api import expect

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_approver_sees_a_new_photo_and_its_place(browser, server, fleet):
    editor = Api(fleet, server.url, "bien-tap")
    on_air = editor.ok("GET", "/playlists/sea-islands")["on_air"]
    items = editor.ok("GET", f"/playlists/sea-islands/versions/{on_air}")["items"]
    picture = next(v["media"] for item in items if item["type"] == "image"
                   for v in item["variants"].values())
    text = next(item for item in items if item["id"] == "sea-and-islands")
    text["photo"] = {"media": picture, "placement": "side-right"}
    number = editor.ok("PUT", "/playlists/sea-islands/draft",
                       {"items": items})["version"]["number"]
    stored = editor.ok("GET", f"/playlists/sea-islands/versions/{number}")["items"]
    assert next(i for i in stored if i["id"] == "sea-and-islands")["photo"] == {
        "media": picture, "placement": "side-right"}
    editor.ok("POST", f"/playlists/sea-islands/versions/{number}/submit")

    with panel_page(browser, server.url, "duyet", lang="vi") as page:
        page.goto(server.url + "/panel/review")
        row = page.locator("#queue tbody tr[data-playlist='sea-islands']")
        expect(row).to_contain_text("1 thay đổi")
        row.get_by_role("link", name="Xem và duyệt").click()
        change = page.locator(".diff-item.changed[data-item='sea-and-islands'] "
                              ".change[data-field='photo']")
        expect(change.locator(".change-label")).to_have_text("Ảnh trên trang chiếu")
        expect(change.locator(".old-col")).to_contain_text("(không có ảnh)")
        expect(change.locator(".new-col .photo-placement")).to_have_text(
            "một phần ba bên phải, chữ bên cạnh")
        expect(change.locator(".new-col img.thumb")).to_have_count(1)
        expect(change.locator(".new-col .file-name")).to_have_text("lang-co-bay.jpg")
