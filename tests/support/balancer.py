"""A load balancer on 127.0.0.1 for tests of several controller processes: each new TCP
connection goes to the first upstream, in this balancer's order, that accepts it — as
nginx does with a dead upstream — so a player whose controller died reconnects to the
next one."""

from __future__ import annotations

import socket
import threading


class FailoverBalancer:
    def __init__(self, upstream_ports: list[int]) -> None:
        self.upstream_ports = list(upstream_ports)
        self.chosen: list[int] = []  # the upstream of every connection, in order
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self._server.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        for port in self.upstream_ports:
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=2)
            except OSError:
                continue
            upstream.settimeout(None)
            self.chosen.append(port)
            threading.Thread(target=_pipe, args=(client, upstream), daemon=True).start()
            _pipe(upstream, client)
            return
        client.close()  # nobody answers: the client retries as it would


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
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
