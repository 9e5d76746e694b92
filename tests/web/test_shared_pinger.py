"""One pinger for all of a server's Engine.IO connections (controller/edge/pinger.py):
a real Flask-SocketIO server (threading mode, in this process), a real python-socketio
client and a raw WebSocket client speaking Engine.IO by hand. Connections are pinged
every ``ping_interval`` and stay up while they answer; one that never answers is closed
after ``ping_timeout``; a server without the shared pinger still pings by itself."""

from __future__ import annotations

import threading
import time

import pytest
import socketio
from flask import Flask
from flask_socketio import SocketIO
from websockets.sync.client import connect
from werkzeug.serving import make_server

from controller.edge.pinger import ATTRIBUTE, TICK, install

INTERVAL, TIMEOUT = 1, 1  # seconds: python-engineio's defaults are 25 and 20


def _serve(shared: bool):  # noqa: ANN202 - (url, pinger, stop)
    app = Flask(__name__)
    sio = SocketIO(app, async_mode="threading", ping_interval=INTERVAL,
                   ping_timeout=TIMEOUT)
    sio.on_event("connect", lambda auth=None: True, namespace="/player")
    pinger = install(sio.server.eio) if shared else None
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        http.shutdown()
        thread.join(5)

    return f"127.0.0.1:{http.server_port}", pinger, sio, stop


@pytest.fixture
def shared():
    address, pinger, sio, stop = _serve(shared=True)
    yield address, pinger, sio
    stop()


def _raw_client(address: str):  # noqa: ANN202 - a websockets connection
    return connect(f"ws://{address}/socket.io/?EIO=4&transport=websocket", open_timeout=5,
                   close_timeout=0.5)


def _opened(ws) -> None:  # noqa: ANN001
    opened = ws.recv(timeout=5)
    assert opened.startswith("0{"), opened


def test_connections_are_pinged_by_the_one_pinger_and_stay_while_they_answer(shared):
    address, pinger, sio = shared
    client = socketio.Client(reconnection=False)
    client.connect(f"http://{address}", namespaces=["/player"], transports=["websocket"])
    try:
        time.sleep(3 * INTERVAL + 2 * TICK)
        assert pinger.sent >= 2, pinger.sent  # about one a second, each after a pong
        assert client.connected
        assert len(sio.server.eio.sockets) == 1
    finally:
        client.disconnect()


def test_a_connection_that_never_answers_a_ping_is_closed(shared):
    address, pinger, sio = shared
    with _raw_client(address) as ws:
        _opened(ws)
        assert ws.recv(timeout=INTERVAL + 5) == "2"  # pinged; it never says "3"
        assert pinger.sent == 1 and len(sio.server.eio.sockets) == 1
        deadline = time.monotonic() + TIMEOUT + 10
        while sio.server.eio.sockets:  # python-engineio's service task closes it
            assert time.monotonic() < deadline, "a silent connection was kept"
            time.sleep(0.1)


def test_a_server_without_the_shared_pinger_pings_by_itself():
    address, pinger, sio, stop = _serve(shared=False)
    try:
        assert pinger is None and getattr(sio.server.eio, ATTRIBUTE, None) is None
        with _raw_client(address) as ws:
            _opened(ws)
            assert ws.recv(timeout=INTERVAL + 5) == "2"
    finally:
        stop()
