"""The playlist editor gives a text item a photo (docs/content.md "Photos on text
slides"): picked or uploaded through the media picker, placed behind the text or in a
side third, saved with the item; saving the item again after editing its text keeps the
photo; removing it removes it. Real controller, real Chromium, checked through the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from panel.panel_helpers import panel_page
from panel.test_playlist_upload import photo
from panel.test_playlists_page import TEXT_ITEM, api, create, item, loaded, tokens  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def saved_photo(api, token: str):  # noqa: F811
    """The photo and English title of the item of the draft being worked on."""
    number = api("GET", "/playlists/anh-tren-trang", token)[1]["working"]["number"]
    status, version = api("GET", f"/playlists/anh-tren-trang/versions/{number}", token)
    assert status == 200, version
    return version["items"][0].get("photo"), version["items"][0]["variants"]["en"]["title"]


def test_an_editor_adds_places_keeps_and_removes_a_photo(browser, server, api, tokens,  # noqa: F811
                                                          tmp_path: Path) -> None:
    from playwright.sync_api import expect

    create(api, tokens["bien-tap"], "anh-tren-trang")
    picture = photo(tmp_path / "dai-noi.jpg", 1600, 1000)
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists/anh-tren-trang")
        loaded(page)
        panel = item(page, 0).get_by_test_id("photo")
        expect(panel).to_contain_text("Ảnh trên trang chiếu")
        panel.locator(".pl-photo-add").click()
        expect(page.locator("#media-dialog")).to_be_visible()
        page.set_input_files("#media-file", str(picture))
        expect(page.locator("#media-dialog")).to_be_hidden()
        expect(panel.locator(".pl-media-name")).to_have_text("dai-noi.jpg")
        panel.locator("select[data-field=photo-placement]").select_option(
            label="Một phần ba bên phải, chữ bên cạnh")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
    first, _ = saved_photo(api, tokens["bien-tap"])
    assert first["placement"] == "side-right" and len(first["media"]) == 64

    with panel_page(browser, server.url, "bien-tap") as page:  # the text again: photo kept
        page.goto(server.url + "/panel/playlists/anh-tren-trang")
        loaded(page)
        item(page, 0).locator(".pl-variant[data-lang=en] input[data-field=title]").fill(
            "Welcome to the Imperial City")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
        assert saved_photo(api, tokens["bien-tap"]) == (
            first, "Welcome to the Imperial City")
        item(page, 0).get_by_test_id("photo").locator(".pl-photo-remove").click()
        expect(item(page, 0).get_by_test_id("photo").locator(".pl-photo-add")).to_be_visible()
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
    assert saved_photo(api, tokens["bien-tap"])[0] is None
