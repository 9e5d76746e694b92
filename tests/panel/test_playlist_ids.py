"""Issue 16, point 5, in the playlist editor (real Chromium, Vietnamese and English):
ids are made from the names the Vietnamese way ("Lễ hội Huế" -> le-hoi-hue, đ -> d),
kept under a closed "Advanced" fold where they can be edited (an edited id no longer
follows the name), and themes are chosen from a translated list, shown by name."""

from __future__ import annotations

import pytest
from panel.panel_helpers import panel_page
from playwright.sync_api import Page, expect
from web.helpers import Api

from controller.auth.tokens import issue_user_token


@pytest.fixture(scope="module")
def token(fleet) -> str:
    with fleet.sessions() as session:
        value = issue_user_token(session, "bien-tap")
        session.commit()
    return value


def loaded(page: Page) -> None:
    expect(page.locator("#ed-root")).to_have_attribute("aria-busy", "false")


def title(page: Page, n: int, lang: str):
    return page.locator(".pl-item").nth(n).locator(
        f".pl-variant[data-lang={lang}] input[data-field=title]")


def test_ids_follow_the_names_and_themes_come_from_a_translated_list(
        browser, server, token) -> None:
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists/new")
        loaded(page)
        page.fill("#ed-title-vi", "Lễ hội Huế")
        page.fill("#ed-title-en", "Huế Festival")
        advanced = page.get_by_test_id("playlist-advanced")
        expect(page.locator("#ed-id")).to_have_value("le-hoi-hue")
        expect(page.locator("#ed-id")).to_be_hidden()  # folded away
        advanced.locator("summary").click()
        expect(page.locator("#ed-id")).to_be_visible()

        title(page, 0, "vi").fill("Đêm Hoàng cung Đại Nội")
        title(page, 0, "en").fill("Royal palace night")
        first = page.locator(".pl-item").first
        expect(first).to_have_attribute("data-item-id", "dem-hoang-cung-dai-noi")
        # The same name again: the next free id.
        page.click("#ed-add [data-add=text]")
        title(page, 1, "vi").fill("Đêm Hoàng cung Đại Nội")
        title(page, 1, "en").fill("Royal palace night, again")
        expect(page.locator(".pl-item").nth(1)).to_have_attribute(
            "data-item-id", "dem-hoang-cung-dai-noi-2")
        # Edited under "Advanced", the id stops following the name.
        fold = page.locator(".pl-item").nth(1).get_by_test_id("item-advanced")
        expect(fold.locator("input[data-field=id]")).to_be_hidden()
        fold.locator("summary").click()
        fold.locator("input[data-field=id]").fill("dem-thu-hai")
        title(page, 1, "vi").fill("Đêm thứ hai ở Đại Nội")
        expect(fold.locator("input[data-field=id]")).to_have_value("dem-thu-hai")

        themes = page.get_by_test_id("theme-select")
        themes.select_option(label="Lễ hội")
        themes.select_option(label="Di sản")
        expect(page.locator(".pl-chip")).to_have_count(2)
        expect(page.locator(".pl-chip").first).to_contain_text("Lễ hội")
        expect(themes.locator("option", has_text="Lễ hội")).to_have_count(0)  # chosen
        page.get_by_test_id("save").click()
        expect(page).to_have_url(server.url + "/panel/playlists/le-hoi-hue")
        page.goto(server.url + "/panel/playlists")
        expect(page.locator("tr[data-playlist=le-hoi-hue] [data-theme=festival]")).to_have_text(
            "Lễ hội")
    status, stored = Api(server)("GET", "/playlists/le-hoi-hue", token)
    assert status == 200 and stored["themes"] == ["festival", "heritage"]
    status, version = Api(server)("GET", "/playlists/le-hoi-hue/versions/1", token)
    assert [i["id"] for i in version["items"]] == ["dem-hoang-cung-dai-noi", "dem-thu-hai"]

    with panel_page(browser, server.url, "bien-tap", lang="en") as page:
        page.goto(server.url + "/panel/playlists/le-hoi-hue")
        loaded(page)
        expect(page.locator(".pl-chip[data-theme=festival]")).to_contain_text("Festivals")
        expect(page.locator(".pl-chip[data-theme=heritage]")).to_contain_text("Heritage")
        expect(page.get_by_test_id("theme-select").locator("option", has_text="Tourism")) \
            .to_have_count(1)
        # A saved item keeps its id whatever its name becomes.
        title(page, 0, "en").fill("Night at the palace")
        title(page, 0, "vi").fill("Đêm ở Đại Nội")
        expect(page.locator(".pl-item").first).to_have_attribute(
            "data-item-id", "dem-hoang-cung-dai-noi")
        expect(page.locator(".pl-item").first.get_by_test_id("item-advanced")).to_contain_text(
            "Advanced")
