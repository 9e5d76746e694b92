"""The normalised snapshot every kind of source is parsed into (docs/sources.md
"Records"): a list of records, each a flat mapping of text keys to text or numbers, so a
template can name ``flight`` or ``from.en`` whatever the feed's format was.

Bounded while it is built: at most ``max_records`` records (the rest are left out and
the snapshot says so in ``note``), ``MAX_FIELDS`` fields a record, ``MAX_KEY`` characters
a key and ``MAX_VALUE`` a value (longer text is cut with "…")."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from controller.refusals import Refusal, refusal

MAX_RECORDS = 1000  # the ceiling of a source's max_records
DEFAULT_RECORDS = 200
MAX_FIELDS = 60
MAX_KEY = 100
MAX_VALUE = 2000
MAX_NESTING = 4  # a.b.c.d: deeper objects inside a record are left out

Value = str | int | float
Record = dict[str, Value]


class ParseFailed(Exception):
    """The body is not what the source's kind says; ``str()`` is the refusal."""

    def __init__(self, message: Refusal) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Snapshot:
    records: list[Record] = field(default_factory=list)
    source_updated_at: datetime | None = None  # when the feed says it was updated
    note: Refusal | None = None  # e.g. records left out


def text_value(value: str) -> str:
    """Text as stored: NFC (decomposed Vietnamese renders with broken marks), stripped,
    cut at ``MAX_VALUE`` characters."""
    value = unicodedata.normalize("NFC", value).strip()
    return value if len(value) <= MAX_VALUE else value[:MAX_VALUE - 1] + "…"


def scalar(value: Any) -> Value | None:
    """A JSON/CSV/XML scalar as a record value; None for what is not one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value if abs(value) < 2**53 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return text_value(value)
    return None


def flatten(value: Any) -> Record:
    """One record from a JSON value: nested objects become dotted keys (``from.en``),
    lists of scalars are joined with ", ", a bare scalar becomes ``{"value": …}``."""
    out: Record = {}
    if not isinstance(value, dict):
        single = scalar(value)
        return {"value": single} if single is not None else {}
    _walk(value, "", out, 0)
    return out


def _walk(obj: dict[str, Any], prefix: str, out: Record, depth: int) -> None:
    for key, value in obj.items():
        if len(out) >= MAX_FIELDS:
            return
        name = f"{prefix}{str(key).strip()[:MAX_KEY]}"
        if isinstance(value, dict):
            if depth + 1 < MAX_NESTING:
                _walk(value, name + ".", out, depth + 1)
        elif isinstance(value, list):
            items = [scalar(v) for v in value if not isinstance(v, dict | list)]
            joined = ", ".join(str(v) for v in items if v is not None)
            out[name] = text_value(joined)
        else:
            single = scalar(value)
            if single is not None:
                out[name] = single
            elif value is None:
                out[name] = ""


def left_out(kept: int, total: int | None) -> Refusal:
    if total is None:
        return refusal("only the first %(kept)d records were kept (max_records)", kept=kept)
    return refusal("only the first %(kept)d of %(total)d records were kept (max_records)",
                   kept=kept, total=total)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset; a naive one is taken as UTC), else None."""
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
