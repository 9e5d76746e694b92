"""Timeline validation and resolution (protocol sections 4 and 8)."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from player_helpers import T0, image_item, make_timeline, sha, text_item

from player.timeline import TimelineError, parse_time, parse_timeline, resolve, upcoming

PIC = sha(b"picture")
HOUR = 3600.0


def basic() -> dict:
    return make_timeline(
        [(T0, T0 + 3 * 86400, "welcome@1")],
        {"welcome@1": [image_item("citadel", 10.0, PIC), text_item("hello", 8.0)]},
        media={PIC: {"size": 7, "mime": "image/jpeg"}},
    )


# --- validation ------------------------------------------------------------------------


def test_a_protocol_timeline_is_accepted_with_unknown_fields_kept():
    timeline = basic()
    timeline["future_field"] = {"anything": 1}
    timeline["segments"][0]["future"] = True
    assert parse_timeline(timeline)["future_field"] == {"anything": 1}


def _broken(mutate) -> str:
    timeline = basic()
    mutate(timeline)
    with pytest.raises(TimelineError) as info:
        parse_timeline(timeline)
    return str(info.value)


def _add_segment(t, start, end, key="welcome@1"):
    t["segments"].append({"from": start, "until": end, "playlist": key})


@pytest.mark.parametrize("mutate, words", [
    (lambda t: t.pop("version"), "version"),
    (lambda t: t.update(version=-1), "version"),
    (lambda t: t.update(schema=2), "schema"),
    (lambda t: t["segments"][0].update(playlist="nope@1"), "not a key"),
    (lambda t: t["segments"][0].update(until=t["segments"][0]["from"]), "before"),
    (lambda t: t["segments"][0].update({"from": "tomorrow"}), "ISO"),
    (lambda t: t["segments"][0].update({"from": "2026-11-25T17:00:00"}), "time zone"),
    (lambda t: _add_segment(t, "2026-11-26T00:00:00Z", "2026-11-26T01:00:00Z"), "overlapping"),
    (lambda t: t["playlists"]["welcome@1"]["items"][0].update(duration=0), "duration"),
    (lambda t: t["playlists"]["welcome@1"]["items"][0].update(duration=-5), "duration"),
    (lambda t: t["playlists"]["welcome@1"]["items"][0].update(duration="10"), "duration"),
    (lambda t: t["playlists"]["welcome@1"]["items"][0].update(duration=float("nan")),
     "duration"),
    (lambda t: t["playlists"]["welcome@1"]["items"][0].update(duration=True), "duration"),
    (lambda t: t["playlists"]["welcome@1"]["items"][0].update(type="hologram"), "type"),
    (lambda t: t["media"].clear(), "not listed in 'media'"),
    (lambda t: t["display"].update(bilingual_mode="both"), "bilingual_mode"),
    (lambda t: t["display"].update(languages=[]), "languages"),
    (lambda t: t["media"].update({"ABC": {"size": 1}}), "SHA-256"),
])
def test_broken_timelines_are_refused_with_a_clear_message(mutate, words):
    assert words in _broken(mutate)


def test_unsorted_segments_are_refused():
    timeline = make_timeline(
        [(T0 + HOUR, T0 + 2 * HOUR, "a@1"), (T0, T0 + HOUR, "a@1")],
        {"a@1": [text_item("x", 5)]})
    with pytest.raises(TimelineError, match="unsorted or overlapping"):
        parse_timeline(timeline)


def test_not_an_object_is_refused():
    with pytest.raises(TimelineError, match="JSON object"):
        parse_timeline(["segments"])


# --- worked examples -------------------------------------------------------------------


def test_the_playlist_loops_from_the_segment_start():
    timeline = basic()
    first = resolve(timeline, T0 + 3)
    assert (first.item["id"], first.started_at, first.ends_at) == ("citadel", T0, T0 + 10)
    second = resolve(timeline, T0 + 10)
    assert (second.item["id"], second.started_at, second.ends_at) == ("hello", T0 + 10, T0 + 18)
    # 1000 s in: 55 loops of 18 s = 990, so 10 s into the loop: "hello" from 1000.
    later = resolve(timeline, T0 + 1000)
    assert (later.item["id"], later.started_at) == ("hello", T0 + 1000)
    assert not later.stale


def test_midnight_does_not_restart_the_loop():
    # 23:00 → 01:00 in Huế (16:00Z → 18:00Z); local midnight is T0.
    start = T0 - HOUR
    timeline = make_timeline([(start, start + 2 * HOUR, "night@1")],
                             {"night@1": [text_item("a", 7.0), text_item("b", 11.0)]})
    at_midnight = resolve(timeline, T0)
    # 3600 s = 200 loops of 18 s exactly, so "a" starts at midnight.
    assert (at_midnight.item["id"], at_midnight.started_at) == ("a", T0)
    after = resolve(timeline, T0 + 8)
    assert (after.item["id"], after.started_at, after.ends_at) == ("b", T0 + 7, T0 + 18)


def test_a_segment_boundary_cuts_the_item_and_the_next_playlist_starts_on_time():
    timeline = make_timeline(
        [(T0, T0 + 15, "a@1"), (T0 + 15, T0 + HOUR, "b@1")],
        {"a@1": [text_item("a1", 10), text_item("a2", 10)], "b@1": [text_item("b1", 30)]})
    cut = resolve(timeline, T0 + 12)
    assert (cut.item["id"], cut.started_at, cut.ends_at) == ("a2", T0 + 10, T0 + 15)
    nxt = resolve(timeline, cut.ends_at)
    assert (nxt.item["id"], nxt.segment_index, nxt.started_at) == ("b1", 1, T0 + 15)


def test_nothing_before_the_first_segment_in_a_gap_or_for_a_null_playlist():
    timeline = make_timeline(
        [(T0, T0 + 60, "a@1"), (T0 + 120, T0 + 180, None), (T0 + 180, T0 + 240, "a@1")],
        {"a@1": [text_item("a1", 10)]})
    assert resolve(timeline, T0 - 1) is None
    assert resolve(timeline, T0 + 90) is None  # gap
    assert resolve(timeline, T0 + 150) is None  # null playlist: idle page
    assert resolve(timeline, T0 + 185).item["id"] == "a1"


def test_after_the_last_segment_the_last_one_keeps_playing_marked_stale():
    timeline = make_timeline([(T0, T0 + 60, "a@1"), (T0 + 60, T0 + 120, "b@1")],
                             {"a@1": [text_item("a1", 10)],
                              "b@1": [text_item("b1", 7), text_item("b2", 7)]})
    late = resolve(timeline, T0 + 5 * 86400 + 3)
    assert late.stale and late.segment_index == 1 and late.playlist_key == "b@1"
    assert late.started_at <= T0 + 5 * 86400 + 3 < late.ends_at
    assert late.ends_at - late.started_at == 7  # not cut at the (past) segment end
    # The item running when the last segment ends is not cut: nothing follows it.
    straddling = resolve(timeline, T0 + 118)
    assert (straddling.started_at, straddling.ends_at) == (T0 + 116, T0 + 123)
    assert not straddling.stale and resolve(timeline, T0 + 120).stale


def test_unplayable_items_are_skipped_and_nothing_playable_means_idle():
    timeline = basic()
    only_text = resolve(timeline, T0 + 3, playable=lambda item: item["type"] == "text")
    assert (only_text.item["id"], only_text.started_at, only_text.ends_at) == (
        "hello", T0, T0 + 8)
    assert resolve(timeline, T0 + 3, playable=lambda item: False) is None


def test_upcoming_lists_the_current_item_then_the_next_ones_across_segments():
    timeline = make_timeline(
        [(T0, T0 + 20, "a@1"), (T0 + 20, T0 + 40, None), (T0 + 40, T0 + 99, "b@1")],
        {"a@1": [text_item("a1", 8), text_item("a2", 8)], "b@1": [text_item("b1", 30)]})
    items = upcoming(timeline, T0 + 9, 4)
    assert [(p.item["id"], p.started_at, p.ends_at) for p in items] == [
        ("a2", T0 + 8, T0 + 16), ("a1", T0 + 16, T0 + 20),
        ("b1", T0 + 40, T0 + 70), ("b1", T0 + 70, T0 + 100)]  # last: not cut


def test_upcoming_reaches_its_horizon_with_short_items_and_stops_at_its_bound():
    # The kiosk page asks for 20 s ahead: a player busy for a few seconds must not leave
    # it without an item (three 1.5 s items covered 4.5 s only).
    timeline = make_timeline([(T0, T0 + 3600, "a@1")],
                             {"a@1": [text_item("a1", 1.5), text_item("a2", 1.5)]})
    items = upcoming(timeline, T0, 3, horizon=6.0)
    assert len(items) == 4 and items[-1].ends_at == T0 + 6
    assert len(upcoming(timeline, T0, 3, horizon=600.0)) == 12  # bounded
    long = make_timeline([(T0, T0 + 3600, "a@1")], {"a@1": [text_item("a1", 30)]})
    assert len(upcoming(long, T0, 3, horizon=20.0)) == 3  # at least three


def test_resolve_does_not_change_the_timeline():
    timeline = basic()
    before = copy.deepcopy(timeline)
    resolve(timeline, T0 + 5)
    upcoming(timeline, T0 + 5, 3)
    assert timeline == before


# --- properties --------------------------------------------------------------------------

durations = st.floats(min_value=0.1, max_value=900.0, allow_nan=False, allow_infinity=False)


@st.composite
def timelines(draw):
    n_playlists = draw(st.integers(1, 3))
    playlists = {
        f"p{i}@1": [text_item(f"p{i}-{j}", d)
                    for j, d in enumerate(draw(st.lists(durations, min_size=1, max_size=5)))]
        for i in range(n_playlists)
    }
    keys = [*playlists, None]
    segments = []
    start = T0 + draw(st.integers(-86400, 86400))
    for _ in range(draw(st.integers(1, 4))):
        start += draw(st.sampled_from([0, 0, 0, 60, 3600]))  # mostly contiguous
        length = draw(st.integers(1, 6 * 3600))
        segments.append((start, start + length, draw(st.sampled_from(keys))))
        start += length
    return make_timeline(segments, playlists)


@st.composite
def timeline_and_time(draw):
    timeline = draw(timelines())
    lo = parse_time(timeline["segments"][0]["from"]) - 100
    hi = parse_time(timeline["segments"][-1]["until"]) + 2 * 86400
    now = draw(st.floats(min_value=lo, max_value=hi, allow_nan=False))
    skip = draw(st.sets(st.text("0123456789p-", min_size=3, max_size=6), max_size=3))
    return timeline, now, skip


def same_item(a, b) -> bool:
    return a is not None and replace(a, stale=False) == replace(b, stale=False)


@settings(max_examples=300, deadline=None)
@given(timeline_and_time())
def test_the_resolved_item_covers_now_and_the_next_follows_at_its_end(case):
    timeline, now, skip = case

    def playable(item):
        return item["id"] not in skip

    assert parse_timeline(timeline) is timeline
    playing = resolve(timeline, now, playable)
    if playing is None:
        return
    assert playable(playing.item)
    assert playing.started_at <= now < playing.ends_at
    segment = timeline["segments"][playing.segment_index]
    seg_from, seg_until = parse_time(segment["from"]), parse_time(segment["until"])
    assert playing.started_at >= seg_from
    assert playing.stale == (now >= parse_time(timeline["segments"][-1]["until"]))
    last = playing.segment_index == len(timeline["segments"]) - 1
    if not last:
        assert playing.ends_at <= seg_until
    # Anywhere inside the item, the same item resolves (stale describes now, not the item).
    middle = playing.started_at + (playing.ends_at - playing.started_at) / 2
    assert same_item(resolve(timeline, middle, playable), playing)
    assert same_item(resolve(timeline, playing.started_at, playable), playing)
    # At its end comes the next item: same segment, next playable item in the loop...
    nxt = resolve(timeline, playing.ends_at, playable)
    if last or playing.ends_at < seg_until:
        items = timeline["playlists"][playing.playlist_key]["items"]
        usable = [i for i, item in enumerate(items) if playable(item)]
        expected = usable[(usable.index(playing.item_index) + 1) % len(usable)]
        assert nxt is not None and nxt.segment_index == playing.segment_index
        assert nxt.item_index == expected
        assert nxt.started_at == playing.ends_at
    elif nxt is not None:
        # ...or the first playable item of the segment that starts right there.
        assert nxt.segment_index > playing.segment_index
        assert nxt.started_at == playing.ends_at == seg_until
        assert nxt.item_index == min(
            i for i, item in enumerate(timeline["playlists"][nxt.playlist_key]["items"])
            if playable(item))


@settings(max_examples=150, deadline=None)
@given(timeline_and_time())
def test_upcoming_items_are_in_order_and_do_not_overlap(case):
    timeline, now, _ = case
    items = upcoming(timeline, now, 3)
    for a, b in zip(items, items[1:], strict=False):
        assert a.ends_at <= b.started_at
    if items and resolve(timeline, now) is not None:
        assert items[0] == resolve(timeline, now)
        assert items[0].started_at <= now < items[0].ends_at
