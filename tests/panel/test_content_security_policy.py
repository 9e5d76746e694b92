"""The panel's own pages pass its Content-Security-Policy in real Chromium: every page
of every role, the editor, a review, an emergency board, the login page, the landing
page and the QR link page load with no ``securitypolicyviolation`` and no console report
of one; styles set by the scripts still apply; and the Screens page's live Socket.IO
connection still comes up (``connect-src``). The headers themselves are checked on each
kind of answer (issue 10, "Security headers")."""

from __future__ import annotations

import pytest
import requests
from panel.panel_helpers import PEOPLE, login, panel_page
from playwright.sync_api import Page, expect
from web.helpers import call

from controller.panel.nav import PAGES
from controller.security_headers import PAGE_POLICY, RESOURCE_POLICY

# Record violations from the first byte of every document (an init script is injected by
# the browser itself, so the policy does not apply to it).
RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} `
                    + `at ${e.sourceFile}:${e.lineNumber}`);
});
"""
WEEK = "/panel/schedules?site=phu-bai-airport&screen=phu-bai-arrivals&start=2026-12-07"


def _watch(page: Page) -> list[str]:
    console: list[str] = []
    page.context.add_init_script(RECORD)
    page.on("console", lambda msg: console.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return console


def _violations(page: Page, console: list[str]) -> list[str]:
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__csp || []") + console
    console.clear()  # the console list lives as long as the page, across documents
    return found


def _visit(page: Page, console: list[str], base: str, path: str) -> list[str]:
    response = page.goto(base + path)
    assert response is not None and response.status < 400, (path, response and response.status)
    assert response.headers["content-security-policy"] == PAGE_POLICY
    return [f"{path}: {v}" for v in _violations(page, console)]


PAGE_URLS = {"panel_fleet.fleet": "/panel/fleet", "panel_playlists.playlists": "/panel/playlists",
             "panel_review.queue": "/panel/review", "panel_schedules.week": WEEK,
             "panel_schedules.preview": "/panel/preview?screen=phu-bai-arrivals",
             "panel_emergency.compose": "/panel/emergency", "panel_audit.log": "/panel/audit",
             "panel_people.users": "/panel/people", "panel_alerts.alerts": "/panel/alerts",
             "panel_sources.sources": "/panel/sources",
             "panel_reports.reports": "/panel/reports?from=2026-01-01&to=2026-12-31&group_by=month",
             "panel_reports.replay": "/panel/replay?screen=phu-bai-arrivals"
                                     "&from=2026-03-10T07:00&to=2026-03-10T09:00"}


@pytest.mark.timeout(300)  # every page of every role: over 120 s on a busy 2-core machine
def test_every_page_of_every_role_loads_without_a_violation(browser, server):
    found: list[str] = []
    roles = {role: name for name, (role, _agency) in reversed(PEOPLE.items())}
    for role, username in sorted(roles.items()):
        with panel_page(browser, server.url, None) as page:
            console = _watch(page)
            login(page, server.url, username)
            for path in ["/panel/"] + [PAGE_URLS[p.endpoint] for p in PAGES if role in p.roles]:
                found += [f"{role} {v}" for v in _visit(page, console, server.url, path)]
    assert not found, "\n".join(found)


def test_the_editor_the_week_and_the_preview_keep_their_script_set_styles(browser, server):
    with panel_page(browser, server.url, "bien-tap") as page:
        console = _watch(page)
        assert not _visit(page, console, server.url, "/panel/playlists/welcome-hue")
        # Pano.el sets styles through the CSSOM, which the policy allows.
        columns = page.locator(".pl-variants").first
        expect(columns).to_have_attribute("style", "--cols: 2;")
        assert not _visit(page, console, server.url, "/panel/playlists/new")
        assert not _visit(page, console, server.url, WEEK)
        expect(page.locator(".slot").first).to_be_visible()
        assert "top:" in (page.locator(".slot").first.get_attribute("style") or "")
        assert not _visit(page, console, server.url, "/panel/preview?screen=phu-bai-arrivals")
        assert not _violations(page, console)


def test_the_screens_page_goes_live_under_the_policy(browser, server):
    with panel_page(browser, server.url, "ky-thuat") as page:
        console = _watch(page)
        assert not _visit(page, console, server.url, "/panel/fleet")
        expect(page.locator("#live-state")).to_have_attribute("data-state", "live",
                                                              timeout=20_000)
        # Enter in the search box filters and does not reload the page (was onsubmit=).
        page.fill("#filter-search", "phu-bai")
        page.press("#filter-search", "Enter")
        expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
        assert not _violations(page, console)


def test_review_and_emergency_board_pages(browser, server, fleet):
    status, sent = call(server, "POST", "/api/v1/emergencies", fleet.users["admin"], {
        "messages": {"vi": {"title": "Thử", "body": ""}, "en": {"title": "Test", "body": ""}},
        "targets": {"sites": ["phu-bai-airport"]}, "duration_minutes": 5})
    assert status == 201, sent
    with panel_page(browser, server.url, "khan-cap") as page:
        console = _watch(page)
        assert not _visit(page, console, server.url, f"/panel/emergency/{sent['id']}")
    with panel_page(browser, server.url, "duyet") as page:
        console = _watch(page)
        assert not _visit(page, console, server.url, "/panel/review/welcome-hue?version=1")


def test_pages_without_a_login(browser, server):
    with panel_page(browser, server.url, None) as page:
        console = _watch(page)
        assert not _visit(page, console, server.url, "/panel/login")
        assert not _visit(page, console, server.url, "/")
        # The QR page: styled from its own file (the policy refuses inline <style>).
        response = page.goto(server.url + "/q/nope")
        assert response is not None and response.status == 404
        assert response.headers["referrer-policy"] == "no-referrer"
        assert not _violations(page, console)
        margin = page.evaluate("getComputedStyle(document.body).maxWidth")
        assert margin != "none", "the QR page lost its stylesheet"


def test_the_headers_on_each_kind_of_answer(server, fleet):
    token = {"Authorization": f"Bearer {fleet.users['admin']}"}
    sha = next(iter(call(server, "GET", "/api/v1/media?limit=1", fleet.users["admin"])[1]
                    ["media"]))["sha256"]
    answers = {
        "page": requests.get(server.url + "/panel/login", timeout=10),
        "landing": requests.get(server.url + "/", timeout=10),
        "api": requests.get(server.url + "/api/v1/screens", headers=token, timeout=10),
        "api error": requests.get(server.url + "/api/v1/nope", timeout=10),
        "media": requests.get(server.url + f"/media/{sha}", headers=token, timeout=10),
        "script": requests.get(server.url + "/panel/static/base/panel.js", timeout=10),
        "qr": requests.get(server.url + "/q/nope", timeout=10, allow_redirects=False),
    }
    for kind, response in answers.items():
        assert response.status_code in (200, 401, 404), (kind, response.status_code)
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY", kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], kind
        expected = PAGE_POLICY if headers["Content-Type"].startswith("text/html") \
            else RESOURCE_POLICY
        assert headers["Content-Security-Policy"] == expected, kind
        assert headers["Referrer-Policy"] == ("no-referrer" if kind == "qr"
                                              else "same-origin"), kind
