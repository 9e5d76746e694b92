"""The panel's Playlists pages: an editor creates a bilingual playlist with an uploaded
photo, reorders it by dragging, saves and submits it, and an approver approves it;
completeness warnings and the server's refusals; what a viewer and an editor of another
agency are shown; English and the tablet layout. The upload's progress bar and refused
files are in test_playlist_upload.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from panel.panel_helpers import panel_page
from panel.test_playlist_upload import photo
from playwright.sync_api import Page, expect
from web.helpers import Api

from controller.auth.tokens import issue_user_token

TEXT_ITEM = {"id": "gioi-thieu", "type": "text", "duration": 8,
             "variants": {"vi": {"title": "Chào mừng đến Huế"},
                          "en": {"title": "Welcome to Huế"}}}


@pytest.fixture(scope="module")
def tokens(fleet) -> dict[str, str]:
    with fleet.sessions() as session:
        out = {name: issue_user_token(session, name)
               for name in ("bien-tap", "bien-tap-2", "duyet", "quan-tri", "xem")}
        session.commit()
    return out


@pytest.fixture(scope="module")
def api(server) -> Api:
    return Api(server)


def create(api: Api, token: str, playlist_id: str, items: list | None = None) -> dict:
    status, body = api("POST", "/playlists", token, {
        "id": playlist_id, "title": {"vi": f"Thử {playlist_id}", "en": f"Test {playlist_id}"},
        "themes": ["tourism"], "items": items or [TEXT_ITEM]})
    assert status == 201, body
    return body


def item(page: Page, n: int):
    return page.locator(".pl-item").nth(n)


def column(page: Page, n: int, lang: str):
    return item(page, n).locator(f".pl-variant[data-lang={lang}]")


def loaded(page: Page) -> None:
    expect(page.locator("#ed-root")).to_have_attribute("aria-busy", "false")


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_an_editor_creates_reorders_saves_and_submits_and_an_approver_approves(
        browser, server, api, tokens, tmp_path: Path) -> None:
    picture = photo(tmp_path / "cau-truong-tien.jpg", 1600, 1000)
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists")
        page.get_by_test_id("new-playlist").click()
        expect(page).to_have_url(server.url + "/panel/playlists/new")
        loaded(page)
        page.fill("#ed-title-vi", "Cầu Trường Tiền")
        page.fill("#ed-title-en", "Truong Tien Bridge")
        expect(page.locator("#ed-id")).to_have_value("cau-truong-tien")
        # Themes from the translated list (issue 16: no slug typed in).
        page.get_by_test_id("theme-select").select_option(label="Du lịch")
        expect(page.locator(".pl-chip")).to_have_text(re.compile("^Du lịch"))
        # Item 1: a text in both languages, side by side.
        column(page, 0, "vi").locator("input[data-field=title]").fill("Sáu vài mười hai nhịp")
        summary = page.get_by_test_id("completeness-summary")
        # The item's id follows its name (under "Advanced").
        expect(summary).to_contain_text(
            "Mục 1 (sau-vai-muoi-hai-nhip): chưa có gì bằng Tiếng Anh")
        column(page, 0, "en").locator("input[data-field=title]").fill("A bridge of six spans")
        column(page, 0, "en").locator("textarea[data-field=body]").fill("Built in 1899.")
        # Item 2: an image, uploaded from this computer.
        page.click("#ed-add [data-add=image]")
        expect(page.locator(".pl-item")).to_have_count(2)
        column(page, 1, "vi").locator("input[data-field=title]").fill("Cầu Trường Tiền về đêm")
        column(page, 1, "en").locator("input[data-field=title]").fill("The bridge at night")
        expect(item(page, 1).locator(".pl-item-warnings")).to_contain_text(
            "Mục 2 (cau-truong-tien-ve-dem): chưa chọn tệp cho Tiếng Việt")
        column(page, 1, "vi").locator(".pl-pick").click()
        expect(page.locator("#media-dialog")).to_be_visible()
        page.set_input_files("#media-file", str(picture))
        expect(page.locator("#media-dialog")).to_be_hidden()
        for lang in ("vi", "en"):  # the same file for every language by default
            expect(column(page, 1, lang).locator(".pl-media-name")).to_have_text(
                "cau-truong-tien.jpg")
        expect(summary).to_contain_text("Mọi mục đã có đủ")
        # Drag the photo above the text.
        item(page, 1).locator(".pl-handle").drag_to(item(page, 0).locator(".pl-handle"), steps=20)
        expect(item(page, 0)).to_have_attribute("data-item-id", "cau-truong-tien-ve-dem")
        expect(page.get_by_test_id("save-status")).to_have_text("Chưa lưu thay đổi")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
        expect(page).to_have_url(server.url + "/panel/playlists/cau-truong-tien")
        status, version = api("GET", "/playlists/cau-truong-tien/versions/1", tokens["bien-tap"])
        assert status == 200
        assert [i["id"] for i in version["items"]] == ["cau-truong-tien-ve-dem",
                                                       "sau-vai-muoi-hai-nhip"]
        image = version["items"][0]
        assert image["type"] == "image"
        assert image["variants"]["vi"]["media"] == image["variants"]["en"]["media"]
        assert version["items"][1]["variants"]["en"] == {
            "title": "A bridge of six spans", "body": "Built in 1899.", "media": None, "url": None}
        status, stored = api("GET", "/playlists/cau-truong-tien", tokens["bien-tap"])
        assert stored["themes"] == ["tourism"] and stored["agency"] == "tourism"

        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("version-state")).to_contain_text("Đang chờ duyệt")
        expect(page.get_by_test_id("save")).to_be_hidden()
        expect(page.get_by_test_id("withdraw")).to_be_visible()
        assert api("GET", "/playlists/cau-truong-tien", tokens["bien-tap"])[1]["working"][
            "state"] == "in_review"

    status, body = api("POST", "/playlists/cau-truong-tien/versions/1/approve", tokens["duyet"])
    assert status == 200, body
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists")
        row = page.locator("tr[data-playlist=cau-truong-tien]")
        expect(row).to_contain_text("Phiên bản 1 đã duyệt")  # approved, not on air
        row.get_by_role("link").click()
        loaded(page)
        expect(page.get_by_test_id("version-state")).to_contain_text("Đã duyệt")
        expect(page.locator("#ed-messages")).to_contain_text("Lưu thay đổi sẽ tạo một bản nháp mới")


def test_missing_english_is_flagged_and_the_servers_refusal_is_shown(
        browser, server, api, tokens) -> None:
    create(api, tokens["bien-tap"], "thieu-tieng-anh")
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists/thieu-tieng-anh")
        loaded(page)
        column(page, 0, "vi").locator("input[data-field=title]").fill("Chào mừng quý khách")
        column(page, 0, "en").locator("input[data-field=title]").fill("")
        expect(item(page, 0).locator(".pl-item-warnings")).to_have_text(
            "Mục 1 (gioi-thieu): chưa có gì bằng Tiếng Anh (ngôn ngữ bắt buộc).")
        expect(page.get_by_test_id("completeness-summary")).to_contain_text("Tiếng Anh")
        page.get_by_test_id("submit").click()
        error = page.get_by_test_id("editor-error")
        # The API's refusal, in the page's language.
        expect(error).to_contain_text("mục 'gioi-thieu', bản ngôn ngữ 'en'")
        # Nothing typed is lost, and the page still says it is unsaved.
        expect(column(page, 0, "vi").locator("input[data-field=title]")).to_have_value(
            "Chào mừng quý khách")
        expect(page.get_by_test_id("save-status")).to_have_text("Chưa lưu thay đổi")
        # The network fails: the work stays on the page, and saving again works.
        column(page, 0, "en").locator("input[data-field=title]").fill("Welcome, visitors")
        page.route("**/api/v1/playlists/thieu-tieng-anh/draft", lambda route: route.abort())
        page.get_by_test_id("save").click()
        expect(error).to_contain_text("Không kết nối được")
        expect(page.get_by_test_id("save-status")).to_have_text("Chưa lưu thay đổi")
        page.unroute("**/api/v1/playlists/thieu-tieng-anh/draft")
        # Leaving with unsaved changes asks first; staying keeps them.
        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
        page.click(".pl-back a")
        assert asked == ["beforeunload"]
        expect(page).to_have_url(server.url + "/panel/playlists/thieu-tieng-anh")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
        expect(error).to_be_hidden()
    version = api("GET", "/playlists/thieu-tieng-anh/versions/1", tokens["bien-tap"])[1]
    assert version["state"] == "draft"
    assert version["items"][0]["variants"]["en"]["title"] == "Welcome, visitors"


def test_work_survives_a_reload_and_a_colleagues_save_is_not_overwritten_unasked(
        browser, server, api, tokens) -> None:
    create(api, tokens["bien-tap"], "sao-luu")
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists/sao-luu")
        loaded(page)
        title = column(page, 0, "vi").locator("input[data-field=title]")
        title.fill("Bản của tôi")
        page.once("dialog", lambda dialog: dialog.accept())  # "leave site?": yes
        page.reload()
        loaded(page)
        expect(title).to_have_value("Chào mừng đến Huế")
        backup = page.get_by_test_id("backup")
        expect(backup).to_contain_text("Trình duyệt này còn giữ những thay đổi bạn chưa lưu")
        backup.get_by_role("button", name="Khôi phục").click()
        expect(title).to_have_value("Bản của tôi")
        expect(page.get_by_test_id("save-status")).to_have_text("Chưa lưu thay đổi")
        # Meanwhile a colleague of the same agency saves the draft.
        theirs = [{**TEXT_ITEM, "variants": {**TEXT_ITEM["variants"],
                                             "vi": {"title": "Bản của đồng nghiệp"}}}]
        status, _ = api("PUT", "/playlists/sao-luu/draft", tokens["bien-tap-2"],
                        {"items": theirs})
        assert status == 200
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("editor-error")).to_contain_text(
            "bien-tap-2 đã thay đổi danh sách phát này")
        assert api("GET", "/playlists/sao-luu/versions/1", tokens["bien-tap"])[1][
            "items"][0]["variants"]["vi"]["title"] == "Bản của đồng nghiệp"
        page.get_by_test_id("save").click()  # knowingly replaces theirs
        expect(page.get_by_test_id("save-status")).to_contain_text("Đã lưu lúc")
        page.reload()
        loaded(page)
        expect(page.get_by_test_id("backup")).to_have_count(0)
    assert api("GET", "/playlists/sao-luu/versions/1", tokens["bien-tap"])[1][
        "items"][0]["variants"]["vi"]["title"] == "Bản của tôi"


def test_a_language_the_screens_need_is_flagged_and_submit_is_refused(
        browser, server, api, tokens) -> None:
    """border-welcome plays on the A Đớt screens (vi, lo, en): without Lao the draft
    saves (Lao is not required everywhere) but submitting is refused by the server."""
    with panel_page(browser, server.url, "quan-tri") as page:
        page.goto(server.url + "/panel/playlists/border-welcome")
        loaded(page)
        expect(page.locator("#ed-reach a", has_text="a-dot-entry-hall")).to_have_attribute(
            "href", "/panel/preview?screen=a-dot-entry-hall")
        lao = column(page, 0, "lo")
        expect(lao).to_contain_text("cần cho màn hình")
        lao.locator("input[data-field=title]").fill("")
        lao.locator("textarea[data-field=body]").fill("")
        expect(item(page, 0).locator(".pl-item-warnings")).to_contain_text(
            "Mục 1 (welcome): chưa có gì bằng Tiếng Lào (các màn hình phát danh sách này cần)")
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("editor-error")).to_contain_text("mục 'welcome' thiếu lo")
    working = api("GET", "/playlists/border-welcome", tokens["quan-tri"])[1]["working"]
    assert working["state"] == "draft"  # saved, not submitted
    api("POST", f"/playlists/border-welcome/versions/{working['number']}/archive",
        tokens["quan-tri"])


def test_a_text_too_long_for_the_screens_is_flagged_as_you_type(browser, server) -> None:
    """The page asks the controller (POST /api/v1/playlists/check) once its own checks
    pass: welcome-hue plays on 1920×1080 screens, where this text cannot fit."""
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists/welcome-hue")
        loaded(page)
        for lang in ("vi", "en"):
            column(page, 0, lang).locator("input[data-field=title]").fill(
                " ".join(["Chào mừng"] * 19))
            column(page, 0, lang).locator("textarea[data-field=body]").fill(
                " ".join(["Thừa Thiên Huế"] * 130))
        problems = page.get_by_test_id("server-problems")
        expect(problems).to_contain_text(
            "mục 'welcome': các văn bản tiếng Việt (vi) và tiếng Anh (en) không vừa")
        expect(page.get_by_test_id("completeness-summary")).to_contain_text(
            "Máy chủ sẽ từ chối khi bạn gửi duyệt")
        column(page, 0, "vi").locator("textarea[data-field=body]").fill("Ngắn thôi.")
        column(page, 0, "en").locator("textarea[data-field=body]").fill("Short again.")
        expect(page.get_by_test_id("completeness-summary")).to_contain_text("Mọi mục đã có đủ")


def test_a_rejected_version_shows_the_reason_and_a_version_in_review_can_be_withdrawn(
        browser, server, api, tokens) -> None:
    create(api, tokens["bien-tap"], "bi-tra-lai")
    api("POST", "/playlists/bi-tra-lai/versions/1/submit", tokens["bien-tap"])
    status, _ = api("POST", "/playlists/bi-tra-lai/versions/1/reject", tokens["duyet"],
                    {"reason": "Sửa lỗi chính tả ở tiêu đề tiếng Anh."})
    assert status == 200
    create(api, tokens["bien-tap"], "dang-duyet")
    api("POST", "/playlists/dang-duyet/versions/1/submit", tokens["bien-tap"])
    with panel_page(browser, server.url, "duyet") as page:
        page.goto(server.url + "/panel/playlists/dang-duyet")
        loaded(page)
        expect(page.locator("#ed-messages")).to_contain_text("Phiên bản 1 đang chờ duyệt.")
        expect(page.get_by_role("link", name="Mở danh sách chờ duyệt")).to_have_attribute(
            "href", "/panel/review")
        expect(page.get_by_test_id("save")).to_have_count(0)
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists")
        expect(page.locator("tr[data-playlist=bi-tra-lai]")).to_contain_text(
            "Sửa lỗi chính tả ở tiêu đề tiếng Anh.")
        page.select_option("#pl-state", "rejected")
        expect(page.locator("#pl-rows tr")).to_have_count(1)
        page.goto(server.url + "/panel/playlists/bi-tra-lai")
        loaded(page)
        expect(page.get_by_test_id("rejection-reason")).to_have_text(
            "Sửa lỗi chính tả ở tiêu đề tiếng Anh.")
        expect(page.get_by_test_id("version-state")).to_contain_text("Bị trả lại")

        page.goto(server.url + "/panel/playlists/dang-duyet")
        loaded(page)
        expect(page.get_by_test_id("save")).to_be_hidden()
        expect(column(page, 0, "en").locator("input[data-field=title]")).not_to_be_editable()
        page.get_by_test_id("withdraw").click()
        expect(page.get_by_test_id("save")).to_be_visible()
        expect(column(page, 0, "en").locator("input[data-field=title]")).to_be_editable()
    assert api("GET", "/playlists/dang-duyet", tokens["bien-tap"])[1]["working"][
        "state"] == "draft"


def test_a_viewer_reads_without_edit_buttons(browser, server) -> None:
    with panel_page(browser, server.url, "xem") as page:
        page.goto(server.url + "/panel/playlists")
        expect(page.locator("#pl-rows tr")).not_to_have_count(0)
        expect(page.get_by_test_id("new-playlist")).to_have_count(0)
        page.locator("tr[data-playlist=welcome-hue] a").click()
        loaded(page)
        expect(page.locator("#ed-messages")).to_contain_text("Bạn có thể xem danh sách này")
        for testid in ("save", "submit", "withdraw"):
            expect(page.get_by_test_id(testid)).to_have_count(0)
        expect(page.locator(".pl-handle")).to_have_count(0)
        expect(page.locator(".pl-move")).to_have_count(0)
        expect(page.locator("#ed-add")).to_be_hidden()
        expect(page.locator("#ed-title-vi")).not_to_be_editable()
        expect(column(page, 0, "vi").locator("input[data-field=title]")).not_to_be_editable()
        expect(page.locator("select[data-field=type]").first).to_be_disabled()
        answer = page.goto(server.url + "/panel/playlists/new")
        assert answer is not None and answer.status == 403


def test_an_editor_of_another_agency_is_refused(browser, server) -> None:
    with panel_page(browser, server.url, "bien-tap") as page:
        page.goto(server.url + "/panel/playlists")
        expect(page.locator("tr[data-playlist=welcome-hue]")).to_be_visible()
        expect(page.locator("tr[data-playlist=festival-hue-2025]")).to_have_count(0)
        page.goto(server.url + "/panel/playlists/festival-hue-2025")
        expect(page.get_by_test_id("editor-error")).to_contain_text(
            "thuộc cơ quan khác")
        expect(page.get_by_test_id("save")).to_be_hidden()
        status = page.evaluate("""Pano.api('PUT', '/api/v1/playlists/festival-hue-2025/draft',
            {items: []}).then(() => 200, (err) => err.status)""")
        assert status == 404


@pytest.fixture()
def english_tablet(browser, server) -> Iterator[Page]:
    with panel_page(browser, server.url, "bien-tap", lang="en", viewport="tablet") as page:
        yield page


def test_english_on_a_tablet(english_tablet: Page, server) -> None:
    page = english_tablet
    page.goto(server.url + "/panel/playlists")
    expect(page.locator("h1")).to_have_text("Playlists")
    expect(page.get_by_test_id("new-playlist")).to_contain_text("New playlist")
    expect(page.locator("tr[data-playlist=welcome-hue]")).to_contain_text("Version 1 approved")
    no_sideways_scroll(page)
    page.goto(server.url + "/panel/playlists/welcome-hue")
    loaded(page)
    expect(page.get_by_test_id("save")).to_have_text("Save draft")
    expect(column(page, 0, "en")).to_contain_text("English")
    expect(page.get_by_test_id("completeness-summary")).to_contain_text(
        "Every item has what its languages need")
    page.click(".pl-lang-add[data-lang=lo]")
    expect(column(page, 0, "lo")).to_be_visible()
    no_sideways_scroll(page)
    box = item(page, 0).locator(".pl-move.pl-down").bounding_box()
    assert box is not None and box["height"] >= 36 and box["width"] >= 36
    # Keyboard-accessible reordering: the move buttons.
    first = item(page, 0).get_attribute("data-item-id")
    item(page, 0).locator(".pl-move.pl-down").click()
    expect(item(page, 1)).to_have_attribute("data-item-id", first or "")
    column(page, 0, "vi").locator(".pl-media-buttons button").first.click()
    expect(page.locator("#media-dialog")).to_be_visible()
    expect(page.locator("#media-grid .pl-media-tile").first).to_be_visible()
    no_sideways_scroll(page)
