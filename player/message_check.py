"""Validation driven by ``player.messages``: ``check(message, payload)`` returns the body
cleaned to what is declared, or raises ``MessageRefused`` with a sentence naming the
event, the field, the value and the limit. ``describe(field)`` is the same words the
refusals and the tables of docs/protocol.md use, so what a player reads in a refusal is
what the document says. Pure and standard-library only (both sides use it)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from player.messages import KIB, Field, Message


class MessageRefused(ValueError):
    """``path`` names the field (empty for the whole body); ``str()`` is the sentence."""

    def __init__(self, event: str, path: str, reason: str) -> None:
        self.event = event
        self.path = path
        super().__init__(f"{event} refused: {reason}")


def body_size(payload: Any) -> int:
    """Bytes of ``payload`` as compact UTF-8 JSON: the measure of ``max_bytes``."""
    try:
        return len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False,
                              default=str).encode("utf-8"))
    except (TypeError, ValueError):
        return 2**31


def number_text(value: float) -> str:
    """``2^50`` for a large power of two, ``150`` for a whole number, else as written."""
    if isinstance(value, int) and value >= 2**16 and value & (value - 1) == 0:
        return f"2^{value.bit_length() - 1}"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def range_text(field: Field) -> str:
    """``-40…150 °C``, ``≥ 0``, or empty when the field has no bounds."""
    low, high = field.low, field.high
    if low is not None and high is not None:
        text = f"{number_text(low)}…{number_text(high)}"
    elif low is not None:
        text = f"≥ {number_text(low)}"
    elif high is not None:
        text = f"≤ {number_text(high)}"
    else:
        return ""
    return text + field.unit


def describe(field: Field) -> str:
    """The field's type and limits in words: ``a number -40…150 °C, or null``."""
    kind = field.type
    if kind in ("integer", "number"):
        bounds = range_text(field)
        text = f"an {kind}" if kind == "integer" else "a number"
        text += f" {bounds}" if bounds else ""
        if field.at_most:
            text += f", at most `{field.at_most}`"
    elif kind == "string":
        if field.pattern_says:
            text = field.pattern_says
        elif field.time:
            text = "an ISO 8601 time with a time zone (UTC with `Z`)"
        else:
            text = "a string" + (f" of at most {field.longest} characters"
                                 if field.longest else "")
    elif kind == "boolean":
        text = "true or false"
    elif kind == "list":
        fewest, most = field.entries or (0, None)
        count = f"{most}" if fewest == most else f"at most {most}"
        each = describe(field.items) if field.items else "anything"
        text = f"a list of {count} entries, each {each}"
    elif kind == "scalar":
        return (f"a number, a string of at most {field.longest} characters, true, false "
                "or null")
    else:
        text = "an object"
    return text + (", or null" if field.nullable else "")


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "…"


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _is_time(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


class _Checker:
    def __init__(self, event: str) -> None:
        self.event = event

    def refuse(self, path: str, reason: str) -> MessageRefused:
        return MessageRefused(self.event, path, reason)

    def wrong(self, field: Field, path: str, value: Any) -> MessageRefused:
        return self.refuse(path, f"{path} must be {describe(field)}, got {_shown(value)}.")

    def value(self, field: Field, path: str, value: Any) -> Any:
        if value is None:
            if field.nullable or field.type == "scalar":
                return None
            raise self.wrong(field, path, value)
        kind = field.type
        if kind in ("integer", "number"):
            return self.number(field, path, value)
        if kind == "string":
            return self.string(field, path, value)
        if kind == "boolean":
            if not isinstance(value, bool):
                raise self.wrong(field, path, value)
            return value
        if kind == "list":
            return self.list(field, path, value)
        if kind == "scalar":
            if isinstance(value, str):
                return self.string(field, path, value)
            if isinstance(value, bool) or _is_number(value):
                return value
            raise self.wrong(field, path, value)
        return self.object(field, path, value)

    def number(self, field: Field, path: str, value: Any) -> float | int:
        if not _is_number(value) or (field.type == "integer" and not isinstance(value, int)):
            raise self.wrong(field, path, value)
        if (field.low is not None and value < field.low) or \
                (field.high is not None and value > field.high):
            raise self.refuse(path, f"{path} {_shown(value)} is outside {range_text(field)}.")
        return value

    def string(self, field: Field, path: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.wrong(field, path, value)
        if field.pattern is not None and not re.fullmatch(field.pattern, value):
            raise self.wrong(field, path, value)
        if field.longest is not None and len(value) > field.longest:
            raise self.refuse(path, f"{path} is {len(value)} characters long; it may be "
                                    f"at most {field.longest}.")
        if field.time and not _is_time(value):
            raise self.wrong(field, path, value)
        return value

    def list(self, field: Field, path: str, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.wrong(field, path, value)
        fewest, most = field.entries or (0, len(value))
        if fewest == most and len(value) != most or len(value) < fewest:
            raise self.wrong(field, path, value)
        if len(value) > most:
            raise self.refuse(path, f"{path} has {len(value)} entries; the limit is {most}.")
        if field.items is None:
            return list(value)
        return [self.value(field.items, f"{path}[{i}]", v) for i, v in enumerate(value)]

    def object(self, field: Field, path: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.wrong(field, path or "the body", value)
        prefix = f"{path}." if path else ""
        clean: dict[str, Any] = {}
        for sub in field.fields:
            if sub.name in value:
                clean[sub.name] = self.value(sub, prefix + sub.name, value[sub.name])
            elif sub.required:
                raise self.refuse(prefix + sub.name, f"'{prefix}{sub.name}' is missing; it "
                                                     f"must be {describe(sub)}.")
        for sub in field.fields:
            sibling = clean.get(sub.at_most) if sub.at_most else None
            mine = clean.get(sub.name)
            if _is_number(sibling) and _is_number(mine) and mine > sibling:
                raise self.refuse(prefix + sub.name, f"{prefix}{sub.name} {_shown(mine)} is "
                                  f"more than {prefix}{sub.at_most} {_shown(sibling)}.")
        declared = {sub.name for sub in field.fields}
        others = [k for k in value if k not in declared]
        if field.others is None:
            return clean
        if field.others_max is not None and len(others) > field.others_max:
            where = f"{path} has" if path else "there are"
            raise self.refuse(path, f"{where} {len(others)} extra fields; the limit is "
                                    f"{field.others_max}.")
        for key in others:
            if not isinstance(key, str) or (field.others_name is not None
                                            and not re.fullmatch(field.others_name, key)):
                raise self.refuse(path, f"field name {str(key)[:60]!r} is not "
                                        f"{field.others_name_says}.")
            checked = self.value(field.others, prefix + key, value[key])
            if field.keep_others:
                clean[key] = checked
        return clean


def check(message: Message, payload: Any) -> dict[str, Any] | None:
    """``payload`` cleaned to what ``message`` declares (None for an ``optional``
    message sent with no data), or ``MessageRefused``."""
    checker = _Checker(message.event)
    if payload is None and message.optional:
        return None
    if not isinstance(payload, Mapping):
        nothing = " or nothing" if message.optional else ""
        raise checker.refuse("", f"the body must be a JSON object{nothing}, got "
                                 f"{_shown(payload)}.")
    if message.max_bytes is not None:
        size = body_size(payload)
        if size > message.max_bytes:
            raise checker.refuse("", f"the body is {size} bytes; the limit is "
                                     f"{message.max_bytes} bytes "
                                     f"({message.max_bytes // KIB} KiB).")
    return checker.object(message.body, "", payload)
