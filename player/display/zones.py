"""The screen's zones for the kiosk page (docs/zones.md): the timeline's
``display.layout`` as the page needs it. A ticker strip's ``file`` is its PNG when it is
in the cache and checked (else None: the page scrolls the strip's text itself), like a
rendered slide's."""

from __future__ import annotations

from typing import Any

from player.cache import MediaCache


def layout_json(layout: Any, cache: MediaCache | None = None) -> dict | None:
    """``display.layout`` with each strip's cached ``file``; None without a layout."""
    if not isinstance(layout, dict) or not isinstance(layout.get("main"), dict):
        return None
    out = dict(layout)
    ticker = layout.get("ticker")
    if isinstance(ticker, dict):
        strips = []
        for strip in ticker.get("strips") or []:
            if not isinstance(strip, dict):
                continue
            sha = strip.get("media")
            ready = isinstance(sha, str) and (cache is None or cache.ready(sha))
            strips.append({"lang": strip.get("lang"), "text": strip.get("text") or "",
                           "width": strip.get("width"), "file": sha if ready else None})
        out["ticker"] = {**ticker, "strips": strips}
    return out
