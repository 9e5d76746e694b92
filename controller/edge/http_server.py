"""How long a client may take to send a request, in the web servers Pano runs under.

Without a bound, a client that sends ``Content-Length: 71680`` and then nothing holds a
greenlet and a file descriptor forever (and so do a thousand of them), and one that sends
its headers a byte a minute never finishes either. Bounds (:mod:`controller.edge.limits`):

- the request line and the headers must arrive within ``header_deadline`` (this also
  closes kept-alive connections idle that long);
- while a body is read, no pause may last longer than ``read_idle``; a request whose
  body stalls is answered ``408`` by the app (``controller.api.errors``) and the
  connection closed.

:class:`BoundedHandler` is gevent's ``pywsgi`` handler with those bounds (``pano-controller
serve`` in gevent mode); :func:`bounded_handler_class` makes the same from another
``pywsgi`` handler class (gunicorn's gevent worker: ``controller.edge.gunicorn_worker``);
:func:`werkzeug_handler` is werkzeug's (threading mode, development and tests), with
``read_idle`` only.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from controller.edge.limits import HEADER_DEADLINE, READ_IDLE

log = logging.getLogger("pano.edge")

RFILE_BUFFER = 2048  # bytes; see Bounded.handle


class RequestTooSlow(socket.timeout):
    """The request line or headers did not arrive in time."""


def bounded_handler_class(base: type) -> type:
    """A subclass of the ``pywsgi.WSGIHandler`` class ``base`` with both bounds."""
    import gevent

    class Bounded(base):  # type: ignore[misc, valid-type]
        _deadline: Any = None
        _websocket = False

        def handle(self) -> None:
            # Every read (request line, headers, body) gives up after read_idle.
            self.socket.settimeout(READ_IDLE.value)
            # Requests are read through a 2 KiB buffer instead of io's 8 KiB one: a
            # WebSocket keeps its handler, and so this reader, for as long as it lasts,
            # although it never reads through it again (6 KiB of every player's
            # connection). Request lines and headers fit; a large body is read straight
            # into the reader's destination anyway.
            self.rfile = self.socket.makefile("rb", RFILE_BUFFER)
            super().handle()

        def read_requestline(self) -> str:
            # The deadline covers the request line and the headers: started here,
            # cancelled once read_request has parsed them. A timeout here is a socket
            # error, which pywsgi answers by closing the connection.
            self._deadline = gevent.Timeout.start_new(
                HEADER_DEADLINE.value,
                RequestTooSlow(f"request headers not received within "
                               f"{HEADER_DEADLINE.value:g} s"))
            try:
                return super().read_requestline()
            except BaseException:
                self._cancel_deadline()
                raise

        def read_request(self, raw_requestline: str) -> bool:
            try:
                return super().read_request(raw_requestline)
            finally:
                self._cancel_deadline()

        def run_application(self) -> None:
            self._websocket = self.environ.get("HTTP_UPGRADE", "").lower() == "websocket"
            try:
                super().run_application()
            finally:
                if self._websocket:
                    # The connection belonged to the WebSocket: what follows on it is not
                    # HTTP, so never parse it as a next request.
                    self.close_connection = True

        def handle_error(self, t: Any, v: Any, tb: Any) -> None:
            if getattr(self, "_websocket", False):
                # Never write an HTTP 500 into an upgraded connection: log, close.
                log.warning("WebSocket from %s ended with %s: %s",
                            self.environ.get("REMOTE_ADDR", "-"), t.__name__, v)
                self.close_connection = True
                return
            super().handle_error(t, v, tb)

        def _cancel_deadline(self) -> None:
            if self._deadline is not None:
                self._deadline.close()
                self._deadline = None

    Bounded.__name__ = Bounded.__qualname__ = f"Bounded{base.__name__}"
    return Bounded


def gevent_handler() -> type:
    from gevent import pywsgi

    return bounded_handler_class(pywsgi.WSGIHandler)


def werkzeug_handler() -> type:
    """werkzeug's request handler with a socket timeout of ``read_idle`` on every read
    (``socketserver.StreamRequestHandler.timeout``), for the threading mode. (Imported
    here, not at the top: gunicorn's master imports this module before its gevent
    worker monkey-patches.)"""
    from werkzeug.serving import WSGIRequestHandler

    class BoundedRequestHandler(WSGIRequestHandler):
        timeout = READ_IDLE.value

        def run_wsgi(self) -> None:
            try:
                super().run_wsgi()
            finally:
                if self.headers.get("Upgrade", "").lower() == "websocket":
                    self.close_connection = True  # what follows a WebSocket is not HTTP

    return BoundedRequestHandler


def answer_stalled_bodies(app: Any) -> None:
    """A body that stalls past ``read_idle`` raises a socket timeout inside the view
    that reads it, which werkzeug turns into ``ClientDisconnected`` (a bare 400):
    answer ``408`` with what happened (and close) instead."""
    from werkzeug.exceptions import ClientDisconnected

    from controller.api.errors import error_response

    def stalled(_exc: Exception) -> Any:
        response = error_response(
            408, "The request body stopped arriving (the connection was closed, or silent "
                 f"for more than {READ_IDLE.value:g} s); send the request again.",
            "request_timeout")
        response.headers["Connection"] = "close"
        return response

    app.register_error_handler(TimeoutError, stalled)
    app.register_error_handler(ClientDisconnected, stalled)
