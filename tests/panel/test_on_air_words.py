"""Approved is not on air (issue 16, point 4): beside an approved version the panel says
on how many of the screens scheduled to show it the version is really on air — a
screen counts once it has acknowledged a timeline containing it — and the words follow
the screens live. A real Socket.IO player acknowledges; real Chromium, vi and en."""

from __future__ import annotations

import re

import pytest
from panel.panel_helpers import panel_page
from playwright.sync_api import expect
from sqlalchemy import select
from web.helpers import Player

from controller.models import ScreenStatus, ScreenTimeline

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
WAIT = 15_000  # ms: the live feed's round plus a page's redraw, with room


def scheduled_on(fleet, key: str) -> tuple[list[str], list[str]]:
    """The screens whose stored timeline names ``key`` ("welcome-hue@1"), and those of
    them whose player acknowledged that timeline."""
    with fleet.sessions() as session:
        rows = session.execute(
            select(ScreenTimeline.screen_id, ScreenTimeline.body, ScreenTimeline.version,
                   ScreenStatus.acked_version)
            .outerjoin(ScreenStatus, ScreenStatus.screen_id == ScreenTimeline.screen_id)).all()
    named = [r for r in rows if key in (r.body.get("playlists") or {})]
    return (sorted(r.screen_id for r in named),
            sorted(r.screen_id for r in named if r.acked_version == r.version))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_playlists_list_says_on_how_many_screens(browser, server, fleet, lang):
    key = "welcome-hue@1"
    screens, acked = scheduled_on(fleet, key)
    waiting = [s for s in screens if s not in acked]
    assert waiting, "the demo schedules welcome-hue on screens that have not confirmed it"
    words = {"vi": ("Phiên bản 1 đã duyệt", "đang phát trên {n}/{of} màn hình"),
             "en": ("Version 1 approved", "on air on {n}/{of} screens")}[lang]
    with panel_page(browser, server.url, "bien-tap", lang=lang) as page:
        page.goto(server.url + "/panel/playlists")
        row = page.locator("tr[data-playlist='welcome-hue']")
        expect(row).to_contain_text(words[0])
        on_air = row.locator(f"span.on-air[data-on-air='{key}']")
        # Approved, but on air only where a screen confirmed it (none, at first).
        expect(on_air).to_have_text(words[1].format(n=len(acked), of=len(screens)),
                                    timeout=WAIT)
        expect(on_air).to_have_class(re.compile(r"\bwarn\b"))
        if lang == "vi":
            expect(row).not_to_contain_text("Đang phát")  # the old word for "approved"

        # One screen connects and acknowledges its timeline: the words follow, live.
        player = Player(server.url).connect(waiting[0], fleet.tokens[waiting[0]])
        try:
            timeline = player.next_timeline()
            assert key in timeline["playlists"]
            page.evaluate("window.__notReloaded = true")
            assert player.call("ack", {"version": timeline["version"], "missing": []}) \
                == {"ok": True}
            expect(on_air).to_have_text(words[1].format(n=len(acked) + 1, of=len(screens)),
                                        timeout=WAIT)
            assert page.evaluate("window.__notReloaded") is True
        finally:
            player.close()


def test_the_editor_says_it_too(browser, server, fleet):
    with panel_page(browser, server.url, "bien-tap", lang="vi") as page:
        page.goto(server.url + "/panel/playlists/welcome-hue")
        badge = page.locator("span.on-air[data-on-air='welcome-hue@1']").first
        expect(badge).to_have_text(re.compile(r"^đang phát trên \d+/\d+ màn hình$"),
                                   timeout=WAIT)



def test_a_screen_counts_only_once_it_acknowledged_the_timeline_naming_it(server, fleet):
    """The topic's rule, read straight from the database the controller wrote: a screen
    whose player acknowledged an older timeline than its stored one does not count
    (yet); acknowledging the stored one makes it count; "*" is the fleet's size."""
    from controller.models import Screen
    from controller.panel.on_air_source import snapshot

    with fleet.sessions() as session:
        rows = session.execute(
            select(ScreenTimeline.screen_id, ScreenTimeline.version, ScreenTimeline.body,
                   ScreenStatus.acked_version)
            .outerjoin(ScreenStatus, ScreenStatus.screen_id == ScreenTimeline.screen_id)).all()
        key = "welcome-hue@1"
        waiting = [r for r in rows if key in r.body["playlists"] and r.acked_version != r.version]
        assert waiting, "a screen scheduled to show welcome-hue has not confirmed it"
        before = snapshot(session)
        assert before["*"] == {"screens": len(session.scalars(select(Screen)).all())}
        screen, version = waiting[0].screen_id, waiting[0].version
        session.merge(ScreenStatus(screen_id=screen, acked_version=version - 1))
        session.commit()
        assert snapshot(session)[key] == before[key]  # an older timeline: not this one
        session.merge(ScreenStatus(screen_id=screen, acked_version=version))
        session.commit()
        assert snapshot(session)[key] == {"screens": before[key]["screens"] + 1,
                                          "of": before[key]["of"]}
