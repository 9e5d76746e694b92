"""A load balancer on 127.0.0.1 for tests of several controller processes: each new TCP
connection goes to the first upstream, in this balancer's order, that accepts it — as
nginx does with a dead upstream — so a player whose controller died reconnects to the
next one."""

from __future__ import annotations

import socket
import threading

from support.tcp_listener import TcpListener


class FailoverBalancer(TcpListener):
    def __init__(self, upstream_ports: list[int]) -> None:
        self.upstream_ports = list(upstream_ports)
        self.chosen: list[int] = []  # the upstream of every connection, in order
        super().__init__()

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
