"""Signing in to the panel: the login form, failures, the limit on failed attempts,
CSRF, sessions ended by a password change or a disabled account, cookie flags, the
language switch and what each role is shown."""

from __future__ import annotations

import dataclasses
import re

import pytest
import requests
from panel.panel_helpers import PASSWORD, login, panel_page
from playwright.sync_api import expect

from controller.app import create_app
from controller.auth.users import add_user, set_password
from controller.models import User

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def form_token(http: requests.Session, url: str) -> str:
    page = http.get(url, timeout=10)
    match = CSRF_RE.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def signed_in(server, username: str, password: str = PASSWORD) -> requests.Session:
    http = requests.Session()
    token = form_token(http, server.url + "/panel/login")
    answer = http.post(server.url + "/panel/login", timeout=10, allow_redirects=False,
                       data={"csrf_token": token, "username": username,
                             "password": password})
    assert answer.status_code == 302, answer.text[:300]
    return http


def new_person(fleet, name: str, role: str = "editor", agency: str | None = "tourism") -> None:
    with fleet.sessions() as session:
        add_user(session, name, role, password=PASSWORD, agency=agency)
        session.commit()


def test_a_page_asks_for_login_and_returns_to_it(browser, server):
    with panel_page(browser, server.url) as page:
        page.goto(server.url + "/panel/audit?actor=duyet")
        expect(page).to_have_url(re.compile(r"/panel/login\?next="))
        expect(page.locator("h1")).to_have_text("Đăng nhập Pano")
        page.fill("#username", "xem")
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        expect(page).to_have_url(server.url + "/panel/audit?actor=duyet")
        expect(page.get_by_test_id("who")).to_contain_text("xem · người xem")


def test_a_wrong_password_says_so_and_signs_nobody_in(browser, server):
    with panel_page(browser, server.url) as page:
        page.goto(server.url + "/panel/login")
        page.fill("#username", "bien-tap")
        page.fill("#password", "not the password")
        page.click("button.primary")
        expect(page.get_by_test_id("login-error")).to_have_text(
            "Sai tên đăng nhập hoặc mật khẩu.")
        expect(page.locator("#username")).to_have_value("bien-tap")  # kept
        page.goto(server.url + "/panel/playlists")
        expect(page).to_have_url(re.compile(r"/panel/login"))


def test_unknown_user_and_empty_form_get_the_same_plain_answers(server):
    http = requests.Session()
    token = form_token(http, server.url + "/panel/login")
    unknown = http.post(server.url + "/panel/login", timeout=10,
                        data={"csrf_token": token, "username": "nobody-here",
                              "password": "whatever"})
    assert unknown.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in unknown.text
    empty = http.post(server.url + "/panel/login", timeout=10,
                      data={"csrf_token": token, "username": "", "password": ""})
    assert empty.status_code == 400
    assert "Hãy nhập tên đăng nhập và mật khẩu." in empty.text


def test_failed_logins_are_limited_then_even_the_right_password_waits(fleet, server):
    new_person(fleet, "doan-thu")
    http = requests.Session()
    token = form_token(http, server.url + "/panel/login")
    for _ in range(5):
        answer = http.post(server.url + "/panel/login", timeout=10,
                           data={"csrf_token": token, "username": "doan-thu",
                                 "password": "guess " * 3})
        assert answer.status_code == 401
    refused = http.post(server.url + "/panel/login", timeout=10, allow_redirects=False,
                        data={"csrf_token": token, "username": "doan-thu",
                              "password": PASSWORD})
    assert refused.status_code == 429
    assert re.search(r"Đăng nhập sai quá nhiều lần\. Hãy thử lại sau \d+ giây\.",
                     refused.text)
    # Another person at the same address is not locked out by it.
    assert signed_in(server, "xem").get(server.url + "/panel/audit",
                                        timeout=10).status_code == 200


def test_login_without_the_forms_csrf_token_is_refused(server):
    answer = requests.post(server.url + "/panel/login", timeout=10, allow_redirects=False,
                           data={"username": "xem", "password": PASSWORD})
    assert answer.status_code == 400
    assert "Biểu mẫu đã hết hạn" in answer.text


def test_session_calls_to_the_api_need_the_csrf_header(server):
    http = signed_in(server, "khan-cap")
    assert http.get(server.url + "/api/v1/sites", timeout=10).status_code == 200
    forged = http.post(server.url + "/api/v1/emergencies", timeout=10,
                       json={"sites": ["a-dot"], "message": {"vi": "x", "en": "x"}})
    assert forged.status_code == 400
    assert forged.json()["message"] == ("The CSRF token is missing. Send the page's token "
                                        "in the X-CSRFToken header.")
    logout = http.post(server.url + "/panel/logout", timeout=10, allow_redirects=False)
    assert logout.status_code == 400  # a forged sign-out is refused too
    assert http.get(server.url + "/api/v1/sites", timeout=10).status_code == 200


def test_an_answer_that_changes_no_session_sends_no_cookie(server):
    """A call that began before the person switched the panel's language must not answer
    with the session it read: only answers that change the session set the cookie."""
    http = signed_in(server, "xem")
    for path in ("/panel/", "/api/v1/sites"):
        answer = http.get(server.url + path, timeout=10)
        assert answer.status_code == 200
        assert "pano_session" not in answer.headers.get("Set-Cookie", ""), path
    page = http.get(server.url + "/panel/", timeout=10).text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    chosen = http.post(server.url + "/panel/language", timeout=10, allow_redirects=False,
                       data={"csrf_token": token, "lang": "en", "next": "/panel/"})
    assert chosen.status_code == 302 and "pano_session" in chosen.headers["Set-Cookie"]
    assert 'lang="en"' in http.get(server.url + "/panel/", timeout=10).text


def test_signing_out_ends_the_session(browser, server):
    with panel_page(browser, server.url, "ky-thuat") as page:
        page.get_by_role("button", name="Đăng xuất").click()
        expect(page.locator(".notice")).to_have_text("Bạn đã đăng xuất.")
        answer = page.request.get(server.url + "/api/v1/sites")
        assert answer.status == 401


def test_a_password_change_or_disabling_ends_open_sessions(fleet, server):
    new_person(fleet, "doi-mat-khau")
    new_person(fleet, "bi-khoa")
    changed, disabled = signed_in(server, "doi-mat-khau"), signed_in(server, "bi-khoa")
    with fleet.sessions() as session:
        set_password(session, "doi-mat-khau", "a brand new password")
        session.query(User).filter_by(username="bi-khoa").one().disabled = True
        session.commit()
    for http in (changed, disabled):
        assert http.get(server.url + "/api/v1/sites", timeout=10).status_code == 401
        page = http.get(server.url + "/panel/playlists", timeout=10, allow_redirects=False)
        assert page.status_code == 302 and "/panel/login" in page.headers["Location"]
    assert signed_in(server, "doi-mat-khau", "a brand new password")


def test_the_panel_speaks_vietnamese_first_and_english_on_one_click(browser, server):
    with panel_page(browser, server.url, "duyet", lang="vi") as page:
        nav = page.locator("nav.mainnav")
        expect(nav).to_contain_text("Duyệt nội dung")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        page.click(".langswitch button[value=en]")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(nav).to_contain_text("Review")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        page.goto(server.url + "/panel/audit")  # the choice follows to other pages
        expect(page.locator("nav.mainnav")).to_contain_text("Audit log")


@pytest.mark.parametrize(("username", "shown", "hidden"), [
    ("ky-thuat", ["Màn hình", "Xem trước"], ["Danh sách phát", "Duyệt nội dung", "Khẩn cấp"]),
    ("bien-tap", ["Danh sách phát", "Lịch phát", "Xem trước"],
     ["Màn hình", "Duyệt nội dung", "Khẩn cấp", "Nhật ký thao tác"]),
    ("duyet", ["Danh sách phát", "Duyệt nội dung", "Nhật ký thao tác"],
     ["Màn hình", "Khẩn cấp"]),
    ("khan-cap", ["Màn hình", "Khẩn cấp"], ["Danh sách phát", "Duyệt nội dung"]),
])
def test_each_role_is_shown_only_its_pages(browser, server, username, shown, hidden):
    with panel_page(browser, server.url, username) as page:
        nav = page.locator("nav.mainnav")
        for label in shown:
            expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
        for label in hidden:
            expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)


def test_a_page_outside_the_role_is_refused_anyway(browser, server):
    with panel_page(browser, server.url, "ky-thuat") as page:
        answer = page.goto(server.url + "/panel/review")
        assert answer is not None and answer.status == 403
        expect(page.locator("h1")).to_have_text("Không được phép")
        expect(page.locator(".content")).to_contain_text("kỹ thuật viên")


def test_after_login_each_role_lands_on_its_first_page(browser, server):
    with panel_page(browser, server.url) as page:
        login(page, server.url, "ky-thuat")
        expect(page).to_have_url(server.url + "/panel/fleet")


def test_login_never_redirects_to_another_site(server):
    http = requests.Session()
    token = form_token(http, server.url + "/panel/login")
    for target in ("https://evil.example/", "//evil.example/panel", "/panel/logout"):
        answer = http.post(server.url + "/panel/login", timeout=10, allow_redirects=False,
                           data={"csrf_token": token, "username": "xem",
                                 "password": PASSWORD, "next": target})
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/panel/"
        http.cookies.clear()
        token = form_token(http, server.url + "/panel/login")


def test_session_cookies_are_http_only_and_secure_behind_https(fleet):
    plain_app, _ = create_app(fleet.settings)
    secure_app, _ = create_app(dataclasses.replace(
        fleet.settings, public_url="https://pano.example.gov.vn"))
    for app, secure in ((plain_app, False), (secure_app, True)):
        client = app.test_client()
        page = client.get("/panel/login")
        cookies = page.headers.getlist("Set-Cookie")
        cookie = next((c for c in cookies if c.startswith("pano_session=")), "")
        assert cookie, cookies
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_a_page_inside_an_area_marks_its_section_in_the_navigation():
    from controller.panel.nav import current_page

    assert current_page("panel_review.queue") == "panel_review.queue"
    assert current_page("panel_schedules.preview") == "panel_schedules.preview"
    assert current_page("panel_review.version") == "panel_review.queue"
    assert current_page("panel_login.login") is None
    assert current_page(None) is None
