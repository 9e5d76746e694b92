"""Data items (``type: data``, docs/sources.md) in the panel's playlist editor, in real
Chromium over a real controller: a playlist holding one (made over the API) opens with
its source, template, titles and fallback shown, is edited and saved (before, saving it
was refused: "unknown key 'variants'"); a new one is added from the editor, its slide
previewed as the controller draws it; a source without current data says the fallback
plays. Vietnamese and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from panel.english_check import content_of, english_on
from panel.panel_helpers import panel_page
from playwright.sync_api import Page, expect
from web.helpers import Api

from controller.auth.tokens import issue_user_token
from controller.dataslides.templates import import_templates
from controller.models import DataSource, utcnow
from controller.sources.declarations import import_sources
from controller.sources.records import Snapshot
from controller.sources.snapshots import store_snapshot

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"
ARRIVALS = [
    {"flight": "VN1541", "from.vi": "Hà Nội", "from.en": "Hanoi", "scheduled": "10:35",
     "status": "Đã hạ cánh"},
    {"flight": "QV313", "from.vi": "Viêng Chăn", "from.en": "Vientiane",
     "scheduled": "09:50", "status": "Đúng giờ"},
]
WELCOME = {"id": "chao-mung", "type": "text", "duration": 8,
           "variants": {"vi": {"title": "Chào mừng đến Phú Bài"},
                        "en": {"title": "Welcome to Phú Bài"}}}
ARRIVALS_ITEM = {"id": "den", "type": "data", "source": "phu-bai-arrivals",
                 "template": "arrivals-board", "duration": 20,
                 "title": {"vi": "Chuyến bay đến Phú Bài"}, "fallback": "chao-mung"}


@pytest.fixture(scope="module")
def fleet(fleet):
    """The module's fleet with the demo's sources and templates, and fresh arrivals
    (the ship calls have never answered: no current data)."""
    with fleet.sessions() as session:
        import_sources(session, REPO_CONFIG / "sources.yaml",
                       fleet.settings.source_allowed_domains)
        import_templates(session, REPO_CONFIG / "data_templates.yaml")
        session.flush()
        source = session.get(DataSource, "phu-bai-arrivals")
        source.every_s = 86400  # not fetched again while the test runs (pano.example)
        store_snapshot(session, source, Snapshot(ARRIVALS, None), now=utcnow(), size=300,
                       etag=None, last_modified=None)
        session.commit()
    return fleet


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    with fleet.sessions() as session:
        out = {name: issue_user_token(session, name) for name in ("bien-tap",)}
        session.commit()
    return out


@pytest.fixture(scope="module")
def api(server) -> Api:
    return Api(server)


def loaded(page: Page) -> None:
    expect(page.locator("#ed-root")).to_have_attribute("aria-busy", "false")


def card(page: Page, item_id: str):
    return page.locator(f".pl-item[data-item-id={item_id}]")


def test_a_playlist_with_a_data_item_opens_shows_it_and_saves(
        browser, server, fleet, api, tokens) -> None:
    status, body = api("POST", "/playlists", tokens["bien-tap"], {
        "id": "san-bay", "title": {"vi": "Sân bay Phú Bài", "en": "Phú Bài airport"},
        "themes": ["transport"], "items": [WELCOME, ARRIVALS_ITEM]})
    assert status == 201, body
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists/san-bay")
        loaded(page)
        data = card(page, "den")
        expect(data.locator("select[data-field=type]")).to_have_value("data")
        expect(data.locator("select[data-field=source]")).to_have_value("phu-bai-arrivals")
        expect(data.locator("select[data-field=template]")).to_have_value("arrivals-board")
        expect(data.locator("select[data-field=fallback]")).to_have_value("item:chao-mung")
        vi_title = data.locator("#" + data.locator("input[lang=vi]").first.get_attribute("id"))
        expect(vi_title).to_have_value("Chuyến bay đến Phú Bài")
        # The English title is the template's unless given: shown as the placeholder.
        expect(data.locator(".pl-variant[data-lang=en] input")).to_have_attribute(
            "placeholder", "Arrivals")
        expect(data.locator(".pl-data-columns")).to_contain_text("Chuyến bay")
        # The controller's own drawing of the slide, with the data of this moment.
        preview = data.get_by_test_id("data-preview").locator("img")
        expect(preview).to_be_visible()
        page.wait_for_function(
            "() => { const i = document.querySelector('.pl-data-img');"
            " return i && i.complete && i.naturalWidth >= 1080; }")
        expect(page.get_by_test_id("completeness-summary")).to_contain_text("Mọi mục đã có đủ")
        assert english_on(page, content_of(fleet)) == []  # issue 16: no English
        data.locator(".pl-variant[data-lang=en] input").fill("Arrivals at Phú Bài")
        data.locator("input[type=number][data-field=duration]").fill("25")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
        expect(page.get_by_test_id("editor-error")).to_be_hidden()
    status, version = api("GET", "/playlists/san-bay/versions/1", tokens["bien-tap"])
    stored = version["items"][1]
    assert stored["type"] == "data" and stored["duration"] == 25
    assert stored["source"] == "phu-bai-arrivals"
    assert stored["template"]["id"] == "arrivals-board"
    assert stored["title"] == {"vi": "Chuyến bay đến Phú Bài", "en": "Arrivals at Phú Bài"}
    assert stored["fallback"] == {"item": "chao-mung"}


def test_an_editor_adds_a_data_item_with_texts_of_its_own_as_fallback(
        browser, server, api, tokens) -> None:
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists/new")
        loaded(page)
        page.fill("#ed-title-vi", "Tàu biển Chân Mây")
        page.fill("#ed-title-en", "Chân Mây cruise calls")
        page.locator(".pl-item").first.locator(".pl-remove").click()
        page.click("#ed-add [data-add=data]")
        data = page.get_by_test_id("data-item")
        expect(data.get_by_test_id("data-preview")).to_contain_text("Chọn nguồn và mẫu")
        summary = page.get_by_test_id("completeness-summary")
        expect(summary).to_contain_text("hãy chọn nguồn dữ liệu")
        data.locator("select[data-field=source]").select_option("chan-may-cruise-calls")
        data.locator("select[data-field=template]").select_option("ship-calls")
        # Never fetched: the slide would show the fallback, and the page says so.
        expect(data.get_by_test_id("data-stale")).to_contain_text(
            "Nguồn này chưa có dữ liệu mới")
        # The item's id follows the template's name (Vietnamese without its marks).
        item = page.locator(".pl-item").first
        expect(item).to_have_attribute("data-item-id", "lich-tau-khach-cap-cang")
        data.locator("select[data-field=fallback]").select_option("texts")
        expect(summary).to_contain_text("nội dung thay thế chưa có tiêu đề bằng Tiếng Việt")
        data.get_by_test_id("fallback-vi").locator("input").fill("Lịch tàu tại cảng Chân Mây")
        data.get_by_test_id("fallback-en").locator("input").fill("Ship calls at Chân Mây port")
        data.get_by_test_id("fallback-en").locator("textarea").fill("Ask at the port office.")
        expect(summary).to_contain_text("Mọi mục đã có đủ")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
        expect(page).to_have_url(server.url + "/panel/playlists/tau-bien-chan-may")
    status, version = api("GET", "/playlists/tau-bien-chan-may/versions/1", tokens["bien-tap"])
    assert status == 200, version
    (stored,) = version["items"]
    assert stored["id"] == "lich-tau-khach-cap-cang"
    assert stored["source"] == "chan-may-cruise-calls"
    assert stored["fallback"]["variants"]["vi"]["title"] == "Lịch tàu tại cảng Chân Mây"
    assert stored["fallback"]["variants"]["en"]["body"] == "Ask at the port office."


def test_in_english_the_data_item_speaks_english(browser, server, api, tokens) -> None:
    with panel_page(browser, server.url, "bien-tap", lang="en", viewport="tablet") as page:
        page.goto(server.url + "/panel/playlists/san-bay")
        loaded(page)
        data = card(page, "den")
        expect(data.locator("label[for$=-source]")).to_have_text("Data source")
        expect(data.locator("select[data-field=fallback] option:checked")).to_have_text(
            "Item 1 (chao-mung)")
        expect(data.get_by_test_id("data-preview")).to_contain_text("As screen")
        expect(page.locator("#ed-add [data-add=data]")).to_have_text("+ Live data table")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_fallback_follows_the_item_it_names_while_that_items_id_follows_its_name(
        browser, server) -> None:
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists/new")
        loaded(page)
        page.click("#ed-add [data-add=data]")
        data = page.get_by_test_id("data-item")
        data.locator("select[data-field=fallback]").select_option("item:item-1")
        text = page.locator(".pl-item").first
        text.locator(".pl-variant[data-lang=vi] input[data-field=title]").fill("Chào mừng")
        expect(text).to_have_attribute("data-item-id", "chao-mung")
        expect(data.locator("select[data-field=fallback]")).to_have_value("item:chao-mung")
        expect(page.get_by_test_id("completeness-summary")).not_to_contain_text(
            "nội dung thay thế")
