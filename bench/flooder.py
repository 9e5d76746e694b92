"""`python -m bench.flooder PORT SCREEN TOKEN SECONDS` — a hostile screen for
`bench.edge_flood`: for SECONDS it connects to `/player` with a valid credential over a
hand-made WebSocket and sends heartbeats as fast as the socket takes them; when the
controller cuts it off it reconnects at once and starts again. Prints one JSON line:
connections made, frames written, and how many connections the controller closed.

It runs in its own process so that its busy loop does not steal the probes' CPU time in
the bench process (one GIL)."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import sys
import time


def _frame(text: str) -> bytes:
    payload = text.encode()
    mask = os.urandom(4)
    head = bytes([0x81, 0x80 | 126]) + struct.pack(">H", len(payload)) if len(payload) > 125 \
        else bytes([0x81, 0x80 | len(payload)])
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _connect(port: int, screen: str, token: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    seen = b""
    while b'"sid"' not in seen:  # the 101 answer and Engine.IO's open packet
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        seen += chunk
    sock.sendall(_frame("40/player," + json.dumps({"screen": screen, "token": token})))
    return sock


def main() -> None:
    port, screen, token, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], \
        float(sys.argv[4])
    beat = _frame("42/player," + json.dumps(["heartbeat", {"uptime": 1.0}])) * 100
    end = time.monotonic() + seconds
    connections = cut = 0
    frames = 0
    while time.monotonic() < end:
        try:
            sock = _connect(port, screen, token)
        except OSError:
            time.sleep(0.05)
            continue
        connections += 1
        try:
            while time.monotonic() < end:
                sock.sendall(beat)
                frames += 100
        except OSError:
            cut += 1
        finally:
            sock.close()
    print(json.dumps({"connections": connections, "frames": frames, "cut": cut}), flush=True)


if __name__ == "__main__":
    main()
