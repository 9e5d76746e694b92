"""Heartbeat validation (pure). The fields and limits are ``player.messages.HEARTBEAT``
(printed in docs/protocol.md, section 5): a heartbeat outside them is refused whole, with
a message naming the field and the limit; unknown fields are dropped."""

from __future__ import annotations

from typing import Any

from controller.players.payloads import PayloadRefused
from player.message_check import MessageRefused, check
from player.messages import HEARTBEAT


class HeartbeatRefused(PayloadRefused):
    """The heartbeat breaks a limit; ``field`` names it, ``str()`` is the message."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def validate_heartbeat(payload: Any) -> dict[str, Any]:
    """The facts to store, or ``HeartbeatRefused``. Omitted fields stay omitted."""
    try:
        return check(HEARTBEAT, payload) or {}
    except MessageRefused as exc:
        raise HeartbeatRefused(exc.path or "heartbeat", str(exc)) from None
