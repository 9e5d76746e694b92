"""A TCP proxy on 127.0.0.1 for fault injection: it can corrupt bytes in transit, and
refuse WebSocket upgrades as some corporate and hotel proxies do."""

from __future__ import annotations

import socket
import threading

from support.tcp_listener import TcpListener


class CorruptingProxy(TcpListener):
    """Forwards every connection to ``upstream``. For the first ``corrupt`` connections
    whose request starts with ``GET /media/``, one byte of the response at ``offset`` is
    flipped — a download damaged on the way, headers intact.

    While ``refuse_websocket`` is set, a connection whose request asks for a WebSocket
    upgrade (``Upgrade: websocket``) is answered ``400 Bad Request`` and closed, the rest
    forwarded; ``refused`` counts them and ``upgraded`` counts those let through."""

    def __init__(self, upstream_port: int, corrupt: int = 1, offset: int = 4000,
                 refuse_websocket: bool = False) -> None:
        self.upstream_port, self.remaining, self.offset = upstream_port, corrupt, offset
        self.refuse_websocket = refuse_websocket
        self.corrupted = self.refused = self.upgraded = 0
        self._lock = threading.Lock()
        super().__init__()

    def _serve(self, client: socket.socket) -> None:
        first = client.recv(65536)
        if b"\r\nupgrade: websocket" in first.lower():
            with self._lock:
                refuse = self.refuse_websocket
                self.refused += refuse
                self.upgraded += not refuse
            if refuse:
                body = b"WebSocket upgrades are not allowed through this proxy."
                client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                               b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                               % (len(body), body))
                client.close()
                return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
        except OSError:
            client.close()
            return
        corrupt = False
        if first.startswith(b"GET /media/"):
            with self._lock:
                if self.remaining > 0:
                    self.remaining -= 1
                    self.corrupted += 1
                    corrupt = True
        upstream.sendall(first)
        threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
        self._pipe(upstream, client, corrupt)

    def _pipe(self, src: socket.socket, dst: socket.socket, corrupt: bool) -> None:
        sent = 0
        try:
            while data := src.recv(65536):
                if corrupt and sent <= self.offset < sent + len(data):
                    i = self.offset - sent
                    data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
                sent += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
