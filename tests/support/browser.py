"""One headless Debian Chromium per test process, shared by every test that drives a page.

Starting Playwright's driver and a Chromium costs about 1.3 s of CPU (measured: a loop of
start, launch, one page, close); the panel, kiosk and zone tests did it once per module
and some once per test, about a hundred times a run. Now each test process starts one, on
first use, and stops it when the run ends (tests/conftest.py). A test gets it through
``browser_session()``, which closes every context (so every page) opened meanwhile when the
block ends: nothing one test opened keeps running into the next. A browser that died is
started again at the next ``browser_session()``.

Launched once with what every test needs: no sandbox (tests run as root in CI), no GPU
(none here; software rendering either way), and videos that play without a click (the
kiosk autoplays). And without the address bar's suggestion popups: this Chromium (156)
preloads two WebUI pages (chrome://omnibox-popup.top-chrome/, its "AI mode" variant) in
a renderer of their own for every new context, although a headless page never shows an
address bar. That was about 0.9 s of CPU per context (0.7 in that renderer, the rest in
the browser process), measured on six contexts: 7.4 s of CPU with them, 2.0 s without;
a whole run opens a few hundred contexts. Unknown feature names are ignored, so an
older or newer Chromium starts all the same (tests/panel/test_shared_browser.py tells
when the popups come back under another name).

One Playwright per process is also what the sync API allows: a second one in the same
thread while the first runs refuses to start."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from support.devtools import CHROMIUM, need

ARGS = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required",
        # merged by Chromium with Playwright's own --disable-features list
        "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup"]
_running: dict[str, Any] = {}


def _browser() -> Any:
    browser = _running.get("browser")
    if browser is not None and browser.is_connected():
        return browser
    need(CHROMIUM is not None and os.path.exists(CHROMIUM),
         "no Chromium on this machine: run `make system-deps` (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    if "playwright" not in _running:
        _running["playwright"] = sync_playwright().start()
    _running["browser"] = _running["playwright"].chromium.launch(
        executable_path=CHROMIUM, headless=True, args=ARGS)
    return _running["browser"]


@contextmanager
def browser_session() -> Iterator[Any]:
    """The process's Chromium; every context opened in the block is closed after it."""
    browser = _browser()
    try:
        yield browser
    finally:
        if browser.is_connected():
            for context in list(browser.contexts):
                context.close()


def stop() -> None:
    """Close the browser and the driver (at the end of the test run)."""
    browser, playwright = _running.pop("browser", None), _running.pop("playwright", None)
    if browser is not None and browser.is_connected():
        browser.close()
    if playwright is not None:
        playwright.stop()
