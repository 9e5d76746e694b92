"""A WebSocket spoken by hand over a plain TCP socket, to send what no client library
would (a frame that claims 300 MB, an empty text frame, a flood) and to read every byte
the server writes back, including anything it should not write after closing."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
from dataclasses import dataclass

TEXT, BINARY, CLOSE = 0x1, 0x2, 0x8


@dataclass
class Frame:
    opcode: int
    payload: bytes

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", "replace")

    @property
    def close_code(self) -> int | None:
        if self.opcode != CLOSE or len(self.payload) < 2:
            return None
        return struct.unpack(">H", self.payload[:2])[0]


def frame_header(opcode: int, length: int) -> tuple[bytes, bytes]:
    """A client frame's header (FIN set, masked) for ``length`` payload bytes, and the
    mask to apply to the payload."""
    mask = os.urandom(4)
    if length < 126:
        head = bytes([0x80 | opcode, 0x80 | length])
    elif length < 1 << 16:
        head = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack(">H", length)
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack(">Q", length)
    return head + mask, mask


def masked(payload: bytes, mask: bytes) -> bytes:
    return bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class RawWebSocket:
    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            ("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        self.reset = False  # the server reset the connection (see _recv)
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            assert chunk, "connection closed during the WebSocket handshake"
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        opening = self.next_frame()
        assert opening is not None and opening.text.startswith("0{"), opening
        self.eio = json.loads(opening.text[1:])

    def send_text(self, text: str) -> None:
        self.send(TEXT, text.encode())

    def send(self, opcode: int, payload: bytes) -> None:
        head, mask = frame_header(opcode, len(payload))
        self.sock.sendall(head + masked(payload, mask))

    def join_player(self, screen: str, token: str) -> str:
        """Connect to ``/player`` and return the CONNECT answer."""
        self.send_text("40/player," + json.dumps({"screen": screen, "token": token}))
        frame = self.next_text("40/player")
        return frame

    def next_frame(self, timeout: float = 10.0) -> Frame | None:
        """The next frame from the server, None at end of stream."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self._parse()
            if frame is not None:
                return frame
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk

    def next_text(self, prefix: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frame = self.next_frame(deadline - time.monotonic())
            assert frame is not None, f"closed before a frame starting with {prefix!r}"
            if frame.opcode == TEXT and frame.text.startswith(prefix):
                return frame.text
        raise AssertionError(f"no frame starting with {prefix!r}")

    def read_to_end(self, timeout: float = 10.0) -> tuple[list[Frame], bytes]:
        """Every frame until the server closes the TCP connection, and any bytes after
        its close frame (which must be none)."""
        frames: list[Frame] = []
        deadline = time.monotonic() + timeout
        while True:
            frame = self._parse()
            if frame is not None:
                frames.append(frame)
                if frame.opcode == CLOSE:
                    break
                continue
            chunk = self._recv(deadline)
            if not chunk:
                return frames, b""
            self.buffer += chunk
        rest = self.buffer
        while chunk := self._recv(deadline):
            rest += chunk
        return frames, rest

    def _recv(self, deadline: float) -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the server did not close the connection in time")
        self.sock.settimeout(left)
        try:
            return self.sock.recv(65536)
        except ConnectionResetError:
            # The server closed with our frames still unread in its socket: the kernel
            # sends a reset, and what it had sent us but we had not read yet is lost.
            self.reset = True
            return b""

    def _parse(self) -> Frame | None:
        buf = self.buffer
        if len(buf) < 2:
            return None
        opcode, length, at = buf[0] & 0x0F, buf[1] & 0x7F, 2
        if length == 126:
            if len(buf) < 4:
                return None
            length, at = struct.unpack(">H", buf[2:4])[0], 4
        elif length == 127:
            if len(buf) < 10:
                return None
            length, at = struct.unpack(">Q", buf[2:10])[0], 10
        if len(buf) < at + length:
            return None
        self.buffer = buf[at + length:]
        return Frame(opcode, buf[at:at + length])

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
