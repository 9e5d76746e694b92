"""Heartbeat validation (pure). The limits are those of docs/protocol.md, section 5: a
heartbeat outside them is refused whole, with a message naming the field and the limit."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

MAX_HEARTBEAT_BYTES = 16 * 1024
MAX_UPTIME = 315_360_000  # ten years, in seconds
MAX_LOAD = 1000
MAX_MEMORY = 2**50
MAX_DISK = 2**60
MIN_CPU_TEMP, MAX_CPU_TEMP = -40, 150
MAX_SOFTWARE = 100
MAX_PLAYING_STRING = 200
MAX_LAST_ERROR = 1000
MAX_CLOCK_OFFSET = 315_360_000
MAX_SENT_AT = 64

# What a stored heartbeat may hold (unknown fields are ignored).
FACT_FIELDS = ("timeline_version", "playing", "uptime", "load", "memory", "disk", "cpu_temp",
               "software", "clock_offset", "last_error", "sent_at")


class HeartbeatRefused(ValueError):
    """The heartbeat breaks a limit; ``str()`` is the message for the player."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(f"Heartbeat refused: {reason}")


def json_size(payload: Any) -> int:
    return len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False,
                          default=str).encode("utf-8"))


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _number(name: str, value: Any, low: float, high: float, unit: str = "") -> float | int:
    if not _is_number(value):
        raise HeartbeatRefused(name, f"{name} must be a number, got {_show(value)}.")
    if not low <= value <= high:
        raise HeartbeatRefused(name, f"{name} {value!r} is outside {low:g}…{high:g}{unit}.")
    return value


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "…"


def _text(name: str, value: Any, limit: int, nullable: bool) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        kind = "a string or null" if nullable else "a string"
        raise HeartbeatRefused(name, f"{name} must be {kind}, got {_show(value)}.")
    if len(value) > limit:
        raise HeartbeatRefused(name, f"{name} is {len(value)} characters long; "
                                     f"the limit is {limit}.")
    return value


def _capacity(name: str, value: Any, free_key: str, limit: int) -> dict[str, int | float]:
    if not isinstance(value, Mapping):
        raise HeartbeatRefused(name, f"{name} must be an object with total and {free_key}.")
    total, free = value.get("total"), value.get(free_key)
    if not _is_number(total) or not 0 < total <= limit:
        raise HeartbeatRefused(name, f"{name}.total must be a number of bytes in 1…2^"
                                     f"{int(math.log2(limit))}, got {_show(total)}.")
    if not _is_number(free) or not 0 <= free <= total:
        raise HeartbeatRefused(name, f"{name}.{free_key} must be a number of bytes in "
                                     f"0…{name}.total, got {_show(free)}.")
    return {"total": total, free_key: free}


def validate_heartbeat(payload: Any) -> dict[str, Any]:
    """The facts to store, or ``HeartbeatRefused``. Omitted fields stay omitted."""
    if not isinstance(payload, Mapping):
        raise HeartbeatRefused("heartbeat", f"the heartbeat must be a JSON object, "
                                            f"got {_show(payload)}.")
    size = json_size(payload)
    if size > MAX_HEARTBEAT_BYTES:
        raise HeartbeatRefused("heartbeat", f"the heartbeat is {size} bytes; the limit is "
                                            f"{MAX_HEARTBEAT_BYTES} bytes (16 KiB).")
    facts: dict[str, Any] = {}
    if "timeline_version" in payload:
        value = payload["timeline_version"]
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 0 or value > 2**53):
            raise HeartbeatRefused("timeline_version", "timeline_version must be an integer "
                                   f"≥ 0 or null, got {_show(value)}.")
        facts["timeline_version"] = value
    if "playing" in payload:
        value = payload["playing"]
        if value is not None:
            if not isinstance(value, Mapping):
                raise HeartbeatRefused("playing", "playing must be an object or null, "
                                                  f"got {_show(value)}.")
            playing: dict[str, str | None] = {}
            for key, text in value.items():
                _text(f"playing.{key}", text, MAX_PLAYING_STRING, nullable=True)
                if key in ("playlist", "item", "since"):
                    playing[key] = text
            value = playing
        facts["playing"] = value
    if "uptime" in payload:
        facts["uptime"] = _number("uptime", payload["uptime"], 0, MAX_UPTIME, " s")
    if "load" in payload:
        value = payload["load"]
        if not isinstance(value, list) or len(value) != 3:
            raise HeartbeatRefused("load", f"load must be a list of 3 numbers, "
                                           f"got {_show(value)}.")
        facts["load"] = [_number("load", v, 0, MAX_LOAD) for v in value]
    if "memory" in payload:
        facts["memory"] = _capacity("memory", payload["memory"], "available", MAX_MEMORY)
    if "disk" in payload:
        facts["disk"] = _capacity("disk", payload["disk"], "free", MAX_DISK)
    if "cpu_temp" in payload:
        value = payload["cpu_temp"]
        facts["cpu_temp"] = None if value is None else _number(
            "cpu_temp", value, MIN_CPU_TEMP, MAX_CPU_TEMP, " °C")
    if "software" in payload:
        facts["software"] = _text("software", payload["software"], MAX_SOFTWARE, False)
    if "clock_offset" in payload:
        facts["clock_offset"] = _number("clock_offset", payload["clock_offset"],
                                        -MAX_CLOCK_OFFSET, MAX_CLOCK_OFFSET, " s")
    if "last_error" in payload:
        facts["last_error"] = _text("last_error", payload["last_error"], MAX_LAST_ERROR, True)
    if "sent_at" in payload:
        facts["sent_at"] = _text("sent_at", payload["sent_at"], MAX_SENT_AT, True)
    return facts
