"""The Socket.IO stack alone: what the baseline server does for a change, done by the
controller's own socket stack — Flask-SocketIO on gevent, python-engineio, simple-websocket
with Pano's bounded reader (``controller.edge.websocket.bound_transport``) and shared
pinger (``controller.edge.pinger``), Pano's gevent HTTP handler, one handler per
connection in its reader (``async_handlers=False``) — and nothing else: no database, no
rebuild, no recorder, no background job. Run as its own process:

    python -m bench.stack_server --port N --payload FILE

A client connects to the ``/player`` namespace (its ``auth`` names its screen,
``bench-screen-0042``; nothing is checked) and gets the payload as a ``timeline`` event.
``POST /change`` bumps the version and emits the payload to every client, encoded once
(python-socketio encodes a broadcast once); ``POST /change?every=10`` only to the screens
whose index is a multiple of 10. An ``ack`` is answered ``{"ok": true}``, as the
controller answers a valid one, dispatched as the controller dispatches it (no request
context; ``controller.players.namespace.PlayerNamespace.trigger_event``).

Its server CPU per change, against the baseline's in the same run, is the floor of
Pano's: what the sockets cost before any timeline is built, stored or recorded
(``python -m bench --systems gevent,stack,baseline``; docs/performance.md)."""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402 - after the patching, as in the controller
import json  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import Namespace, SocketIO, join_room  # noqa: E402
from gevent import pywsgi  # noqa: E402

from controller.edge.http_server import gevent_handler  # noqa: E402
from controller.edge.pinger import install as shared_pinger  # noqa: E402
from controller.edge.websocket import bound_transport  # noqa: E402

NAMESPACE = "/player"
EVERY = 10  # "?every=10": the screens whose index is a multiple of it (bench.runner)
TENTH_ROOM = "tenth"


def screen_index(auth: Any) -> int:
    """``bench-screen-0042`` → 42; 0 for anything else."""
    screen = auth.get("screen", "") if isinstance(auth, dict) else ""
    digits = str(screen).rsplit("-", 1)[-1]
    return int(digits) if digits.isdigit() else 0


class _Floor(Namespace):
    """Greets a client with the payload, and answers an ``ack`` without Flask-SocketIO's
    request context, as the controller's ``PlayerNamespace`` does (it pushes an
    application context only, which this floor leaves out too)."""

    def __init__(self, payload: dict[str, Any], version: int) -> None:
        super().__init__(NAMESPACE)
        self.payload, self.version = payload, version

    def current(self) -> dict[str, Any]:
        return {**self.payload, "version": self.version}

    def trigger_event(self, event: Any, *args: Any) -> Any:
        if event == "ack":
            return {"ok": True}
        return super().trigger_event(event, *args)

    def on_connect(self, auth: Any = None) -> None:
        if screen_index(auth) % EVERY == 0:
            join_room(TENTH_ROOM)
        self.emit("timeline", self.current(), room=request.sid)  # type: ignore[attr-defined]


def create(payload: dict[str, Any], version: int) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=None,
                        manage_session=False, async_handlers=False)
    bound_transport(socketio.server)
    shared_pinger(socketio.server.eio)
    floor = _Floor(payload, version)
    socketio.on_namespace(floor)

    @app.post("/change")
    def _change() -> dict[str, Any]:
        tenth = request.args.get("every", type=int) == EVERY
        floor.version += 1
        socketio.emit("timeline", floor.current(), namespace=NAMESPACE,
                      to=TENTH_ROOM if tenth else None)
        return {"version": floor.version}

    return app, socketio


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stack_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payload", type=Path, required=True)
    parser.add_argument("--version", type=int, default=0)
    args = parser.parse_args(argv)
    app, _socketio = create(json.loads(args.payload.read_text()), args.version)
    server = pywsgi.WSGIServer(("127.0.0.1", args.port), app, log=None,
                               handler_class=gevent_handler())
    server.serve_forever()


if __name__ == "__main__":
    main()
