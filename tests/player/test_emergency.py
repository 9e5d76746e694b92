"""Emergencies on the player, without a network: resolution (pure), the playback loop
(shown over everything, once, ends by itself), /status, and the receipts queue on disk."""

from __future__ import annotations

import json

import pytest
from player_helpers import T0, FakeClock, iso, make_timeline, text_item

from player.cache import MediaCache
from player.playback import Playback
from player.receipts import RECEIPTS_FILE, Receipts
from player.state import PlayerState
from player.status_server import status_document
from player.timeline import TimelineError, active_emergency, parse_timeline

MESSAGES = {"vi": {"title": "Đóng cửa khẩu", "body": ""},
            "en": {"title": "Gate closed", "body": "Come back tomorrow."}}


def emergency(eid: int, start: float, end: float) -> dict:
    return {"id": eid, "from": iso(start), "until": iso(end), "messages": MESSAGES,
            "url": None}


def timeline(*emergencies: dict) -> dict:
    body = make_timeline([(T0, T0 + 3 * 86400, "welcome@1")],
                         {"welcome@1": [text_item("hello", 8.0)]})
    body["emergencies"] = list(emergencies)
    return parse_timeline(body)


def test_active_between_from_and_until_and_none_after():
    t = timeline(emergency(7, T0 + 100, T0 + 200))
    assert active_emergency(t, T0 + 99) is None
    assert active_emergency(t, T0 + 100)["id"] == 7
    assert active_emergency(t, T0 + 199.9)["id"] == 7
    assert active_emergency(t, T0 + 200) is None
    assert active_emergency(timeline(), T0 + 150) is None


def test_the_latest_started_wins_when_two_overlap():
    t = timeline(emergency(1, T0, T0 + 500), emergency(2, T0 + 100, T0 + 200))
    assert active_emergency(t, T0 + 50)["id"] == 1
    assert active_emergency(t, T0 + 150)["id"] == 2
    assert active_emergency(t, T0 + 300)["id"] == 1


@pytest.mark.parametrize("bad, words", [
    ({"id": "x"}, "id must be an integer"),
    ({"until": iso(T0)}, "'from' must be before"),
    ({"messages": {}}, "messages"),
    ({"messages": {"vi": {"title": 3}}}, "title"),
    ({"url": 5}, "url"),
])
def test_a_malformed_emergency_is_refused_with_where(bad, words):
    entry = {**emergency(1, T0, T0 + 60), **bad}
    body = make_timeline([(T0, T0 + 60, None)], {})
    body["emergencies"] = [entry]
    with pytest.raises(TimelineError, match="emergencies\\[0\\]") as info:
        parse_timeline(body)
    assert words in str(info.value)


def test_playback_shows_it_over_the_segment_once_and_ends_it_by_itself(tmp_path):
    state = PlayerState(timeline(emergency(9, T0 + 10, T0 + 30)))
    clock = FakeClock(T0 + 5)
    shown: list[tuple[int, float]] = []
    cache = MediaCache(tmp_path, "http://127.0.0.1:9", "pst_x")
    playback = Playback(state, clock, cache, lambda eid, at: shown.append((eid, at)))
    playback.tick()
    assert state.snapshot().emergency is None
    for t in (T0 + 10, T0 + 11, T0 + 29):
        clock.t = t
        playback.tick()
        snap = state.snapshot()
        assert snap.emergency["id"] == 9 and snap.emergency_since == T0 + 10
    assert shown == [(9, T0 + 10)]
    doc = status_document("s", state, clock, cache)
    assert doc["emergency"] == {"id": 9, "until": iso(T0 + 30), "since": iso(T0 + 10)}
    clock.t = T0 + 30  # no controller involved: the player ends it at 'until'
    playback.tick()
    assert state.snapshot().emergency is None
    assert status_document("s", state, clock, cache)["emergency"] is None
    assert shown == [(9, T0 + 10)]


def test_receipts_survive_a_restart_and_are_sent_once_answered(tmp_path):
    receipts = Receipts(tmp_path)
    receipts.shown(4, T0)
    receipts.shown(4, T0 + 5)  # shown again (another tick, a restart): one receipt
    assert receipts.pending() == [{"id": 4, "shown_at": iso(T0)}]

    def offline(event: str, data: object) -> object:
        raise ConnectionError("not connected")

    assert Receipts(tmp_path).send(offline) == 0
    again = Receipts(tmp_path)  # a restart while offline keeps the queue
    assert again.pending() == [{"id": 4, "shown_at": iso(T0)}]
    sent: list = []
    assert again.send(lambda event, data: sent.append((event, data)) or {"ok": True}) == 1
    assert sent == [("emergency_shown", {"id": 4, "shown_at": iso(T0)})]
    after = Receipts(tmp_path)
    assert after.pending() == []
    after.shown(4, T0 + 60)  # already delivered: not queued again
    assert after.pending() == []


def test_a_refused_receipt_leaves_the_queue_and_a_broken_file_is_ignored(tmp_path):
    receipts = Receipts(tmp_path)
    receipts.shown(5, T0)
    assert receipts.send(lambda e, d: {"ok": False, "message": "does not target"}) == 1
    assert receipts.pending() == []
    (tmp_path / RECEIPTS_FILE).write_text("{not json", encoding="utf-8")
    assert Receipts(tmp_path).pending() == []
    (tmp_path / RECEIPTS_FILE).write_text(json.dumps({"pending": [{"id": 3}]}), "utf-8")
    assert Receipts(tmp_path).pending() == []


def test_a_rate_limited_receipt_stays_queued_and_the_sender_pauses(tmp_path):
    """Many receipts after days offline meet the controller's budget (50, then one a
    second): those refused as rate_limited stay queued, and the sender waits before it
    tries again, so its refusals never add up to a flood (docs/protocol.md 5)."""
    receipts = Receipts(tmp_path)
    for eid in (7, 8, 9):
        receipts.shown(eid, T0)
    answers = iter([{"ok": True},
                    {"ok": False, "error": "rate_limited", "message": "Too many"}])
    sent: list = []

    def call(event: str, data: object) -> object:
        sent.append(data["id"])  # type: ignore[index]
        return next(answers)

    assert receipts.send(call) == 1
    assert [r["id"] for r in receipts.pending()] == [8, 9]
    assert receipts.send(call) == 0 and sent == [7, 8]  # paused: not even tried
    receipts._not_before = 0.0  # the pause is over
    assert receipts.send(lambda e, d: {"ok": True}) == 2
    assert receipts.pending() == []
