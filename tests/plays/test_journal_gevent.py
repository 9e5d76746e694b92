"""A real `pano-controller serve` in gevent mode (as in production) storing journal
batches from several players at once: batches are stored in a real thread while the
handler's greenlet waits (controller/plays/off_loop.py), so the process keeps answering
— `time` round trips and /healthz stay fast while the batches go in."""

from __future__ import annotations

import threading
import time

import requests
import socketio
from plays.journal_helpers import batch, chain
from support.fleet import fast_playlists, prepare, screen_token
from support.processes import Controller

SCREENS = ["chan-may-cruise-terminal", "chan-may-gate-kiosk", "phu-bai-arrivals",
           "phu-bai-baggage", "lang-co-bay-pano", "a-dot-entry-hall"]


def test_gevent_controller_stores_batches_and_keeps_answering(tmp_path):
    data = tmp_path / "controller"
    prepare(data, fast_playlists(tmp_path / "playlists", seconds=1.0))
    tokens = {s: screen_token(data, s) for s in SCREENS}
    controller = Controller(data, env={"PANO_ASYNC_MODE": "gevent"}).start()
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
        rtts = []
        while any(t.is_alive() for t in senders):
            started = time.monotonic()
            clients[0].call("time", namespace="/player", timeout=10)
            assert requests.get(controller.url + "/healthz", timeout=10).ok
            rtts.append(time.monotonic() - started)
            time.sleep(0.05)
        assert len(answers) == 5 * len(SCREENS)
        assert all(a["ok"] and not a["findings"] for a in answers), answers[:2]
        assert sorted({a["stored_through"] for a in answers}) == [100, 200, 300, 400, 500]
        assert max(rtts) < 2.0, rtts
    finally:
        for client in clients:
            threading.Thread(target=client.disconnect, daemon=True).start()
        controller.stop()
