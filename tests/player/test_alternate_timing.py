"""``display.alternate_timing`` (protocol section 4): in alternate mode an item's duration
is split between its languages ("split", the default) or given to each of them
("repeat"). Which language shows at which second, across item and loop boundaries."""

from __future__ import annotations

import copy

import pytest
from player_helpers import (
    PICTURE,
    T0,
    image_item,
    iso,
    make_timeline,
    saved_player_dir,
    sha,
    text_item,
    wait_for,
)

from player.display.kiosk import playing_json
from player.timeline import (
    TimelineError,
    alternate_timing,
    item_span,
    parse_timeline,
    resolve,
    slide_languages,
    upcoming,
)

PIC = sha(b"picture")
DAY = 86400.0


def trilingual(item: dict) -> dict:
    """``item`` with a Lao variant too (between vi and en, as the screens list them)."""
    item = copy.deepcopy(item)
    vi = item["variants"]["vi"]
    item["variants"]["lo"] = {**vi, "title": f"ສະບາຍດີ {item['id']}"}
    return item


def timeline(items: list[dict], *, timing: str | None, languages=("vi", "en"),
             mode: str = "alternate", segments=None) -> dict:
    t = make_timeline(segments or [(T0, T0 + 3 * DAY, "p@1")], {"p@1": items},
                      media={PIC: {"size": 7, "mime": "image/jpeg"}}, mode=mode)
    t["display"]["languages"] = list(languages)
    if timing is not None:
        t["display"]["alternate_timing"] = timing
    return parse_timeline(t)


def showing(t: dict, at: float) -> tuple[str, tuple[str, ...]]:
    """(item id, languages on screen) at ``at``."""
    playing = resolve(t, at)
    assert playing is not None
    slide = playing.slide_at(at)
    assert slide is not None and slide.started_at <= at < slide.ends_at, (at, slide)
    return playing.item["id"], slide.languages


def second_by_second(t: dict, start: float, seconds: int) -> list[str]:
    """``"item:lang"`` at every whole second from ``start`` (plus 0.5 s, off the edges)."""
    return [":".join((item, "+".join(langs)))
            for item, langs in (showing(t, start + s + 0.5) for s in range(seconds))]


# --- validation and defaults ------------------------------------------------------------


def test_absent_means_split_as_from_an_older_controller():
    t = timeline([text_item("a", 10)], timing=None)
    assert "alternate_timing" not in t["display"]
    assert alternate_timing(t["display"]) == "split"
    assert item_span(t["playlists"]["p@1"]["items"][0], t["display"]) == 10


@pytest.mark.parametrize("value", ["split", "repeat"])
def test_both_values_are_accepted(value):
    assert timeline([text_item("a", 10)], timing=value)["display"]["alternate_timing"] == value


@pytest.mark.parametrize("value", ["twice", "REPEAT", "", None, 2, ["repeat"]])
def test_an_unknown_value_refuses_the_timeline(value):
    t = make_timeline([(T0, T0 + DAY, "p@1")], {"p@1": [text_item("a", 10)]},
                      mode="alternate")
    t["display"]["alternate_timing"] = value
    with pytest.raises(TimelineError, match="display.alternate_timing"):
        parse_timeline(t)


# --- which language at which second ---------------------------------------------------


def test_split_two_languages_share_the_duration_across_item_and_loop_boundaries():
    t = timeline([text_item("a", 4), text_item("b", 2)], timing="split")
    # a: vi 2 s, en 2 s; b: vi 1 s, en 1 s; the loop is 6 s long.
    loop = ["a:vi", "a:vi", "a:en", "a:en", "b:vi", "b:en"]
    assert second_by_second(t, T0, 12) == loop * 2
    # Far into the segment the loop is the same (anchored at the segment's start).
    assert second_by_second(t, T0 + 6 * 1000, 6) == loop


def test_repeat_two_languages_each_get_the_full_duration():
    t = timeline([text_item("a", 4), text_item("b", 2)], timing="repeat")
    # a: vi 4 s then en 4 s; b: vi 2 s then en 2 s; the loop is 12 s long.
    loop = ["a:vi"] * 4 + ["a:en"] * 4 + ["b:vi"] * 2 + ["b:en"] * 2
    assert second_by_second(t, T0, 24) == loop * 2
    assert second_by_second(t, T0 + 12 * 1000, 12) == loop


def test_three_languages_split_and_repeat():
    items = [trilingual(text_item("a", 3)), trilingual(text_item("b", 6))]
    langs = ("vi", "lo", "en")
    split = timeline(items, timing="split", languages=langs)
    repeat = timeline(items, timing="repeat", languages=langs)
    assert second_by_second(split, T0, 18) == (
        ["a:vi", "a:lo", "a:en"] + ["b:vi"] * 2 + ["b:lo"] * 2 + ["b:en"] * 2) * 2
    assert second_by_second(repeat, T0, 54) == (
        ["a:vi"] * 3 + ["a:lo"] * 3 + ["a:en"] * 3
        + ["b:vi"] * 6 + ["b:lo"] * 6 + ["b:en"] * 6) * 2
    # An item with 3 languages takes 3 x its duration; with split, its duration.
    playing = resolve(repeat, T0 + 10)
    assert (playing.item["id"], playing.started_at, playing.ends_at) == ("b", T0 + 9, T0 + 27)
    assert resolve(split, T0 + 4).ends_at == T0 + 9


def test_slides_follow_the_screen_order_not_the_variants_order():
    item = trilingual(text_item("a", 5))
    item["variants"] = dict(reversed(list(item["variants"].items())))
    t = timeline([item], timing="repeat", languages=("vi", "lo", "en"))
    slides = resolve(t, T0 + 1).slides
    assert [(s.languages, s.started_at - T0, s.ends_at - T0) for s in slides] == [
        (("vi",), 0, 5), (("lo",), 5, 10), (("en",), 10, 15)]


def test_resolving_at_a_language_boundary_gives_the_next_language():
    t = timeline([text_item("a", 4), text_item("b", 2)], timing="repeat")
    assert showing(t, T0 + 4) == ("a", ("en",))
    assert showing(t, T0 + 8) == ("b", ("vi",))
    assert showing(t, T0 + 12) == ("a", ("vi",))  # the loop starts again
    split = timeline([text_item("a", 4), text_item("b", 2)], timing="split")
    assert showing(split, T0 + 2) == ("a", ("en",))
    assert showing(split, T0 + 4) == ("b", ("vi",))


def test_upcoming_chains_the_repeated_spans():
    t = timeline([text_item("a", 4), image_item("b", 2, PIC)], timing="repeat")
    spans = [(p.item["id"], p.started_at - T0, p.ends_at - T0) for p in upcoming(t, T0 + 1, 4)]
    assert spans == [("a", 0, 8), ("b", 8, 12), ("a", 12, 20), ("b", 20, 24)]


# --- what alternates and what does not --------------------------------------------------


def test_videos_and_web_pages_are_one_slide_so_repeat_does_not_lengthen_them():
    video = image_item("film", 5, PIC) | {"type": "video"}
    web = {"id": "site", "type": "web", "duration": 5,
           "variants": {"vi": {"url": "https://hue.vn/vi"}, "en": {"url": "https://hue.vn/en"}}}
    t = timeline([video, web, image_item("pic", 5, PIC)], timing="repeat")
    display = t["display"]
    assert slide_languages(video, display) == [("vi", "en")]
    assert [item_span(i, display) for i in t["playlists"]["p@1"]["items"]] == [5, 5, 10]
    assert showing(t, T0 + 2) == ("film", ("vi", "en"))
    assert showing(t, T0 + 12) == ("pic", ("vi",)) and showing(t, T0 + 17) == ("pic", ("en",))


def test_dual_screens_ignore_the_timing():
    t = timeline([text_item("a", 4)], timing="repeat", mode="dual")
    playing = resolve(t, T0 + 1)
    assert (playing.ends_at, [s.languages for s in playing.slides]) == (T0 + 4, [("vi", "en")])


def test_one_language_screen_plays_the_duration_once():
    t = timeline([text_item("a", 4)], timing="repeat", languages=("vi",))
    assert [s.languages for s in resolve(t, T0 + 1).slides] == [("vi",)]
    assert resolve(t, T0 + 1).ends_at == T0 + 4


def test_a_segment_boundary_cuts_the_remaining_languages():
    # The segment ends 6 s into a repeated 4 s item: vi 0-4, en 4-6, nothing of en after.
    t = timeline([text_item("a", 4)], timing="repeat",
                 segments=[(T0, T0 + 6, "p@1"), (T0 + 6, T0 + DAY, None)])
    playing = resolve(t, T0 + 5)
    assert playing.ends_at == T0 + 6
    assert [(s.languages, s.started_at - T0, s.ends_at - T0) for s in playing.slides] == [
        (("vi",), 0, 4), (("en",), 4, 6)]
    cut_early = timeline([text_item("a", 4)], timing="repeat",
                         segments=[(T0, T0 + 3, "p@1"), (T0 + 3, T0 + DAY, None)])
    assert [s.languages for s in resolve(cut_early, T0 + 1).slides] == [("vi",)]
    assert resolve(cut_early, T0 + 3) is None


def test_items_that_cannot_play_are_skipped_with_their_whole_span():
    missing = sha(b"not cached")
    t = make_timeline([(T0, T0 + DAY, "p@1")],
                      {"p@1": [text_item("a", 4), image_item("b", 3, missing)]},
                      media={missing: {"size": 1, "mime": "image/png"}}, mode="alternate")
    t["display"]["alternate_timing"] = "repeat"
    t = parse_timeline(t)

    def cached(item: dict) -> bool:
        return item["id"] != "b"

    assert [resolve(t, T0 + s + 0.5, cached).item["id"] for s in range(10)] == ["a"] * 10
    assert resolve(t, T0 + 8.5).item["id"] == "b"


# --- the kiosk page gets the slides, and a headless player plays them offline ----------


def test_the_kiosk_document_carries_the_slide_times():
    t = timeline([text_item("a", 4)], timing="repeat")
    doc = playing_json(resolve(t, T0 + 1))
    assert [(s["languages"], s["started_at"] - T0, s["ends_at"] - T0) for s in doc["slides"]] \
        == [(["vi"], 0, 4), (["en"], 4, 8)]
    assert doc["ends_at"] - doc["started_at"] == 8


@pytest.mark.parametrize("timing, language, span", [("repeat", "vi", 800),
                                                      ("split", "en", 400)])
def test_an_offline_headless_player_shows_the_language_its_timing_says(
        tmp_path, run_player, timing, language, span):
    import json
    import time

    # One 400 s item started 300 s ago: with repeat vi shows 0-400 s (so now), with split
    # en shows 200-400 s (so now). Wide margins: no timing race.
    start = time.time() - 300
    cache = saved_player_dir(tmp_path, start=start, mode="alternate",
                             items=[text_item("hello", 400), image_item("pic", 10,
                                                                        sha(PICTURE))])
    saved = json.loads((cache / "timeline.json").read_text())
    saved["display"]["alternate_timing"] = timing
    (cache / "timeline.json").write_text(json.dumps(saved))
    player = run_player(cache, display="headless")
    now_playing = wait_for(lambda: player.json("/status")["now_playing"],
                           what="something playing")
    assert now_playing["item"] == "hello"
    assert now_playing["languages"] == [language]
    assert now_playing["ends_at"] == iso(int(start) + span)
