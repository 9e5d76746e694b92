"""Validation (pure) of the small player messages: ``ack``, ``timeline_request``,
``time``, ``emergency_shown``. Each returns the cleaned values or raises ``PayloadRefused``."""

from __future__ import annotations

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
