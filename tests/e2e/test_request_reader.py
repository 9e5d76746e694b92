"""The gevent server reads requests through a 2 KiB buffer (controller/edge/http_server.py,
memory per connection): headers several times that size are still read whole, and a
player's WebSocket still works through it."""

from __future__ import annotations

import socket

import pytest
import socketio
from support.fleet import fast_playlists, prepare, screen_token
from support.processes import Controller

from controller.edge.http_server import RFILE_BUFFER

SCREEN = "phu-bai-arrivals"


@pytest.fixture(scope="module")
def controller(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reader")
    data = tmp / "controller"
    prepare(data, fast_playlists(tmp / "playlists"))
    token = screen_token(data, SCREEN)
    running = Controller(data, env={"PANO_ASYNC_MODE": "gevent"}).start()
    running.token = token
    yield running
    running.stop()


def test_headers_longer_than_the_buffer_are_read_whole(controller):
    filler = "".join(f"X-Filler-{n}: {'v' * 90}\r\n" for n in range(60))  # about 6 KiB
    assert len(filler) > 2 * RFILE_BUFFER
    with socket.create_connection(("127.0.0.1", controller.port), timeout=30) as sock:
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: x\r\n{filler}Connection: close\r\n\r\n"
                     .encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_a_player_connects_and_gets_its_timeline(controller):
    got = []
    client = socketio.Client(reconnection=False)
    client.on("timeline", got.append, namespace="/player")
    client.connect(controller.url, namespaces=["/player"], transports=["websocket"],
                   auth={"screen": SCREEN, "token": controller.token}, wait_timeout=10)
    try:
        for _ in range(100):
            if got:
                break
            client.sleep(0.1)
        assert got and got[0]["screen"] == SCREEN
    finally:
        client.disconnect()
