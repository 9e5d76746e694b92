"""Sending the play journal (player/journal_sender.py, docs/protocol.md sections 5 and 6):
batches within 100 records and 60 KiB, oldest first, one at a time, dropped up to
``stored_through``, paused on ``rate_limited``, findings logged once; a backlog sent
between heartbeats over a real Socket.IO connection, and over HTTP in HTTP mode."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from player_helpers import HttpOnlyController, Running, Served, wait_for
from test_journal import fields

from player.journal import Journal
from player.journal_record import read_line
from player.journal_sender import MAX_BYTES, RATE_LIMITED_PAUSE, JournalSender


def big(i: int) -> dict:
    """A record near the protocol's 2 KiB limit (8 long media names)."""
    return fields(i, media=[f"{i:02d}" * 32] * 8, languages=["vi", "en", "lo"])


class Controller:
    """Answers batches like the controller: stored through the last seq, unless told."""

    def __init__(self) -> None:
        self.batches: list[dict] = []
        self.answers: list[object] = []  # queued answers, else "all stored"

    def __call__(self, event: str, body: object) -> object:
        assert event == "journal"
        self.batches.append(json.loads(json.dumps(body)))
        if self.answers:
            return self.answers.pop(0)
        return {"ok": True, "stored_through": body["records"][-1]["seq"], "duplicates": 0,
                "findings": []}


def test_batches_stay_within_100_records_and_60_kib_in_seq_order(tmp_path):
    journal = Journal(tmp_path)
    for i in range(250):
        journal.append(big(i) if i % 2 else fields(i))
    controller = Controller()
    sender = JournalSender(journal, controller, lambda: True)
    while sender.send_once() < 1.0:
        pass
    assert len(controller.batches) >= 3
    seqs = []
    for batch in controller.batches:
        assert batch["journal"] == journal.journal_id
        assert len(batch["records"]) <= 100
        assert len(json.dumps(batch, separators=(",", ":"))) <= MAX_BYTES
        seqs += [r["seq"] for r in batch["records"]]
        for record in batch["records"]:
            read_line(json.dumps(record).encode())  # each one checks
    assert seqs == list(range(1, 251))  # oldest first, each once, no hole
    assert journal.status()["pending"] == 0


def test_only_what_the_controller_stored_is_dropped(tmp_path):
    journal = Journal(tmp_path)
    for i in range(150):
        journal.append(fields(i))
    controller = Controller()
    controller.answers = [{"ok": True, "stored_through": 40, "duplicates": 0, "findings": []}]
    sender = JournalSender(journal, controller, lambda: True)
    sender.send_once()
    assert journal.stored_through == 40 and journal.status()["pending"] == 110
    sender.send_once()
    assert controller.batches[1]["records"][0]["seq"] == 41  # the rest, again
    # A controller that keeps records out (a conflict) gets them twice, then no more.
    controller.answers = [{"ok": True, "stored_through": 140, "findings": [
        {"finding": "conflict", "seq": 141}]}] * 2
    sender.send_once()
    sender.send_once()
    assert [b["records"][0]["seq"] for b in controller.batches[2:]] == [141, 141]
    assert journal.status()["pending"] == 0


def test_rate_limited_pauses_the_sender_and_keeps_the_batch(tmp_path):
    journal = Journal(tmp_path)
    for i in range(10):
        journal.append(fields(i))
    controller = Controller()
    controller.answers = [{"ok": False, "error": "rate_limited", "message": "Too many"}]
    sender = JournalSender(journal, controller, lambda: True)
    assert sender.send_once() == RATE_LIMITED_PAUSE
    assert sender.send_once() > 0 and len(controller.batches) == 1  # paused: nothing sent
    assert journal.status()["pending"] == 10
    sender._not_before = 0.0  # the pause is over
    sender.send_once()
    assert controller.batches[1]["records"][0]["seq"] == 1
    assert journal.status()["pending"] == 0


def test_findings_are_logged_once_each(tmp_path, caplog):
    journal = Journal(tmp_path)
    controller = Controller()
    sender = JournalSender(journal, controller, lambda: True)
    finding = {"finding": "gap", "message": "records 5–9 missing"}
    for i in range(3):
        journal.append(fields(i))
        controller.answers = [{"ok": True, "stored_through": i + 1, "findings": [finding]}]
        with caplog.at_level(logging.WARNING, logger="pano.player.journal_sender"):
            sender.send_once()
    assert sum("records 5–9 missing" in r.getMessage() for r in caplog.records) == 1


def test_nothing_is_sent_without_a_link(tmp_path):
    journal = Journal(tmp_path)
    journal.append(fields(1))
    controller = Controller()
    JournalSender(journal, controller, lambda: False).send_once()
    assert controller.batches == []


class Budget:
    """The controller's budget for ``journal`` (docs/protocol.md 5, Limits): 10 at once,
    then one every 0.25 s."""

    def __init__(self) -> None:
        self.tokens, self.at, self.lock = 10.0, time.monotonic(), threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(10.0, self.tokens + (now - self.at) / 0.25)
            self.at = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True


def test_a_backlog_goes_out_over_socketio_between_heartbeats(tmp_path, controller):
    journal = Journal(tmp_path / "journal-cache")
    backlog = 2500
    for i in range(backlog):
        journal.append(fields(i))
    stored: list[int] = []
    refused = []
    budget = Budget()

    @controller.sio.on("journal", namespace="/player")
    def on_journal(sid, data=None):
        if not budget.take():
            refused.append(1)
            return {"ok": False, "error": "rate_limited", "message": "Too many journal"}
        seqs = [r["seq"] for r in data["records"]]
        with controller.lock:
            stored.extend(s for s in seqs if s not in stored[-200:])
            controller.events.append(("journal", len(seqs)))
        return {"ok": True, "stored_through": seqs[-1], "duplicates": 0, "findings": []}

    with Running(tmp_path, controller.url) as run:
        sender = JournalSender(journal, run.agent.call, lambda: run.state.connected)
        thread = threading.Thread(target=sender.run, args=(run.stop,), daemon=True)
        thread.start()
        wait_for(lambda: journal.status()["pending"] == 0, timeout=60, what="the backlog")
        beats = [i for i, (name, _) in enumerate(controller.events) if name == "heartbeat"]
        journals = [i for i, (name, _) in enumerate(controller.events) if name == "journal"]
    thread.join(timeout=5)
    assert stored == list(range(1, backlog + 1))  # every record once, in order
    assert refused == []  # paced within the controller's budget
    # Heartbeats (every 0.3 s here) went on while the backlog went out.
    assert len([b for b in beats if journals[0] < b < journals[-1]]) >= 5


@pytest.fixture
def blocked(media_app):
    stand_in = HttpOnlyController(media_app)
    served = Served(stand_in)
    stand_in.url = served.url
    yield stand_in
    served.close()


def test_in_http_mode_batches_go_to_post_api_v1_player_journal(tmp_path, blocked):
    journal = Journal(tmp_path / "journal-cache")
    for i in range(230):
        journal.append(fields(i))
    with Running(tmp_path, blocked.url, poll=60) as run:
        sender = JournalSender(journal, run.agent.call, lambda: run.state.connected)
        thread = threading.Thread(target=sender.run, args=(run.stop,), daemon=True)
        thread.start()
        wait_for(lambda: journal.status()["pending"] == 0, timeout=30, what="the journal")
        assert run.state.transport == "http"
    thread.join(timeout=5)
    posted = blocked.received("journal")
    assert [len(b["records"]) for b in posted] == [100, 100, 30]
    assert all(b["journal"] == journal.journal_id for b in posted)
    assert journal.stored_through == 230
