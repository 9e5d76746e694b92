"""From what is on screen to records (player/play_recorder.py, player/on_screen.py): why
each record ended, the kiosk page's reports and their refusals, a page that falls
silent, a showing longer than 24 hours."""

from __future__ import annotations

import pytest
from player_helpers import T0, image_item, make_timeline, sha, text_item
from test_journal import assert_chain, lines

from player.journal import Journal
from player.journal_record import iso_ms, parse_iso
from player.on_screen import decided, reported
from player.play_recorder import PAGE_SILENCE, PlayRecorder
from player.timeline import resolve

PIC = sha(b"picture")


class Clock:
    offset = 0.0

    def __init__(self) -> None:
        self.t = T0

    def now(self) -> float:
        return self.t


@pytest.fixture
def recorder(tmp_path):
    journal = Journal(tmp_path, source="kiosk")
    yield PlayRecorder(journal, Clock())
    journal.close()


def timeline(mode: str = "dual") -> dict:
    return make_timeline([(T0, T0 + 86400, "welcome@3")],
                         {"welcome@3": [image_item("citadel", 10, PIC), text_item("hi", 10)]},
                         version=9, mode=mode)


def page(kind, **fields) -> dict:
    return {"kind": kind, **fields}


def item_report(key: str, ends_at: float, item: str = "citadel") -> dict:
    return page("item", key=key, playlist="welcome@3", item=item, languages=["vi", "en"],
                media=[PIC], ends_at=ends_at, timeline_version=9)


def test_reasons_identify_emergency_duration_schedule(recorder):
    tl = timeline()
    observe = recorder.observe
    observe(reported(item_report("a", T0 + 10), tl), T0)
    observe(reported(page("identify", key="x", languages=["vi"], ends_at=T0 + 8), tl), T0 + 3)
    observe(reported(item_report("a", T0 + 10), tl), T0 + 8)  # identify over: the item again
    observe(reported(page("emergency", emergency=4, languages=["vi", "en"], media=[],
                          ends_at=T0 + 12), tl), T0 + 9)
    observe(reported(item_report("b", T0 + 20, "hi"), tl), T0 + 12)
    observe(reported(page("idle", languages=["vi"]), tl), T0 + 15)  # the timeline changed
    observe(None, T0 + 16)  # nothing confirmed on screen (a picture that does not decode)
    recorder.stop(T0 + 17)
    records = lines(recorder.journal)
    assert [(r["kind"], r["ended"]) for r in records] == [
        ("item", "identify"), ("identify", "duration"), ("item", "emergency"),
        ("emergency", "duration"), ("item", "schedule"), ("idle", "schedule")]
    assert records[0]["playlist"] == "welcome" and records[0]["version"] == 1  # its entry
    assert records[0]["media"] == [PIC] and records[0]["source"] == "kiosk"
    assert records[3]["emergency"] == 4 and records[3]["timeline_version"] == 9
    assert [parse_iso(r["start"]) - T0 for r in records] == [0, 3, 8, 9, 12, 15]
    assert_chain(records)


def test_bad_reports_are_refused_with_the_reason(recorder):
    for body, words in ((["x"], "JSON object"), (page("film"), "kind must be one of"),
                        (page("item", key="a"), "needs its key, playlist and item"),
                        (page("emergency"), "its id"),
                        (page("idle", languages=["vi"] * 9), "at most 8"),
                        (page("idle", ends_at="soon"), "ends_at")):
        with pytest.raises(ValueError, match=words):
            reported(body, timeline())


def test_a_silent_page_ends_its_record_at_its_last_report(recorder):
    recorder.observe(reported(item_report("a", T0 + 60), timeline()), T0)
    recorder.observe(reported(item_report("a", T0 + 60), timeline()), T0 + 2)
    recorder.tick(T0 + 2 + PAGE_SILENCE - 1)
    assert lines(recorder.journal) == []
    recorder.tick(T0 + 2 + PAGE_SILENCE + 1)
    [record] = lines(recorder.journal)
    assert record["ended"] == "restart" and record["end"] == iso_ms(T0 + 2)


def test_a_showing_longer_than_24_hours_is_cut(recorder):
    idle = reported(page("idle", languages=["vi"]), None)
    for hours in range(0, 50):
        recorder.observe(idle, T0 + hours * 3600)
    recorder.stop(T0 + 50 * 3600)
    records = lines(recorder.journal)
    assert [r["ended"] for r in records] == ["duration", "duration", "stop"]
    assert all(parse_iso(r["end"]) - parse_iso(r["start"]) <= 86400 for r in records)


def test_headless_alternate_mode_gives_one_record_per_language(tmp_path):
    tl = timeline("alternate")
    journal = Journal(tmp_path)
    recorder = PlayRecorder(journal, Clock())
    t = T0
    while t < T0 + 40:
        recorder.observe(decided(tl, None, resolve(tl, t), t), t)
        t += 0.2
    recorder.stop(t)
    records = lines(journal)
    assert [(r["item"], r["languages"]) for r in records[:4]] == [
        ("citadel", ["vi"]), ("citadel", ["en"]), ("hi", ["vi"]), ("hi", ["en"])]
    assert {r["source"] for r in records} == {"headless"}
    assert all(r["ended"] == "duration" for r in records[:-1])
    assert records[0]["media"] == [PIC]
