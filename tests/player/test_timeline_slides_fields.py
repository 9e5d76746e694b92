"""The optional ``slides``, ``qr`` and ``display.qr_badge`` fields (protocol section 4):
validated when present, never required; the helpers pick the file a slide shows."""

from __future__ import annotations

import copy

import pytest
from player_helpers import T0, make_timeline, sha, text_item

from player.timeline import TimelineError, badge_of, parse_timeline, slide_file

SLIDE_VI, SLIDE_EN, ALL, BADGE = (sha(x) for x in (b"vi", b"en", b"all", b"badge"))
LINK = "https://pano.example/q/ABCDEFGH"


def timeline() -> dict:
    item = text_item("hello", 10)
    item["slides"] = {"vi": SLIDE_VI, "en": SLIDE_EN}
    item["variants"]["vi"]["url"] = "https://hue.gov.vn/"
    item["variants"]["vi"]["qr"] = {"url": LINK, "badge": BADGE}
    media = {s: {"size": 1, "mime": "image/png"} for s in (SLIDE_VI, SLIDE_EN, BADGE)}
    t = make_timeline([(T0, T0 + 86400, "p@1")], {"p@1": [item]}, media=media,
                      mode="alternate")
    t["display"]["qr_badge"] = {"x": 1295, "y": 629, "width": 576, "height": 402}
    return t


def test_valid_fields_are_accepted_and_timelines_without_them_too() -> None:
    parse_timeline(timeline())
    parse_timeline(make_timeline([(T0, T0 + 86400, "p@1")], {"p@1": [text_item("a", 5)]}))


@pytest.mark.parametrize("breaks", [
    lambda t, i: i.update(slides={"vi": "not-a-sha"}),
    lambda t, i: i.update(slides={"fr": SLIDE_VI}),  # no French variant
    lambda t, i: i.update(slides={"*": ALL}),  # not listed in media
    lambda t, i: i.update(slides={}),
    lambda t, i: i["variants"]["vi"].update(qr={"url": "ftp://x", "badge": BADGE}),
    lambda t, i: i["variants"]["vi"].update(qr={"url": LINK}),
    lambda t, i: t["display"].update(qr_badge={"x": -1, "y": 0, "width": 5, "height": 5}),
    lambda t, i: t["display"].update(qr_badge={"x": 0, "y": 0, "width": 0, "height": 5}),
])
def test_broken_fields_make_the_timeline_invalid(breaks) -> None:
    t = copy.deepcopy(timeline())
    breaks(t, t["playlists"]["p@1"]["items"][0])
    with pytest.raises(TimelineError):
        parse_timeline(t)


def test_the_file_of_a_slide_and_its_badge() -> None:
    item = timeline()["playlists"]["p@1"]["items"][0]
    assert slide_file(item, ("vi",)) == SLIDE_VI
    assert slide_file(item, ("vi", "en")) is None  # no "*": the page draws the text
    assert slide_file({**item, "slides": {"*": ALL}}, ("en",)) == ALL
    assert badge_of(item, ("vi",)) == {"url": LINK, "badge": BADGE}
    assert badge_of(item, ("en",)) is None
