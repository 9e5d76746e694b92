"""Validation (pure) of the small player messages: ``ack``, ``timeline_request``,
``time``, ``emergency_shown``, ``command_result``. Their shapes and limits are declared
once in ``player.messages`` and checked by ``player.message_check``; what is left here is
what a declaration cannot say (another screen's name is ``forbidden``, a time becomes a
``datetime``). Each function returns the cleaned values or raises ``PayloadRefused``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from player.message_check import MessageRefused, check
from player.messages import (
    ACK,
    COMMAND_RESULT,
    EMERGENCY_SHOWN,
    TIME,
    TIMELINE_REQUEST,
    Message,
)


class PayloadRefused(ValueError):
    """``error`` is the protocol's error code, ``str()`` the message for the player."""

    def __init__(self, message: str, error: str = "bad_request") -> None:
        self.error = error
        super().__init__(message)


def checked(message: Message, payload: Any) -> dict[str, Any] | None:
    """``player.message_check.check``, refusing with ``PayloadRefused``."""
    try:
        return check(message, payload)
    except MessageRefused as exc:
        raise PayloadRefused(str(exc)) from None


@dataclass(frozen=True)
class Ack:
    version: int
    missing: list[str]


def validate_ack(payload: Any) -> Ack:
    body = checked(ACK, payload) or {}
    return Ack(version=body["version"], missing=sorted(set(body.get("missing") or [])))


def validate_timeline_request(payload: Any, own_screen: str) -> int | None:
    """``have_version`` (or None). Refuses a request naming another screen."""
    body = checked(TIMELINE_REQUEST, payload) or {}
    screen = body.get("screen")
    if screen is not None and screen != own_screen:
        raise PayloadRefused(f"This connection belongs to screen {own_screen!r}; it cannot "
                             f"ask for the timeline of {screen[:80]!r}.", "forbidden")
    return body.get("have_version")


def validate_time(payload: Any) -> None:
    checked(TIME, payload)


@dataclass(frozen=True)
class EmergencyShown:
    id: int
    shown_at: datetime


def validate_emergency_shown(payload: Any) -> EmergencyShown:
    body = checked(EMERGENCY_SHOWN, payload) or {}
    moment = datetime.fromisoformat(body["shown_at"])  # checked: ISO 8601 with a zone
    return EmergencyShown(id=body["id"], shown_at=moment.astimezone(UTC))


@dataclass(frozen=True)
class CommandResult:
    id: str
    ok: bool
    message: str
    extras: dict[str, Any]


def validate_command_result(payload: Any) -> CommandResult:
    """``{"id": uuid, "ok": bool, "message": str, …extra scalar fields}``."""
    body = checked(COMMAND_RESULT, payload) or {}
    extras = {k: v for k, v in body.items() if k not in ("id", "ok", "message")}
    return CommandResult(id=body["id"], ok=body["ok"], message=body.get("message") or "",
                         extras=extras)
