"""A real `pano-controller serve` in gevent mode (as in production) storing journal
batches from several players at once: batches are stored in a real thread while the
handler's greenlet waits (controller/plays/off_loop.py), so the process keeps answering
`time` and /healthz while a batch goes in — even while the batch waits for SQLite's
write lock, which someone else holds (and so does the process's liveness beat)."""

from __future__ import annotations

import sqlite3
import threading
import time

import requests
import socketio
from plays.journal_helpers import batch, chain
from support.fleet import fast_playlists, prepare, screen_token
from support.processes import Controller

SCREENS = ["chan-may-cruise-terminal", "chan-may-gate-kiosk", "phu-bai-arrivals",
           "phu-bai-baggage", "lang-co-bay-pano", "a-dot-entry-hall"]
TIME_EVERY = 1.1  # seconds between `time` events on one connection (its budget: 1 s)


def test_gevent_controller_stores_batches_and_keeps_answering(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=1.0))
    tokens = {s: screen_token(data, s) for s in SCREENS}
    # Its liveness beat every half second (process_ttl 3 s): one falls while the write
    # lock is held below, and must not stop the process either (it writes off the loop).
    controller = Controller(data, env={"PANO_ASYNC_MODE": "gevent",
                                       "PANO_PROCESS_TTL": "3"}).start()
    clients = []
    try:
        for screen in SCREENS:
            client = socketio.Client(reconnection=False)
            client.connect(controller.url, namespaces=["/player"], transports=["websocket"],
                           auth={"screen": screen, "token": tokens[screen]}, wait_timeout=20)
            clients.append(client)
        answers: list = []

        def send(client) -> None:
            journal, records = batch([])["journal"], chain(500, seconds=2)
            for at in range(0, 500, 100):
                answers.append(client.call("journal", batch(records[at:at + 100], journal),
                                           namespace="/player", timeout=60))
                time.sleep(0.26)  # the journal budget's steady rate

        senders = [threading.Thread(target=send, args=(c,)) for c in clients]
        for thread in senders:
            thread.start()
        # /healthz as often as it answers; `time` within its budget (one a second after
        # a burst of 6: docs/protocol.md, "Limits"), or the connection is cut for
        # flooding, as a faster machine found.
        asked = 0.0
        while any(t.is_alive() for t in senders):
            if time.monotonic() - asked >= TIME_EVERY:
                asked = time.monotonic()
                assert clients[0].call("time", namespace="/player", timeout=10)["ok"]
            assert requests.get(controller.url + "/healthz", timeout=10).ok
            time.sleep(0.05)
        assert len(answers) == 5 * len(SCREENS)
        assert all(a["ok"] and not a["findings"] for a in answers), answers[:2]
        assert sorted({a["stored_through"] for a in answers}) == [100, 200, 300, 400, 500]
        _answers_while_a_batch_waits_for_the_lock(data / "pano.db", clients, controller.url)
    finally:
        for client in clients:
            threading.Thread(target=client.disconnect, daemon=True).start()
        controller.stop()


def _answers_while_a_batch_waits_for_the_lock(db, clients, url) -> None:
    """Hold SQLite's write lock (as a long report query or a backup would), send a
    batch, and ask the time while the batch waits for the lock. Stored on the event
    loop, the batch would stop the whole process until the lock came free: the time
    calls would go unanswered (their timeout is shorter than SQLite's 10 s busy timeout,
    and the lock is released only after them)."""
    answer: list = []
    holder = sqlite3.connect(db, timeout=10, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the write lock; readers go on (WAL)
        sender = threading.Thread(target=lambda: answer.append(clients[1].call(
            "journal", batch(chain(100, seconds=2)), namespace="/player", timeout=60)))
        sender.start()
        for _ in range(5):  # another connection: its whole burst of `time` is left
            assert clients[2].call("time", namespace="/player", timeout=5)["ok"]
            assert requests.get(url + "/healthz", timeout=5).ok
            time.sleep(0.1)
        assert not answer, f"answered while the write lock was held: {answer}"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    sender.join(timeout=30)
    assert answer and answer[0]["ok"] and answer[0]["stored_through"] == 100, answer
