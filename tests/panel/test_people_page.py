"""The People page (/panel/people): an admin adds a person whose generated password,
shown once, signs them in; disables a person, who then cannot sign in; sets a new
password; is told why the last active admin cannot be disabled; renames an agency.
Other roles get 403 and no link. One English and one tablet check. Results are checked
in the database and by signing in through /panel/login."""

from __future__ import annotations

import re

import pytest
from panel.panel_helpers import PASSWORD, login, panel_page
from playwright.sync_api import Page, expect
from sqlalchemy import select

from controller.auth.passwords import verify_password
from controller.models import Agency, User

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def user(fleet, username: str) -> User:
    with fleet.sessions() as session:
        row = session.scalar(select(User).where(User.username == username))
        assert row is not None
        session.expunge(row)
        return row


def open_people(page: Page, base_url: str) -> None:
    page.goto(base_url + "/panel/people")
    expect(page.locator("#users tbody tr").first).to_be_visible()


def row(page: Page, username: str):
    return page.locator(f"#users tbody tr[data-username='{username}']")


def sign_in_fails(browser, base_url: str, username: str, password: str) -> None:
    with panel_page(browser, base_url) as page:
        page.goto(base_url + "/panel/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button.primary")
        expect(page.get_by_test_id("login-error")).to_have_text(
            "Sai tên đăng nhập hoặc mật khẩu.")


def test_admin_adds_an_editor_whose_generated_password_signs_in(browser, server, fleet):
    with panel_page(browser, server.url, "quan-tri") as page:
        open_people(page, server.url)
        expect(page.locator("h1")).to_have_text("Người dùng")
        bien_tap = row(page, "bien-tap")
        expect(bien_tap).to_contain_text("biên tập viên")
        expect(bien_tap).to_contain_text("Sở Du lịch")
        expect(bien_tap).to_contain_text("Đang hoạt động")

        page.get_by_role("button", name="Thêm người dùng").click()
        dialog = page.locator("#person-dialog")
        expect(dialog).to_be_visible()
        page.fill("#p-username", "Lan Nguyen")  # refused by the page, kept as typed
        page.select_option("#p-role", "editor")
        page.select_option("#p-agency", "tourism")
        page.check("#p-sites input[value='lang-co-pano']")
        page.fill("#p-new-theme", "sea-islands")
        page.click("#p-add-theme")
        dialog.locator("#person-save").click()
        expect(page.locator("#person-error")).to_contain_text("Tên đăng nhập chỉ gồm")
        expect(page.locator("#p-username")).to_have_value("Lan Nguyen")

        page.fill("#p-username", "lan.nguyen")
        dialog.locator("#person-save").click()
        secret = page.locator("#secret-dialog")
        expect(secret).to_be_visible()
        expect(secret).to_contain_text("Mật khẩu này chỉ hiện một lần duy nhất.")
        password = page.locator("#secret-value").input_value()
        assert len(password) >= 12
        page.click("#secret-copy")
        expect(page.locator("#secret-copied")).not_to_be_empty()
        page.click("#secret-done")
        expect(secret).to_be_hidden()
        new_row = row(page, "lan.nguyen")
        expect(new_row).to_contain_text("Địa điểm:")
        expect(new_row).to_contain_text("Chủ đề: sea-islands")

    stored = user(fleet, "lan.nguyen")
    assert (stored.role, stored.agency_id, stored.disabled) == ("editor", "tourism", False)
    assert (stored.scope_sites, stored.scope_themes) == (["lang-co-pano"], ["sea-islands"])
    assert verify_password(stored.password_hash, password)
    with panel_page(browser, server.url) as page:
        login(page, server.url, "lan.nguyen", password)
        expect(page.get_by_test_id("who")).to_have_text("lan.nguyen · biên tập viên")
        expect(page.locator(".mainnav")).not_to_contain_text("Người dùng")


def test_a_disabled_person_cannot_sign_in_and_a_new_password_works(browser, server, fleet):
    with panel_page(browser, server.url, "quan-tri") as page:
        open_people(page, server.url)
        row(page, "bien-tap-2").locator("button.disable").click()
        confirm = page.locator("#confirm-dialog")
        expect(confirm).to_contain_text("Vô hiệu hóa tài khoản bien-tap-2?")
        confirm.locator("#confirm-ok").click()
        expect(confirm).to_be_hidden()
        expect(row(page, "bien-tap-2")).to_contain_text("Đã vô hiệu hóa")
        expect(row(page, "bien-tap-2").locator("button.enable")).to_be_visible()

        row(page, "duyet-dl").locator("button.password").click()
        dialog = page.locator("#password-dialog")
        expect(dialog).to_contain_text("Mật khẩu mới cho duyet-dl")
        dialog.get_by_label("Tự đặt mật khẩu").check()
        page.fill("#np-password", "ngắn quá")
        dialog.get_by_role("button", name="Đặt mật khẩu mới").click()
        expect(page.locator("#password-error")).to_have_text("Mật khẩu cần ít nhất 12 ký tự.")
        page.fill("#np-password", "Núi Ngự sông Hương")
        dialog.get_by_role("button", name="Đặt mật khẩu mới").click()
        expect(dialog).to_be_hidden()
        expect(page.locator(".toast", has_text="duyet-dl đã có mật khẩu mới.")).to_be_visible()

    assert user(fleet, "bien-tap-2").disabled is True
    sign_in_fails(browser, server.url, "bien-tap-2", PASSWORD)
    sign_in_fails(browser, server.url, "duyet-dl", PASSWORD)
    with panel_page(browser, server.url) as page:
        login(page, server.url, "duyet-dl", "Núi Ngự sông Hương")
        expect(page.get_by_test_id("who")).to_contain_text("duyet-dl")


def test_the_last_active_admin_is_not_disabled_and_the_page_says_why(browser, server, fleet):
    with panel_page(browser, server.url, "quan-tri") as page:
        open_people(page, server.url)
        # The fleet's other admin first (allowed), then oneself: the last active admin.
        row(page, "admin-user").locator("button.disable").click()
        page.locator("#confirm-ok").click()
        expect(row(page, "admin-user")).to_contain_text("Đã vô hiệu hóa")
        row(page, "quan-tri").locator("button.disable").click()
        confirm = page.locator("#confirm-dialog")
        expect(confirm).to_contain_text("Đây là tài khoản của chính bạn")
        confirm.locator("#confirm-ok").click()
        error = page.locator("#confirm-error")
        expect(error).to_contain_text("Pano cần ít nhất một quản trị viên đang hoạt động")
        # the panel is Vietnamese: the server's own refusal, in Vietnamese
        expect(error).to_contain_text("'quan-tri' là quản trị viên cuối cùng còn hoạt động")
        expect(confirm).to_be_visible()
        confirm.get_by_role("button", name="Hủy").click()
        expect(row(page, "quan-tri")).to_contain_text("Đang hoạt động")
        # Enabling again is one click and a confirmation.
        row(page, "admin-user").locator("button.enable").click()
        page.locator("#confirm-ok").click()
        expect(row(page, "admin-user")).to_contain_text("Đang hoạt động")
    assert user(fleet, "quan-tri").disabled is False
    assert user(fleet, "admin-user").disabled is False


def test_an_agency_rename_is_stored(browser, server, fleet):
    with panel_page(browser, server.url, "quan-tri") as page:
        open_people(page, server.url)
        culture = page.locator("#agencies tr[data-agency='culture']")
        expect(page.locator("#agencies tr.is-lead")).to_contain_text("Cơ quan chủ trì")
        save = culture.locator("button.save")
        expect(save).to_be_disabled()
        culture.locator("input.name-vi").fill("")
        save.click()
        expect(page.locator("#agencies-error")).to_contain_text("cả tiếng Việt và tiếng Anh")
        culture.locator("input.name-vi").fill("Sở Văn hóa, Thể thao và Du lịch")
        culture.locator("input.name-en").fill("Department of Culture, Sports and Tourism")
        save.click()
        expect(page.locator(".toast", has_text="Đã lưu tên của cơ quan culture.")).to_be_visible()
        expect(save).to_be_disabled()
        page.reload()
        expect(page.locator("#agencies tr[data-agency='culture'] input.name-vi")).to_have_value(
            "Sở Văn hóa, Thể thao và Du lịch")
        page.select_option("#filter-agency", "tourism")
        expect(row(page, "bien-tap")).to_be_visible()
        expect(row(page, "quan-tri")).to_be_hidden()
    with fleet.sessions() as session:
        agency = session.get(Agency, "culture")
        assert (agency.name_vi, agency.name_en) == ("Sở Văn hóa, Thể thao và Du lịch",
                                                    "Department of Culture, Sports and Tourism")


@pytest.mark.parametrize("username", ["bien-tap", "duyet", "ky-thuat", "xem"])
def test_other_roles_get_403_and_no_link(browser, server, username):
    with panel_page(browser, server.url, username) as page:
        expect(page.locator(".mainnav a").first).to_be_visible()
        expect(page.locator(".mainnav")).not_to_contain_text("Người dùng")
        answer = page.goto(server.url + "/panel/people")
        assert answer is not None and answer.status == 403
        api = page.request.get(server.url + "/api/v1/users")
        assert api.status == 403


def test_in_english_with_role_filter(browser, server):
    with panel_page(browser, server.url, "quan-tri", lang="en") as page:
        open_people(page, server.url)
        expect(page.locator("h1")).to_have_text("People")
        expect(page.locator(".mainnav a[aria-current=page]")).to_have_text("People")
        page.select_option("#filter-role", "approver")
        expect(page.locator("#users tbody tr")).to_have_count(2)
        expect(row(page, "duyet-dl")).to_contain_text("approver")
        expect(row(page, "duyet-dl")).to_contain_text("Department of Tourism")
        expect(page.locator("#user-count")).to_have_text(re.compile(r"^2 of \d+ people$"))
        page.get_by_role("button", name="Add person").click()
        expect(page.locator("#p-role-hint")).to_have_text(
            "Writes and submits their agency's playlists and schedules them.")


def test_on_a_tablet_nothing_scrolls_sideways(browser, server):
    with panel_page(browser, server.url, "quan-tri", viewport="tablet") as page:
        open_people(page, server.url)
        expect(page.locator("#agencies tbody tr").first).to_be_visible()
        wide = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        assert page.evaluate(wide)
        for button in page.locator("#users tbody tr").first.locator("button").all():
            assert button.bounding_box()["height"] >= 36
        page.get_by_role("button", name="Thêm người dùng").click()
        dialog = page.locator("#person-dialog")
        expect(dialog).to_be_visible()
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 820
        check = dialog.locator("label.check").first.bounding_box()
        assert check["height"] >= 36
        assert page.evaluate(wide)
