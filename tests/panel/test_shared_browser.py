"""The tests' shared Chromium (tests/support/browser.py) opens a context without the
address bar's WebUI popups: each cost about 0.9 s of CPU per context, a few hundred
times a run. A Chromium that brings them back under another feature name fails here,
rather than quietly making every browser test slower."""

from __future__ import annotations

from support.browser import browser_session


def test_a_new_context_starts_no_browser_ui_page():
    with browser_session() as browser:
        page = browser.new_context().new_page()
        page.set_content("<p>Xin chào</p>")
        cdp = browser.new_browser_cdp_session()
        try:
            targets = cdp.send("Target.getTargets")["targetInfos"]
        finally:
            cdp.detach()
        chrome_pages = [t["url"] for t in targets if t["type"] != "page"
                        and t["url"].startswith("chrome://")]
        assert chrome_pages == [], chrome_pages
        assert page.text_content("p") == "Xin chào"
