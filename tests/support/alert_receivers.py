"""Real receivers for alert tests: an SMTP server (aiosmtpd) and an HTTP webhook
receiver (http.server in a thread), both on 127.0.0.1, recording what they get."""

from __future__ import annotations

import email
import email.policy
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller as SmtpController

from support.processes import free_port


class Mailbox:
    """``messages``: every e-mail received, as ``email.message.EmailMessage``."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.port = free_port()
        self._lock = threading.Lock()
        self._smtp = SmtpController(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def url(self, to: str = "ops@example.gov.vn") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=pano@example.gov.vn&to={to}"

    def subjects(self) -> list[str]:
        with self._lock:
            return [str(m["subject"]) for m in self.messages]

    def start(self) -> Mailbox:
        self._smtp.start()
        return self

    def stop(self) -> None:
        self._smtp.stop()


class Webhook:
    """``received``: ``(headers, body bytes)`` of every POST; ``status`` is answered."""

    def __init__(self, status: int = 200) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                outer.received.append(({k: v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._http.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def start(self) -> Webhook:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
