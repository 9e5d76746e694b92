"""A guard around python-socketio's Engine.IO message handler: a frame that is not a
valid Socket.IO packet (bad JSON, unknown packet type…) is logged to ``pano.players``
with the sender's address and, if the sender is connected to ``/player``, answered with
an ``error`` event. Without it the failure is only an "engineio" traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import socketio

from controller.timeline.publisher import NAMESPACE

log = logging.getLogger("pano.players")


def guard_malformed_messages(server: socketio.Server) -> None:
    # python-socketio registers _handle_eio_message as the Engine.IO "message" handler;
    # re-registering a wrapper with the public ``eio.on`` keeps everything else intact.
    handle: Callable[[str, Any], Any] = server._handle_eio_message

    def guarded(eio_sid: str, data: Any) -> Any:
        try:
            return handle(eio_sid, data)
        except Exception as exc:  # a malformed frame must not cost more than a log line
            environ = server.environ.get(eio_sid) or {}
            shown = data[:120] if isinstance(data, str | bytes) else type(data).__name__
            log.warning("malformed Socket.IO message from address=%s: %s (%r)",
                        environ.get("REMOTE_ADDR", "-"), exc, shown)
            sid = server.manager.sid_from_eio_sid(eio_sid, NAMESPACE)
            if sid is not None:
                server.emit("error", {"event": None,
                                      "message": f"Malformed Socket.IO message refused: {exc}"},
                            to=sid, namespace=NAMESPACE)
            return None

    server.eio.on("message", guarded)
