"""Helpers for the web-panel tests: people of every role with known passwords, and
Playwright pages (Debian's Chromium, never a downloaded browser) logged in as them."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from controller.auth.tokens import issue_user_token
from controller.auth.users import add_user

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

# A logged-in page is kept for the next test of the module (the browser is the module's)
# with the same viewport and locale, whoever it signs in as. A new context and page cost
# Chromium a new renderer process and a cold cache: about 1.1 s of CPU more than
# navigating a kept page (a loop of panel_page() against a running controller), times a
# few hundred panel tests. A kept page is handed over as a new one would be: with only the
# cookies of its person's login, on the page that login landed on, with empty
# localStorage and sessionStorage and no routes or listeners of the earlier test. It is
# not kept (its context is closed) when the test failed, opened another page or changed
# its cookies (logged out, switched language), nor for an anonymous page or ``keep=False``
# (a test that changes the context in ways this cannot undo: CDP sessions, init scripts).
_KEPT: weakref.WeakKeyDictionary[Browser, dict[tuple[str, str, str], Page]] = (
    weakref.WeakKeyDictionary())


def _tidy_for_next(page: Page, cookies: Any) -> bool:
    """Make a page that served a test look new again; False if it cannot be."""
    if page.is_closed() or len(page.context.pages) != 1:
        return False
    try:
        page.unroute_all(behavior="ignoreErrors")
        if page.url.startswith("http"):
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.goto("about:blank", timeout=5_000)
        return page.context.cookies() == cookies
    except PlaywrightError:
        return False


@contextmanager
def panel_page(browser: Browser, base_url: str, username: str | None = None, *,
               lang: str = "vi", viewport: str = "desktop",
               locale: str | None = None, keep: bool = True) -> Iterator[Page]:
    """A browser page on the panel with its own cookies, logged in as ``username``; the
    browser's own ``locale`` follows ``lang`` unless given. A page kept from an earlier
    test of the module may serve (see _KEPT); ``keep=False`` for one nobody reuses."""
    key = (base_url, username, lang)
    locale = locale or ("vi-VN" if lang == "vi" else "en-GB")
    kept = _KEPT.setdefault(browser, {})
    shape = (base_url, viewport, locale)
    keep = keep and username is not None
    page = kept.pop(shape, None) if keep else None
    if page is None or page.is_closed():  # closed with the module's other pages
        page = browser.new_context(viewport=VIEWPORTS[viewport], locale=locale,
                                   timezone_id="Asia/Ho_Chi_Minh").new_page()
    page.set_default_timeout(30_000)  # a page of a busy CI machine under 5 test workers
    errors: list[str] = []

    def on_error(exc: Any) -> None:
        errors.append(str(exc))

    page.on("pageerror", on_error)
    passed = False
    try:
        if username is not None:
            known = _LOGGED_IN.get(key)
            page.context.clear_cookies()
            if known:  # the cookie of an earlier login: back where that login landed
                page.context.add_cookies(known[0])
                page.goto(known[1])
            if not known or "/panel/login" in page.url:  # first time, or logged out since
                login(page, base_url, username)
                set_language(page, lang)
                _LOGGED_IN[key] = (page.context.cookies(), page.url)
        cookies = page.context.cookies()
        yield page
        assert not errors, f"JavaScript errors on the page: {errors}"
        passed = True
    finally:
        page.remove_listener("pageerror", on_error)
        if passed and keep and _tidy_for_next(page, cookies):
            kept[shape] = page
        else:
            page.context.close()


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
