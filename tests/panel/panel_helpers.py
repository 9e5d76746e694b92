"""Helpers for the web-panel tests: people of every role with known passwords, and
Playwright pages (Debian's Chromium, never a downloaded browser) logged in as them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from playwright.sync_api import Browser, Page

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
# username -> (role, agency)
PEOPLE: dict[str, tuple[str, str | None]] = {
    "quan-tri": ("admin", "dic"),
    "bien-tap": ("editor", "tourism"),
    "bien-tap-2": ("editor", "tourism"),
    "duyet": ("approver", "dic"),
    "duyet-dl": ("approver", "tourism"),
    "ky-thuat": ("technician", None),
    "khan-cap": ("emergency", "dic"),
    "xem": ("viewer", None),
}
VIEWPORTS = {"desktop": {"width": 1440, "height": 900},
             "tablet": {"width": 820, "height": 1180}}  # an iPad Air held upright


def add_people(fleet: Any) -> None:
    with fleet.sessions() as session:
        for name, (role, agency) in PEOPLE.items():
            add_user(session, name, role, password=PASSWORD, agency=agency)
        session.commit()


def login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/panel/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form[action$='/panel/login'] button[type=submit]")
    page.wait_for_url(lambda url: "/panel/login" not in url)


def set_language(page: Page, lang: str) -> None:
    if page.locator(f".langswitch button[value={lang}][aria-pressed=true]").count():
        return
    page.click(f".langswitch button[value={lang}]")
    page.wait_for_selector(f"html[lang={lang}]")


# (server, username, language) -> the cookies of a login and the page it landed on. A
# login is two page loads and a form post in a new renderer; most tests only need to be
# logged in, so a later page of the same person starts from the same cookie (a login
# the server has ended since, e.g. a changed password, is done again). tests/panel/
# test_login.py logs in for real.
_LOGGED_IN: dict[tuple[str, str | None, str], tuple[Any, str]] = {}


@contextmanager
def panel_page(browser: Browser, base_url: str, username: str | None = None, *,
               lang: str = "vi", viewport: str = "desktop",
               locale: str | None = None) -> Iterator[Page]:
    """A fresh browser context (own cookies) on the panel, logged in as ``username``;
    the browser's own ``locale`` follows ``lang`` unless given."""
    key = (base_url, username, lang)
    known = _LOGGED_IN.get(key) if username is not None else None
    context = browser.new_context(viewport=VIEWPORTS[viewport],
                                  locale=locale or ("vi-VN" if lang == "vi" else "en-GB"),
                                  timezone_id="Asia/Ho_Chi_Minh",
                                  storage_state=known[0] if known else None)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        if username is not None:
            if known:  # the cookie of an earlier login: back where that login landed
                page.goto(known[1])
            if not known or "/panel/login" in page.url:  # first time, or logged out since
                login(page, base_url, username)
                set_language(page, lang)
                _LOGGED_IN[key] = (context.storage_state(), page.url)
        yield page
        assert not errors, f"JavaScript errors on the page: {errors}"
    finally:
        context.close()


def person_api(fleet: Any, server: Any, username: str) -> Any:
    """``call(method, path, body)`` on /api/v1 as ``username`` (a fresh personal token);
    asserts success and returns the JSON answer."""
    with fleet.sessions() as session:
        token = issue_user_token(session, username)
        session.commit()

    def call(method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, server.url + "/api/v1" + path, json=body,
                                  headers={"Authorization": f"Bearer {token}"}, timeout=20)
        assert answer.status_code < 300, (answer.status_code, answer.text)
        return answer.json()

    return call
