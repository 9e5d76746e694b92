"""The panel's Sources page (docs/panel/sources.md) in real Chromium over a real
controller fetching from a real local HTTP server (tests/sources/feed_server.py): an
administrator adds a source (refused first for a host off the allowed list and a poll
interval under the limit, nothing stored), fetches it now and sees its records and
that its data are current, adds a failing one and reads its error in words, changes
one and disables it (the poller then leaves it alone); a technician reads the page in
English without the buttons."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from panel.english_check import content_of, english_on
from panel.panel_helpers import panel_page
from playwright.sync_api import Page, expect
from sources.feed_server import FeedServer
from web.helpers import Api, Fleet, make_settings

from controller.auth.tokens import issue_user_token
from controller.sources.polling import SourcePoller

ALLOWED = ("127.0.0.1", "pano.example", "*.pano.example")


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, seeded) -> Iterator[Fleet]:
    """The panel's seeded fleet, allowed to fetch from 127.0.0.1 (the feed server)."""
    source, tokens, users = seeded
    data = tmp_path_factory.mktemp("panel-sources")
    shutil.copytree(source, data, dirs_exist_ok=True)
    fleet = Fleet(make_settings(data, source_allowed_domains=ALLOWED))
    fleet.tokens, fleet.users = dict(tokens), dict(users)
    yield fleet
    fleet.close()


@pytest.fixture(scope="module")
def token(fleet) -> str:
    with fleet.sessions() as session:
        value = issue_user_token(session, "quan-tri")
        session.commit()
    return value


def row(page: Page, source_id: str):
    return page.locator(f"tr[data-source={source_id}]")


def fill_source(page: Page, source_id: str, url: str, every: str = "1m") -> None:
    page.fill("#src-id", source_id)
    page.select_option("#src-kind", "json")
    page.fill("#src-url", url)
    page.fill("#src-name-vi", "Chuyến bay đến Phú Bài")
    page.fill("#src-name-en", "Phú Bài arrivals")
    page.fill("#src-every", every)
    page.fill("#src-records", "arrivals")


def test_an_admin_adds_fetches_changes_and_disables_sources(
        browser, server, fleet, feeds, token) -> None:
    api = Api(server)
    with panel_page(browser, server.url, "quan-tri") as page:
        page.goto(server.url + "/panel/sources")
        expect(page.locator("nav").get_by_role("link", name="Nguồn dữ liệu")).to_be_visible()
        expect(page.get_by_test_id("sources-table")).to_contain_text(
            "Chưa khai báo nguồn dữ liệu nào")
        page.get_by_test_id("add-source").click()
        error = page.get_by_test_id("source-form-error")
        # Not a web address: said on the page.
        fill_source(page, "bang-bay", "ftp://fids.pano.example/board.json")
        page.get_by_test_id("save-source").click()
        expect(error).to_have_text("Địa chỉ phải bắt đầu bằng https:// hoặc http://.")
        # A host off the allowed list: the controller's refusal, in Vietnamese.
        fill_source(page, "bang-bay", "https://evil.example.com/board.json")
        page.get_by_test_id("save-source").click()
        expect(error).to_contain_text("evil.example.com")
        expect(error).to_contain_text("không")
        # A poll interval under the limit.
        fill_source(page, "bang-bay", feeds.url("/board.json"), every="10s")
        page.get_by_test_id("save-source").click()
        expect(error).to_contain_text("every")
        assert api("GET", "/sources", token)[1]["sources"] == []  # nothing stored
        fill_source(page, "bang-bay", feeds.url("/board.json"))
        page.get_by_test_id("save-source").click()
        expect(page.get_by_test_id("source-yaml")).to_contain_text('"id":"bang-bay"')
        page.click("#src-saved-close")
        board = row(page, "bang-bay")
        expect(board).to_contain_text("Chuyến bay đến Phú Bài")
        board.get_by_test_id("refresh").click()
        expect(board.get_by_test_id("source-state")).to_have_text("Đang hoạt động")
        expect(board.get_by_test_id("source-data")).to_have_text(
            "Còn mới: màn hình hiển thị dữ liệu")
        expect(board).to_contain_text("2 bản ghi")

        # A feed answering 500: its error in words.
        page.get_by_test_id("add-source").click()
        fill_source(page, "bang-loi", feeds.url("/error"))
        page.fill("#src-name-vi", "Nguồn lỗi")
        page.get_by_test_id("save-source").click()
        page.click("#src-saved-close")
        broken = row(page, "bang-loi")
        broken.get_by_test_id("refresh").click()
        expect(broken.get_by_test_id("source-state")).to_have_text("Đang lỗi")
        expect(broken.get_by_test_id("source-error")).to_contain_text("500")
        expect(broken.get_by_test_id("source-data")).to_contain_text("Đã cũ")
        assert english_on(page, content_of(fleet)) == []  # issue 16: no English

        # Change one, then disable it.
        board.get_by_test_id("edit").click()
        expect(page.locator("#src-id")).to_have_value("bang-bay")
        page.fill("#src-every", "5m")
        page.get_by_test_id("save-source").click()
        expect(error).to_be_hidden()
        page.click("#src-saved-close")
        expect(board).to_contain_text("mỗi 5m")
        expect(board).to_contain_text("2 bản ghi")  # the data stay: same feed
        page.once("dialog", lambda dialog: dialog.accept())
        board.get_by_test_id("disable").click()
        expect(board.get_by_test_id("source-state")).to_have_text("Đã vô hiệu hóa")
        expect(board.get_by_test_id("enable")).to_be_visible()
    status, listed = api("GET", "/sources", token)
    by_id = {s["id"]: s for s in listed["sources"]}
    assert by_id["bang-bay"]["options"]["disabled"] is True
    assert by_id["bang-bay"]["every"] == 300 and by_id["bang-bay"]["record_count"] == 2
    poller = SourcePoller(fleet.settings, fleet.sessions)
    try:
        due = poller.due(datetime.now(UTC) + timedelta(days=2))
    finally:
        poller.stop()
    assert "bang-bay" not in due and "bang-loi" in due  # disabled: not fetched


def test_a_technician_reads_the_sources_in_english(browser, server, fleet) -> None:
    with panel_page(browser, server.url, "ky-thuat", lang="en", viewport="tablet") as page:
        page.goto(server.url + "/panel/sources")
        expect(page.locator("h1")).to_have_text("Data sources")
        expect(page.get_by_test_id("add-source")).to_have_count(0)
        expect(page.locator("tr[data-source] [data-testid=refresh]")).to_have_count(0)
        expect(row(page, "bang-bay").get_by_test_id("source-state")).to_have_text("Disabled")
        expect(row(page, "bang-loi").get_by_test_id("source-state")).to_have_text("Failing")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
