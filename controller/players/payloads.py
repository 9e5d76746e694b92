"""Validation (pure) of the small player messages: ``ack``, ``timeline_request``,
``time``, ``emergency_shown``, ``command_result``. Each returns the cleaned values or
raises ``PayloadRefused``."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from controller.media.store import is_sha256

MAX_MISSING = 1000
MAX_VERSION = 2**53


class PayloadRefused(ValueError):
    """``error`` is the protocol's error code, ``str()`` the message for the player."""

    def __init__(self, message: str, error: str = "bad_request") -> None:
        self.error = error
        super().__init__(message)


@dataclass(frozen=True)
class Ack:
    version: int
    missing: list[str]


def _version(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VERSION:
        raise PayloadRefused(f"{name} must be an integer ≥ 0, got {value!r:.40}.")
    return value


def validate_ack(payload: Any) -> Ack:
    if not isinstance(payload, Mapping):
        raise PayloadRefused("ack must be a JSON object {\"version\": N, \"missing\": [...]}.")
    if "version" not in payload:
        raise PayloadRefused("ack needs 'version', the timeline version that was stored.")
    version = _version(payload["version"], "version")
    missing = payload.get("missing", [])
    if missing is None:
        missing = []
    if not isinstance(missing, list):
        raise PayloadRefused("missing must be a list of SHA-256 hex digests.")
    if len(missing) > MAX_MISSING:
        raise PayloadRefused(f"missing lists {len(missing)} files; the limit is {MAX_MISSING}.")
    for sha in missing:
        if not isinstance(sha, str) or not is_sha256(sha):
            raise PayloadRefused(f"missing holds {sha!r:.80}, which is not a SHA-256 "
                                 "(64 lowercase hex digits).")
    return Ack(version=version, missing=sorted(set(missing)))


def validate_timeline_request(payload: Any, own_screen: str) -> int | None:
    """``have_version`` (or None). Refuses a request naming another screen."""
    if payload is None:
        return None
    if not isinstance(payload, Mapping):
        raise PayloadRefused("timeline_request must be a JSON object or nothing.")
    screen = payload.get("screen")
    if screen is not None and screen != own_screen:
        raise PayloadRefused(f"This connection belongs to screen {own_screen!r}; it cannot "
                             f"ask for the timeline of {str(screen)[:80]!r}.", "forbidden")
    have = payload.get("have_version")
    return None if have is None else _version(have, "have_version")


def validate_time(payload: Any) -> None:
    if payload is not None and not isinstance(payload, Mapping):
        raise PayloadRefused("time takes no data (or an empty object).")


@dataclass(frozen=True)
class EmergencyShown:
    id: int
    shown_at: datetime


def validate_emergency_shown(payload: Any) -> EmergencyShown:
    if not isinstance(payload, Mapping):
        raise PayloadRefused("emergency_shown must be a JSON object "
                             "{\"id\": N, \"shown_at\": \"ISO 8601 time\"}.")
    emergency_id = payload.get("id")
    if not isinstance(emergency_id, int) or isinstance(emergency_id, bool) \
            or not 0 < emergency_id <= MAX_VERSION:
        raise PayloadRefused(f"emergency_shown.id must be an integer > 0, got "
                             f"{emergency_id!r:.40}.")
    shown_at = payload.get("shown_at")
    try:
        moment = datetime.fromisoformat(shown_at) if isinstance(shown_at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PayloadRefused(f"emergency_shown.shown_at must be an ISO 8601 time with a "
                             f"time zone, got {shown_at!r:.60}.")
    return EmergencyShown(id=emergency_id, shown_at=moment.astimezone(UTC))


# --- command_result ---------------------------------------------------------------------

COMMAND_ID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EXTRA_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_RESULT_MESSAGE = 1000
MAX_RESULT_EXTRAS = 20
MAX_RESULT_STRING = 200
MAX_RESULT_BYTES = 4096
RESERVED_RESULT_KEYS = ("id", "ok", "message")


@dataclass(frozen=True)
class CommandResult:
    id: str
    ok: bool
    message: str
    extras: dict[str, Any]


def validate_command_result(payload: Any) -> CommandResult:
    """``{"id": uuid, "ok": bool, "message": str, …extra scalar fields}``."""
    if not isinstance(payload, Mapping):
        raise PayloadRefused("command_result must be a JSON object "
                             "{\"id\": \"<command id>\", \"ok\": true|false, \"message\": …}.")
    try:
        size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        size = MAX_RESULT_BYTES + 1
    if size > MAX_RESULT_BYTES:
        raise PayloadRefused(f"command_result is {size} bytes; the limit is "
                             f"{MAX_RESULT_BYTES}.")
    command_id = payload.get("id")
    if not isinstance(command_id, str) or not COMMAND_ID_RE.fullmatch(command_id):
        raise PayloadRefused(f"command_result.id must be the id of the command (a UUID), "
                             f"got {command_id!r:.60}.")
    ok = payload.get("ok")
    if not isinstance(ok, bool):
        raise PayloadRefused(f"command_result.ok must be true or false, got {ok!r:.40}.")
    message = payload.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str) or len(message) > MAX_RESULT_MESSAGE:
        raise PayloadRefused(f"command_result.message must be a string of at most "
                             f"{MAX_RESULT_MESSAGE} characters.")
    extras = {k: v for k, v in payload.items() if k not in RESERVED_RESULT_KEYS}
    if len(extras) > MAX_RESULT_EXTRAS:
        raise PayloadRefused(f"command_result has {len(extras)} extra fields; the limit is "
                             f"{MAX_RESULT_EXTRAS}.")
    for key, value in extras.items():
        if not isinstance(key, str) or not EXTRA_KEY_RE.fullmatch(key):
            raise PayloadRefused(f"command_result field name {str(key)[:60]!r} is not "
                                 "lowercase letters, digits and '_'.")
        if isinstance(value, float) and not math.isfinite(value):
            raise PayloadRefused(f"command_result.{key} must be a finite number.")
        if isinstance(value, str) and len(value) > MAX_RESULT_STRING:
            raise PayloadRefused(f"command_result.{key} is longer than "
                                 f"{MAX_RESULT_STRING} characters.")
        if value is not None and not isinstance(value, bool | int | float | str):
            raise PayloadRefused(f"command_result.{key} must be a number, a string, true, "
                                 "false or null.")
    return CommandResult(id=command_id, ok=ok, message=message, extras=dict(extras))
